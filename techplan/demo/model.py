"""A story as records: dated steps (commits, pull-request merges, tags) and how each one changes the plan.

The story file (see techplan.demo.story) is read into these; every record keeps the line it was
written on, so a step that does not fit the plan can be pointed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from techplan.errors import TechplanError
from techplan.problems import Problem


class StoryError(TechplanError):
    """The story cannot be replayed: problems in the story file, or git refused a step."""

    status = 1

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems
        """What is wrong in the story file, each at its line; empty when git or the target folder failed."""

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> StoryError:
        """The error reporting every problem at once, top to bottom."""
        ordered = tuple(sorted(set(problems)))
        count = len(ordered)
        heading = f"The story has {count} problem{'s' if count != 1 else ''}:"
        return cls("\n".join([heading, *(p.render() for p in ordered)]), ordered)


@dataclass(frozen=True, slots=True)
class Person:
    """A git identity: a fictional person or team."""

    name: str
    email: str


# --- What a step can do to the plan (paths are relative to plan/) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Add:
    """A file appears, with the content it has at that point of the story."""

    line: int
    path: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Text in a file changes from old to new (each must occur once)."""

    line: int
    """Where the new text is written (`new:`, or `insert:` for text inserted before or after other text)."""
    path: str
    old: str
    new: str
    field: str = "new"
    """What the story wrote the new text under: `new` or `insert`."""
    old_field: str = "old"
    """What the story wrote the old text under: `old`, or `before` or `after` for the text an insert goes next to."""
    old_line: int = 0
    """Where the old text is written."""


@dataclass(frozen=True, slots=True)
class Move:
    """A page is renamed with `git mv`."""

    line: int
    src: str
    dst: str


@dataclass(frozen=True, slots=True)
class RecordEdit:
    """Text inside one milestone's or measure's record changes from old to new."""

    line: int
    record: str
    old: str
    new: str
    field: str = "new"
    """What the story wrote the change under: `new`, or the field whose value changes (`status`)."""


@dataclass(frozen=True, slots=True)
class Due:
    """A milestone is re-forecast: its due date moves."""

    line: int
    record: str
    old: date
    new: date


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A milestone or measure is added, as it reads at that point of the story."""

    line: int
    record: str


@dataclass(frozen=True, slots=True)
class Actual:
    """A measure gets its actual value for a date."""

    line: int
    record: str
    when: date


Op = Add | Edit | Move | RecordEdit | Due | NewRecord | Actual


@dataclass(frozen=True, slots=True)
class Tag:
    """An annotated tag marking a published revision of the plan."""

    name: str
    title: str
    summary: str


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit, on main or on a pull request's branch."""

    line: int
    when: datetime
    """UK time: +01:00 in British Summer Time, +00:00 otherwise."""
    who: Person
    subject: str
    ops: tuple[Op, ...]
    note: str | None = None
    body: str = ""
    branch: str | None = None
    tag: Tag | None = None


@dataclass(frozen=True, slots=True)
class Merge:
    """A pull request merged into main with a merge commit."""

    line: int
    when: datetime
    who: Person
    branch: str
    number: int
    title: str
    note: str | None = None
    tag: Tag | None = None


Step = Commit | Merge


@dataclass(frozen=True, slots=True)
class Story:
    """A whole story, read from its file."""

    path: str
    """The story file as problems name it."""
    today: date
    """The day the replayed site is shown as at."""
    tagger: Person
    """Who makes the annotated tags."""
    steps: tuple[Step, ...]
