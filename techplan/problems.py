"""Problems found in the plan: data, not exceptions, so every one can be reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the plan, at a place staff can open in an editor."""

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

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        """Order problems by file, then line, so the report reads top to bottom."""
        return (self.path, self.line, self.field, self.message)


class PlanError(Exception):
    """The plan has problems and must not be published."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda problem: problem.sort_key)
        super().__init__(render_report(self.problems))


def render_report(problems: list[Problem]) -> str:
    """Render a list of problems as the report `techplan check` and the build print."""
    count = len(problems)
    heading = f"The plan has {count} problem{'s' if count != 1 else ''}:"
    return "\n".join([heading, *(problem.render() for problem in problems)])


def quote(value: object) -> str:
    """Show a value as staff typed it, in double quotes, shortened if long."""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return '"' + text.replace("\n", " ") + '"'
