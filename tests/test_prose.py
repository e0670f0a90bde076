"""Finding [[references]] and [[blocks]] in Markdown, and leaving code alone."""

from __future__ import annotations

from techplan.plan.prose import expand, scan


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
