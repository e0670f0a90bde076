"""Finding [[references]] and [[blocks]] in Markdown, and leaving code alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from techplan.plan.prose import _visible, expand, scan


def names(text: str) -> list[tuple[str, int]]:
    return [(token.name, token.line) for token in scan(text)]


def test_references_and_blocks_with_lines() -> None:
    text = "# Title\n\nSee [[M2.1]] and [[K3|the measure]].\n\n[[roadmap]]\n"
    tokens = list(scan(text))
    assert [(t.name, t.text, t.line, t.alone) for t in tokens] == [
        ("M2.1", None, 3, False),
        ("K3", "the measure", 3, False),
        ("roadmap", None, 5, True),
    ]
    assert tokens[0].is_reference and not tokens[2].is_reference


def test_code_spans_fences_and_comments_are_skipped() -> None:
    text = (
        "Write `[[M1.1]]` or ``a `[[M1.2]]` b`` here, but [[M1.3]] counts.\n"
        "```yaml\n[[M1.4]]\n```\n"
        "~~~~\n```\n[[M1.5]]\n~~~~\n"
        "<!-- [[M1.6]]\n[[M1.7]] -->[[M1.8]]\n"
        "    ```\n    [[M1.9]]\n    ```\n"
    )
    assert names(text) == [("M1.3", 1), ("M1.8", 10)]


def test_expand_replaces_each_token_and_keeps_everything_else() -> None:
    text = "A [[M1.1]] b [[M1.2|two]].\n`[[M1.3]]`\n\n[[roadmap]]\n"
    result = expand(text, lambda token: f"<{token.name}:{token.text}>")
    assert result == "A <M1.1:None> b <M1.2:two>.\n`[[M1.3]]`\n\n<roadmap:None>\n"


def test_unclosed_fence_hides_the_rest_as_markdown_does() -> None:
    assert names("```\n[[M1.1]]\n") == []


# Lines made of what decides what is code or comment, and plain characters around it.
_PIECES = st.lists(st.sampled_from(["`", "``", "<!--", "-->", "[[M1.1]]", "a", " ", "-", "<", "!", "]"]), max_size=12)


@given(_PIECES, st.booleans())
def test_blanking_code_and_comments_keeps_every_other_character_in_place(pieces: list[str], in_comment: bool) -> None:
    line = "".join(pieces)
    visible, _ = _visible(line, in_comment)
    assert len(visible) == len(line)
    assert all(shown in (kept, " ") for shown, kept in zip(visible, line, strict=True))
    if not in_comment and "`" not in line and "<!--" not in line:
        assert visible == line


@given(st.lists(st.sampled_from(["-->", "[[M1.1]]", "a", " ", "-", "."]), max_size=12), st.text("a -.", max_size=20))
def test_a_reference_in_plain_text_is_found_wherever_it_stands(before: list[str], after: str) -> None:
    """Text that opens no code span or comment hides nothing, however much of it comes first."""
    assert "M2.2" in [token.name for token in scan(f"{''.join(before)}[[M2.2]]{after}\n")]
