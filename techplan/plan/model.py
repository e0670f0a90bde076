"""Typed records of the plan: phases, milestones and measures, as loaded and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from techplan.cache import pickled_by_fields

MILESTONE_STATUS_LABELS = {
    "planned": "Planned",
    "in-progress": "In progress",
    "at-risk": "At risk",
    "delayed": "Delayed",
    "done": "Done",
    "dropped": "Dropped",
}

PHASE_STATUS_LABELS = {
    "planned": "Planned",
    "draft": "Draft",
    "consultation": "Out for consultation",
    "published": "Published",
    "revising": "Being revised",
}

THEME_LABELS = {
    "digital-maturity": "Digital maturity",
    "patients": "Impact for patients",
    "staff": "Impact for staff",
}

CLOSED_STATUSES = frozenset({"done", "dropped"})
"""Statuses of milestones that are no longer coming due."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Location:
    """Where a record is written: a file relative to the repository root, and a line."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Consultation:
    """A public consultation window on a phase."""

    opens: date
    closes: date
    feedback: str
    """Where feedback goes: an https:// or mailto: address."""

    def state(self, today: date) -> str:
        """Whether the consultation is `upcoming`, `open` or `closed` on a given day."""
        if today < self.opens:
            return "upcoming"
        if today <= self.closes:
            return "open"
        return "closed"


@dataclass(frozen=True, slots=True)
class Phase:
    """One of the plan's phases: a folder of pages with its own metadata and data."""

    number: int
    """The phase number, from the folder name (`phase2-roadmap` is 2)."""
    folder: str
    """The folder, relative to the plan directory (`phase2-roadmap`)."""
    title: str
    summary: str
    """Markdown."""
    status: str
    consultation: Consultation | None
    location: Location

    @property
    def status_label(self) -> str:
        """The status in words."""
        return PHASE_STATUS_LABELS[self.status]

    @property
    def index_page(self) -> str:
        """The phase's overview page, relative to the plan directory."""
        return f"{self.folder}/index.md"

    @property
    def name(self) -> str:
        """The phase as readers see it: `Phase 2: Roadmap`."""
        return f"Phase {self.number}: {self.title}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Milestone:
    """Something the plan commits to deliver by a date."""

    id: str
    title: str
    owner: str
    due: date
    status: str
    depends_on: tuple[str, ...]
    summary: str
    """Markdown."""
    phase: int
    """The number of the phase whose milestones.yml holds it."""
    location: Location

    @property
    def status_label(self) -> str:
        """The status in words."""
        return MILESTONE_STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        """Whether the milestone is still to be delivered (not done or dropped)."""
        return self.status not in CLOSED_STATUSES


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Point:
    """A value on a date: a baseline, a target or an actual."""

    date: date
    value: float


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Measure:
    """A way the plan measures success."""

    id: str
    title: str
    theme: str
    unit: str
    description: str
    """Markdown; may be empty."""
    baseline: Point
    target: Point
    actuals: tuple[Point, ...]
    """Oldest first."""
    source: str
    phase: int
    location: Location

    @property
    def latest(self) -> Point | None:
        """The most recent actual, if any."""
        return self.actuals[-1] if self.actuals else None

    @property
    def higher_is_better(self) -> bool:
        """Whether the target is above the baseline."""
        return self.target.value > self.baseline.value

    @property
    def progress(self) -> float | None:
        """How far the latest actual has moved from baseline to target (0 = none, 1 = met)."""
        latest = self.latest
        if latest is None:
            return None
        return (latest.value - self.baseline.value) / (self.target.value - self.baseline.value)

    def expected_on(self, day: date) -> float:
        """The value on a day if progress ran in a straight line from baseline to target."""
        span = (self.target.date - self.baseline.date).days
        elapsed = min(max((day - self.baseline.date).days, 0), span)
        share = elapsed / span
        return self.baseline.value + share * (self.target.value - self.baseline.value)

    @property
    def trajectory(self) -> str:
        """`met`, `on-track`, `behind` or `no-data`: the latest actual against a straight line."""
        latest = self.latest
        if latest is None:
            return "no-data"
        progress = self.progress or 0.0
        if progress >= 1:
            return "met"
        expected = self.expected_on(latest.date)
        ahead = latest.value >= expected if self.higher_is_better else latest.value <= expected
        return "on-track" if ahead else "behind"

    @property
    def theme_label(self) -> str:
        """The theme in words."""
        return THEME_LABELS[self.theme]


@dataclass(frozen=True, slots=True)
class Plan:
    """The whole plan: phases with their milestones and measures."""

    phases: tuple[Phase, ...]
    milestones: tuple[Milestone, ...]
    measures: tuple[Measure, ...]
    pages: tuple[str, ...] = ()
    """Markdown pages, relative to the plan directory."""
    data_files: tuple[str, ...] = ()
    """phase.yml, milestones.yml and measures.yml files, relative to the plan directory."""
    blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The plan blocks each page places, by page."""
    titles: dict[str, str] = field(default_factory=dict)
    """Each page's title, from its first heading."""
    _by_id: dict[str, Milestone | Measure] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({m.id: m for m in self.milestones})
        self._by_id.update({m.id: m for m in self.measures})

    def record(self, record_id: str) -> Milestone | Measure | None:
        """The milestone or measure with this id, or None."""
        return self._by_id.get(record_id)

    def phase(self, number: int) -> Phase | None:
        """The phase with this number, or None."""
        return next((p for p in self.phases if p.number == number), None)

    def milestones_of(self, number: int) -> tuple[Milestone, ...]:
        """The milestones of one phase, in file order."""
        return tuple(m for m in self.milestones if m.phase == number)

    def measures_of(self, number: int) -> tuple[Measure, ...]:
        """The measures held in one phase's folder, in file order."""
        return tuple(m for m in self.measures if m.phase == number)
