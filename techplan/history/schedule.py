"""Dependencies that slipped: "Depends on M3.2, which moved 6 months later on 3 March 2025."

A milestone that is still to be delivered says so when a milestone it depends on, also still to be
delivered, last moved its due date later. Only the latest move counts: it is the one the dependent
milestone's owner needs to act on. A dependency that is done, or was brought forward, says nothing.
`dependency_slips` is the one entry point, for the roadmap, the milestone tables and any page that
shows one milestone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from techplan.compare.datadiff import describe_shift
from techplan.history.slippage import DueHistory, Reforecast
from techplan.plan.formatting import format_date
from techplan.plan.model import Milestone


@dataclass(frozen=True, slots=True)
class DependencySlip:
    """A milestone's dependency whose due date last moved later."""

    milestone: str
    """The id of the milestone that depends on the other."""
    dependency: str
    """The id of the milestone that moved."""
    move: Reforecast
    """The dependency's latest move."""

    @property
    def shift(self) -> str:
        """How far it moved, in words: "6 months later"."""
        return f"{describe_shift(self.move.old, self.move.new)} later"

    @property
    def on(self) -> date:
        """The day the move was published."""
        return self.move.when.date()

    @property
    def sentence(self) -> str:
        """The slip in one sentence: "Depends on M3.2, which moved 6 months later on 3 March 2025."."""
        return f"Depends on {self.dependency}, which moved {self.shift} on {format_date(self.on)}."


def dependency_slips(
    milestones: Iterable[Milestone], slippage: Mapping[str, DueHistory]
) -> dict[str, tuple[DependencySlip, ...]]:
    """For each open milestone with an open dependency whose latest move was later, those slips, by id.

    `slippage` is the due-date history of each milestone (`techplan.history.slippage.read_slippage`);
    a build without history passes an empty one and gets no slips.
    """
    listed = list(milestones)
    by_id = {m.id: m for m in listed}
    found: dict[str, tuple[DependencySlip, ...]] = {}
    for milestone in listed:
        if not milestone.is_open:
            continue
        slips = []
        for other_id in milestone.depends_on:
            other, history = by_id.get(other_id), slippage.get(other_id)
            if other is None or not other.is_open or history is None or not history.reforecasts:
                continue
            latest = history.reforecasts[-1]
            if latest.days > 0:
                slips.append(DependencySlip(milestone.id, other_id, latest))
        if slips:
            found[milestone.id] = tuple(slips)
    return found
