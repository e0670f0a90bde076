"""One edit of the plan's data: read the plan, make the edit, check it as `techplan check` would, write it safely.

`make_edit` is the whole life of an edit command. The edit is drafted from the files as they
are, and the edited plan is checked with the real checker through an overlay of the new file
contents before anything is written. Then, holding an exclusive lock on each file it changes,
it re-reads the file: if another edit was written meanwhile, the edit is drafted and checked
again from what is there now (still holding the lock, so that cannot happen twice); only then
is the file replaced. No edit that says it was made is ever lost, and no file is ever half
written. The result is an Outcome record; the command line decides how to show it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.nodes import MappingNode

from techplan.cache import DiskCache, content_key
from techplan.compare.datadiff import DataChange
from techplan.edit import EditError
from techplan.edit.splice import DataFile, FileEdit, find_entry, list_items, read_data_file, scalar_value
from techplan.edit.wording import CommitSuggestion, describe_changes, suggest_commit
from techplan.files import edit_lock, read_if_exists, replace_if_unchanged
from techplan.plan.load import load_plan, phase_folders
from techplan.plan.model import Plan
from techplan.plan.settings import PlanConfig
from techplan.plan.sources import DiskFiles
from techplan.plan.spec import FILES
from techplan.plan.validate import suggest_id
from techplan.problems import Problem
from techplan.site.config import load_site

LOCK_WAIT = 60.0
"""Seconds an edit waits for another edit of the same file to finish before it gives up."""

_MEMORY_ONLY = DiskCache(None)
"""The plan is loaded twice, before and after the edit: the second load reuses what the first parsed and scanned."""

RECORD_LISTS: dict[str, tuple[str, str]] = {
    field.record.noun: (file_name, field.name)
    for file_name, spec in FILES.items()
    for field in spec.fields
    if field.kind == "records" and field.record is not None
}
"""For each kind of record (milestone, measure): the data file it is written in and the list in that file."""


@dataclass(frozen=True, slots=True)
class Found:
    """A record found in a data file: the file, the list and its place in it, its node."""

    data: DataFile
    list_key: str
    """The list the record is in, like `milestones`."""
    index: int
    node: MappingNode
    record_id: str


@dataclass(frozen=True, slots=True)
class Draft:
    """An edit made but not yet checked or written: the files' new text and what it is about."""

    edits: tuple[FileEdit, ...]
    noun: str
    """milestone or measure."""
    record_id: str
    fields: tuple[str, ...]
    """The fields the edit sets, as staff named them."""
    added: bool = False
    """Whether the edit adds the record."""
    notes: tuple[str, ...] = ()
    """What staff should know about how the edit was made, like the id chosen for a new milestone."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an edit did: the files it wrote and what changed, or the problems that stopped it."""

    record_id: str
    fields: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """What staff should know about how the edit was made."""
    files: tuple[str, ...] = ()
    """The files written, as problems show paths; empty when nothing was written."""
    changes: tuple[DataChange, ...] = ()
    """What changed, worded as the site's history words it."""
    commit: CommitSuggestion | None = None
    """How to commit the change."""
    caused: tuple[Problem, ...] = ()
    """Problems the edit would have given the plan; when there are any, nothing was written."""
    already: int = 0
    """How many problems the plan had that the edit did not cause."""

    @property
    def status(self) -> int:
        """The exit status: 1 when the edit was refused for the problems it would cause, else 0."""
        return 1 if self.caused else 0


def make_edit(
    config_file: Path,
    draft: Callable[[Session], Draft],
    wait: float = LOCK_WAIT,
    waiting: Callable[[str], None] | None = None,
) -> Outcome:
    """Draft an edit from the plan on disk, check it, and write it under a lock; what happened.

    `draft` makes the edit from a session; it is called again, under the lock, when another
    edit changed the file after the first draft read it. `wait` is how long to wait for that lock;
    `waiting` is told which file, if another edit holds it.
    """
    session = Session.open(config_file)
    made = draft(session)
    outcome, edits = session.check(made)
    if not edits:
        return outcome
    with edit_lock([e.data.path for e in edits], [e.data.display for e in edits], wait, waiting):
        if any(read_if_exists(edit.data.path) != edit.data.raw for edit in edits):
            # Another edit was written since this one read the file: make it again from what is
            # there now, and check it again, holding the lock so that no other edit can come between.
            locked = {edit.data.path for edit in edits}
            session = Session.open(config_file)
            made = draft(session)
            outcome, edits = session.check(made)
            if not {edit.data.path for edit in edits} <= locked:
                names = " and ".join(edit.data.display for edit in edits)
                raise EditError(f"{names} changed while the edit was being made; nothing was written, run it again", 1)
        for edit in edits:
            replace_if_unchanged(edit.data.path, edit.new_bytes(), edit.data.raw, edit.data.display)
    return outcome


class OverlayFiles:
    """The plan directory on disk, with edited files' new contents in place of what is on disk."""

    def __init__(self, disk: DiskFiles, edited: dict[str, bytes]) -> None:
        self.disk = disk
        self.edited = edited
        """New contents by path relative to the plan directory."""

    def paths(self) -> list[str]:
        """Every file, sorted: those on disk and those the edit creates."""
        return sorted(set(self.disk.paths()) | set(self.edited))

    def read(self, path: str) -> bytes:
        """A file's contents: the edited text for an edited file, the disk's otherwise."""
        if path in self.edited:
            return self.edited[path]
        return self.disk.read(path)

    def key(self, path: str) -> str:
        """A hash of the file's contents as read here."""
        return content_key(self.read(path))

    def unusable(self) -> dict[str, str]:
        """What on disk is named like a plan file but cannot be read as one (an edit never creates such)."""
        return self.disk.unusable()


@dataclass(frozen=True, slots=True)
class Session:
    """One edit command: the plan's settings, and the plan and its problems before the edit."""

    config: PlanConfig
    files: DiskFiles
    """The plan directory's files, as they were when the session opened."""
    plan: Plan
    problems: list[Problem]
    """The plan's problems before the edit, settings included."""
    config_problems: list[Problem]
    """The problems with the settings in mkdocs.yml, which no edit changes."""

    @classmethod
    def open(cls, config_file: Path) -> Session:
        """Read the settings and load the plan as it is on disk."""
        site = load_site(config_file)
        config, config_problems = site.settings, site.problems
        files = DiskFiles(config.plan_dir)
        plan, problems = load_plan(config, cache=_MEMORY_ONLY, files=files)
        return cls(config, files, plan, _errors(config_problems + problems), config_problems)

    def read(self, name: str) -> DataFile:
        """A data file, by its path relative to the plan directory; empty if it does not exist yet."""
        path = self.config.plan_dir / name
        return read_data_file(path, name, self.config.display(path))

    def phase_folders(self) -> dict[int, str]:
        """The phase folders by number, as the checker finds them."""
        folders, _ = phase_folders(self.files.paths())
        return dict(folders)

    def data_files(self, file_name: str) -> list[str]:
        """The data files of this name in the phase folders, by phase."""
        paths = set(self.files.paths())
        return [name for folder in self.phase_folders().values() if (name := f"{folder}/{file_name}") in paths]

    def phase_folder(self, number: int) -> str:
        """The folder of a phase, by number."""
        folders = self.phase_folders()
        if number not in folders:
            known = ", ".join(str(n) for n in folders) or "none"
            raise EditError(f"there is no phase {number}; the phases are: {known}")
        return folders[number]

    def records(self, noun: str) -> tuple[list[Found], list[str]]:
        """Every milestone or measure with an id, in file order, and the files that could not be read."""
        file_name, list_key = RECORD_LISTS[noun]
        found: list[Found] = []
        unreadable: list[str] = []
        for name in self.data_files(file_name):
            data = self.read(name)
            if data.error is not None:
                unreadable.append(f"{data.display} ({data.error})")
                continue
            for index, item in list_items(data.root, list_key):
                record_id = scalar_value(find_entry(item, "id"))
                if record_id is not None:
                    found.append(Found(data, list_key, index, item, record_id))
        return found, unreadable

    def find(self, noun: str, record_id: str) -> Found:
        """The one milestone or measure with this id; an unknown id suggests the nearest."""
        records, unreadable = self.records(noun)
        matches = [r for r in records if r.record_id == record_id]
        if len(matches) > 1:
            places = " and ".join(f"{m.data.display}:{m.node.start_mark.line + 1}" for m in matches)
            raise EditError(f"{record_id} is the id of {len(matches)} {noun}s ({places}); give each its own id first")
        if matches:
            return matches[0]
        message = f"no {noun} has the id {record_id}{suggest_id(record_id, [r.record_id for r in records])}"
        if unreadable:
            message += f"; {' and '.join(unreadable)} could not be read, run techplan check"
        raise EditError(message)

    def next_milestone_id(self, phase: int) -> str:
        """The next id in a phase's series: M2.7 after M2.1 ... M2.6, wherever they are written."""
        records, _ = self.records("milestone")
        ids = {r.record_id for r in records} | {m.id for m in self.plan.milestones}
        numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(rf"M{phase}\.([0-9]+)", i))]
        return f"M{phase}.{max(numbers, default=0) + 1}"

    def check(self, draft: Draft) -> tuple[Outcome, list[FileEdit]]:
        """Check a drafted edit as `techplan check` would: its outcome, and the edits to write if it is clean."""
        for edit in draft.edits:
            edit.verify()
        outcome = Outcome(draft.record_id, draft.fields, draft.notes)
        edits = [edit for edit in draft.edits if edit.changed]
        if not edits:
            return outcome, []
        overlay = OverlayFiles(self.files, {edit.data.name: edit.new_bytes() for edit in edits})
        plan, plan_problems = load_plan(self.config, cache=_MEMORY_ONLY, files=overlay)
        problems = _errors(self.config_problems + plan_problems)
        moved = {edit.data.display: edit for edit in edits}
        before = Counter(_moved_problem(problem, moved) for problem in self.problems)
        caused = tuple(problem for problem in problems if not _consume(before, problem))
        already = len(problems) - len(caused)
        if caused:
            return Outcome(draft.record_id, draft.fields, draft.notes, caused=caused, already=already), []
        fields = list(draft.fields)
        changes = describe_changes(self.plan, plan, draft.noun, draft.record_id, fields, draft.added)
        display = edits[0].data.display
        created = any(edit.data.raw is None for edit in edits)
        return (
            Outcome(
                draft.record_id,
                draft.fields,
                draft.notes,
                files=tuple(edit.data.display for edit in edits),
                changes=tuple(changes),
                commit=suggest_commit(changes, draft.record_id, display, created),
                already=already,
            ),
            edits,
        )


def _moved_problem(problem: Problem, edits: dict[str, FileEdit]) -> Problem:
    """A problem from before the edit, at the line it is on once the edit's lines are added or removed."""
    edit = edits.get(problem.path)
    if edit is None:
        return problem
    line = problem.line
    text = edit.data.text
    for start, end, new in edit.splices:
        first = text.count("\n", 0, start) + 1
        last = first + text.count("\n", start, end)
        if problem.line > last:
            line += new.count("\n") - text.count("\n", start, end)
    return Problem(problem.path, line, problem.field, problem.message)


def _consume(counter: Counter[Problem], problem: Problem) -> bool:
    """Whether a problem was there before the edit (each earlier problem matches once)."""
    if counter[problem] > 0:
        counter[problem] -= 1
        return True
    return False


def _errors(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a plan from publishing, once each: warnings about pages are not an edit's business."""
    return sorted({problem for problem in problems if problem.is_error})
