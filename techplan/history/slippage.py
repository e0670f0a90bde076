"""How each milestone's due date has moved, read from the git history of the milestone files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from techplan.cache import pickled_by_fields
from techplan.history.log import NO_BLOB, History, blob_after
from techplan.history.past import PastReader


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Reforecast:
    """One move of a milestone's due date, as published."""

    when: datetime
    """When the move was published: the first-parent commit's date."""
    commit: str
    old: date
    new: date
    notes: tuple[str, ...]
    """The change notes published with it; empty when it moved without one."""

    @property
    def days(self) -> int:
        """How far it moved, in days; negative when brought forward."""
        return (self.new - self.old).days


@dataclass(frozen=True, slots=True)
class DueHistory:
    """A milestone's due dates over time: where it started and each re-forecast since."""

    id: str
    original: date
    """The due date the milestone was first published with."""
    first_published: datetime
    reforecasts: tuple[Reforecast, ...]
    """Oldest first."""

    @property
    def current(self) -> date:
        """The due date now."""
        return self.reforecasts[-1].new if self.reforecasts else self.original

    @property
    def days(self) -> int:
        """How far the due date has moved since it was first published, in days."""
        return (self.current - self.original).days


def read_slippage(past: PastReader, history: History, files: list[str]) -> dict[str, DueHistory]:
    """The due-date history of every milestone in the given milestone files (paths from the repository root).

    Each version of each file is read once, through the past reader (one `git cat-file --batch`
    for all that the cache does not already know), and only its valid ids and due dates are kept;
    a version that cannot be read adds a history note and is skipped.
    """
    order = {commit.sha: position for position, commit in enumerate(history.chain)}
    events = sorted(
        ((order.get(event.commit.sha, 0), path, event) for path in files for event in history.files.get(path, [])),
        key=lambda item: -item[0],  # oldest first
    )
    versions = [(blob_after(event), event.commit.sha, path) for _, path, event in events]
    dues = past.dues(v for v in versions if v[0] != NO_BLOB)
    per_file: dict[str, dict[str, date]] = {}
    seen: dict[str, tuple[date, datetime, list[Reforecast]]] = {}
    position = 0
    while position < len(events):
        # All files a commit changed first, then compare: a milestone moved between files is not a change.
        commit_events = [events[position]]
        while position + 1 < len(events) and events[position + 1][2].commit.sha == events[position][2].commit.sha:
            position += 1
            commit_events.append(events[position])
        position += 1
        before = _merged(per_file)
        for _, path, event in commit_events:
            per_file[path] = dues.get(blob_after(event)) or {}
        after = _merged(per_file)
        event = commit_events[0][2]
        for record_id, due in after.items():
            if record_id not in seen:
                seen[record_id] = (due, event.commit.date, [])
            elif record_id in before and before[record_id] != due:
                seen[record_id][2].append(
                    Reforecast(event.commit.date, event.commit.sha, before[record_id], due, event.notes)
                )
    return {
        record_id: DueHistory(record_id, original, first, tuple(moves))
        for record_id, (original, first, moves) in seen.items()
    }


def _merged(per_file: dict[str, dict[str, date]]) -> dict[str, date]:
    """Every milestone's due date across files."""
    merged: dict[str, date] = {}
    for dues in per_file.values():
        merged.update(dues)
    return merged
