"""Every milestone's and measure's whole life, from git: each change to it, when, and with what note.

The versions of every milestones.yml and measures.yml on the published branch's first-parent
line are read once (one `git cat-file --batch` through the past reader, parsed records cached
by blob) and consecutive versions compared with the same plain-English diff the redlines use.
A record moved between files is not a change; a version that cannot be read is skipped with a
history note.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from techplan.cache import DiskCache, content_key, pickled_by_fields, read_once_a_build
from techplan.compare.datadiff import DataChange, diff_measure, diff_milestone
from techplan.history.changes import HistoryUnavailable, open_repository
from techplan.history.git import GitError
from techplan.history.log import NO_BLOB, Commit, History, read_history
from techplan.history.notes import HistoryNote
from techplan.history.past import PastReader, records_key
from techplan.plan.formatting import format_date
from techplan.plan.load import PHASE_FOLDER
from techplan.plan.model import Measure, Milestone, Plan
from techplan.plan.settings import PlanConfig
from techplan.problems import Problem

_Record = TypeVar("_Record", Milestone, Measure)

DATA_NAMES = ("milestones.yml", "measures.yml")
"""The files records live in."""

read_once_a_build("record-lives")  # the build holds the lives it makes of them


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class LifeEvent:
    """One published commit that changed a record: what changed, when, and the note published with it."""

    commit: str
    date: datetime
    notes: tuple[str, ...]
    """The change notes published with it; empty when it came without one."""
    changes: tuple[DataChange, ...]

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of change in it (added, due, status...)."""
        return frozenset(change.kind for change in self.changes)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RecordLife:
    """A milestone or measure through its whole life: the record as last published and every change, newest first."""

    id: str
    last: Milestone | Measure
    """The record now, or as it was last published before it was deleted."""
    current: bool
    """Whether the plan holds it today."""
    events: tuple[LifeEvent, ...] = ()
    """Newest first; empty when the build reads no history."""

    @property
    def kind(self) -> str:
        """milestone or measure."""
        return "milestone" if isinstance(self.last, Milestone) else "measure"

    @property
    def first_published(self) -> LifeEvent | None:
        """The commit that first published it, if history holds it."""
        return next((e for e in reversed(self.events) if "added" in e.kinds), None)

    @property
    def deleted(self) -> LifeEvent | None:
        """The commit that deleted it, if the plan no longer holds it."""
        if self.current:
            return None
        return next((e for e in self.events if "removed" in e.kinds), None)

    @property
    def dropped(self) -> bool:
        """Whether it is a milestone whose status is (or was, when deleted) dropped."""
        return isinstance(self.last, Milestone) and self.last.status == "dropped"

    @property
    def deleted_without_dropping(self) -> bool:
        """Deleted from the plan without first being marked dropped: the record of why is lost."""
        return self.deleted is not None and isinstance(self.last, Milestone) and self.last.status != "dropped"

    @property
    def moves(self) -> tuple[tuple[LifeEvent, DataChange], ...]:
        """Each move of its due date, newest first."""
        return tuple((e, c) for e in self.events for c in e.changes if c.kind == "due")

    @property
    def moves_without_note(self) -> int:
        """How many due-date moves came without a change note."""
        return sum(1 for event, _ in self.moves if not event.notes)

    @property
    def first_due(self) -> date | None:
        """The due date it was first published with (a milestone's)."""
        if not isinstance(self.last, Milestone):
            return None
        moves = self.moves
        return date.fromisoformat(moves[-1][1].before) if moves and moves[-1][1].before else self.last.due

    @property
    def delivered_on_first_date(self) -> bool:
        """Done, and its due date never moved."""
        return isinstance(self.last, Milestone) and self.last.status == "done" and not self.moves


@dataclass(slots=True)
class _Step:
    """One first-parent commit that changed data files: the version of each after it (None: deleted)."""

    commit: Commit
    versions: dict[str, tuple[str, int] | None] = field(default_factory=dict)


class LifeReader:
    """Reads every record's life from the history: say what to read (`wanted`), then `read` it."""

    def __init__(self, history: History, prefix: str, cache: DiskCache | None = None) -> None:
        self.history = history
        self.prefix = prefix
        self._steps = data_steps(history.chain, prefix)
        self._cache = cache = cache or DiskCache(None)
        self._notes = _notes_by_commit(history)
        # A commit is its sha; what the lives show of it is fixed with it, but for the notes merged into it.
        steps = [(step.commit.sha, sorted(step.versions.items())) for step in self._steps]
        self._key = content_key(repr([prefix, steps, sorted((sha, self._notes.get(sha)) for sha, _ in steps)]).encode())
        known = cache.get("record-lives", self._key)
        self._known: tuple[dict[str, RecordLife], list[HistoryNote]] | None = known
        """Every life as an earlier build read them from the same data commits (a commit to prose only leaves
        them), with the notes that reading made on past versions that did not pass."""
        self.unread = sorted(
            {
                (blob, path, number)
                for step in self._steps
                for path, version in step.versions.items()
                if version is not None and self._known is None
                for blob, number in [version]
                if cache.get("record-versions", records_key(blob, path, number)) is None
            }
        )
        """(blob, path, phase number) of each version whose records the cache does not know."""
        self.wanted = sorted({blob for blob, _, _ in self.unread})
        """Blobs the cache does not know: read them with the build's other past versions, in one batch."""

    def read(self, past: PastReader, plan: Plan) -> dict[str, RecordLife]:
        """Every record that was ever published or is in the plan today, by id."""
        if self._known is None:
            noted = len(past.notes)
            read = self._read_history(past)
            self._known = (read, past.notes[noted:])
            self._cache.put("record-lives", self._key, self._known)
        else:
            past.notes += self._known[1]
        current: dict[str, Milestone | Measure] = {m.id: m for m in plan.milestones}
        current.update({m.id: m for m in plan.measures})
        lives = {
            record_id: RecordLife(
                record_id,
                current.get(record_id, life.last),
                record_id in current,
                life.events,
            )
            for record_id, life in self._known[0].items()
        }
        for record_id, record in current.items():
            if record_id not in lives:  # not yet committed
                lives[record_id] = RecordLife(record_id, record, True, ())
        return dict(sorted(lives.items(), key=lambda item: _natural(item[0])))

    def _read_history(self, past: PastReader) -> dict[str, RecordLife]:
        """Every record the history holds, as it last read there, with its changes newest first."""
        notes = self._notes
        versions = [
            (blob, step.commit.sha, path, number)
            for step in self._steps
            for path, version in step.versions.items()
            if version is not None
            for blob, number in [version]
        ]
        parsed = past.records(versions)
        per_file: dict[str, tuple[dict[str, Milestone], dict[str, Measure]]] = {}
        last: dict[str, Milestone | Measure] = {}
        events: dict[str, list[LifeEvent]] = {}
        for step in self._steps:
            before = _merged(per_file)
            for path, version in step.versions.items():
                if version is None:
                    per_file.pop(path, None)
                    continue
                milestones, measures, written = parsed.get(version[0], ((), (), frozenset()))
                found = (_first_each(milestones), _first_each(measures))
                earlier = per_file.get(path, ({}, {}))
                # A record this version holds but that does not pass (invalid data in the past) is not
                # a deletion: it reads as it last did until a version holds it validly again.
                for record_id in written - found[0].keys() - found[1].keys():
                    if record_id in earlier[0]:
                        found[0][record_id] = earlier[0][record_id]
                    elif record_id in earlier[1]:
                        found[1][record_id] = earlier[1][record_id]
                per_file[path] = found
            after = _merged(per_file)
            commit = step.commit
            for record_id in sorted(before[0].keys() | after[0].keys()):
                changes = diff_milestone(before[0].get(record_id), after[0].get(record_id))
                _add(events, record_id, commit, notes.get(commit.sha, commit.notes), changes)
            for record_id in sorted(before[1].keys() | after[1].keys()):
                changes = diff_measure(before[1].get(record_id), after[1].get(record_id))
                _add(events, record_id, commit, notes.get(commit.sha, commit.notes), changes)
            last.update(after[0])
            last.update(after[1])
        return {
            record_id: RecordLife(record_id, record, False, tuple(reversed(events.get(record_id, []))))
            for record_id, record in last.items()
        }


def read_lives(past: PastReader, history: History, prefix: str, plan: Plan, cache: DiskCache) -> dict[str, RecordLife]:
    """Every record's life, in one batch of past reads."""
    return LifeReader(history, prefix, cache).read(past, plan)


def lives_without_history(plan: Plan) -> dict[str, RecordLife]:
    """Each record in the plan today, with no history: for builds that read none."""
    lives: dict[str, RecordLife] = {m.id: RecordLife(m.id, m, True) for m in plan.milestones}
    lives.update({m.id: RecordLife(m.id, m, True) for m in plan.measures})
    return dict(sorted(lives.items(), key=lambda item: _natural(item[0])))


def reused_ids(lives: dict[str, RecordLife], plan: Plan) -> list[Problem]:
    """Problems for each record today whose id history shows was used before for a record that was deleted.

    A record put back as it was (the same title) is a restoration, not a reuse.
    """
    problems = []
    records: list[Milestone | Measure] = [*plan.milestones, *plan.measures]
    for record in records:
        life = lives.get(record.id)
        if life is None:
            continue
        for event in life.events:
            removed = next((c for c in event.changes if c.kind == "removed"), None)
            if removed is None or removed.before == record.title:
                continue
            noun = "milestone" if isinstance(record, Milestone) else "measure"
            problems.append(
                Problem(
                    record.location.path,
                    record.location.line,
                    "id",
                    f"{record.id} was the id of the {noun} “{removed.before}”, deleted on "
                    f"{format_date(event.date.date())} (commit {event.commit[:7]}); ids are never reused, "
                    "so readers and links that name it keep meaning that one: give this record a new id",
                )
            )
            break
    return problems


def data_steps(chain: Iterable[Commit], prefix: str) -> list[_Step]:
    """The first-parent commits that changed milestones or measures files, oldest first, with each file's version."""
    steps = []
    for commit in reversed(tuple(chain)):
        step = _Step(commit)
        for change in commit.changes:
            if change.old_path != change.path and _phase_of(change.old_path, prefix) is not None:
                step.versions[change.old_path] = None
            number = _phase_of(change.path, prefix)
            if number is None:
                continue
            if change.status == "D" or change.new_blob == NO_BLOB:
                step.versions[change.path] = None
            else:
                step.versions[change.path] = (change.new_blob, number)
        if step.versions:
            steps.append(step)
    return steps


def _phase_of(path: str, prefix: str) -> int | None:
    """The phase number of a milestones or measures file (a path from the repository root), or None."""
    if not path.startswith(prefix):
        return None
    folder, name = posixpath.split(path.removeprefix(prefix))
    match = PHASE_FOLDER.fullmatch(folder)
    return int(match.group(1)) if match and name in DATA_NAMES else None


def _notes_by_commit(history: History) -> dict[str, tuple[str, ...]]:
    """The change notes published with each commit that changed a data file, merged commits' notes included."""
    notes: dict[str, tuple[str, ...]] = {}
    for path, events in history.files.items():
        if posixpath.basename(path) not in DATA_NAMES:
            continue
        for event in events:
            notes[event.commit.sha] = tuple(dict.fromkeys([*notes.get(event.commit.sha, ()), *event.notes]))
    return notes


def _first_each(records: Iterable[_Record]) -> dict[str, _Record]:
    """Records by id; of two with one id (invalid data in the past) the first counts."""
    by_id: dict[str, _Record] = {}
    for record in records:
        by_id.setdefault(record.id, record)
    return by_id


def _merged(
    per_file: dict[str, tuple[dict[str, Milestone], dict[str, Measure]]],
) -> tuple[dict[str, Milestone], dict[str, Measure]]:
    """Every milestone and measure across files."""
    milestones: dict[str, Milestone] = {}
    measures: dict[str, Measure] = {}
    for file_milestones, file_measures in per_file.values():
        for record_id, milestone in file_milestones.items():
            milestones.setdefault(record_id, milestone)
        for record_id, measure in file_measures.items():
            measures.setdefault(record_id, measure)
    return milestones, measures


def _add(
    events: dict[str, list[LifeEvent]],
    record_id: str,
    commit: Commit,
    notes: tuple[str, ...],
    changes: list[DataChange],
) -> None:
    """Note a commit's changes to a record, if it made any."""
    if changes:
        events.setdefault(record_id, []).append(LifeEvent(commit.sha, commit.date, notes, tuple(changes)))


def _natural(record_id: str) -> tuple[object, ...]:
    """Milestones before measures, ids in number order: M1.2 before M1.10."""
    numbers = tuple(int(part) if part.isdigit() else 0 for part in record_id[1:].split("."))
    return (record_id[0] != "M", *numbers)


def check_reused_ids(settings: PlanConfig, plan: Plan, cache: DiskCache) -> tuple[list[Problem], str | None]:
    """`techplan check`'s look at history: problems for reused ids, or why it could not look (never raises)."""
    if settings.history == "off":
        return [], "history is off for this site (extra.plan.history: off)"
    try:
        repo, state, prefix = open_repository(settings)
    except HistoryUnavailable as error:
        return [], error.message
    try:
        if state.head is None:
            return [], None
        history = read_history(repo, state, [prefix + path for path in plan.data_files], cache)
        past = PastReader(repo.blobs, cache)
        return reused_ids(read_lives(past, history, prefix, plan, cache), plan), None
    except GitError as error:
        return [], f"reading the plan's history from git failed: {error}"
    finally:
        repo.close()
