"""Load the plan from its folder into typed records, collecting every problem on the way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from techplan.cache import DiskCache, content_key
from techplan.plan.characters import REFUSED, refused_message
from techplan.plan.markup import SLOW_MARKUP, page_warnings, slow_markup
from techplan.plan.model import Consultation, Location, Measure, Milestone, Phase, Plan, Point
from techplan.plan.prose import BLOCKS, Token, find_title, scan
from techplan.plan.schedule import schedule_problems
from techplan.plan.settings import PlanConfig
from techplan.plan.sources import DiskFiles, PlanFiles
from techplan.plan.spec import FILES, MEASURES_FILE, MILESTONES_FILE, PHASE, RecordSpec
from techplan.plan.validate import Checked, RecordChecker, suggest, suggest_id
from techplan.plan.yamlsource import YamlNode, read_yaml_from
from techplan.problems import ERROR, WARNING, Problem

PHASE_FOLDER = re.compile(r"phase([0-9]+)-[a-z0-9]+(?:-[a-z0-9]+)*")
"""Phase folders are named `phase<number>-<name>`, like `phase2-roadmap`."""


@dataclass(slots=True)
class _Loaded:
    """What loading found, before cross-checks turn it into a Plan."""

    phases: list[Phase] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    ids: dict[str, Location] = field(default_factory=dict)
    """Every valid id written in a data file, even in an otherwise broken record."""
    depends: dict[str, tuple[tuple[str, ...], Location]] = field(default_factory=dict)
    """Each milestone's valid depends_on list and the line it is on."""
    dues: dict[str, Location] = field(default_factory=dict)
    """Where each milestone's due date is written, for the schedule check."""
    unreadable: list[str] = field(default_factory=list)
    """Data files that could not be read at all (syntax, encoding, empty)."""
    data_files: list[str] = field(default_factory=list)
    """Data files found, relative to the plan directory."""
    blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The plan blocks each page places."""
    titles: dict[str, str] = field(default_factory=dict)
    """Each page's title, from its first heading."""
    markdown: list[tuple[str, str, Location]] = field(default_factory=list)
    """Markdown written in data files, (field, text, where), to check its references."""
    problems: list[Problem] = field(default_factory=list)
    cache: DiskCache | None = None
    """Where parsed YAML is kept between builds."""
    files: PlanFiles | None = None
    """Where the plan's files are read from."""
    paths: frozenset[str] = frozenset()
    """Every file in the plan directory."""


def load_plan(
    config: PlanConfig,
    pages: list[str] | None = None,
    cache: DiskCache | None = None,
    files: PlanFiles | None = None,
) -> tuple[Plan, list[Problem]]:
    """Load and check every phase, milestone, measure and page; the plan and every problem found.

    `pages` are the Markdown pages relative to the plan directory; by default every `*.md` in it.
    `files` is where to read them: the plan directory on disk unless a commit's tree is given.
    """
    files = files or DiskFiles(config.plan_dir)
    loaded = _Loaded(cache=cache, files=files, paths=frozenset(files.paths()))
    for path, what in files.unusable().items():
        loaded.problems.append(Problem(config.display(config.plan_dir / path), 1, "file", what))
    for number, folder in _phase_folders(config, loaded):
        _load_phase(config, number, folder, loaded)
    _check_ids(loaded)
    lines = {(i, "due"): where for i, where in loaded.dues.items()}
    lines |= {(i, "depends_on"): where for i, (_, where) in loaded.depends.items()}
    loaded.problems += schedule_problems(loaded.milestones, lines)
    for name, text, where in loaded.markdown:
        for token in scan(text):
            if token.is_reference:
                message = _reference_problem(token, loaded)
            else:
                message = _block_problem(token, None, config, loaded)
            if message is not None:
                loaded.problems.append(Problem(where.path, where.line, name, message))
    if pages is None:
        pages = sorted(p for p in loaded.paths if p.endswith(".md"))
    scans = _PageScans(config, cache if pages else None)
    for page in pages:
        _check_page(config, page, loaded, scans)
    scans.save()
    plan = Plan(
        phases=tuple(sorted(loaded.phases, key=lambda p: p.number)),
        milestones=tuple(loaded.milestones),
        measures=tuple(loaded.measures),
        pages=tuple(pages),
        data_files=tuple(loaded.data_files),
        blocks=loaded.blocks,
        titles=loaded.titles,
    )
    return plan, sorted(loaded.problems)


def phase_folders(paths: Iterable[str]) -> tuple[list[tuple[int, str]], list[tuple[str, int, str]]]:
    """The phase folders holding these files (paths relative to the plan directory), by number.

    Of two folders with one number the first, by name, is the phase; the others are returned
    second as (folder, number, the phase's folder), so the checker can say so.
    """
    folders: dict[int, str] = {}
    clashes: list[tuple[str, int, str]] = []
    for name in sorted({path.split("/", 1)[0] for path in paths if "/" in path}):
        match = PHASE_FOLDER.fullmatch(name)
        if match is None:
            continue
        number = int(match.group(1))
        if number in folders:
            clashes.append((name, number, folders[number]))
            continue
        folders[number] = name
    return sorted(folders.items()), clashes


def _phase_folders(config: PlanConfig, loaded: _Loaded) -> list[tuple[int, str]]:
    """The phase folders in the plan directory, by number; two folders with one number is a problem."""
    folders, clashes = phase_folders(loaded.paths)
    for name, number, first in clashes:
        loaded.problems.append(
            Problem(
                config.display(config.plan_dir / name),
                1,
                "folder",
                f"phase {number} already has the folder {first}; give each phase its own number",
            )
        )
    return folders


def _load_phase(config: PlanConfig, number: int, folder: str, loaded: _Loaded) -> None:
    """Load one phase folder: phase.yml, and milestones.yml and measures.yml if present."""
    for path in sorted(loaded.paths):
        parent, _, name = path.rpartition("/")
        if parent == folder and name.endswith((".yml", ".yaml")) and name not in FILES:
            hint = suggest(name, list(FILES))
            loaded.problems.append(
                Problem(
                    config.display(config.plan_dir / path),
                    1,
                    "file",
                    f"not a plan data file{hint}; a phase folder can hold {', '.join(FILES)}",
                )
            )
    phase_file = f"{folder}/phase.yml"
    if phase_file not in loaded.paths:
        loaded.problems.append(
            Problem(
                config.display(config.plan_dir / phase_file),
                1,
                "file",
                "missing; every phase folder needs a phase.yml with its title, summary and status",
            )
        )
    else:
        root = _read(config, phase_file, "title", loaded)
        if root is not None:
            _load_phase_record(config, number, folder, phase_file, root, loaded)
    milestones_file = f"{folder}/milestones.yml"
    if milestones_file in loaded.paths:
        root = _read(config, milestones_file, "milestones", loaded)
        if root is not None:
            _load_milestones(config.display(config.plan_dir / milestones_file), number, root, loaded)
    measures_file = f"{folder}/measures.yml"
    if measures_file in loaded.paths:
        root = _read(config, measures_file, "measures", loaded)
        if root is not None:
            _load_measures(config.display(config.plan_dir / measures_file), number, root, loaded)


def _read(config: PlanConfig, path: str, first_key: str, loaded: _Loaded) -> YamlNode | None:
    """Read a data file; None (and the problem noted) if it cannot be read at all."""
    assert loaded.files is not None
    files = loaded.files
    display = config.display(config.plan_dir / path)
    loaded.data_files.append(path)
    try:
        node, problems = read_yaml_from(lambda: files.read(path), files.key(path), display, loaded.cache)
    except OSError as error:
        loaded.problems.append(Problem(display, 1, "file", _unreadable(error)))
        loaded.unreadable.append(display)
        return None
    for problem in problems:
        if problem.field == "file" and problem.message == "the file is empty":  # say what it should start with
            problem = Problem(
                problem.path,
                problem.line,
                "file",
                f'the file is empty; it should start with "{first_key}:"',
            )
        loaded.problems.append(problem)
    if node is None:
        loaded.unreadable.append(display)
    return node


def _load_phase_record(
    config: PlanConfig, number: int, folder: str, path: str, root: YamlNode, loaded: _Loaded
) -> None:
    """Check phase.yml and add the Phase."""
    checker = RecordChecker(config.display(config.plan_dir / path))
    checked = checker.check_record(root, PHASE)
    consultation = None
    window = checked.values.get("consultation")
    if isinstance(window, Checked):
        opens, closes = window.values["opens"], window.values["closes"]
        if closes < opens:
            checker.problem(
                window.line_of("closes"),
                "consultation.closes",
                f"the consultation closes ({closes.isoformat()}) before it opens "
                f"({opens.isoformat()}); closes must be on or after opens",
            )
            checked.complete = False
        feedback = window.values.get("feedback") or config.feedback
        if feedback is None:
            checker.problem(
                window.line,
                "consultation.feedback",
                "missing, and mkdocs.yml has no extra.plan.feedback to fall back on; say where "
                "feedback goes, like feedback: mailto:techplan-feedback@example.org",
            )
            checked.complete = False
        else:
            consultation = Consultation(opens, closes, feedback)
    loaded.problems += checker.problems
    _note_markdown(checker, checked, "summary", loaded)
    if checked.complete:
        values = checked.values
        loaded.phases.append(
            Phase(
                number=number,
                folder=folder,
                title=values["title"],
                summary=values["summary"],
                status=values["status"],
                consultation=consultation,
                location=Location(checker.path, checked.line),
            )
        )


def _records(checker: RecordChecker, root: YamlNode, spec_file: RecordSpec, key: str) -> list[Checked]:
    """Check a data file's top level and return its list of records."""
    checked = checker.check_record(root, spec_file)
    records = checked.values.get(key)
    return records if isinstance(records, list) else []


def load_records(
    root: YamlNode, display: str, number: int
) -> tuple[list[Milestone], list[Measure], frozenset[str], list[Problem]]:
    """The milestones or measures one data file validly holds (by its name), every valid id written in it
    (an otherwise broken record's too), and its problems, as loading reads them.

    `display` is the file's path as problems name it; `number` is its phase's. Used to read past
    versions of one file at a time, with exactly the checks today's files get.
    """
    loaded = _Loaded()
    if display.endswith("/measures.yml") or display == "measures.yml":
        _load_measures(display, number, root, loaded)
    else:
        _load_milestones(display, number, root, loaded)
    return loaded.milestones, loaded.measures, frozenset(loaded.ids), loaded.problems


def _load_milestones(display: str, number: int, root: YamlNode, loaded: _Loaded) -> None:
    """Check milestones.yml (its path as problems name it) and add its Milestones."""
    checker = RecordChecker(display)
    for checked in _records(checker, root, MILESTONES_FILE, "milestones"):
        values = checked.values
        record_id = _register_id(checker, checked, loaded)
        _note_markdown(checker, checked, "summary", loaded)
        if record_id and "depends_on" in values:
            where = Location(checker.path, checked.line_of("depends_on"))
            loaded.depends[record_id] = (values["depends_on"], where)
        if record_id:
            loaded.dues[record_id] = Location(checker.path, checked.line_of("due"))
        if checked.complete and record_id:
            loaded.milestones.append(
                Milestone(
                    id=record_id,
                    title=values["title"],
                    owner=values["owner"],
                    due=values["due"],
                    status=values["status"],
                    depends_on=values.get("depends_on", ()),
                    summary=values["summary"],
                    phase=number,
                    location=Location(checker.path, checked.line),
                )
            )
    loaded.problems += checker.problems


def _load_measures(display: str, number: int, root: YamlNode, loaded: _Loaded) -> None:
    """Check measures.yml (its path as problems name it) and add its Measures."""
    checker = RecordChecker(display)
    for checked in _records(checker, root, MEASURES_FILE, "measures"):
        record_id = _register_id(checker, checked, loaded)
        _note_markdown(checker, checked, "description", loaded)
        _check_measure_values(checker, checked)
        if checked.complete and record_id:
            values = checked.values
            baseline, target = (_point(values[name]) for name in ("baseline", "target"))
            actuals = tuple(sorted((_point(a) for a in values.get("actuals", [])), key=lambda p: p.date))
            loaded.measures.append(
                Measure(
                    id=record_id,
                    title=values["title"],
                    theme=values["theme"],
                    unit=values["unit"],
                    description=values.get("description", ""),
                    baseline=baseline,
                    target=target,
                    actuals=actuals,
                    source=values["source"],
                    phase=number,
                    location=Location(checker.path, checked.line),
                )
            )
    loaded.problems += checker.problems


def _point(checked: Checked) -> Point:
    """A dated value from a checked {date, value} record."""
    return Point(checked.values["date"], checked.values["value"])


def _check_measure_values(checker: RecordChecker, measure: Checked) -> None:
    """Check what the schema cannot: percentages, target against baseline, actuals' dates."""
    values = measure.values
    points: list[tuple[str, Checked]] = [
        (name, values[name]) for name in ("baseline", "target") if isinstance(values.get(name), Checked)
    ]
    actuals = [a for a in values.get("actuals", []) if isinstance(a, Checked)]
    if any(not a.complete for a in actuals):
        measure.complete = False
    points += [("actuals", a) for a in actuals if a.complete]
    if values.get("unit") == "percent":
        for name, point in points:
            value = point.values.get("value")
            if value is not None and not 0 <= value <= 100:
                checker.problem(
                    point.line_of("value"),
                    f"{name}.value",
                    f"{_number(value)} is not a percentage; percent values are between 0 and 100",
                )
                measure.complete = False
    baseline, target = values.get("baseline"), values.get("target")
    if not (isinstance(baseline, Checked) and isinstance(target, Checked)):
        return
    if target.values["value"] == baseline.values["value"]:
        checker.problem(
            target.line_of("value"),
            "target.value",
            f"the target is the same as the baseline ({_number(baseline.values['value'])}); "
            "a target says where the measure should get to",
        )
        measure.complete = False
    if target.values["date"] <= baseline.values["date"]:
        checker.problem(
            target.line_of("date"),
            "target.date",
            f"the target date ({target.values['date'].isoformat()}) must be after the baseline "
            f"date ({baseline.values['date'].isoformat()})",
        )
        measure.complete = False
    seen: dict[object, int] = {}
    for actual in actuals:
        when = actual.values.get("date")
        if when is None:
            continue
        if when <= baseline.values["date"]:
            checker.problem(
                actual.line_of("date"),
                "actuals.date",
                f"{when.isoformat()} is not after the baseline date "
                f"({baseline.values['date'].isoformat()}); actuals are measured after the baseline",
            )
            measure.complete = False
        if when in seen:
            checker.problem(
                actual.line_of("date"),
                "actuals.date",
                f"{when.isoformat()} already has an actual (line {seen[when]}); give one value per date",
            )
            measure.complete = False
        seen[when] = actual.line_of("date")


def _number(value: float) -> str:
    """A number as staff wrote it: 83 rather than 83.0."""
    return f"{value:g}"


def _register_id(checker: RecordChecker, checked: Checked, loaded: _Loaded) -> str | None:
    """Note a record's id; a second record with the same id is a problem."""
    record_id = checked.values.get("id")
    if not isinstance(record_id, str):
        return None
    here = Location(checker.path, checked.line_of("id"))
    noun = "milestone" if record_id.startswith("M") else "measure"
    first = loaded.ids.get(record_id)
    if first is not None:
        checker.problem(
            here.line,
            "id",
            f"{record_id} is already the id of the {noun} at {first.path}:{first.line}; "
            f"give each its own id (the next free one is {_next_free(record_id, loaded.ids)})",
        )
        checked.complete = False
        return None
    loaded.ids[record_id] = here
    return record_id


def _next_free(record_id: str, ids: dict[str, Location]) -> str:
    """The next unused id in the same series: M2.7 after M2.1..M2.6."""
    prefix, number = re.fullmatch(r"(.*?)([0-9]+)", record_id).groups()  # type: ignore[union-attr]
    candidate = int(number)
    while f"{prefix}{candidate}" in ids:
        candidate += 1
    return f"{prefix}{candidate}"


def _check_ids(loaded: _Loaded) -> None:
    """Check dependencies point at milestones that exist and never go round in a circle."""
    if any(path.endswith("milestones.yml") for path in loaded.unreadable):
        return  # ids in an unreadable file are unknown: reporting them missing would mislead
    milestone_ids = [i for i in loaded.ids if i.startswith("M")]
    for record_id, (depends, where) in loaded.depends.items():
        for other in depends:
            if other == record_id:
                continue  # reported as a cycle
            if other not in loaded.ids:
                loaded.problems.append(
                    Problem(
                        where.path,
                        where.line,
                        "depends_on",
                        f"no milestone has the id {other}{suggest_id(other, milestone_ids)}",
                    )
                )
    graph = {i: [d for d in deps if d in loaded.ids] for i, (deps, _) in loaded.depends.items()}
    for cycle in find_cycles(graph):
        where = loaded.depends[cycle[0]][1]
        loop = " → ".join([*cycle, cycle[0]])
        loaded.problems.append(
            Problem(
                where.path,
                where.line,
                "depends_on",
                f"circular dependency {loop}; a milestone cannot depend on itself, even through "
                "others: remove one of these links",
            )
        )


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle for each group of nodes that depend on each other, starting at its first node."""
    order = {node: position for position, node in enumerate(graph)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        # Tarjan's strongly connected components; plans are small enough for recursion.
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, []):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, []):
                groups.append(group)

    for node in graph:
        if node not in index:
            visit(node)
    cycles = []
    for group in groups:
        members = set(group)
        start = min(group, key=lambda n: order.get(n, len(order)))
        cycles.append(_shortest_loop(graph, start, members))
    return sorted(cycles, key=lambda c: order.get(c[0], 0))


def _shortest_loop(graph: dict[str, list[str]], start: str, members: set[str]) -> list[str]:
    """The shortest path from start back to itself inside a group of mutually dependent nodes."""
    parents: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in graph.get(node, []):
            if other == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return path[::-1]
            if other in members and other not in parents:
                parents[other] = node
                queue.append(other)
    return [start]  # pragma: no cover - a group always loops back to its start


@dataclass(frozen=True, slots=True)
class PageScan:
    """What a page's text alone says, whatever plan it is in: kept between builds by the text's hash."""

    problems: tuple[tuple[int, str, str, str], ...]
    """(line, field, message, level) of refused characters and of what would run a script."""
    tokens: tuple[Token, ...]
    title: str | None
    """Its first heading's text, if any."""


def scan_page(text: str) -> PageScan:
    """Scan a page's text for refused characters, scripts, references, blocks and its title."""
    problems: list[tuple[int, str, str, str]] = []
    if REFUSED.search(text.replace("\r\n", "\n")):
        # Counted by "\n" alone: str.splitlines also breaks at some of the very characters reported.
        for number, line in enumerate(text.split("\n"), start=1):
            if message := refused_message(line.removesuffix("\r")):
                problems.append((number, "text", message, ERROR))
    problems += [(number, what, message, WARNING) for number, what, message in page_warnings(text)]
    if (slow := slow_markup(text)) is not None:
        problems.append((slow, "page", SLOW_MARKUP, ERROR))
    title = find_title(text)
    return PageScan(tuple(problems), tuple(scan(text)), title[1] if title else None)


class _PageScans:
    """The scans of a plan's pages, read from and written back to the cache as one entry.

    The entry holds the scans of the pages last loaded from this plan folder, by the SHA-256 of
    their bytes, and of as many older versions again: a build, a check and a diff of another
    revision each find most of theirs there.
    """

    def __init__(self, config: PlanConfig, cache: DiskCache | None) -> None:
        self._cache = cache
        self._key = content_key(f"page-scans\0{config.plan_dir}".encode())
        self._known: dict[str, PageScan] = (cache.get("page-scans", self._key) if cache else None) or {}
        self._used: dict[str, PageScan] = {}
        self._added = False

    def __call__(self, data: bytes, text: str) -> PageScan:
        key = content_key(data)
        found = self._used.get(key) or self._known.get(key)
        if found is None:
            found = scan_page(text)
            self._added = True
        self._used[key] = found
        return found

    def save(self) -> None:
        """Write the entry back if a page was scanned anew."""
        if self._cache is None or not self._added:
            return
        older = [(k, v) for k, v in self._known.items() if k not in self._used]
        self._cache.put("page-scans", self._key, dict(older[max(0, len(older) - len(self._used)) :]) | self._used)


def _check_page(config: PlanConfig, page: str, loaded: _Loaded, scans: _PageScans) -> None:
    """Check a page's references, plan blocks and characters; warn about what would run a script."""
    assert loaded.files is not None
    display = config.display(config.plan_dir / page)
    try:
        data = loaded.files.read(page)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        loaded.problems.append(Problem(display, 1, "encoding", "the page is not UTF-8 text; save it as UTF-8"))
        return
    except OSError as error:
        loaded.problems.append(Problem(display, 1, "file", _unreadable(error)))
        return
    found = scans(data, text)
    for number, what, said, level in found.problems:
        loaded.problems.append(Problem(display, number, what, said, level))
    blocks = []
    for token in found.tokens:
        if token.is_reference:
            message = _reference_problem(token, loaded)
        else:
            message = _block_problem(token, page, config, loaded)
            blocks.append(token.name)
        if message is not None:
            loaded.problems.append(Problem(display, token.line, token.source, message))
    loaded.blocks[page] = tuple(blocks)
    loaded.titles[page] = found.title if found.title is not None else page.rsplit("/", 1)[-1].removesuffix(".md")


def _block_problem(token: Token, page: str | None, config: PlanConfig, loaded: _Loaded) -> str | None:
    """What is wrong with a [[block]] on a page (or in data, when page is None), if anything."""
    if token.name not in BLOCKS:
        hint = suggest(token.name, [*BLOCKS, *loaded.ids])
        return (
            f"not a plan block or a milestone or measure id{hint}; blocks are "
            + ", ".join(f"[[{block}]]" for block in BLOCKS)
            + ", and references look like [[M2.1]] or [[K1]]"
        )
    if page is None:
        return "plan blocks go on pages, not in data; refer to a milestone like [[M2.1]]"
    if not token.alone:
        return "a plan block must be on a line of its own, with blank lines around it"
    if token.name in ("milestones", "measures") and not _shows_data(page, token.name, loaded):
        return f"[[{token.name}]] belongs on the index.md page of a phase folder that has a {token.name}.yml"
    return None


def _reference_problem(token: Token, loaded: _Loaded) -> str | None:
    """What is wrong with a [[reference]] to a milestone or measure, if anything."""
    kind = "milestones.yml" if token.name.startswith("M") else "measures.yml"
    unreadable = {name.rsplit("/", 1)[-1] for name in loaded.unreadable}
    if token.name in loaded.ids or kind in unreadable:
        return None  # ids in an unreadable file are unknown, not missing
    noun = "milestone" if token.name.startswith("M") else "measure"
    known = [i for i in loaded.ids if i[0] == token.name[0]]
    return f"no {noun} has the id {token.name}{suggest_id(token.name, known)}"


def _note_markdown(checker: RecordChecker, checked: Checked, name: str, loaded: _Loaded) -> None:
    """Keep a record's Markdown field to check its references once every id is known."""
    text = checked.values.get(name)
    if isinstance(text, str):
        loaded.markdown.append((name, text, Location(checker.path, checked.line_of(name))))


def _shows_data(page: str, block: str, loaded: _Loaded) -> bool:
    """Whether a page is the index of a phase folder holding the data a block shows."""
    folder, _, name = page.rpartition("/")
    return name == "index.md" and PHASE_FOLDER.fullmatch(folder) is not None and f"{folder}/{block}.yml" in loaded.paths


def _unreadable(error: OSError) -> str:
    """Why a file could not be read, and what to do."""
    if isinstance(error, PermissionError):
        return "cannot be read (permission denied); make it readable, like: chmod a+r on the file"
    return f"cannot be read ({error.strerror or error})"
