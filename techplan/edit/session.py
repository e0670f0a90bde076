"""`techplan milestone ...` and `techplan measure ...`: edit the plan's YAML without losing a byte.

Every edit is a splice of the file's text: only the characters of the values that change are
replaced, and new lines are inserted whole, so comments, quoting, blank lines, indentation and
line endings stay exactly as they were. ruamel.yaml's round-trip composer says where each value
starts and ends. The edited text is then parsed again and compared with what the edit meant to
say, and the whole plan is checked as `techplan check` checks it, before anything is written.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import itertools
import os
import re
import shlex
import stat
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from techplan.cache import content_key
from techplan.compare.datadiff import DataChange, diff_measure, diff_milestone
from techplan.errors import TechplanError
from techplan.plan.formatting import format_month
from techplan.plan.load import PHASE_FOLDER, load_plan
from techplan.plan.model import THEME_LABELS, Measure, Plan
from techplan.plan.settings import PlanConfig, load_config
from techplan.plan.sources import DiskFiles
from techplan.plan.spec import MEASURE, MILESTONE, RecordSpec
from techplan.plan.validate import parse_date, suggest, suggest_id
from techplan.problems import Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The parser `techplan check` reads data files with: what it sees is what an edit must produce."""

_RESOLVER = yaml.resolver.Resolver()

MILESTONE_FIELDS: dict[str, str] = {
    "status": "text",
    "due": "date",
    "owner": "text",
    "title": "text",
    "depends_on": "ids",
    "summary": "text",
}
"""The milestone fields `techplan milestone set` changes, and how each value is written."""

MEASURE_FIELDS: dict[str, str] = {
    "title": "text",
    "theme": "text",
    "unit": "text",
    "description": "text",
    "baseline.date": "date",
    "baseline.value": "number",
    "target.date": "date",
    "target.value": "number",
    "source": "text",
}
"""The measure fields `techplan measure set` changes, and how each value is written."""

MINOR_KINDS = frozenset({"summary", "description", "spacing"})
"""Changes that are usually corrections (a typo in a summary): a change note is optional."""

SCHEMA_LINE = "# yaml-language-server: $schema=../../techplan/plan/schemas/milestones.schema.json"
"""The first line of a new milestones.yml, so editors check it as they do the others."""

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_FOLD_WIDTH = 80
"""Wrap new folded text at the width the plan's files use."""

Shape = Any
"""A parsed YAML value as plain data: ("scalar", tag, text), ["seq", [...]] or ["map", [[key, value], ...]]."""


class EditError(TechplanError):
    """An edit that cannot be made: what to tell staff, and the exit status."""


# ---------------------------------------------------------------------------------------------
# The command line


def add_edit_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the edit commands to the techplan command line."""
    milestone = commands.add_parser(
        "milestone",
        help="add a milestone, or change one (status, due date, owner, ...)",
        description="Add a milestone to a phase, or change one. The file is changed in place: comments, "
        "quoting and layout stay as they are. Nothing is written if the plan would have a problem.",
    )
    milestone.set_defaults(run=_usage(milestone))
    milestone_actions = milestone.add_subparsers(title="actions", metavar="ACTION")

    add = milestone_actions.add_parser(
        "add",
        help="add a milestone to a phase",
        description="Add a milestone at the end of a phase's milestones.yml (created if the phase has none).",
    )
    add.add_argument("--phase", type=int, required=True, metavar="N", help="the phase number, like 2")
    add.add_argument("--id", help="the new id, like M2.7 (default: the next free id in the phase)")
    add.add_argument("--title", required=True, help="what will be delivered, in one line")
    add.add_argument("--owner", required=True, help="the organisation or team responsible")
    add.add_argument("--due", required=True, metavar="YYYY-MM-DD", help="when it is due, like 2024-03-31")
    add.add_argument("--status", default="planned", help="planned (default), in-progress, at-risk, delayed, ...")
    add.add_argument("--depends-on", default="", metavar="IDS", help="milestones needed first, like M3.2,M1.1")
    add.add_argument("--summary", required=True, help="one to three sentences on what and why")
    add.set_defaults(run=_command(run_milestone_add))

    milestone_set = milestone_actions.add_parser(
        "set",
        help="change fields of a milestone",
        description="Change fields of a milestone, like: techplan milestone set M2.1 status=done due=2025-03-31. "
        f"Fields: {', '.join(MILESTONE_FIELDS)}. depends_on takes ids separated by commas; "
        "depends_on= with nothing clears it.",
    )
    milestone_set.add_argument("id", metavar="ID", help="the milestone, like M2.1")
    milestone_set.add_argument("changes", nargs="+", metavar="FIELD=VALUE", help="like status=done")
    milestone_set.set_defaults(run=_command(run_milestone_set))

    measure = commands.add_parser(
        "measure",
        help="add a measure's actual value, or change a measure",
        description="Add an actual value to a measure, or change a measure. The file is changed in place: "
        "comments, quoting and layout stay as they are. Nothing is written if the plan would have a problem.",
    )
    measure.set_defaults(run=_usage(measure))
    measure_actions = measure.add_subparsers(title="actions", metavar="ACTION")

    add_actual = measure_actions.add_parser(
        "add-actual",
        help="add a measured value",
        description="Add a measured value to a measure's actuals, in date order.",
    )
    add_actual.add_argument("id", metavar="ID", help="the measure, like K1")
    add_actual.add_argument("date", metavar="DATE", help="when it was measured, like 2024-03-31")
    add_actual.add_argument("value", metavar="VALUE", help="the value, a number without units or % sign")
    add_actual.set_defaults(run=_command(run_measure_add_actual))

    measure_set = measure_actions.add_parser(
        "set",
        help="change fields of a measure",
        description="Change fields of a measure, like: techplan measure set K1 target.value=95 target.date=2025-03-31. "
        f"Fields: {', '.join(MEASURE_FIELDS)}.",
    )
    measure_set.add_argument("id", metavar="ID", help="the measure, like K1")
    measure_set.add_argument("changes", nargs="+", metavar="FIELD=VALUE", help="like target.value=95")
    measure_set.set_defaults(run=_command(run_measure_set))


def _usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """A command that only prints its parser's help: `techplan milestone` without an action."""

    def run(args: argparse.Namespace) -> int:
        """Print the help and fail as a usage error does."""
        parser.print_help(sys.stderr)
        return 2

    return run


def _command(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run an edit command, turning every refusal into a one-line message and an exit status."""

    def run(args: argparse.Namespace) -> int:
        """Run the action; its status, or the refusal's."""
        try:
            return action(args)
        except EditError as error:
            print(f"techplan: {error.message}", file=sys.stderr)
            return error.status

    return run


def run_milestone_set(args: argparse.Namespace) -> int:
    """`techplan milestone set ID field=value ...`."""
    session = Session.open(args.config_file)
    changes = _assignments(args.changes, MILESTONE_FIELDS, MILESTONE, "milestone")
    found = session.find("milestone", args.id)
    edit = FileEdit(found.data)
    _set_fields(edit, found, MILESTONE, MILESTONE_FIELDS, changes)
    return session.finish([edit], "milestone", args.id, list(changes))


def run_milestone_add(args: argparse.Namespace) -> int:
    """`techplan milestone add --phase N ...`."""
    session = Session.open(args.config_file)
    folder = session.phase_folder(args.phase)
    data = session.read(f"{folder}/milestones.yml")
    if data.error is not None:
        raise EditError(f"{data.display} cannot be read ({data.error}), so it cannot be edited safely; fix it first", 1)
    record_id = args.id.strip() if args.id else session.next_milestone_id(args.phase)
    series = re.fullmatch(r"M([0-9]+)\.[0-9]+", record_id)
    if series and int(series.group(1)) != args.phase:
        raise EditError(
            f"{record_id} is not an id for phase {args.phase}: its milestones are M{args.phase}.1, "
            f"M{args.phase}.2 and so on; leave out --id to use the next free one "
            f"({session.next_milestone_id(args.phase)})",
            1,
        )
    if not args.id:
        print(f"The new milestone's id is {record_id}, the next free id in phase {args.phase}.")
    fields = {
        "id": record_id,
        "title": args.title.strip(),
        "owner": args.owner.strip(),
        "due": args.due.strip(),
        "status": args.status.strip(),
        "depends_on": args.depends_on,
        "summary": args.summary.strip(),
    }
    edit = FileEdit(data)
    _append_milestone(edit, session.config, fields)
    return session.finish([edit], "milestone", record_id, list(fields), added=True)


def run_measure_set(args: argparse.Namespace) -> int:
    """`techplan measure set ID field=value ...`."""
    session = Session.open(args.config_file)
    changes = _assignments(args.changes, MEASURE_FIELDS, MEASURE, "measure")
    found = session.find("measure", args.id)
    edit = FileEdit(found.data)
    _set_fields(edit, found, MEASURE, MEASURE_FIELDS, changes)
    return session.finish([edit], "measure", args.id, list(changes))


def run_measure_add_actual(args: argparse.Namespace) -> int:
    """`techplan measure add-actual ID DATE VALUE`."""
    session = Session.open(args.config_file)
    found = session.find("measure", args.id)
    edit = FileEdit(found.data)
    _add_actual(edit, found, args.date.strip(), args.value.strip())
    return session.finish([edit], "measure", args.id, ["actuals"])


def _assignments(words: Sequence[str], allowed: dict[str, str], spec: RecordSpec, noun: str) -> dict[str, str]:
    """Read `field=value` words; an unknown field or a field given twice is refused."""
    changes: dict[str, str] = {}
    for word in words:
        name, equals, value = word.partition("=")
        name = name.strip()
        if not equals:
            raise EditError(f'"{word}" is not FIELD=VALUE; write it like status=done (quote values with spaces)')
        if name not in allowed:
            hint = suggest(name, list(allowed))
            extra = "; ids never change" if name == "id" else ""
            raise EditError(
                f'"{name}" is not a {noun} field you can set{hint}{extra}; set one of: {", ".join(allowed)}', 1
            )
        if name in changes:
            raise EditError(f"{name} is given twice; give each field once")
        changes[name] = value.strip()
    return changes


# ---------------------------------------------------------------------------------------------
# Reading the plan, and checking and writing an edit


class OverlayFiles:
    """The plan directory on disk, with edited files' new contents in place of what is on disk."""

    def __init__(self, folder: Path, edited: dict[str, bytes]) -> None:
        self.disk = DiskFiles(folder)
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


@dataclass
class DataFile:
    """A data file as read for editing: its bytes, its text, and the tree ruamel.yaml composed."""

    name: str
    """The path relative to the plan directory."""
    path: Path
    display: str
    """The path as problems show it, relative to the repository root."""
    raw: bytes | None
    """The bytes on disk; None when the file does not exist yet."""
    text: str
    """The text, without a byte order mark."""
    bom: bool
    newline: str
    """The line ending the file uses, for new lines."""
    root: Node | None
    error: str | None = None
    """Why the file cannot be read as YAML, if it cannot."""


@dataclass
class Found:
    """A record found in a data file: the file, its place in the file's list, its node."""

    data: DataFile
    index: int
    node: MappingNode
    record_id: str


@dataclass
class Session:
    """One edit command: the plan's settings, and the plan and its problems before the edit."""

    config: PlanConfig
    plan: Plan
    problems: list[Problem]
    """The plan's problems before the edit, settings included."""
    config_problems: list[Problem]
    """The problems with the settings in mkdocs.yml, which no edit changes."""

    @classmethod
    def open(cls, config_file: Path) -> Session:
        """Read the settings and load the plan as it is on disk."""
        if not config_file.is_file():
            raise EditError(
                f"{config_file}: no such file; run techplan in the folder holding mkdocs.yml or pass --config-file"
            )
        config, config_problems = load_config(config_file)
        if not config.plan_dir.is_dir():
            raise EditError(f"{config.display(config.plan_dir)}: the plan folder (docs_dir) does not exist")
        plan, problems = load_plan(config)
        return cls(config, plan, sorted(set(config_problems + problems)), config_problems)

    def read(self, name: str) -> DataFile:
        """A data file, by its path relative to the plan directory; empty if it does not exist yet."""
        path = self.config.plan_dir / name
        display = self.config.display(path)
        if not path.is_file():
            return DataFile(name, path, display, None, "", False, "\n", None)
        raw = path.read_bytes()
        bom = raw.startswith(codecs.BOM_UTF8)
        try:
            text = raw[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError:
            raise EditError(f"{display} is not UTF-8 text; save it as UTF-8 first", 1) from None
        # Keep the file's own line ending for new lines: a Windows-saved file stays all CRLF.
        newline = "\r\n" if "\r\n" in text else "\n"
        try:
            root = YAML(typ="rt").compose(text)
        except (RuamelYAMLError, ValueError) as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else "see techplan check"
            return DataFile(name, path, display, raw, text, bom, newline, None, f"it is not valid YAML, {where}")
        return DataFile(name, path, display, raw, text, bom, newline, root)

    def data_files(self, file_name: str) -> list[str]:
        """The data files of this name in the phase folders, by phase."""
        return [
            f"{folder}/{file_name}"
            for _, folder in _phase_folders(self.config)
            if (self.config.plan_dir / folder / file_name).is_file()
        ]

    def phase_folder(self, number: int) -> str:
        """The folder of a phase, by number."""
        folders = dict(_phase_folders(self.config))
        if number not in folders:
            known = ", ".join(str(n) for n in folders) or "none"
            raise EditError(f"there is no phase {number}; the phases are: {known}")
        return folders[number]

    def records(self, noun: str) -> tuple[list[Found], list[str]]:
        """Every milestone or measure with an id, in file order, and the files that could not be read."""
        file_name, list_key = _LISTS[noun]
        found: list[Found] = []
        unreadable: list[str] = []
        for name in self.data_files(file_name):
            data = self.read(name)
            if data.error is not None:
                unreadable.append(f"{data.display} ({data.error})")
                continue
            for index, item in _items(data.root, list_key):
                record_id = _scalar_value(_entry(item, "id"))
                if record_id is not None:
                    found.append(Found(data, index, item, record_id))
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

    def finish(self, edits: list[FileEdit], noun: str, record_id: str, fields: list[str], added: bool = False) -> int:
        """Check the edit as `techplan check` would, write it if it is clean, and say what changed."""
        for edit in edits:
            edit.verify()
        edits = [edit for edit in edits if edit.changed]
        if not edits:
            print(f"Nothing to change: {record_id} already has {_join_words(fields)} as given.")
            return 0
        overlay = OverlayFiles(self.config.plan_dir, {edit.data.name: edit.new_bytes() for edit in edits})
        plan, plan_problems = load_plan(self.config, files=overlay)
        problems = sorted(set(self.config_problems + plan_problems))
        moved = {edit.data.display: edit for edit in edits}
        before = Counter(_moved_problem(problem, moved) for problem in self.problems)
        caused = [problem for problem in problems if not _consume(before, problem)]
        remaining = len(problems) - len(caused)
        if caused:
            count = len(caused)
            print(
                f"techplan: nothing was written: the edit would give the plan {count} "
                f"problem{'s' if count != 1 else ''}:",
                file=sys.stderr,
            )
            for problem in caused:
                print(problem.render(), file=sys.stderr)
            _note_other_problems(remaining)
            return 1
        for edit in edits:
            edit.write()
        self._report(edits, plan, noun, record_id, fields, added)
        _note_other_problems(remaining)
        return 0

    def _report(
        self, edits: list[FileEdit], plan: Plan, noun: str, record_id: str, fields: list[str], added: bool
    ) -> None:
        """Print what changed, worded as the site words it, and how to commit it."""
        changes = _data_changes(self.plan, plan, noun, record_id, fields, added)
        display = edits[0].data.display
        sentence = " ".join(change.text for change in changes)
        print(f"Changed {display}: {sentence}")
        subject = _subject(changes, record_id)
        note = f"Change-note: {sentence} <say why>"
        created = any(edit.data.raw is None for edit in edits)
        commit = f"git add {shlex.quote(display)} && git commit -m" if created else "git commit -am"
        if all(change.kind in MINOR_KINDS for change in changes):
            print("A change like this is usually minor, so a change note is optional. Commit it, for example:")
            print(f"  {commit} {_shell_quote(subject)}")
            print(f"If readers should be told about it, add a change note: -m {_shell_quote(note)}")
        else:
            print("This change should be public. Commit it with a change note, for example:")
            print(f"  {commit} {_shell_quote(subject)} -m {_shell_quote(note)}")


def _note_other_problems(count: int) -> None:
    """Say that the plan has problems this edit did not cause, so they do not surprise anyone later."""
    if count:
        print(
            f"Note: the plan already had {count} problem{'s' if count != 1 else ''} this edit did not cause; "
            "techplan check lists them.",
            file=sys.stderr,
        )


_LISTS = {"milestone": ("milestones.yml", "milestones"), "measure": ("measures.yml", "measures")}
"""For each kind of record: the file it is written in and the list in that file."""


def _phase_folders(config: PlanConfig) -> list[tuple[int, str]]:
    """The phase folders, by number; of two folders with one number the first (the checker flags it)."""
    folders: dict[int, str] = {}
    for child in sorted(config.plan_dir.iterdir()):
        match = PHASE_FOLDER.fullmatch(child.name)
        if match is not None and child.is_dir():
            folders.setdefault(int(match.group(1)), child.name)
    return sorted(folders.items())


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


def write_atomically(path: Path, data: bytes, old: bytes | None, name: str | None = None) -> None:
    """Replace a file's contents atomically, unless it no longer holds `old` (None: it did not exist).

    An editor may have saved the file since the edit read it; that save is never overwritten.
    `name` is the path messages show.
    """
    name = name or str(path)
    target = Path(os.path.realpath(path))  # a symlinked file stays a symlink
    current = target.read_bytes() if target.exists() else None
    if current != old:
        raise EditError(f"{name} changed on disk while the edit was being made; nothing was written, run it again", 1)
    replace_file(target, data, name)


def replace_file(path: Path, data: bytes, name: str | None = None) -> None:
    """Replace a file's contents so that a crash at any moment leaves the old file or the new one, whole.

    The new contents go to a temporary file in the same folder (so the rename cannot cross file
    systems), are flushed to disk, and the temporary file is renamed over the original: a rename
    within a folder is atomic. The original's permissions are kept. `name` is the path messages show.
    """
    name = name or str(path)
    target = Path(os.path.realpath(path))  # a symlinked file stays a symlink
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _default_mode()
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise EditError(f"could not write {name}: {error.strerror or error}; the file is unchanged", 1) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        # Interrupted or failed before the rename: the original was never touched; drop the copy.
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise EditError(f"could not write {name}: {error.strerror or error}; the file is unchanged", 1) from None
        raise
    _sync_folder(target.parent)


def _default_mode() -> int:
    """The permissions a new file gets here: read-write as the umask allows (mkstemp's are owner-only)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file to disk, where the system allows it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its rename is durable enough
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


# ---------------------------------------------------------------------------------------------
# Splicing a file's text


class FileEdit:
    """The changes to one data file: splices of its text, and what its data must read as afterwards."""

    def __init__(self, data: DataFile) -> None:
        self.data = data
        self.splices: list[tuple[int, int, str]] = []
        """(start, end, new text): characters start..end of the text are replaced by the new text."""
        try:
            self.expected: Shape = _parse_shape(data.text) if data.raw is not None else None
            """What the file's data must be after the edit, changed step by step as the splices are made."""
        except yaml.YAMLError:
            # ruamel.yaml (YAML 1.2) read it but the checker's parser (YAML 1.1) cannot.
            raise EditError(f"{data.display} is not valid YAML; fix it first (techplan check says where)", 1) from None

    @property
    def text(self) -> str:
        """The text before the edit."""
        return self.data.text

    @property
    def newline(self) -> str:
        """The file's line ending."""
        return self.data.newline

    def splice(self, start: int, end: int, new: str) -> None:
        """Replace characters start..end of the original text."""
        self.splices.append((start, end, new))

    def new_text(self) -> str:
        """The text with every splice made; splices never overlap."""
        parts: list[str] = []
        position = 0
        for start, end, new in sorted(self.splices, key=lambda s: (s[0], s[1])):
            if start < position:
                raise EditError(f"two changes to {self.data.display} overlap; make them one at a time", 1)
            parts += [self.text[position:start], new]
            position = end
        parts.append(self.text[position:])
        return "".join(parts)

    def new_bytes(self) -> bytes:
        """The edited file's bytes, with its byte order mark if it had one."""
        return (codecs.BOM_UTF8 if self.data.bom else b"") + self.new_text().encode("utf-8")

    @property
    def changed(self) -> bool:
        """Whether the edit changes any byte."""
        return self.data.raw != self.new_bytes()

    def verify(self) -> None:
        """Refuse unless the edited text reads, with the checker's parser, exactly as the edit means."""
        try:
            actual = _parse_shape(self.new_text())
        except yaml.YAMLError:
            actual = "unreadable"
        if actual != self.expected:
            raise EditError(
                f"this edit cannot be made to {self.data.display} without changing more of it than the edit "
                "asks (the file is written in a way the editor does not handle); nothing was written: "
                "edit the file by hand",
                1,
            )

    def at(self, path: tuple[str | int, ...]) -> Shape:
        """The expected value at a path of keys and list positions."""
        node = self.expected
        for step in path:
            node = node[1][step] if isinstance(step, int) else next(v for k, v in node[1] if k[2] == step)
        return node

    def expect(self, path: tuple[str | int, ...], value: Shape) -> None:
        """Note that the value at a path becomes this."""
        parent = self.at(path[:-1])
        step = path[-1]
        if isinstance(step, int):
            parent[1][step] = value
            return
        for pair in parent[1]:
            if pair[0][2] == step:
                pair[1] = value

    def expect_inserted(self, path: tuple[str | int, ...], index: int, value: Shape, key: str | None = None) -> None:
        """Note that a list item (or, with a key, a field) is inserted at an index under a path."""
        container = self.at(path)
        container[1].insert(index, value if key is None else [("scalar", "str", key), value])

    def expect_removed(self, path: tuple[str | int, ...]) -> None:
        """Note that a field is removed."""
        parent = self.at(path[:-1])
        parent[1] = [pair for pair in parent[1] if pair[0][2] != path[-1]]

    def write(self) -> None:
        """Write the edited file atomically."""
        write_atomically(self.data.path, self.new_bytes(), self.data.raw, self.data.display)


def _parse_shape(text: str) -> Shape:
    """What a file's text says, read with the checker's parser, as plain data."""
    return _shape(yaml.compose(text, Loader=_Loader))


def _shape(node: yaml.Node | None) -> Shape:
    """A composed node as plain data: what it says, however it is written."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        # Chomping decides whether a block scalar ends in a line break; the checker strips it anyway.
        return ("scalar", str(node.tag).rsplit(":", 1)[-1], str(node.value).rstrip("\n"))
    if isinstance(node, yaml.SequenceNode):
        return ["seq", [_shape(item) for item in node.value]]
    return ["map", [[_shape(key), _shape(value)] for key, value in node.value]]


def _entry(node: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    """A mapping's key and value nodes for a key, or None."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _scalar_value(entry: tuple[ScalarNode, Node] | None) -> str | None:
    """The text of an entry's value if it is a scalar."""
    if entry is None or not isinstance(entry[1], ScalarNode):
        return None
    return str(entry[1].value)


def _items(root: Node | None, list_key: str) -> list[tuple[int, MappingNode]]:
    """The records of a file's list (`milestones:`), with their positions in it."""
    entry = _entry(root, list_key)
    if entry is None or not isinstance(entry[1], SequenceNode):
        return []
    return [(index, item) for index, item in enumerate(entry[1].value) if isinstance(item, MappingNode)]


def _is_empty(node: Node) -> bool:
    """Whether a value is written as nothing at all (`key:` and the end of the line)."""
    return isinstance(node, ScalarNode) and node.value == "" and not node.style and str(node.tag).endswith(":null")


def _line_start(text: str, index: int) -> int:
    """Where the line holding a position starts."""
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Where the line holding a position ends, before its line break (\\n or \\r\\n)."""
    end = text.find("\n", index)
    if end == -1:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _colon(text: str, key: ScalarNode) -> int:
    """The position of the colon after a key."""
    position = key.end_mark.index
    while position < len(text) and text[position] in " \t":
        position += 1
    if position >= len(text) or text[position] != ":":
        raise EditError("the file is written in a way the editor does not handle; edit it by hand", 1)
    return position


def _block_end(text: str, node: ScalarNode) -> int:
    """Where a block scalar's last line of text ends: its trailing blank lines belong to what follows."""
    start = node.start_mark.index
    segment = text[start : node.end_mark.index]
    last = len(segment.rstrip(" \t\r\n"))
    end = segment.find("\n", last)
    end = len(segment) if end == -1 else end
    if end > 0 and segment[end - 1] == "\r":
        end -= 1
    return start + end


def _content_end(text: str, node: Node) -> int:
    """Where a value's last character is: after a scalar, a closing bracket, or a block's last item."""
    if isinstance(node, ScalarNode):
        return _block_end(text, node) if node.style in ("|", ">") else int(node.end_mark.index)
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    if isinstance(node, SequenceNode):
        return _content_end(text, node.value[-1])
    key, value = node.value[-1]
    return _entry_end(text, key, value)


def _entry_end(text: str, key: ScalarNode, value: Node) -> int:
    """Where a `key: value` entry ends."""
    return _colon(text, key) + 1 if _is_empty(value) else _content_end(text, value)


def _dash_column(text: str, item: Node) -> int | None:
    """The column of the dash in front of a list item, if it is on the item's line."""
    start = _line_start(text, item.start_mark.index)
    before = text[start : item.start_mark.index].rstrip(" ")
    if before.endswith("-") and not before[:-1].strip():
        return len(before) - 1
    return None


def _value_span(text: str, key: ScalarNode, value: Node) -> tuple[int, int, str]:
    """Where a key's value is written (start, end) and what a new one-line value needs in front of it."""
    if _is_empty(value):
        colon = _colon(text, key)
        return colon + 1, colon + 1, " "
    if isinstance(value, ScalarNode) or getattr(value, "flow_style", False):
        return int(value.start_mark.index), _content_end(text, value), ""
    # A block list or mapping starts on a later line: the one-line value goes after the colon.
    return _colon(text, key) + 1, _content_end(text, value), " "


# ---------------------------------------------------------------------------------------------
# Writing values


def _yaml_printable(text: str) -> bool:
    """Whether YAML can hold every character of the text as it is (no control characters)."""
    return not any(
        (ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\ufeff\ufffe\uffff"
        for c in text
    )


def _plain_tag(text: str) -> str:
    """The type a value written without quotes reads as: str, int, float, timestamp, bool, null."""
    return str(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))).rsplit(":", 1)[-1]


def _reads_back(text: str, flow: bool) -> bool:
    """Whether text written without quotes reads back as the same text (not a number, date, comment...)."""
    if not text or text != text.strip() or not _yaml_printable(text) or any(c in text for c in "\n\r\t"):
        return False
    source = f"k: [{text}]\n" if flow else f"k: {text}\n"
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError:
        return False
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return False
    value = node.value[0][1]
    if flow:
        if not isinstance(value, yaml.SequenceNode) or len(value.value) != 1:
            return False
        value = value.value[0]
    return isinstance(value, yaml.ScalarNode) and not value.style and value.value == text and _plain_tag(text) == "str"


def _double_quoted(text: str) -> str:
    """Text in double quotes, with the escapes YAML reads back."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    out = []
    for character in text:
        if character in escapes:
            out.append(escapes[character])
        elif not _yaml_printable(character):
            out.append(f"\\u{ord(character):04x}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


def _scalar(text: str, kind: str, old_style: str | None = None, flow: bool = False) -> tuple[str, Shape]:
    """A value written as YAML, in the old value's quoting where it can be, and how it will read.

    Dates and numbers are written bare when they look like one, so the checker sees what staff
    would have typed; anything else is quoted, so a bad value is reported by the checker in its
    own words rather than breaking the file's syntax.
    """
    if text == "" and not flow:
        return "", ("scalar", "null", "")
    if kind == "number":
        if _NUMBER.fullmatch(text):
            return text, ("scalar", _plain_tag(text), text)
        return _double_quoted(text), ("scalar", "str", text)
    if old_style == "'" and _yaml_printable(text) and not any(c in text for c in "\n\r\t"):
        return "'" + text.replace("'", "''") + "'", ("scalar", "str", text)
    if old_style == '"':
        return _double_quoted(text), ("scalar", "str", text)
    if kind == "date" and _DATE_LIKE.fullmatch(text):
        return text, ("scalar", _plain_tag(text), text)
    if kind != "date" and _reads_back(text, flow):
        return text, ("scalar", "str", text)
    return _double_quoted(text), ("scalar", "str", text)


def _folded(text: str, indent: int, width: int, newline: str) -> str | None:
    """Text as the lines of a folded block (`>-`), or None if folding would change it."""
    if not text or text != text.strip() or "  " in text or not _yaml_printable(text):
        return None
    if any(c in text for c in "\n\r\t"):
        return None
    lines = textwrap.wrap(text, width=max(20, width - indent), break_long_words=False, break_on_hyphens=False)
    if " ".join(lines) != text:
        return None
    return newline.join(" " * indent + line for line in lines)


def _literal(text: str, indent: int, newline: str) -> str | None:
    """Text as the lines of a literal block (`|`), or None if it cannot be one without an indicator."""
    if not text or text[0] in " \t" or "\r" in text or not _yaml_printable(text):
        return None
    return newline.join((" " * indent + line) if line else "" for line in text.split("\n"))


def _ids(value: str) -> list[str]:
    """Milestone ids from `M3.2,M1.1` (spaces allowed)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _flow_list(ids: list[str]) -> tuple[str, Shape]:
    """Ids as a list in square brackets, and how it reads."""
    written = [_scalar(i, "text", flow=True) for i in ids]
    return "[" + ", ".join(text for text, _ in written) + "]", ["seq", [shape for _, shape in written]]


# ---------------------------------------------------------------------------------------------
# The edits


def _set_fields(edit: FileEdit, found: Found, spec: RecordSpec, kinds: dict[str, str], changes: dict[str, str]) -> None:
    """Change fields of one record in place."""
    record = found.node
    path: tuple[str | int, ...] = (_LISTS[spec.noun][1], found.index)
    for name, value in changes.items():
        top, _, sub = name.partition(".")
        kind = kinds[name]
        entry = _entry(record, top)
        if sub:
            nested = _entry(entry[1], sub) if entry is not None else None
            if nested is None:
                raise EditError(
                    f"{found.record_id} has no {name} to change; write its {top} in the file by hand, "
                    f"like {top}: {{date: 2024-03-31, value: 100}}",
                    1,
                )
            in_braces = entry is not None and bool(getattr(entry[1], "flow_style", False))
            _replace_value(edit, nested, (*path, top, sub), value, kind, flow=in_braces)
            continue
        field_spec = spec.field(top)
        optional = field_spec is not None and not field_spec.required
        if kind == "ids":
            _set_ids(edit, record, path, spec, entry, _ids(value))
        elif entry is None:
            if value or not optional:
                rendered, shape = _scalar(value, kind)
                _insert_field(edit, record, path, spec, top, [f": {rendered}" if rendered else ":"], shape)
        elif value == "" and optional:
            _remove_field(edit, record, path, entry)
        else:
            _replace_value(edit, entry, (*path, top), value, kind)


def _replace_value(
    edit: FileEdit,
    entry: tuple[ScalarNode, Node],
    path: tuple[str | int, ...],
    value: str,
    kind: str,
    flow: bool = False,
) -> None:
    """Replace one value where it is written, in the same style: a block stays a block, quotes stay quotes."""
    text, newline = edit.text, edit.newline
    key, old = entry
    if isinstance(old, ScalarNode) and old.style in ("|", ">") and value:
        header_break = text.find("\n", old.start_mark.index)
        end = _block_end(text, old)
        if header_break != -1:
            body = text[header_break + 1 : end].replace("\r", "").split("\n") if end > header_break else []
            written = [line for line in body if line.strip()]
            indent = len(written[0]) - len(written[0].lstrip(" ")) if written else key.start_mark.column + 2
            # Wrap at the plan's usual width, or wider if the old text ran wider.
            width = max([_FOLD_WIDTH, *(len(line) for line in body)])
            lines = _folded(value, indent, width, newline) if old.style == ">" else _literal(value, indent, newline)
            if lines is not None:
                start = _line_end(text, old.start_mark.index)
                edit.splice(start, max(end, start), newline + lines)
                edit.expect(path, ("scalar", "str", value))
                return
    start, end, lead = _value_span(text, key, old)
    style = old.style if isinstance(old, ScalarNode) else None
    rendered, shape = _scalar(value, kind, style, flow=flow)
    if not rendered:
        # Nothing after the colon, not even a space: `owner:` is how an empty value is written.
        start, lead = _colon(text, key) + 1, ""
    edit.splice(start, end, lead + rendered)
    edit.expect(path, shape)


def _set_ids(
    edit: FileEdit,
    record: MappingNode,
    path: tuple[str | int, ...],
    spec: RecordSpec,
    entry: tuple[ScalarNode, Node] | None,
    ids: list[str],
) -> None:
    """Set depends_on: a list in brackets, or one id a line if the file writes it that way."""
    if not ids:
        if entry is not None:
            _remove_field(edit, record, path, entry)
        return
    rendered, shape = _flow_list(ids)
    if entry is None:
        _insert_field(edit, record, path, spec, "depends_on", [f": {rendered}"], shape)
        return
    key, old = entry
    if isinstance(old, SequenceNode) and not old.flow_style and old.value:
        column = _dash_column(edit.text, old.value[0])
        if column is not None:
            items = [_scalar(i, "text")[0] for i in ids]
            joined = (edit.newline + " " * column).join(f"- {item}" for item in items)
            edit.splice(int(old.start_mark.index), _content_end(edit.text, old), joined)
            edit.expect((*path, "depends_on"), shape)
            return
    start, end, lead = _value_span(edit.text, key, old)
    edit.splice(start, end, lead + rendered)
    edit.expect((*path, "depends_on"), shape)


def _insert_field(
    edit: FileEdit,
    record: MappingNode,
    path: tuple[str | int, ...],
    spec: RecordSpec,
    name: str,
    lines: list[str],
    shape: Shape,
) -> None:
    """Add a field the record lacks, on new lines after the field that usually comes before it.

    `lines` are what follows the key: the rest of its line, then any further lines, indented
    relative to the key.
    """
    if record.flow_style or not record.value:
        raise EditError(f"the record is written in braces; add {name} to it by hand", 1)
    order = list(spec.names)
    earlier = set(order[: order.index(name)]) if name in order else set(order)
    anchor = len(record.value) - 1
    for position, (key, _) in enumerate(record.value):
        if isinstance(key, ScalarNode) and key.value in earlier:
            anchor = position
    key, value = record.value[anchor]
    text, newline = edit.text, edit.newline
    column = record.start_mark.column
    where = _line_end(text, _entry_end(text, key, value))
    written = [" " * column + name + lines[0], *(" " * column + line for line in lines[1:])]
    edit.splice(where, where, newline + newline.join(written))
    edit.expect_inserted(path, anchor + 1, shape, key=name)


def _remove_field(
    edit: FileEdit, record: MappingNode, path: tuple[str | int, ...], entry: tuple[ScalarNode, Node]
) -> None:
    """Remove a field and its value: its whole lines, nothing else."""
    text = edit.text
    key, value = entry
    start = _line_start(text, key.start_mark.index)
    if record.flow_style or text[start : key.start_mark.index].strip():
        raise EditError(f"{key.value} is not on a line of its own; remove it by hand", 1)
    end = text.find("\n", _entry_end(text, key, value))
    if end == -1:
        # The last line of a file without a final line break: take the break before it instead.
        start, end = max(start - len(edit.newline), 0), len(text)
    else:
        end += 1
    edit.splice(start, end, "")
    edit.expect_removed((*path, str(key.value)))


def _list_offset(edit: FileEdit, default: int = 2) -> int:
    """How far the file indents a list's dashes under its key (ruamel's `offset`): 2 in the plan's files."""
    root = edit.data.root
    if isinstance(root, MappingNode) and root.value:
        key, value = root.value[0]
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            column = _dash_column(edit.text, value.value[0])
            if column is not None:
                return column - int(key.start_mark.column)
    return default


def _add_actual(edit: FileEdit, found: Found, when: str, value: str) -> None:
    """Add {date, value} to a measure's actuals, in date order, written as the others are."""
    text, newline = edit.text, edit.newline
    record = found.node
    path: tuple[str | int, ...] = ("measures", found.index)
    date_text, date_shape = _scalar(when, "date", flow=True)
    value_text, value_shape = _scalar(value, "number", flow=True)
    shape = ["map", [[("scalar", "str", "date"), date_shape], [("scalar", "str", "value"), value_shape]]]
    flow_item = f"{{date: {date_text}, value: {value_text}}}"
    entry = _entry(record, "actuals")
    if entry is None or _is_empty(entry[1]):
        column = record.start_mark.column + _list_offset(edit)
        lines = [f"{' ' * (column - record.start_mark.column)}- {flow_item}"]
        if entry is None:
            _insert_field(edit, record, path, MEASURE, "actuals", [":", *lines], ["seq", [shape]])
        else:
            where = _line_end(text, _colon(text, entry[0]) + 1)
            edit.splice(where, where, newline + " " * column + f"- {flow_item}")
            edit.expect((*path, "actuals"), ["seq", [shape]])
        return
    actuals = entry[1]
    if not isinstance(actuals, SequenceNode):
        raise EditError(f"{found.record_id}'s actuals are not a list; fix them first (techplan check says how)", 1)
    new_date, _ = parse_date(when)
    position = 0
    for index, item in enumerate(actuals.value):
        item_date, _ = parse_date(_scalar_value(_entry(item, "date")) or "")
        # After every actual dated on or before it: a second value for a date lands after the
        # first, so the checker's "already has an actual" points at the new line.
        if new_date is None or (item_date is not None and item_date <= new_date):
            position = index + 1
    items = actuals.value
    if actuals.flow_style:
        # [..., {date: ..., value: ...}]: insert between the brackets, with a comma.
        if not items:
            where = int(actuals.start_mark.index) + 1
            edit.splice(where, where, flow_item)
        elif position == 0:
            where = int(items[0].start_mark.index)
            edit.splice(where, where, flow_item + ", ")
        else:
            where = int(items[position - 1].end_mark.index)
            edit.splice(where, where, ", " + flow_item)
        edit.expect_inserted((*path, "actuals"), position, shape)
        return
    model = items[min(position, len(items) - 1)]
    column = _dash_column(text, model)
    if column is None:
        raise EditError(f"{found.record_id}'s actuals are written in a way the editor does not handle; edit by hand", 1)
    if isinstance(model, MappingNode) and model.flow_style:
        # Keep the spacing inside the braces the file uses: {date: ...} or { date: ... }.
        inner = " " if text[model.start_mark.index + 1 : model.start_mark.index + 2] == " " else ""
        item_lines = [f"- {{{inner}date: {date_text}, value: {value_text}{inner}}}"]
    else:
        pad = " " * (model.start_mark.column - column - 1)
        item_lines = [f"-{pad}date: {date_text}", f"{' ' * (model.start_mark.column - column)}value: {value_text}"]
    lines = [" " * column + line for line in item_lines]
    if position == 0:
        where = _line_start(text, items[0].start_mark.index)
        edit.splice(where, where, newline.join(lines) + newline)
    else:
        where = _line_end(text, _content_end(text, items[position - 1]))
        edit.splice(where, where, newline + newline.join(lines))
    edit.expect_inserted((*path, "actuals"), position, shape)


def _append_milestone(edit: FileEdit, config: PlanConfig, fields: dict[str, str]) -> None:
    """Add a milestone at the end of the file's list, laid out as the file's other milestones are."""
    text, newline = edit.text, edit.newline
    root = edit.data.root
    entry = _entry(root, "milestones")
    items = _items(root, "milestones")
    # Lay the new milestone out as the others are: where the dash and the keys go, whether
    # milestones are separated by a blank line, whether summaries are folded blocks.
    dash, column, block_indent, folded, blank = 2, 4, 2, True, True
    if items:
        first = items[0][1]
        column = int(first.start_mark.column)
        found_dash = _dash_column(text, first)
        dash = column - 2 if found_dash is None else found_dash
        summary = _entry(items[-1][1], "summary")
        if summary is not None and isinstance(summary[1], ScalarNode):
            folded = summary[1].style == ">"
            if folded:
                body = text[_line_end(text, summary[1].start_mark.index) : _block_end(text, summary[1])]
                written = [line for line in body.replace("\r", "").split("\n") if line.strip()]
                if written:
                    block_indent = len(written[0]) - len(written[0].lstrip(" ")) - int(summary[0].start_mark.column)
        if len(items) > 1:
            blank = any(_blank_between(text, a, b) for (_, a), (_, b) in itertools.pairwise(items))
    elif entry is not None and isinstance(entry[1], SequenceNode) and entry[1].value:
        raise EditError(f"the milestones in {edit.data.display} are not written one per item; edit it by hand", 1)
    elif entry is not None:
        dash = int(entry[0].start_mark.column) + _list_offset(edit)
        column = dash + 2
    lines, shape = _milestone_lines(fields, dash, column, block_indent, folded)

    list_entry_shape = ["seq", [shape]]
    if edit.data.raw is None:
        header = _schema_line(config, edit.data.path)
        edit.splice(0, 0, newline.join([header, "milestones:", *lines]) + newline)
        edit.expected = ["map", [[("scalar", "str", "milestones"), list_entry_shape]]]
        return
    if root is None or entry is None:
        if root is not None:
            raise EditError(f"{edit.data.display} has no milestones: list; add one by hand", 1)
        # Only comments so far: add the list after them.
        lead = "" if not text or text.endswith("\n") else newline
        edit.splice(len(text), len(text), lead + newline.join(["milestones:", *lines]) + newline)
        edit.expected = ["map", [[("scalar", "str", "milestones"), list_entry_shape]]]
        return
    key, value = entry
    if not items:
        if isinstance(value, SequenceNode) and value.flow_style:
            # `milestones: []`: the brackets go, the list is written below the key.
            colon = _colon(text, key)
            edit.splice(colon + 1, int(value.end_mark.index), "")
        elif not _is_empty(value):
            raise EditError(f"milestones: in {edit.data.display} is not a list; fix it first", 1)
        where = _line_end(text, _colon(text, key) + 1)
        edit.splice(where, where, newline + newline.join(lines))
        edit.expect(("milestones",), list_entry_shape)
        return
    last = items[-1][1]
    where = _line_end(text, _content_end(text, last))
    # Comment lines indented under the last milestone belong to it; the new one goes after them.
    while where < len(text):
        following = text.find("\n", where) + 1
        line = text[following : _line_end(text, following)]
        if following and line.lstrip().startswith("#") and len(line) - len(line.lstrip(" ")) > dash:
            where = _line_end(text, following)
        else:
            break
    edit.splice(where, where, newline + (newline if blank else "") + newline.join(lines))
    assert isinstance(value, SequenceNode)
    edit.expect_inserted(("milestones",), len(value.value), shape)


def _blank_between(text: str, first: Node, second: Node) -> bool:
    """Whether a blank line separates two list items."""
    gap = text[_line_end(text, _content_end(text, first)) : _line_start(text, second.start_mark.index)]
    return any(not line.strip() for line in gap.replace("\r", "").split("\n")[1:-1])


def _milestone_lines(
    fields: dict[str, str], dash: int, column: int, block_indent: int, folded: bool
) -> tuple[list[str], Shape]:
    """The lines of a new milestone, and how it reads."""
    pad = " " * column
    lines: list[str] = []
    pairs: list[Shape] = []
    for name in ("id", "title", "owner", "due", "status", "depends_on", "summary"):
        value = fields[name]
        if name == "depends_on":
            ids = _ids(value)
            if not ids:
                continue
            rendered, shape = _flow_list(ids)
            written = [f"{name}: {rendered}"]
        elif name == "summary" and folded and (body := _folded(value, column + block_indent, _FOLD_WIDTH, "\n")):
            written = [f"{name}: >-", *(line[column:] for line in body.split("\n"))]
            shape = ("scalar", "str", value)
        else:
            kind = "date" if name == "due" else "text"
            rendered, shape = _scalar(value, kind)
            written = [f"{name}: {rendered}" if rendered else f"{name}:"]
        pairs.append([("scalar", "str", name), shape])
        lines += [pad + line for line in written]
    lines[0] = " " * dash + "-" + " " * (column - dash - 1) + lines[0][column:]
    return lines, ["map", pairs]


def _schema_line(config: PlanConfig, path: Path) -> str:
    """The schema comment for a new milestones.yml: as another milestones.yml has it, else the usual one."""
    for other in sorted(config.plan_dir.glob("*/milestones.yml")):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            first = other.read_text(encoding="utf-8-sig").split("\n", 1)[0].rstrip("\r")
            if first.startswith("# yaml-language-server:") and other.parent.parent == path.parent.parent:
                return first
    return SCHEMA_LINE


# ---------------------------------------------------------------------------------------------
# Saying what changed


def _data_changes(old: Plan, new: Plan, noun: str, record_id: str, fields: list[str], added: bool) -> list[DataChange]:
    """What changed in words, as the site's history words it."""
    if noun == "milestone":
        before_m = next((m for m in old.milestones if m.id == record_id), None)
        after_m = next((m for m in new.milestones if m.id == record_id), None)
        if after_m is not None and (before_m is not None or added):
            return diff_milestone(before_m, after_m) or [_spacing(record_id, fields)]
    else:
        before_k = next((m for m in old.measures if m.id == record_id), None)
        after_k = next((m for m in new.measures if m.id == record_id), None)
        if before_k is not None and after_k is not None:
            changes = diff_measure(before_k, after_k) + _measure_extras(before_k, after_k)
            return changes or [_spacing(record_id, fields)]
    # The record had a problem before the edit, so there is no whole record to compare with.
    return [DataChange(record_id, "fields", f"{record_id} {_join_words(fields)} changed.")]


def _measure_extras(old: Measure, new: Measure) -> list[DataChange]:
    """Changes to a measure the site's history does not list: description, source, theme."""
    changes = []
    if old.theme != new.theme:
        before, after = THEME_LABELS[old.theme].lower(), THEME_LABELS[new.theme].lower()
        changes.append(DataChange(new.id, "theme", f"{new.id} theme changed from {before} to {after}.", before, after))
    if old.source != new.source:
        text = f"{new.id} source changed from {old.source} to {new.source}."
        changes.append(DataChange(new.id, "source", text, old.source, new.source))
    if old.description.split() != new.description.split():
        text = f"{new.id} description reworded."
        changes.append(DataChange(new.id, "description", text, old.description, new.description))
    return changes


def _spacing(record_id: str, fields: list[str]) -> DataChange:
    """An edit readers would not see: only spacing or line breaks changed."""
    return DataChange(record_id, "spacing", f"{record_id} {_join_words(fields)} respaced; readers see no difference.")


def _subject(changes: list[DataChange], record_id: str) -> str:
    """A commit subject for the changes, in the imperative as the plan's history writes them."""
    if len(changes) != 1:
        return f"Update {record_id}"
    change = changes[0]
    if change.kind == "due" and change.after:
        return f"Move {record_id} to {format_month(date.fromisoformat(change.after))}"
    if change.kind == "status":
        return f"Mark {record_id} as {change.after}"
    if change.kind == "actual-added":
        month = re.search(r"for (\S+ [0-9]{4})\.$", change.text)
        return f"Add the {month.group(1)} actual for {record_id}" if month else f"Add an actual for {record_id}"
    return {
        "added": f"Add milestone {record_id}",
        "retitled": f"Retitle {record_id}",
        "owner": f"Change the owner of {record_id}",
        "depends": f"Change what {record_id} depends on",
        "summary": f"Reword the summary of {record_id}",
        "description": f"Reword the description of {record_id}",
        "baseline": f"Change the baseline of {record_id}",
        "target": f"Change the target of {record_id}",
        "unit": f"Change the unit of {record_id}",
        "theme": f"Change the theme of {record_id}",
        "source": f"Change the source of {record_id}",
    }.get(change.kind, f"Update {record_id}")


def _shell_quote(text: str) -> str:
    """Text as one shell word: in double quotes when that is safe, as the README shows commits."""
    if not any(c in text for c in '"$`\\!\n'):
        return f'"{text}"'
    return shlex.quote(text)


def _join_words(words: list[str]) -> str:
    """a, b and c."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
