"""Change notes are read from commit messages exactly as git reads trailers, plus GitHub's squash layout.

The reference is git itself: each generated message is stored as a real commit and read back with
`git log --format=%(trailers:key=Change-note,…)`. Above a squash rule (GitHub's line of dashes
before its `Co-authored-by:` block) the engine also reads the trailer block of the text above the
rule; the test asks git for that part separately.
"""

from __future__ import annotations

import re

import pytest
from gitrepo import GitRepo
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from techplan.history.trailers import SQUASH_RULE, stray, values

LINES = [
    "Change-note: Moved M2.1 to March 2025.",
    "change-note:   lower case, spaced",
    "Change-note : a space before the colon",
    "Change-note:",
    "  folded onto a second line",
    "\tfolded with a tab",
    "Co-authored-by: Sam Example <sam@example.org>",
    "Signed-off-by: Policy Editor <policy@example.org>",
    "(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)",
    "Reviewed-by: Someone",
    "Plain prose in the body.",
    "* Squashed commit subject",
    "# a comment line",
    "Conflicts:",
    "---------",
    "Key with spaces: not a token",
    "URL: https://example.org/a:b",
    " ",
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepo, str]:
    repo = GitRepo(tmp_path_factory.mktemp("trailers"))
    tree = repo.git("write-tree").strip()
    return repo, tree


def git_notes(repo: GitRepo, tree: str, message: str) -> list[str]:
    """The Change-note values git reads from a commit holding exactly this message."""
    header = f"tree {tree}\nauthor A <a@example.org> 1600000000 +0000\ncommitter A <a@example.org> 1600000000 +0000\n\n"
    sha = repo.write_object("commit", header.encode() + message.encode())
    output = repo.git("log", "-1", "--format=%(trailers:key=Change-note,valueonly,unfold,separator=%x00)", sha)
    return [value for value in output.rstrip("\n").split("\x00") if value]


paragraph = st.lists(st.sampled_from(LINES), min_size=1, max_size=6).map("\n".join)
message_strategy = st.lists(paragraph, min_size=1, max_size=5).map(
    lambda paragraphs: "Subject line\n\n" + "\n\n".join(paragraphs) + "\n"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=message_strategy)
@example(  # git's own trailer makes a mixed block count while at least a quarter of it is trailers
    message="Subject line\n\nSigned-off-by: P <p@example.org>\nChange-note: A.\n" + "Plain prose.\n" * 6
)
@example(message="Subject line\n\nSigned-off-by: P <p@example.org>\nChange-note: A.\n" + "Plain prose.\n" * 7)
@example(message="Subject line\n\nChange-note: A.\n# a comment line\nCo-authored-by: S <s@example.org>\n")
@example(message="Subject line\n\nChange-note: A.\n\n# a comment line\n")
def test_notes_are_read_as_git_reads_them(repo: tuple[GitRepo, str], message: str) -> None:
    expected = git_notes(*repo, message)
    found = values(message, "Change-note")
    rules = list(re.finditer(r"\n\n-{3,}[ \t]*\n", message))
    if not rules:
        assert found == expected
        return
    # A squash rule: git's final block, after what git reads from the text above the last rule
    # when the final block follows that rule (or nothing more when it does not).
    assert found[len(found) - len(expected) :] == expected
    above = git_notes(*repo, message[: rules[-1].start()] + "\n")
    assert found[: len(found) - len(expected)] in ([], above)


def test_githubs_squash_layout_keeps_the_note(repo: tuple[GitRepo, str]) -> None:
    message = (
        "Reword again (#13)\n\n* Reword again\n\nChange-note: Reworded it again.\n\n---------\n\n"
        "Co-authored-by: Sam Example <sam@example.org>\n"
    )
    assert git_notes(*repo, message) == []  # git alone would lose it
    assert SQUASH_RULE.search(message[: message.index("Co-authored-by")])
    above = message[: message.index("\n\n---------")] + "\n"
    assert git_notes(*repo, above) == ["Reworded it again."]
    assert values(message, "Change-note") == ["Reworded it again."]
    assert not stray(message, "Change-note")


def test_a_note_above_the_squash_rule_but_not_in_a_trailer_block_is_stray() -> None:
    message = "Title\n\nChange-note: early\n\n* More text after it\n\n---------\n\nCo-authored-by: S <s@example.org>\n"
    assert values(message, "Change-note") == []
    assert stray(message, "Change-note")


def test_squash_with_two_commits_reads_the_last_ones_block_and_flags_the_first() -> None:
    message = (
        "Title (#14)\n\n* First\n\nChange-note: A.\n\n* Second\n\nChange-note: B.\n\n---------\n\n"
        "Co-authored-by: S <s@example.org>\n"
    )
    assert values(message, "Change-note") == ["B."]
    assert stray(message, "Change-note")
