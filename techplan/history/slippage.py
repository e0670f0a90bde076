"""How each milestone's due date has moved, read from the git history of the milestone files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import yaml

from techplan.cache import DiskCache
from techplan.history.git import Repository
from techplan.history.log import NO_BLOB, Event, History

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def read_slippage(repo: Repository, history: History, files: list[str], cache: DiskCache) -> dict[str, DueHistory]:
    """The due-date history of every milestone in the given milestone files (paths from the repository root).

    Each version of each file is read once (one `git cat-file --batch` for all that the cache
    does not already know) and only its ids and due dates are kept.
    """
    order = {commit.sha: position for position, commit in enumerate(history.chain)}
    events = sorted(
        ((order.get(event.commit.sha, 0), path, event) for path in files for event in history.files.get(path, [])),
        key=lambda item: -item[0],  # oldest first
    )
    blobs = {_blob(event) for _, _, event in events} - {NO_BLOB}
    dues = {blob: cache.get("dues", blob) for blob in blobs}
    missing = sorted(blob for blob, value in dues.items() if value is None)
    if missing:
        for blob, data in repo.blobs(missing).items():
            dues[blob] = read_dues(data)
            cache.put("dues", blob, dues[blob])
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
            per_file[path] = dues.get(_blob(event)) or {}
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


def _blob(event: Event) -> str:
    """The file's blob after the event's commit."""
    return next(c.new_blob for c in event.commit.changes if event.path in (c.path, c.old_path))


def _merged(per_file: dict[str, dict[str, date]]) -> dict[str, date]:
    """Every milestone's due date across files."""
    merged: dict[str, date] = {}
    for dues in per_file.values():
        merged.update(dues)
    return merged


def read_dues(data: bytes) -> dict[str, date]:
    """The due date of each milestone in one version of a milestones file; {} if it cannot be read."""
    try:
        content = yaml.load(data.decode("utf-8-sig"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    items = content.get("milestones") if isinstance(content, dict) else None
    dues: dict[str, date] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and type(item.get("due")) is date:
            dues[item["id"]] = item["due"]
    return dues
