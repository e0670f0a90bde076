"""History notes: what the past holds that could not be read, recorded instead of failing the build.

Git history is permanent: a bad commit can be reverted but never removed. Whatever in a past
commit, tag or file version cannot be read (a date that does not exist, an alias bomb, a
tag on a blob, a time zone git itself calls invalid) becomes a note: where it is and what
was wrong. Notes never fail a build, strict or not; the build lists them once at info level,
`techplan check --history` lists them all, and a reader sees "could not be read" where the
missing part would have been.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class HistoryNote:
    """Something in the repository's past that could not be read, and was skipped."""

    commit: str
    """The full sha of the commit (or tagged commit) it is in; empty when no commit is known."""
    path: str = ""
    """The file (relative to the repository root) or tag (refs/tags/...) it is about, if any."""
    line: int = 0
    """The line in that file, when known; 0 when not."""
    message: str = ""
    """What was wrong, and what the site does instead."""

    def render(self) -> str:
        """The note as one line: `commit 1a2b3c4: path:line: message`."""
        parts = [f"commit {self.commit[:7]}" if self.commit else "history"]
        if self.path:
            parts.append(f"{self.path}:{self.line}" if self.line else self.path)
        return ": ".join([*parts, self.message])


def history_report(notes: tuple[HistoryNote, ...] | list[HistoryNote]) -> str:
    """The notes as the build and `techplan check --history` list them: a sentence, then one line each."""
    count = len(notes)
    heading = (
        f"The plan's git history holds {count} thing{'s' if count != 1 else ''} that could not be read. "
        "They are left out of the site, which says so where a reader would look; history cannot be changed, "
        "so they never fail a build:"
    )
    return "\n".join([heading, *(note.render() for note in sorted(set(notes)))])
