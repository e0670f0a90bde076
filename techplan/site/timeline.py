"""Geometry of the roadmap timeline; the SVG markup itself is a template."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import MAXYEAR, date

from techplan.plan.model import Milestone, Phase

ROW = 26
"""Height of one milestone row, in SVG units."""
LABEL_WIDTH = 290
"""Room on the left for the milestone ids and titles."""
WIDTH = 780
"""Close to the width of the content column, so text is drawn near its own size."""
TOP = 58
"""Room above the rows for the legend and the year labels."""
TITLE_CHARS = 36
"""Titles longer than this are shortened in the drawing; the table has them in full."""


@dataclass(frozen=True, slots=True)
class Row:
    """One milestone on the timeline."""

    milestone: Milestone
    y: float
    x: float
    label: str
    """The shortened title drawn beside the id."""
    original_x: float | None = None
    """Where the milestone was first due, if its due date has moved."""
    flagged: bool = False
    """Whether its schedule does not allow for a milestone it depends on (techplan.plan.schedule)."""


@dataclass(frozen=True, slots=True)
class Band:
    """A phase's heading row on the timeline."""

    phase: Phase
    y: float


@dataclass(frozen=True, slots=True)
class Tick:
    """A year boundary on the time axis."""

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """Everything the template needs to draw the roadmap."""

    width: int
    height: int
    left: float
    right: float
    top: float
    rows: tuple[Row, ...]
    bands: tuple[Band, ...]
    ticks: tuple[Tick, ...]
    today_x: float | None
    start: date
    end: date
    flag_key_y: float | None = None
    """Where the key explains the flag on milestones out of order with a dependency, if any is flagged."""


def layout_timeline(
    phases: tuple[Phase, ...],
    milestones: tuple[Milestone, ...],
    today: date,
    first_due: dict[str, date] | None = None,
    flagged: Collection[str] = (),
) -> Timeline:
    """Place each milestone at its due date, grouped by phase and ordered by due date.

    `first_due` gives, for milestones whose due date has moved, where they were first due;
    `flagged` the ids of milestones whose schedule conflicts with a dependency.
    """
    first_due = first_due or {}
    flagged = {m.id for m in milestones if m.id in flagged}
    dues = [m.due for m in milestones] + list(first_due.values()) or [today]
    start = date(min(dues).year, 1, 1)
    # The check keeps today's dates in range; a date first written in an old commit may be 9999-12-31.
    end = date(max(dues).year + 1, 1, 1) if max(dues).year < MAXYEAR else date.max
    left, right = LABEL_WIDTH + 10, WIDTH - 20
    span = (end - start).days

    def x_of(day: date) -> float:
        return round(left + (right - left) * (day - start).days / span, 1)

    rows: list[Row] = []
    bands: list[Band] = []
    # The key's lines are 18 apart; the flag's comes after the due-date line when there is one.
    flag_key_y = (44 if first_due else 26) if flagged else None
    top = TOP + (18 if first_due else 0) + (18 if flagged else 0)  # room for the key's further lines
    y = top
    for phase in phases:
        own = sorted((m for m in milestones if m.phase == phase.number), key=lambda m: (m.due, m.id))
        if not own:
            continue
        bands.append(Band(phase, y + ROW * 0.65))
        y += ROW
        for milestone in own:
            original = first_due.get(milestone.id)
            original_x = x_of(original) if original is not None and original != milestone.due else None
            label = _shorten(milestone.title)
            rows.append(Row(milestone, y + ROW / 2, x_of(milestone.due), label, original_x, milestone.id in flagged))
            y += ROW
    ticks = tuple(
        Tick(x_of(date(year, 1, 1)), str(year)) for year in range(start.year, end.year + 1, _tick_step(start, end))
    )
    today_x = x_of(today) if start <= today <= end else None
    return Timeline(
        WIDTH, int(y + 10), left, right, top, tuple(rows), tuple(bands), ticks, today_x, start, end, flag_key_y
    )


def _tick_step(start: date, end: date) -> int:
    """Years between ticks: every year, unless that would crowd more than about 30 onto the axis."""
    return max(1, -(-(end.year - start.year) // 30))


def _shorten(title: str) -> str:
    """A title cut at a word boundary to fit the label column."""
    if len(title) <= TITLE_CHARS:
        return title
    cut = title[: TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
