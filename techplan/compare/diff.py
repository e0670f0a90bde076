"""`techplan diff`: what changed in the plan between two git revisions, for reviewers.

BASE and HEAD are any git revisions (tags, branches, commits); HEAD defaults to the work
tree, uncommitted edits included. Git is asked a fixed number of questions whatever the size
of the plan: the two trees, the log of the range (unless the last build's log has it), and
the blobs of what changed.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from functools import partial

import markdown as markdown_lib

from techplan.cache import DiskCache, content_key
from techplan.compare.datadiff import DataChange, diff_plans, due_change
from techplan.compare.redline import Block, Segment, extract_blocks, redline
from techplan.errors import TechplanError
from techplan.history.git import GitError, NotARepository, Repository, UntrustedRepository
from techplan.history.log import (
    NO_BLOB,
    Commit,
    LogIndex,
    build_index,
    carried_notes,
    last_log,
    read_log,
    start_log,
)
from techplan.history.notes import HistoryNote
from techplan.history.past import PastReader
from techplan.jobs import after_forks, before_fork, jobs_available
from techplan.plan.load import load_plan
from techplan.plan.markup import as_written, converted_in_time
from techplan.plan.model import Plan
from techplan.plan.paragraphs import Paragraphs
from techplan.plan.prose import Token, expand, find_title
from techplan.plan.settings import PlanConfig
from techplan.plan.sources import DiskFiles, PlanFiles, TreeFiles
from techplan.problems import Problem

WORK_TREE = "the work tree"


@dataclass(frozen=True, slots=True)
class PageDiff:
    """One page that differs: how, and word by word."""

    page: str
    title: str
    status: str
    """changed, added or removed."""
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class CommitNotes:
    """A commit in the range and the change notes it publishes."""

    commit: str
    subject: str
    date: str
    notes: tuple[str, ...]


@dataclass(slots=True)
class PlanDiff:
    """Everything a reviewer needs to know about a change to the plan."""

    base: str
    base_commit: str
    head: str
    head_commit: str | None
    """None when HEAD is the work tree."""
    pages: list[PageDiff] = field(default_factory=list)
    data: list[DataChange] = field(default_factory=list)
    notes: list[CommitNotes] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Problems in HEAD's plan: it would not build."""
    history_notes: list[HistoryNote] = field(default_factory=list)
    """What in the compared history could not be read."""


class DiffError(TechplanError):
    """The revisions cannot be compared; the message says why."""


def diff_plan(
    settings: PlanConfig,
    base: str,
    head: str | None,
    markdown: Callable[[], markdown_lib.Markdown],
    cache: DiskCache | None = None,
    markdown_key: str = "",
) -> PlanDiff:
    """Compare the plan at two revisions (or at BASE and the work tree).

    `markdown_key` names the Markdown settings `markdown` builds with: the text of each page
    version is kept in the cache under it, so a later diff reuses what an earlier one read.
    """
    cache = cache or DiskCache(None)
    try:
        repo = Repository(settings.plan_dir)
    except NotARepository as error:
        raise DiffError(f"{settings.display(settings.plan_dir)} is not in a git repository") from error
    past = PastReader(repo.blobs, cache)
    try:
        prefix = settings.plan_dir.relative_to(repo.root).as_posix() + "/"
        base_commit = _resolve(repo, base)
        head_commit = _resolve(repo, head) if head else None
        old_tree = repo.tree(base_commit, prefix)
        old_files = TreeFiles(old_tree, past.contents)
        new_files: PlanFiles = (
            TreeFiles(repo.tree(head_commit, prefix), past.contents) if head_commit else DiskFiles(settings.plan_dir)
        )
        result = PlanDiff(base, base_commit, head or WORK_TREE, head_commit)
        tip = head_commit or repo.head() or base_commit
        range_read = _start_range(repo, past, cache, base_commit, tip)  # git works meanwhile, if it is asked
        if isinstance(new_files, TreeFiles):  # one cat-file for every file the checks read
            new_files.prefetch(new_files.paths())
        old_plan, unread = past.plan_at(settings, old_tree, base_commit, base)
        new_plan, result.problems = load_plan(settings, cache=cache, files=new_files)
        result.data = diff_plans(old_plan, new_plan)
        blocks = _Blocks(markdown, cache, markdown_key)
        ranges: list[tuple[Range, list[str]]] = []

        def read_range() -> None:  # once: while other cores compare the pages, if they do, else after
            if not ranges:
                commits = range_read()
                ranges.append((commits, _unnoted_moves(past, commits, prefix)))

        result.pages = _page_diffs(old_files, new_files, blocks, old_plan, new_plan, read_range)
        read_range()
        commits, moves = ranges[0]
        result.notes = [CommitNotes(c.sha, c.subject, c.date.isoformat(), notes) for c, notes in commits if notes]
        tip_plan = None
        if head_commit is None:  # edits not yet committed are measured against the last commit
            tip_plan, _ = past.plan_at(settings, repo.tree(tip, prefix), tip, "the last commit")
        result.warnings = moves + _warnings(result, new_plan, tip_plan)
        if unread:
            count = len(unread)
            result.warnings.append(
                f"the plan at {base} has {count} thing{'s' if count != 1 else ''} that cannot be read today "
                f"(left out of this comparison): {'; '.join(unread[:3])}{' …' if count > 3 else ''}"
            )
        result.history_notes = sorted(set(past.notes))
        return result
    except UntrustedRepository as error:
        raise DiffError(error.message) from None
    except GitError as error:
        raise DiffError(str(error)) from error
    finally:
        repo.close()


def _resolve(repo: Repository, revision: str) -> str:
    """The full sha of a revision, or a DiffError naming what was not found.

    A tag is asked for by its full name first, so a branch of the same name never stands in for it.
    """
    for name in (f"refs/tags/{revision}", revision):
        try:
            sha = repo.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}").strip()
        except UntrustedRepository:
            raise
        except GitError:
            continue
        if sha:
            return sha
    raise DiffError(f"{revision!r} is not a commit, branch or tag in this repository")


Range = list[tuple[Commit, tuple[str, ...]]]
"""The first-parent commits of a range, oldest first, each with the notes it publishes."""


def _start_range(repo: Repository, past: PastReader, cache: DiskCache, base: str, tip: str) -> Callable[[], Range]:
    """Start reading the range base..tip; call what this returns for its commits and their notes.

    A merge publishes the notes of the commits it merged, as on the site. The log is the one the
    last build read, when both ends are on its first-parent line and the range spans enough of it
    (LOADED_FROM): the same notes the site shows, without reading the log again. Else `git log
    base..tip`, which git starts on at once.
    """
    if tip == base:
        return lambda: []
    last = last_log(repo, cache)
    if last is not None and _worth_loading(repo, base, tip, last[0]):
        load = last[1]

        def from_last_build() -> Range:
            known = load()
            found = _range_in(known, base, tip) if known is not None else None
            if known is None or found is None:
                return _from_git(past, read_log(repo, f"{base}..{tip}"), tip)
            chain, notes = found
            past.notes += notes
            return _with_notes(known, chain)

        return from_last_build
    log = start_log(repo, f"{base}..{tip}")
    return lambda: _from_git(past, log(), tip)


def _from_git(past: PastReader, log: tuple[list[Commit], list[HistoryNote]], tip: str) -> Range:
    """The range from its own log, as `git log base..tip` lists it."""
    commits, unreadable = log
    past.notes += unreadable
    index = build_index(commits, tip, frozenset())
    return _with_notes(index, index.chain)


LOADED_FROM = 0.3
"""The share of the last build's log a range must span for loading it to cost less than reading the range from git."""


def _worth_loading(repo: Repository, base: str, tip: str, length: int) -> bool:
    """Whether the range is long enough, against a cached log's first-parent line, to take from it."""
    count = repo.run("rev-list", "--count", "--first-parent", f"{base}..{tip}", "--").strip()
    return count.isdigit() and int(count) >= LOADED_FROM * length


def _range_in(index: LogIndex, base: str, tip: str) -> tuple[tuple[Commit, ...], list[HistoryNote]] | None:
    """The commits after base up to tip on an index's first-parent line, newest first, with the notes
    about them; None unless both are on it, tip after base, and every note names a commit the index has."""
    positions = {commit.sha: position for position, commit in enumerate(index.chain)}  # newest first
    if base not in positions or tip not in positions or positions[tip] >= positions[base]:
        return None
    chain = index.chain[positions[tip] : positions[base]]
    merged = {side.sha for sides in index.carried.values() for side in sides}
    if any(note.commit not in positions and note.commit not in merged for note in index.notes):
        return None  # a commit git listed but the index left out (unreadable): which range it is in is unknown
    inside = {commit.sha for commit in chain}
    inside |= {side.sha for commit in chain for side in index.carried.get(commit.sha, [])}
    return chain, [note for note in index.notes if note.commit in inside]


def _with_notes(index: LogIndex, chain: Sequence[Commit]) -> Range:
    """Commits of an index's first-parent line (newest first), oldest first, each with the notes it publishes."""
    result = []
    for commit in reversed(chain):
        notes: list[str] = list(commit.notes)
        for change in commit.changes:
            notes += [n for n in carried_notes(index, commit, change) if n not in notes]
        result.append((commit, tuple(notes)))
    return result


PARALLEL_FROM = 48
"""Pages to compare from which the work is shared among the machine's cores: below it, starting workers costs more."""


def _page_diffs(
    old: PlanFiles,
    new: PlanFiles,
    blocks: _Blocks,
    old_plan: Plan,
    new_plan: Plan,
    meanwhile: Callable[[], None] | None = None,
) -> list[PageDiff]:
    """Every page whose text differs, redlined (on every core, when there are many).

    `meanwhile` is done here while other processes compare the pages, if they do; not otherwise.
    """
    old_pages = {p for p in old.paths() if p.endswith(".md")}
    new_pages = {p for p in new.paths() if p.endswith(".md")}
    changed = sorted(
        p for p in old_pages | new_pages if p not in old_pages or p not in new_pages or _differs(old, new, p)
    )
    if isinstance(old, TreeFiles):
        old.prefetch([p for p in changed if p in old_pages])
    if isinstance(new, TreeFiles):
        new.prefetch([p for p in changed if p in new_pages])
    jobs = [
        _Job(
            page,
            old.read(page).decode("utf-8", "replace") if page in old_pages else None,
            new.read(page).decode("utf-8", "replace") if page in new_pages else None,
        )
        for page in changed
    ]
    work = _Work(blocks, old_plan, new_plan)
    found = _in_workers(work, jobs, meanwhile) if len(jobs) >= PARALLEL_FROM else None
    diffs = [d for d in (found if found is not None else map(work, jobs)) if d is not None]
    order = {page: n for n, page in enumerate(new_plan.pages)}
    diffs.sort(key=lambda d: (order.get(d.page, len(order)), d.page))
    return diffs


@dataclass(frozen=True, slots=True)
class _Job:
    """A page to compare: its text on each side (None where it is not there)."""

    page: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class _Work:
    """Comparing one page, with what every page's comparison shares."""

    blocks: _Blocks
    old_plan: Plan
    new_plan: Plan

    def __call__(self, job: _Job) -> PageDiff | None:
        """The page's diff, or None when only Markdown a reader never sees changed (spacing, a comment)."""
        before, after = self.blocks(job.page, (job.old or "", self.old_plan), (job.new or "", self.new_plan))
        segments = redline(before, after)
        if job.old is not None and job.new is not None and all(s.status == "equal" for s in segments):
            return None
        status = "added" if job.old is None else "removed" if job.new is None else "changed"
        title = find_title(job.new or job.old or "")
        return PageDiff(job.page, title[1] if title else job.page, status, segments)


_INHERITED: _Work | None = None
"""The work a forked worker process inherits from the comparison that started it."""


def _in_workers(
    work: _Work, jobs: list[_Job], meanwhile: Callable[[], None] | None = None
) -> list[PageDiff | None] | None:
    """Each job done by worker processes forked from this one (techplan.jobs), in order; None if they cannot run.

    Workers inherit the plans and the converter settings rather than being sent them. What they
    convert comes back with each page's diff, and this process adds it to the cache's pack
    (techplan.packs): one file for the whole comparison, not one a page from each worker.
    """
    global _INHERITED
    processes = jobs_available()
    if processes < 2:
        return None
    _INHERITED = work
    before_fork()
    try:
        with ProcessPoolExecutor(processes, multiprocessing.get_context("fork"), initializer=_start_worker) as pool:
            found = []
            results = pool.map(_work_in_worker, jobs, chunksize=max(1, len(jobs) // (processes * 8)))
            if meanwhile is not None:  # every job is with the workers now
                meanwhile()
            for diff, converted in results:
                work.blocks.write(converted)
                found.append(diff)
            return found
    except (BrokenProcessPool, OSError):  # a worker killed, or no process to be had: compare here instead
        return None
    finally:
        _INHERITED = None
        after_forks()


def _start_worker() -> None:
    """In a worker: keep what it converts, to send back with each diff."""
    assert _INHERITED is not None
    _INHERITED.blocks.hold_back()


def _work_in_worker(job: _Job) -> tuple[PageDiff | None, list[tuple[str, dict[str, list[Block]]]]]:
    assert _INHERITED is not None
    return _INHERITED(job), _INHERITED.blocks.take_held()


def _differs(old: PlanFiles, new: PlanFiles, page: str) -> bool:
    """Whether a page's bytes differ, comparing git blob ids so an unchanged file is never read."""
    if isinstance(old, TreeFiles) and isinstance(new, TreeFiles):
        return old.blobs[page] != new.blobs[page]
    if isinstance(old, TreeFiles):
        data = new.read(page)
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
        return old.blobs[page] != blob
    return old.read(page) != new.read(page)


class _Blocks:
    """A page's text as blocks for comparing: references as their words, data blocks as a placeholder.

    Blocks are cached by the text they come from after references are filled in, so a page
    version is converted once however many diffs it appears in. The cache holds one entry per
    page with its latest versions (a packed kind: techplan.packs), read and written once a page.
    """

    KEEP = 8
    """Versions kept per page: enough for the ranges a reviewer compares in turn."""

    def __init__(self, markdown: Callable[[], markdown_lib.Markdown], cache: DiskCache, key: str) -> None:
        self._markdown = markdown
        self._converter: Paragraphs | None = None
        self._cache = cache
        self._key = key
        self._held: list[tuple[str, dict[str, list[Block]]]] | None = None
        """New entries kept for the process that forked this one, in a worker (`hold_back`)."""

    def hold_back(self) -> None:
        """Keep new entries for `take_held` rather than writing them: in a worker, whose parent writes them."""
        self._held = []

    def take_held(self) -> list[tuple[str, dict[str, list[Block]]]]:
        """The entries held back since the last call, as (key, versions)."""
        if self._held is None:
            return []
        held, self._held = self._held, []
        return held

    def write(self, entries: list[tuple[str, dict[str, list[Block]]]]) -> None:
        """Write entries a worker held back."""
        for entry_key, versions in entries:
            self._cache.write("diff-pages", entry_key, versions)

    def __call__(self, page: str, *sides: tuple[str, Plan]) -> list[list[Block]]:
        """The blocks of each side's text of a page (none for no text), read and cached together."""
        entry_key = content_key(f"{self._key}\0{page}".encode())
        versions: dict[str, list[Block]] = self._cache.get("diff-pages", entry_key) or {}
        added = False
        result: list[list[Block]] = []
        texts = [expand(text, partial(_words, plan)) if text else "" for text, plan in sides]
        keys = [content_key(expanded.encode()) for expanded in texts]
        unread = [expanded for expanded, key in zip(texts, keys, strict=True) if expanded and key not in versions]
        whole = not Paragraphs.worth_cutting(unread)
        for expanded, version in zip(texts, keys, strict=True):
            if not expanded:
                result.append([])
                continue
            if version not in versions:
                if self._converter is None:
                    self._converter = Paragraphs(self._markdown())
                html = converted_in_time(partial(self._converter.convert, page=page, whole=whole), expanded)
                converted = extract_blocks(html if html is not None else as_written(expanded))
                versions = {**versions, version: converted}
                added = True
            result.append(versions[version])
        if added:
            versions = dict(list(versions.items())[-self.KEEP :])
            self._cache.remember("diff-pages", entry_key, versions)
            if self._held is not None:
                self._held.append((entry_key, versions))
            else:
                self._cache.write("diff-pages", entry_key, versions)
        return result


def _words(plan: Plan, token: Token) -> str:
    """What a reference or block reads as in a diff: a reference's words, a placeholder for a block."""
    if token.is_reference:
        record = plan.record(token.name)
        return token.text or (f"{token.name}: {record.title}" if record is not None else token.name)
    return f"[the {token.name.replace('-', ' ')} block]"


def _unnoted_moves(past: PastReader, commits: Range, prefix: str) -> list[str]:
    """A warning for each due date a commit in the range moved without a change note saying why."""
    warnings: list[str] = []
    unexplained = [  # a change with a note says why; only the others' due dates are read
        (commit, change)
        for commit, notes in commits
        if not notes
        for change in commit.changes
        if change.path.startswith(prefix) and change.path.endswith("/milestones.yml")
    ]
    dues = past.dues(
        (blob, commit.sha, change.path)
        for commit, change in unexplained
        for blob in (change.old_blob, change.new_blob)
        if blob != NO_BLOB
    )
    for commit, change in unexplained:
        before, after = dues.get(change.old_blob, {}), dues.get(change.new_blob, {})
        for record_id, due in after.items():
            if record_id in before and before[record_id] != due:
                moved = due_change(record_id, before[record_id], due).text.removesuffix(".")
                warnings.append(
                    f"{moved}, in commit {commit.sha[:7]} (“{commit.subject}”) without a change note; "
                    "say why in a Change-note: trailer"
                )
    return warnings


def _warnings(result: PlanDiff, new_plan: Plan, tip_plan: Plan | None) -> list[str]:
    """What else a reviewer should look at: uncommitted due date moves, milestones deleted, problems.

    `tip_plan` is the last commit's plan when the comparison runs to the work tree.
    """
    warnings: list[str] = []
    if tip_plan is not None:
        committed = {m.id: m.due for m in tip_plan.milestones}
        for milestone in new_plan.milestones:
            last = committed.get(milestone.id)
            if last is not None and last != milestone.due:
                moved = due_change(milestone.id, last, milestone.due).text.removesuffix(".")
                warnings.append(f"{moved}, in uncommitted edits; commit it with a Change-note: trailer saying why")
    for data_change in result.data:
        if data_change.kind == "removed" and data_change.record.startswith("M"):
            warnings.append(
                f"{data_change.record} was deleted; milestones are never deleted: set its status to dropped "
                "and say why instead"
            )
    count = sum(problem.is_error for problem in result.problems)  # page warnings are not problems
    if count:
        warnings.append(f"the plan at {result.head} has {count} problem{'s' if count != 1 else ''}: run techplan check")
    return warnings


def render_json(diff: PlanDiff) -> str:
    """The comparison as JSON, for bots."""
    data = {
        "base": {"revision": diff.base, "commit": diff.base_commit},
        "head": {"revision": diff.head, "commit": diff.head_commit},
        "notes": [asdict(n) for n in diff.notes],
        "warnings": diff.warnings,
        "data": [asdict(c) for c in diff.data],
        "pages": [
            {
                "page": p.page,
                "title": p.title,
                "status": p.status,
                "blocks": [
                    {"kind": s.kind, "status": s.status, "html": s.html} for s in p.segments if s.status != "equal"
                ],
            }
            for p in diff.pages
        ],
        "problems": [p.render() for p in diff.problems],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_markdown(diff: PlanDiff) -> str:
    """The comparison as Markdown for a pull-request comment: redline excerpts, data, notes, warnings."""
    head = diff.head if diff.head_commit is None else f"{diff.head} ({diff.head_commit[:7]})"
    lines = [f"## Plan changes: {diff.base} ({diff.base_commit[:7]}) → {head}", ""]
    counts = [
        _count(len(diff.pages), "page"),
        _count(len({c.record for c in diff.data if c.record.startswith("M")}), "milestone"),
        _count(len({c.record for c in diff.data if c.record.startswith("K")}), "measure"),
    ]
    lines += [f"{', '.join(counts)} changed.", ""]
    if diff.warnings:
        lines += ["### Warnings", ""] + [f"- ⚠️ {_md(w)}" for w in diff.warnings] + [""]
    lines += ["### Change notes", ""]
    if diff.notes:
        for entry in diff.notes:
            for note in entry.notes:
                lines.append(f"- {_md(note)} ({entry.commit[:7]})")
    else:
        lines.append("None: every change in this range is minor.")
    lines.append("")
    if diff.data:
        lines += ["### Milestones, measures and phases", ""] + [f"- {_md(c.text)}" for c in diff.data] + [""]
    if diff.pages:
        lines += ["### Pages", ""]
        for page in diff.pages:
            marker = {"added": " (new page)", "removed": " (page removed)"}.get(page.status, "")
            lines += [f"#### {_md(page.title)}{marker}", "", f"`plan/{page.page}`", ""]
            excerpts = [s for s in page.segments if s.status != "equal"]
            for segment in excerpts[:12]:
                lines.append("> " + _plain_marks(segment.html))
                lines.append(">")
            if len(excerpts) > 12:
                lines.append(f"> … and {len(excerpts) - 12} more changed blocks")
            if lines[-1] == ">":
                lines.pop()
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _plain_marks(segment_html: str) -> str:
    """A redline block for Markdown: <ins> and <del> without the screen-reader words GitHub would show."""
    for label in ("inserted", "deleted"):
        segment_html = segment_html.replace(f'<span class="tp-visually-hidden">[{label}: </span>', "")
    return segment_html.replace('<span class="tp-visually-hidden">]</span>', "")


def _md(text: str) -> str:
    """Text for Markdown: HTML escaped, Markdown's own characters defused."""
    escaped = html.escape(text, quote=False)
    for char in "\\`*_[]#|":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def _count(number: int, noun: str) -> str:
    """2 pages, 1 milestone."""
    return f"{number} {noun}{'s' if number != 1 else ''}"
