"""Read a story file: every mistake in it becomes a `path:line: field: message` problem, all of them at once.

The file is read with the plan's own YAML reader (line-numbered nodes, nothing constructed) and
checked with the plan's own record checker, so a story reads and fails like the plan's data does.
demo/story.yml at the top of the repository explains the format in its opening comment.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from techplan.demo.model import (
    Actual,
    Add,
    Commit,
    Due,
    Edit,
    Merge,
    Move,
    NewRecord,
    Op,
    Person,
    RecordEdit,
    Step,
    Story,
    Tag,
)
from techplan.plan.spec import MEASURE, MILESTONE, PHASE, Field, RecordSpec
from techplan.plan.validate import RecordChecker, parse_date, suggest
from techplan.plan.yamlsource import YamlNode, read_yaml
from techplan.problems import Problem, quote

TAG_DELAY = timedelta(minutes=10)
"""A revision is tagged a few minutes after the commit that completes it."""
RECORD_TEXT_INDENT = " " * 6
"""How far a record's long texts (a summary's lines) are indented in the plan's data files."""
ARROW = re.compile(r"\s+(?:→|->)\s+")
"""Between a field's old and new value: `status: planned → done` (or ->)."""
NOTHING = "none"
"""The old value of a field the record did not have yet."""


ONE_LINE_KINDS = ("text", "date", "choice", "ids", "link")
"""Kinds of record field a change can set with `old → new`; longer texts change with old: and new:."""


def _f(name: str, kind: str, example: str = "", required: bool = False, record: RecordSpec | None = None) -> Field:
    """One field of the story file's formats."""
    return Field(name, kind, "", example, required, record=record)


def _id(name: str, record: RecordSpec) -> Field:
    """A milestone's or measure's id, checked as the plan checks it."""
    plan_field = record.field("id")
    assert plan_field is not None
    return replace(plan_field, name=name)


PERSON = RecordSpec(
    "person", "", (_f("name", "line", "Priya Example", True), _f("email", "email", "priya@example.org", True))
)
TAG = RecordSpec(
    "tag",
    "",
    (
        _f("name", "tagname", "v1", True),
        _f("title", "line", "Vision published for consultation", True),
        _f("summary", "line", "The first phase is published for consultation.", True),
    ),
)
_WHEN_WHO = (_f("when", "moment", "2020-06-22 10:15", True), _f("who", "person", "Priya Example", True))
_NOTE_TAG = (
    _f("change-note", "line", "Published the draft vision."),
    _f("tag", "record", "{name: v1, ...}", record=TAG),
)
COMMIT = RecordSpec(
    "commit",
    "",
    (
        *_WHEN_WHO,
        _f("branch", "branch", "roadmap-team/draft-roadmap"),
        _f("subject", "line", "Draft the roadmap phase", True),
        _f("body", "text", "Why the change was made."),
        *_NOTE_TAG,
        _f("changes", "changes", "[{add: roadmap.md}]", True),
    ),
)
MERGE = RecordSpec(
    "merge",
    "",
    (
        *_WHEN_WHO,
        _f("merge", "branch", "roadmap-team/draft-roadmap", True),
        _f("pull request", "count", "6", True),
        _f("title", "line", "Draft roadmap", True),
        *_NOTE_TAG,
    ),
)
STORY = RecordSpec(
    "story",
    "",
    (
        _f("today", "date", "2024-03-31", True),
        _f("tagger", "person", "Plan editorial team", True),
        _f("people", "people", "[{name: Priya Example, email: priya@example.org}]", True),
        _f("bank holidays", "dates", "[2020-12-25]"),
        _f("steps", "steps", "[{when: 2020-06-22 10:15, ...}]", True),
    ),
)
_RAW = ("old", "new", "before", "after", "insert")
_SUBJECTS = {"phase": PHASE, "milestone": MILESTONE, "measure": MEASURE}
"""What a change that names a record changes: its fields can be set with `old → new`."""


def _record_change(noun: str, first: Field, *more: Field) -> RecordSpec:
    """A change to one phase, milestone or measure: any of its one-line fields, and more."""
    plan = _SUBJECTS[noun]
    fields = (_f(f.name, "from-to", f"{f.example} → ...") for f in plan.fields if f.kind in ONE_LINE_KINDS)
    return RecordSpec(f"{noun} change", "", (first, *fields, *more))


CHANGES: dict[str, RecordSpec] = {
    "add": RecordSpec("new file", "", (_f("add", "path", "roadmap.md", True),)),
    "rename": RecordSpec("rename", "", (_f("rename", "path", "a.md", True), _f("to", "path", "b.md", True))),
    "in": RecordSpec("text change", "", (_f("in", "path", "roadmap.md", True), *(_f(n, "raw") for n in _RAW))),
    "phase": _record_change("phase", _f("phase", "folder", "phase1-vision", True)),
    "milestone": _record_change("milestone", _id("milestone", MILESTONE), _f("old", "raw"), _f("new", "raw")),
    "measure": _record_change(
        "measure", _id("measure", MEASURE), _f("old", "raw"), _f("new", "raw"), _f("add actual", "date", "2021-03-31")
    ),
    "add milestone": RecordSpec("new milestone", "", (_id("add milestone", MILESTONE),)),
    "add measure": RecordSpec("new measure", "", (_id("add measure", MEASURE),)),
}
"""Each kind of change, by the key it starts with."""
_LIST_KINDS = {"people", "steps", "changes", "dates"}
_OWN_KINDS = _LIST_KINDS | {"person", "moment", "line", "raw", "count", "email", "tagname", "branch", "path", "folder"}
_OWN_KINDS.add("from-to")


def read_story(path: Path, display: str | None = None) -> tuple[Story | None, list[Problem]]:
    """Read and check a story file: the story (None if it cannot be read whole) and every problem found in it.

    A story whose steps are only out of order (or out of office hours, or leave a branch unmerged) is
    still returned with its problems, so that what does not fit the plan can be reported with them.
    """
    display = display or _display(path)
    if not path.is_file():
        return None, [Problem(display, 1, "file", "there is no story file here")]
    root, problems = read_yaml(path, display)
    if root is None or problems:
        return None, problems
    checker = _StoryChecker(display, root)
    checked = checker.check_record(root, STORY)
    if checker.problems or not checked.complete:
        return None, sorted(checker.problems)
    story = Story(display, checked.values["today"], checked.values["tagger"], tuple(checked.values["steps"]))
    checker.check_order(story, checked.values.get("bank holidays", frozenset()))
    return story, sorted(checker.problems)


def _display(path: Path) -> str:
    """The story's path as problems show it: relative to the current folder when it is under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def uk_time(moment: datetime) -> datetime:
    """A UK wall-clock time as an aware datetime: +01:00 in British Summer Time, +00:00 otherwise."""
    # BST runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October; the story
    # only uses office hours, so comparing wall-clock times with those instants is exact enough.
    starts, ends = _last_sunday(moment.year, 3), _last_sunday(moment.year, 10)
    summer = datetime(starts.year, starts.month, starts.day, 2) <= moment < datetime(ends.year, ends.month, ends.day, 1)
    return moment.replace(tzinfo=timezone(timedelta(hours=1 if summer else 0)))


def _last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month."""
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


class _StoryChecker(RecordChecker):
    """The plan's record checker, taught the story's own kinds of value."""

    def __init__(self, path: str, root: YamlNode) -> None:
        super().__init__(path)
        self.subject = MILESTONE
        """The kind of record the change being checked is about."""
        self.people: dict[str, Person] = {}
        self.named: set[str] = set()
        """Every name in the people list, valid or not: a step naming one with a problem adds no problem."""
        entry = next((e for e in root.entries if e.key == "people"), None) if root.kind == "map" else None
        people = Field("people", "records", "", "", record=PERSON, flat=True)
        for item in (self.check_records(entry.value, people, "people", entry.line) if entry else None) or ():
            name = item.values.get("name")
            if name in self.named:
                self.problem(item.line_of("name"), "name", f"{quote(name)} is listed twice; list each person once")
            elif name is not None:
                self.named.add(name)
                if item.complete:
                    self.people[name] = Person(name, item.values["email"])

    def check_value(self, node: YamlNode, spec: Field, name: str, line: int) -> Any:
        """Check one value: the story's own kinds here, the plan's kinds as the plan checks them."""
        if spec.kind not in _OWN_KINDS:
            return super().check_value(node, spec, name, line)
        if spec.kind not in _LIST_KINDS and node.kind != "scalar":
            self.problem(line, name, f"expected a value like {spec.example}, got {node.describe()}")
            return None
        return getattr(self, "check_" + spec.kind.replace("-", "_"))(node, spec, name, line)

    # --- the story's values ------------------------------------------------------------------------------------

    def check_people(self, node: YamlNode, spec: Field, name: str, line: int) -> dict[str, Person]:
        """The people, read before anything else (steps name them)."""
        return self.people

    def check_person(self, node: YamlNode, spec: Field, name: str, line: int) -> Person | None:
        """One of the story's people, by name."""
        if node.text in self.people:
            return self.people[node.text]
        if node.text in self.named:
            return None
        names = sorted(self.people)
        hint = suggest(node.text, names)
        self.problem(
            line, name, f"{quote(node.text)} is not one of the story's people{hint}; they are: {', '.join(names)}"
        )
        return None

    def check_moment(self, node: YamlNode, spec: Field, name: str, line: int) -> datetime | None:
        """A UK date and time, written YYYY-MM-DD HH:MM."""
        match = re.fullmatch(r"(\S+) ([0-9]{1,2}):([0-9]{2})", node.text.strip())
        if match is None:
            self.problem(line, name, f"expected a date and UK time like {spec.example}, got {quote(node.text)}")
            return None
        day, message = parse_date(match[1], spec.example[:10])
        hour, minute = int(match[2]), int(match[3])
        if day is None or hour > 23 or minute > 59:
            self.problem(line, name, message or f"{match[2]}:{match[3]} is not a time of day; write it like 10:15")
            return None
        return uk_time(datetime(day.year, day.month, day.day, hour, minute))

    def check_line(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """Text on one line: a commit's subject, a change note, a title."""
        text = self.check_text(node, spec, name, line)
        if text is not None and "\n" in text:
            self.problem(line, name, "must be one line of text; for a long one use >- and wrap it over several lines")
            return None
        return text

    def check_raw(self, node: YamlNode, spec: Field, name: str, line: int) -> str:
        """Text exactly as written, spaces and line ends included."""
        return node.text

    def check_count(self, node: YamlNode, spec: Field, name: str, line: int) -> int | None:
        """A whole number above zero."""
        if node.tag == "int" and node.text.isdigit() and int(node.text) > 0:
            return int(node.text)
        self.problem(line, name, f"expected a whole number like {spec.example}, got {node.describe()}")
        return None

    def check_email(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """A fictional person's email address: at example.org or another reserved example domain."""
        if re.fullmatch(r"[\w.+-]+@(?:[\w-]+\.)*example(?:\.(?:org|com|net))?", node.text):
            return node.text
        self.problem(
            line,
            name,
            f"expected an address at example.org like {spec.example}, got {quote(node.text)}: "
            "the people in a story are fictional",
        )
        return None

    def check_tagname(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """A tag name git accepts and a URL can hold."""
        return self._pattern(node, name, line, r"[A-Za-z0-9][A-Za-z0-9._-]*", f"a tag name like {spec.example}")

    def check_branch(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """A pull request's branch: the team, a slash and the topic."""
        word = r"[a-z0-9]+(?:[.-][a-z0-9]+)*"
        return self._pattern(node, name, line, rf"{word}/{word}", f"a branch name like {spec.example}")

    def check_path(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """A file's path inside plan/."""
        return self._pattern(
            node, name, line, r"(?:[\w.-]+/)*[\w-][\w.-]*\.(?:md|yml)", f"a path in plan/ like {spec.example}"
        )

    def check_folder(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """A phase's folder inside plan/."""
        return self._pattern(node, name, line, r"phase[0-9]+-[\w-]+", f"a phase's folder like {spec.example}")

    def _pattern(self, node: YamlNode, name: str, line: int, pattern: str, expected: str) -> str | None:
        """The text if it matches the pattern, else a problem."""
        if re.fullmatch(pattern, node.text) and ".." not in node.text:
            return node.text
        self.problem(line, name, f"expected {expected}, got {quote(node.text)}")
        return None

    def check_dates(self, node: YamlNode, spec: Field, name: str, line: int) -> frozenset[date] | None:
        """A list of dates."""
        if node.kind != "seq":
            self.problem(line, name, f"expected a list of dates like {spec.example}, got {node.describe()}")
            return None
        field = Field(name, "date", "", "2020-12-25")
        dates = [self.check_value(item, field, name, item.line) for item in node.items]
        return frozenset(d for d in dates if d is not None)

    def check_from_to(self, node: YamlNode, spec: Field, name: str, line: int) -> tuple[str, str] | None:
        """A field's old and new value, `old → new`, each checked as the plan checks that field."""
        parts = ARROW.split(node.text.strip())
        field = self.subject.field(name)
        assert field is not None
        if len(parts) != 2:
            self.problem(
                line,
                name,
                f"expected the old and the new value, like {name}: {field.example} → ..., got {quote(node.text)}",
            )
            return None
        values = []
        for index, part in enumerate(parts):
            if index == 0 and part == NOTHING and not field.required:
                values.append(NOTHING)
                continue
            value = RecordChecker(self.path)
            if field.kind == "ids":
                items = tuple(YamlNode("scalar", line, text=i.strip()) for i in part.split(","))
                checked = value.check_value(YamlNode("seq", line, items=items), field, name, line)
            else:
                checked = value.check_value(YamlNode("scalar", line, text=part), field, name, line)
            self.problems += value.problems
            values.append(part)
            if checked is None:
                return None
        if values[0] == values[1]:
            self.problem(line, name, f"the old and the new value are the same ({values[0]}); say what it changes to")
            return None
        return values[0], values[1]

    # --- steps and their changes -------------------------------------------------------------------------------

    def check_steps(self, node: YamlNode, spec: Field, name: str, line: int) -> list[Step] | None:
        """The steps, each a commit or a merge."""
        if node.kind != "seq":
            self.problem(line, name, f"expected a list of steps, each starting with a dash, got {node.describe()}")
            return None
        steps: list[Step] = []
        for item in node.items:
            merge = item.kind == "map" and any(e.key == "merge" for e in item.entries)
            checked = self.check_record(item, MERGE if merge else COMMIT)
            if not checked.complete:
                continue
            v = checked.values
            tag = Tag(**v["tag"].values) if "tag" in v else None
            note = v.get("change-note")
            if merge:
                steps.append(
                    Merge(item.line, v["when"], v["who"], v["merge"], v["pull request"], v["title"], note, tag)
                )
            else:
                body = v.get("body", "")
                steps.append(
                    Commit(item.line, v["when"], v["who"], v["subject"], v["changes"], note, body, v.get("branch"), tag)
                )
        return steps

    def check_changes(self, node: YamlNode, spec: Field, name: str, line: int) -> tuple[Op, ...] | None:
        """A commit's changes to the plan, in order."""
        if node.kind != "seq" or not node.items:
            self.problem(line, name, f"expected a list of changes, each starting with a dash, got {node.describe()}")
            return None
        ops: list[Op] = []
        before = len(self.problems)
        for item in node.items:
            first = item.entries[0].key if item.kind == "map" and item.entries else ""
            kind = CHANGES.get(first)
            if kind is None:
                kinds = list(CHANGES)
                got = quote(first) if first else item.describe()
                self.problem(
                    item.line,
                    first or name,
                    f"expected a change starting with one of: {', '.join(kinds)}; got {got}{suggest(first, kinds)}",
                )
                continue
            self.subject = _SUBJECTS.get(first, MILESTONE)
            checked = self.check_record(item, kind)
            if checked.complete:
                ops += self._ops(first, item, checked.values)
        return tuple(ops) if len(self.problems) == before else None

    def _ops(self, kind: str, node: YamlNode, values: dict[str, Any]) -> list[Op]:
        """What one change does, as operations on the plan's files; a problem if its fields do not fit together."""
        at = node.line
        if kind == "add":
            return [Add(at, values["add"])]
        if kind == "rename":
            return [Move(at, values["rename"], values["to"])]
        if kind in ("add milestone", "add measure"):
            return [NewRecord(at, values[kind])]
        texts = {key: values[key] for key in _RAW if key in values}
        if kind == "in":
            path, lines = values["in"], {e.key: e.line for e in node.entries}
            if texts.keys() == {"old", "new"}:
                return [Edit(lines["new"], path, texts["old"], texts["new"], old_line=lines["old"])]
            for side in ("before", "after"):
                if texts.keys() == {side, "insert"}:
                    anchor, insert = texts[side], texts["insert"]
                    new = insert + anchor if side == "before" else anchor + insert
                    return [Edit(lines["insert"], path, anchor, new, "insert", side, lines[side])]
            self.problem(at, "in", "say what changes with old: and new:, or with insert: and before: or after:")
            return []
        ops: list[Op] = []
        record = values[kind]
        for entry in node.entries[1:]:
            key = entry.key
            if key in ("old", "new"):
                if ("old" in values) != ("new" in values):
                    self.problem(entry.line, key, "a change of text needs both old: and new:")
                elif key == "new":
                    indent = "\n" + RECORD_TEXT_INDENT
                    old, new = (re.sub(r"\n(?=[^\n])", indent, values[k]) for k in ("old", "new"))
                    ops.append(RecordEdit(entry.line, record, old, new))
            elif key == "add actual":
                ops.append(Actual(entry.line, record, values[key]))
            elif kind == "phase":
                old, new = values[key]
                path = f"{record}/phase.yml"
                ops.append(Edit(entry.line, path, f"{key}: {old}\n", f"{key}: {new}\n", key, key, entry.line))
            elif key == "due":
                was, now = (date.fromisoformat(v) for v in values[key])
                ops.append(Due(entry.line, record, was, now))
            else:
                ops.append(_field_change(entry.line, record, self.subject, key, *values[key]))
        return ops

    def check_order(self, story: Story, holidays: frozenset[date]) -> None:
        """Steps in time order, in office hours on working days, and every branch merged once after its commits."""
        previous: Step | None = None
        open_branches: dict[str, int] = {}
        merged: set[str] = set()
        number = 0
        for step in story.steps:
            for moment in [step.when] + ([step.when + TAG_DELAY] if step.tag else []):
                if moment.weekday() >= 5 or moment.date() in holidays or not 9 <= moment.hour < 18:
                    what = "its tag" if moment != step.when else "it"
                    self.problem(
                        step.line, "when", f"{what} would be outside office hours (09:00 to 18:00 on a working day)"
                    )
            if previous is not None and step.when <= previous.when:
                self.problem(
                    step.line, "when", f"steps must be in time order: the step at line {previous.line} is later"
                )
            previous = step
            if isinstance(step, Merge):
                if step.branch not in open_branches:
                    self.problem(step.line, "merge", f"{step.branch} has no commits waiting to be merged")
                open_branches.pop(step.branch, None)
                merged.add(step.branch)
                if step.number <= number:
                    self.problem(
                        step.line, "pull request", f"pull request numbers must increase; the last was {number}"
                    )
                number = step.number
            elif step.branch is not None:
                if step.branch in merged:
                    self.problem(step.line, "branch", f"{step.branch} was already merged; name a new branch")
                open_branches.setdefault(step.branch, step.line)
        for branch, at in open_branches.items():
            self.problem(at, "branch", f"{branch} is never merged; add a step with merge: {branch}")


def _field_change(line: int, record: str, spec: RecordSpec, key: str, old: str, new: str) -> RecordEdit:
    """A one-line field of a record changes; a field it did not have goes just before its summary."""
    field = spec.field(key)
    assert field is not None
    old, new = (f"[{v}]" if field.kind == "ids" and v != NOTHING else v for v in (old, new))
    if old == NOTHING:
        return RecordEdit(line, record, "    summary:", f"    {key}: {new}\n    summary:", key)
    return RecordEdit(line, record, f"    {key}: {old}\n", f"    {key}: {new}\n", key)
