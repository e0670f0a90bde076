"""Problems found in the plan: data, not exceptions, so every one can be reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the plan, at a place staff can open in an editor.

    Problems sort by file, then line, then field and message, so a report reads top to bottom.
    """

    path: str
    """File path relative to the repository root, with forward slashes."""
    line: int
    """1-based line number; 1 for problems with a whole file."""
    field: str
    """The field as staff write it (`due`, `baseline.value`), or what kind of problem it is."""
    message: str
    """What is wrong and, where it helps, what a right value looks like."""

    def render(self) -> str:
        """Render as `path:line: field: message`, the form editors and CI logs link up."""
        return f"{self.path}:{self.line}: {self.field}: {self.message}"

    def render_github(self) -> str:
        """Render as a GitHub Actions annotation so the problem shows on the pull request diff."""
        message = f"{self.field}: {self.message}".replace("%", "%25").replace("\n", "%0A")
        return f"::error file={self.path},line={self.line}::{message}"


def render_report(problems: Iterable[Problem]) -> str:
    """Render problems as the report `techplan check` and the build print: each once, top to bottom."""
    problems = sorted(set(problems))
    count = len(problems)
    heading = f"The plan has {count} problem{'s' if count != 1 else ''}:"
    return "\n".join([heading, *(problem.render() for problem in problems)])


def quote(value: object) -> str:
    """Show a value as staff typed it, in double quotes, shortened if long."""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return '"' + text.replace("\n", " ") + '"'
