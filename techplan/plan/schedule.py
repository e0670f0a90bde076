"""Schedule integrity: milestones due before a milestone they depend on, or depending on a dropped one.

The rules, kept simple so editors can predict them:

- Only open milestones are checked (planned, in progress, at risk, delayed): a done milestone was
  delivered whatever its dates said, and a dropped one is not coming.
- A dependency that is done cannot hold anything up, whatever its due date.
- An open milestone due strictly before an open dependency is out of order (due on the same day is
  fine).
- An open milestone that depends on a dropped one is a conflict of its own kind: what it waited for
  is not coming, so the dependency should be removed or replaced.

Each conflict is a `techplan check` warning (`Problem` with severity `warning`) and is marked, in
words, on the roadmap and the milestone tables. `conflicts_by_milestone` is the one entry point
for pages; `schedule_problems` is the one for the check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from techplan.plan.formatting import format_date
from techplan.plan.model import Location, Milestone
from techplan.problems import WARNING, Problem

EARLY = "early"
"""The milestone is due before a dependency that is still to be delivered."""
DROPPED = "dropped"
"""The milestone depends on a milestone that was dropped."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """One dependency of an open milestone that its schedule does not allow for."""

    milestone: Milestone
    """The milestone that depends on the other."""
    dependency: Milestone
    kind: str
    """`early` or `dropped`."""

    @property
    def field(self) -> str:
        """The field an editor would change: `due` for an early milestone, `depends_on` for a dropped dependency."""
        return "due" if self.kind == EARLY else "depends_on"

    @property
    def sentence(self) -> str:
        """The conflict as a reader sees it: "Due before M3.2, which it depends on (due 30 June 2025)"."""
        other = self.dependency
        if self.kind == EARLY:
            return f"Due before {other.id}, which it depends on (due {format_date(other.due)})."
        return f"Depends on {other.id}, which was dropped."

    @property
    def message(self) -> str:
        """The warning `techplan check` gives: both milestones, both dates, and what would fix it."""
        own, other = self.milestone, self.dependency
        if self.kind == EARLY:
            return (
                f"{own.id} is due {format_date(own.due)}, before {other.id} (due {format_date(other.due)}), "
                f"which it depends on; move {own.id}'s due date to {other.due.isoformat()} or later, bring "
                f"{other.id} forward, or take {other.id} out of depends_on if {own.id} no longer needs it"
            )
        return (
            f"{own.id} depends on {other.id}, which was dropped; take {other.id} out of depends_on, "
            f"or name the milestone that replaces it"
        )


def find_conflicts(milestones: Iterable[Milestone]) -> list[Conflict]:
    """Every conflict among these milestones, in the order the milestones and their dependencies are written.

    Dependencies that name no milestone here are left to the id check.
    """
    listed = list(milestones)
    by_id = {m.id: m for m in listed}
    conflicts: list[Conflict] = []
    for milestone in listed:
        if not milestone.is_open:
            continue
        for other_id in milestone.depends_on:
            other = by_id.get(other_id)
            if other is None or other.id == milestone.id:
                continue
            if other.status == "dropped":
                conflicts.append(Conflict(milestone, other, DROPPED))
            elif other.is_open and milestone.due < other.due:
                conflicts.append(Conflict(milestone, other, EARLY))
    return conflicts


def conflicts_by_milestone(milestones: Iterable[Milestone]) -> dict[str, tuple[Conflict, ...]]:
    """The conflicts of each milestone that has any, by id: what the roadmap and milestone pages mark."""
    found: dict[str, list[Conflict]] = {}
    for conflict in find_conflicts(milestones):
        found.setdefault(conflict.milestone.id, []).append(conflict)
    return {record_id: tuple(conflicts) for record_id, conflicts in found.items()}


def schedule_problems(milestones: Iterable[Milestone], lines: Mapping[tuple[str, str], Location]) -> list[Problem]:
    """The warnings `techplan check` and the build give for every conflict.

    `lines` gives where each (milestone id, field) is written; a milestone's own line is used when
    the field's is not known.
    """
    problems = []
    for conflict in find_conflicts(milestones):
        own = conflict.milestone
        where = lines.get((own.id, conflict.field), own.location)
        problems.append(Problem(where.path, where.line, conflict.field, conflict.message, WARNING, shown=True))
    return problems
