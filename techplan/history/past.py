"""The one way the build reads past versions of the plan's files: bounded, checked, and never raising.

Every past version goes through the same reader and checker as today's files (bounded YAML,
every date and id checked), so a version that would not pass `techplan check` today is read
for what it validly says and the rest becomes a history note, never a traceback, a hang or a
failed build. Parsed results are cached by blob, so each version is read once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from techplan.cache import DiskCache, content_key
from techplan.history.notes import HistoryNote
from techplan.plan.load import load_plan, load_records
from techplan.plan.model import Measure, Milestone, Plan
from techplan.plan.settings import PlanConfig
from techplan.plan.sources import TreeFiles
from techplan.plan.spec import FILES, MILESTONES_FILE
from techplan.plan.validate import RecordChecker
from techplan.plan.yamlsource import YamlNode, parse_yaml_bytes
from techplan.problems import Problem

Fetch = Callable[[list[str]], dict[str, bytes]]
"""Reads blobs by sha; a blob the repository lacks is left out of the result."""
FetchBatches = Callable[[list[str], int], Iterator[dict[str, bytes]]]
"""Reads blobs by sha as Fetch does, giving them a batch of at most so many at a time (Repository.blob_batches)."""

Dues = dict[str, date]
"""The due date of each milestone in one version of a milestones file."""

Records = tuple[tuple[Milestone, ...], tuple[Measure, ...], frozenset[str]]
"""The milestones and measures one version of a data file validly holds, and every valid id written in it
(a record that does not pass has its id here but is not in the records)."""


class PastReader:
    """Reads past file versions for one build or one comparison, collecting notes on what it could not read."""

    BATCH = 2000
    """Blobs read with one git call when they are read a batch at a time (a few megabytes of pages)."""

    def __init__(self, fetch: Fetch, cache: DiskCache | None = None, fetch_batches: FetchBatches | None = None) -> None:
        self._fetch = fetch
        self._fetch_batches = fetch_batches
        self.cache = cache or DiskCache(None)
        self.notes: list[HistoryNote] = []
        """What could not be read, in the order it was met."""
        self._contents: dict[str, bytes] = {}
        self._wanted: dict[str, None] = {}
        """Blobs to read with the next batch."""
        self._records_with_dues: dict[tuple[str, str], int] = {}
        """(blob, path) of versions whose records `dues` makes too, with their phase numbers."""

    def want(self, shas: Iterable[str]) -> None:
        """Read these blobs with the next batch another reader asks for: several readers, one `git cat-file`."""
        self._wanted.update(dict.fromkeys(sha for sha in shas if sha not in self._contents))

    def contents(self, shas: Iterable[str], keep: bool = True) -> dict[str, bytes]:
        """The bytes of each blob, read in one go (with any wanted before); blobs the repository lacks are left out.

        What is read is kept for the next reader to ask, unless `keep` is false (only those wanted before are).
        """
        shas = list(shas)
        others = [sha for sha in self._wanted if sha not in self._contents]
        wanted = [sha for sha in dict.fromkeys([*shas, *others]) if sha not in self._contents]
        self._wanted = {}
        found = self._fetch(wanted) if wanted else {}
        self._contents.update(found if keep else {sha: found[sha] for sha in others if sha in found})
        return {
            sha: self._contents[sha] if sha in self._contents else found[sha]
            for sha in shas
            if sha in found or sha in self._contents
        }

    def batches(self, shas: Iterable[str]) -> Iterator[dict[str, bytes]]:
        """The bytes of these blobs a batch at a time, not kept: a whole history's pages are never in memory at once.

        Those wanted before are read with them, and kept. With `fetch_batches`, one git process
        reads them all, each batch used while git reads the next.
        """
        shas = list(dict.fromkeys(shas))
        if self._fetch_batches is None:
            for start in range(0, len(shas), self.BATCH):
                yield self.contents(shas[start : start + self.BATCH], keep=False)
            return
        others = {sha: None for sha in self._wanted if sha not in self._contents}
        self._wanted = {}
        known = {sha: self._contents[sha] for sha in shas if sha in self._contents}
        if known:
            yield known
        asked = {sha: None for sha in shas if sha not in known}
        for batch in self._fetch_batches(list({**asked, **others}), self.BATCH):
            self._contents.update((sha, batch[sha]) for sha in others.keys() & batch.keys())
            mine = {sha: data for sha, data in batch.items() if sha in asked}
            if mine:
                yield mine

    def make_records_with_dues(self, versions: Iterable[tuple[str, str, int]]) -> None:
        """Have `dues` keep the records of these (blob, path, phase number) versions in the cache as it reads them.

        A build reads every version of each milestones file for its due dates and then for its
        records: parsed once for both, they cost half (1.5 s of CPU at 20,000 commits). What is
        read and noted is the same as reading them apart, each with its own checks.
        """
        self._records_with_dues.update(((blob, path), number) for blob, path, number in versions)

    def dues(self, versions: Iterable[tuple[str, str, str]]) -> dict[str, Dues]:
        """The due dates in each (blob, commit, path) version of a milestones file, by blob.

        A version that cannot be read, wholly or in part, gives the dates it validly holds and a
        note on the first commit that published it.
        """
        first: dict[str, tuple[str, str]] = {}
        for blob, commit, path in versions:
            first.setdefault(blob, (commit, path))
        results: dict[str, tuple[Dues, tuple[Problem, ...]]] = {}
        for blob in first:
            cached = self.cache.get("dues", blob)
            if cached is not None:
                results[blob] = cached
        missing = [blob for blob in first if blob not in results]
        found = self.contents(missing)
        for blob in missing:
            commit, path = first[blob]
            if blob not in found:
                self.notes.append(HistoryNote(commit, path, 0, "this version is not in the repository; skipped"))
                results[blob] = ({}, ())
                continue
            number = self._records_with_dues.pop((blob, path), None)
            if number is None:
                results[blob] = read_dues(found[blob], path)
            else:
                parsed = _parse(found[blob], path)
                results[blob] = read_dues(found[blob], path, parsed)
                records = read_records(found[blob], path, number, parsed)
                self.cache.put("record-versions", records_key(blob, path, number), records)
            self.cache.put("dues", blob, results[blob])
        for blob, (_, problems) in results.items():
            commit, path = first[blob]
            self.notes += [HistoryNote(commit, path, p.line, f"{p.field}: {p.message}") for p in problems]
        return {blob: dues for blob, (dues, _) in results.items()}

    def records(self, versions: Iterable[tuple[str, str, str, int]]) -> dict[str, Records]:
        """The records in each (blob, commit, path, phase number) version of a milestones or measures file, by blob.

        Read as `techplan check` reads today's files: a record that does not pass is left out and
        what was wrong becomes a note on the first commit that published that version.
        """
        first: dict[str, tuple[str, str, int]] = {}
        for blob, commit, path, number in versions:
            first.setdefault(blob, (commit, path, number))
        results: dict[str, tuple[Records, tuple[Problem, ...]]] = {}
        for blob, (_, path, number) in first.items():
            cached = self.cache.get("record-versions", records_key(blob, path, number))
            if cached is not None:
                results[blob] = cached
        missing = [blob for blob in first if blob not in results]
        found = self.contents(missing)
        for blob in missing:
            commit, path, number = first[blob]
            if blob not in found:
                self.notes.append(HistoryNote(commit, path, 0, "this version is not in the repository; skipped"))
                results[blob] = (((), (), frozenset()), ())
                continue
            results[blob] = read_records(found[blob], path, number)
            self.cache.put("record-versions", records_key(blob, path, number), results[blob])
        for blob, (_, problems) in results.items():
            commit, path, _ = first[blob]
            self.notes += [HistoryNote(commit, path, p.line, f"{p.field}: {p.message}") for p in problems]
        return {blob: records for blob, (records, _) in results.items()}

    def plan_at(self, settings: PlanConfig, files: dict[str, str], commit: str, what: str) -> tuple[Plan, list[str]]:
        """The plan's data as a past commit had it (files: blob by path in the plan directory).

        Records that do not pass today's checks are left out; what was wrong comes back as
        sentences for the page that shows this version (`what` names it: "revision v3"), and as notes.
        Kept in the cache under all it is read from, so each revision's plan is read once.
        """
        key = content_key(repr((settings, sorted(files.items()), commit, what)).encode())
        cached: tuple[Plan, list[str], list[HistoryNote]] | None = self.cache.get("plan-at", key)
        if cached is None:
            notes_before = len(self.notes)
            plan, said = self._plan_at(settings, files, commit, what)
            cached = (plan, said, self.notes[notes_before:])
            self.cache.put("plan-at", key, cached)
        else:
            self.notes += cached[2]
        return cached[0], list(cached[1])

    def _plan_at(self, settings: PlanConfig, files: dict[str, str], commit: str, what: str) -> tuple[Plan, list[str]]:
        """plan_at, without the cache of whole plans."""
        tree = TreeFiles(files, lambda shas: self.contents(shas))
        tree.prefetch([p for p in files if p.endswith((".yml", ".yaml"))])
        try:
            plan, problems = load_plan(settings, pages=[], cache=self.cache, files=tree)
        except Exception as error:
            message = f"the data of {what} could not be read ({type(error).__name__}: {error})"
            self.notes.append(HistoryNote(commit, "", 0, message))
            return Plan(phases=(), milestones=(), measures=()), [message]
        said = []
        for problem in problems:
            self.notes.append(HistoryNote(commit, problem.path, problem.line, f"{problem.field}: {problem.message}"))
            said.append(f"{problem.path}:{problem.line}: {problem.field}: {problem.message}")
        return plan, said

    def check_versions(self, versions: dict[str, tuple[str, str]]) -> None:
        """Check past versions of data files (blob → first commit and path) as `techplan check` checks today's.

        Each version is checked on its own: what it says about other files (a dependency on a
        milestone in another file) is left to the check of the plan at a revision.
        """
        results: dict[str, tuple[Problem, ...]] = {}
        for blob, (_, path) in versions.items():
            cached = self.cache.get("version-check", f"{blob}:{path.rsplit('/', 1)[-1]}")
            if cached is not None:
                results[blob] = cached
        missing = [blob for blob in versions if blob not in results]
        found = self.contents(missing)
        for blob in missing:
            commit, path = versions[blob]
            if blob not in found:
                self.notes.append(HistoryNote(commit, path, 0, "this version is not in the repository"))
                continue
            results[blob] = check_version(found[blob], path)
            self.cache.put("version-check", f"{blob}:{path.rsplit('/', 1)[-1]}", results[blob])
        for blob, problems in results.items():
            commit, path = versions[blob]
            self.notes += [HistoryNote(commit, path, p.line, f"{p.field}: {p.message}") for p in problems]


def check_version(data: bytes, path: str) -> tuple[Problem, ...]:
    """The problems `techplan check` would find in one version of a data file, on its own."""
    spec = FILES.get(path.rsplit("/", 1)[-1])
    try:
        node, problems = parse_yaml_bytes(data, path)
        if node is None or spec is None:
            return tuple(problems)
        checker = RecordChecker(path)
        checker.check_record(node, spec)
        return tuple(problems + checker.problems)
    except Exception as error:
        return (Problem(path, 1, "file", f"could not be read ({type(error).__name__})"),)


Parsed = tuple[YamlNode | None, list[Problem]] | None
"""A version's YAML as parse_yaml_bytes reads it, to share between readers; None: parse it (again) when read."""


def _parse(data: bytes, path: str) -> Parsed:
    """A version's YAML, parsed once for more than one reader; None if parsing raised (each reader says so)."""
    try:
        return parse_yaml_bytes(data, path)
    except Exception:
        return None


def read_dues(data: bytes, path: str, parsed: Parsed = None) -> tuple[Dues, tuple[Problem, ...]]:
    """The due dates one version of a milestones file validly holds, and the problems with the rest.

    The file is read and checked as `techplan check` reads today's: a milestone whose id or due
    date does not pass is left out, whatever else in the file is wrong.
    """
    try:
        node, problems = parsed if parsed is not None else parse_yaml_bytes(data, path)
        if node is None:
            return {}, tuple(problems)
        checker = RecordChecker(path)
        checked = checker.check_record(node, MILESTONES_FILE)
        dues: Dues = {}
        for record in checked.values.get("milestones", []) or []:
            record_id, due = record.values.get("id"), record.values.get("due")
            if isinstance(record_id, str) and isinstance(due, date):
                dues.setdefault(record_id, due)
        return dues, tuple(problems + checker.problems)
    except Exception as error:
        return {}, (Problem(path, 1, "file", f"could not be read ({type(error).__name__})"),)


def records_key(blob: str, path: str, number: int) -> str:
    """The cache key of one version's records: what they are depends on the file's kind and phase too."""
    return f"{blob}:{path.rsplit('/', 1)[-1]}:{number}"


def read_records(data: bytes, path: str, number: int, parsed: Parsed = None) -> tuple[Records, tuple[Problem, ...]]:
    """The milestones or measures one version of a data file validly holds, and the problems with the rest."""
    try:
        node, problems = parsed if parsed is not None else parse_yaml_bytes(data, path)
        if node is None:
            return ((), (), frozenset()), tuple(problems)
        milestones, measures, ids, found = load_records(node, path, number)
        return (tuple(milestones), tuple(measures), ids), tuple(problems + found)
    except Exception as error:
        return ((), (), frozenset()), (Problem(path, 1, "file", f"could not be read ({type(error).__name__})"),)
