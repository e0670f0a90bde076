"""Derive the past from the present: undo a story's steps from the current plan backwards.

Only the current plan is stored anywhere. Each step says how a file changed, so undoing the steps
from the last to the first gives every earlier version, and replaying them forwards ends, by
construction, with exactly the current plan. What each step writes comes out as whole-line
patches with context enough to be unique, so they apply on a pull request's branch as on main.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from techplan.demo.model import Actual, Add, Commit, Due, Edit, Move, NewRecord, Op, RecordEdit, Step
from techplan.problems import Problem


@dataclass(frozen=True, slots=True)
class Write:
    """Create a file with this content."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Rename:
    """`git mv` a file."""

    src: str
    dst: str


@dataclass(frozen=True, slots=True)
class Patch:
    """Replace text that occurs once in a file, with enough whole lines around it to be unique."""

    path: str
    old: str
    new: str


Change = Write | Rename | Patch


class _Mismatch(Exception):
    """An operation does not fit the plan as it reads at that point of the story."""

    def __init__(self, field: str, message: str, line: int = 0, text: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.line = line
        """The story line to point at, when not the operation's own."""
        self.text = text
        """The text that was expected and is not there, if that is what went wrong."""


@dataclass(frozen=True, slots=True)
class Derivation:
    """What every step writes, and every name each file of the current plan has had."""

    changes: tuple[tuple[Change, ...], ...]
    """Per step, in story order; a merge writes nothing of its own."""
    final_name: dict[str, str]
    """Every name a file ever has, with its current name: renamed pages keep their place in the nav."""


def derive(final: dict[str, str], steps: Sequence[Step], story_path: str) -> tuple[Derivation | None, list[Problem]]:
    """Undo the steps from the current plan backwards: what each writes, or every step that does not fit."""
    undo = _Undo(final)
    changes: list[tuple[Change, ...]] = [() for _ in steps]
    problems: list[Problem] = []
    broken: set[str] = set()
    """Files whose history is already wrong: later problems in them would only be echoes of the first."""
    next_change: dict[str, tuple[int, str]] = {}
    """Per file, the change after the one being undone: the story line of its old text, and that text."""
    for index in range(len(steps) - 1, -1, -1):
        step = steps[index]
        if not isinstance(step, Commit):
            continue
        done: list[Change] = []
        for op in reversed(step.ops):
            path = undo.path_of(op)
            if path in broken:
                continue
            try:
                done.append(undo.op(op))
            except _Mismatch as mismatch:
                message = str(mismatch)
                line, old = next_change.get(path, (0, ""))
                if mismatch.text and _overlap(mismatch.text, old):
                    message += f"; is the old text of the next change to {path}, at line {line}, right?"
                problems.append(Problem(story_path, mismatch.line or op.line, mismatch.field, message))
                broken.add(path)
            else:
                old = op.old if isinstance(op, Edit | RecordEdit) else ""
                next_change[op.src if isinstance(op, Move) else path] = (_old_line(op), old)
        changes[index] = tuple(reversed(done))
    if problems:
        return None, problems
    # Files added to plan/ after the story was written arrive in its last commit on main, when everything
    # they could refer to exists, so the replay still ends with exactly the current plan.
    last = max((i for i, step in enumerate(steps) if isinstance(step, Commit) and step.branch is None), default=None)
    if last is None:
        return None, [Problem(story_path, 1, "steps", "the story needs at least one commit on main")]
    changes[last] += tuple(Write(path, text) for path, text in sorted(undo.texts.items()))
    return Derivation(tuple(changes), undo.final_name), []


def _overlap(missing: str, old: str) -> bool:
    """Whether a missing text and the next change's old text share a run of text: that change may be the cause."""
    if not missing or not old:
        return False
    match = SequenceMatcher(None, missing, old, autojunk=False).find_longest_match()
    return match.size >= min(8, len(missing), len(old))


def _old_line(op: Op) -> int:
    """Where an operation says what was there before it."""
    return op.old_line if isinstance(op, Edit) and op.old_line else op.line


class _Undo:
    """The plan's files as texts, taken back one operation at a time."""

    def __init__(self, final: dict[str, str]) -> None:
        self.texts = dict(final)
        self.final_name = {path: path for path in final}
        self.folders = {
            int(match.group(1)): path.split("/", 1)[0]
            for path in final
            if (match := re.fullmatch(r"phase([0-9]+)-[^/]+/phase\.yml", path))
        }

    def path_of(self, op: Op) -> str:
        """The file an operation changes (a rename: the file as it is named afterwards)."""
        if isinstance(op, Add | Edit):
            return op.path
        if isinstance(op, Move):
            return op.dst
        return self._record_path(op.record)

    def _record_path(self, record: str) -> str:
        """The data file holding a milestone (by its phase number) or a measure."""
        if record.startswith("M"):
            folder = self.folders.get(int(record[1:].split(".")[0]))
            return f"{folder}/milestones.yml" if folder else f"phase{record[1:].split('.')[0]}-*/milestones.yml"
        return next((path for path in self.final_name if path.endswith("/measures.yml")), "*/measures.yml")

    def op(self, op: Op) -> Change:
        """Undo one operation on the texts; what doing it writes."""
        if isinstance(op, Add):
            if op.path not in self.texts:
                raise _Mismatch("add", f"{op.path} is not in plan/ at this point of the story (or is added twice)")
            return Write(op.path, self.texts.pop(op.path))
        if isinstance(op, Move):
            if op.dst not in self.texts or op.src in self.texts:
                raise _Mismatch("rename", f"expected {op.dst} in plan/ after this rename, and no {op.src}")
            self.texts[op.src] = self.texts.pop(op.dst)
            self.final_name[op.src] = self.final_name[op.dst]
            return Rename(op.src, op.dst)
        if isinstance(op, Edit):
            path, later = op.path, self.texts.get(op.path)
            if later is None:
                raise _Mismatch("in", f"{path} is not in plan/ at this point of the story")
            if op.field == "insert" and not _unique(later, op.old):
                raise _Mismatch(op.old_field, _expected(later, op.old, path, "at this point of the story"), op.old_line)
            if op.field == "insert" and not _unique(later, op.new):
                insert = op.new[: -len(op.old)] if op.old_field == "before" else op.new[len(op.old) :]
                raise _Mismatch(
                    "insert",
                    f"expected {path} to have this just {op.old_field} {show(op.old)} at this point of the story, "
                    f"but it does not: {show(insert)}",
                    text=op.new,
                )
            if not _unique(later, op.new):
                raise _Mismatch(op.field, _expected(later, op.new, path, "after this change"), text=op.new)
            earlier = later.replace(op.new, op.old, 1)
            if not _unique(earlier, op.old):
                raise _Mismatch(op.old_field, _expected(earlier, op.old, path, "before this change"), op.old_line)
        else:
            path = self._record_path(op.record)
            later = self.texts.get(path)
            if later is None:
                raise _Mismatch(_field(op), f"{path} is not in plan/ at this point of the story")
            start, end = _record_span(later, op.record, path, _field(op))
            block = later[start:end]
            if isinstance(op, NewRecord) and not block.endswith("\n\n"):
                # The last record has no blank line after it, so the blank line before it goes with it.
                if later[start - 2 : start] != "\n\n":
                    raise _Mismatch(_field(op), f"{op.record} is the only record in {path}, which cannot be empty")
                start -= 1
            earlier = later[:start] + _undo_in_record(op, block, path) + later[end:]
        self.texts[path] = earlier
        return _patch(path, earlier, later)


def _field(op: Op) -> str:
    """The story field an operation on a record was written under."""
    if isinstance(op, NewRecord):
        return "add milestone" if op.record.startswith("M") else "add measure"
    if isinstance(op, Due | Actual):
        return "due" if isinstance(op, Due) else "add actual"
    return op.field if isinstance(op, RecordEdit | Edit) else "changes"


def _expected(text: str, part: str, path: str, where: str) -> str:
    """Say that a text is not in a file once."""
    found = sum(text.startswith(part, i) for i in range(len(text))) if part else 0
    return f"expected this once in {path} {where}, found it {found} time{'' if found == 1 else 's'}: {show(part)}"


def show(text: str) -> str:
    """A text in a message: in double quotes, line breaks shown as ⏎, shortened if long."""
    shown = text.replace("\n", "⏎")
    return '"' + (shown if len(shown) <= 80 else shown[:77] + "...") + '"'


def _unique(text: str, part: str) -> bool:
    """Whether part occurs in text exactly once (overlaps count as more than once)."""
    found = text.find(part)
    return found != -1 and found == text.rfind(part)


def _patch(path: str, old_text: str, new_text: str) -> Patch:
    """The smallest whole-line change, with context enough to be unique in both versions, from old to new text."""
    old_lines, new_lines = old_text.splitlines(keepends=True), new_text.splitlines(keepends=True)
    shortest = min(len(old_lines), len(new_lines))
    head = 0
    while head < shortest and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < shortest - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    above = below = 0
    while True:
        old = "".join(old_lines[head - above : len(old_lines) - tail + below])
        new = "".join(new_lines[head - above : len(new_lines) - tail + below])
        if old and new and _unique(old_text, old) and _unique(new_text, new):
            return Patch(path, old, new)
        # Grow the context one line at a time, alternating sides, so patches stay small and branch-friendly.
        if above < head and (above <= below or below >= tail):
            above += 1
        elif below < tail:
            below += 1
        else:
            raise _Mismatch("changes", f"{path}: this change cannot be told apart from the rest of the file")


def _record_span(text: str, record: str, path: str, field: str) -> tuple[int, int]:
    """Where a record's block starts and ends: from its `- id:` line to the next record's, or the end."""
    start = re.search(rf"^  - id: {re.escape(record)}\n", text, re.M)
    if start is None:
        raise _Mismatch(field, f"{path} has no {record} at this point")
    following = re.compile(r"^  - id: ", re.M).search(text, start.end())
    return start.start(), following.start() if following else len(text)


def _undo_in_record(op: Op, block: str, path: str) -> str:
    """A record's block as it was before the operation."""
    if isinstance(op, RecordEdit | Due):
        old, new = (op.old, op.new) if isinstance(op, RecordEdit) else (f"    due: {op.old}\n", f"    due: {op.new}\n")
        if not _unique(block, new):
            raise _Mismatch(
                _field(op), f"expected {op.record} in {path} to have this once: {show(new.strip())}", text=new
            )
        return block.replace(new, old, 1)
    if isinstance(op, NewRecord):
        return ""  # a record in the middle takes the blank line after it along
    assert isinstance(op, Actual)
    line = re.search(rf"^      - \{{date: {op.when.isoformat()}, value: [^}}\n]*\}}\n", block, re.M)
    if line is None:
        raise _Mismatch("add actual", f"{op.record} in {path} has no actual for {op.when.isoformat()}")
    block = block[: line.start()] + block[line.end() :]
    # A measure without actuals has no `actuals:` key at all.
    return re.sub(r"^    actuals:\n(?!      - )", "", block, flags=re.M)
