"""Publication history from git: one `git log`, parsed, then followed per file in memory.

A file is published when a commit on the published branch's first-parent line changes it.
A merged pull request is published at its merge and carries the change notes of the commits
it merged. Renames keep a file's history (as `git log --follow` does); a file deleted and
added again continues its history. A commit with a `Change-note:` trailer is a major change,
unless all it did to a file was change whitespace.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from techplan.cache import DiskCache, content_key
from techplan.history.git import Repository

RECORD, FIELD, NOTES = "\x1e", "\x1f", "\x1d"
LOG_FORMAT = (
    "%x1e%H%x1f%P%x1f%cI%x1f%aN%x1f%aE%x1f%s%x1f"
    "%(trailers:key=Change-note,valueonly=true,unfold=true,separator=%x1d)%x1f"
)
NO_BLOB = "0" * 40
TAG_FORMAT = "%(objecttype)%1f%(refname:short)%1f%(*objectname)%1f%(taggerdate:iso-strict)%1f%(contents)%1e"
"""What `git for-each-ref` says of each tag: enough to tell annotated tags (revisions) apart."""
_RECORD_START = re.compile(r"^(\s*)-\s+id:\s*['\"]?([A-Za-z][A-Za-z0-9.]*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class FileChange:
    """What one commit did to one file, against its first parent."""

    status: str
    """A (added), M (modified), D (deleted), R (renamed) or T (type changed)."""
    path: str
    """The file's path after the commit, relative to the repository root."""
    old_path: str
    """The path before; differs from `path` only for renames."""
    old_blob: str
    new_blob: str


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as `git log` printed it."""

    sha: str
    parents: tuple[str, ...]
    date: datetime
    """Committer date with the committer's offset: when the commit landed."""
    author: str
    """Author name after .mailmap."""
    email: str
    """Author email after .mailmap; used only to map authors to teams, never published."""
    subject: str
    notes: tuple[str, ...]
    """The commit's own `Change-note:` trailers."""
    changes: tuple[FileChange, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """A first-parent commit that changed a file: one publication of that file."""

    commit: Commit
    path: str
    """The file's path at that commit."""
    notes: tuple[str, ...]
    """Change notes: the commit's own and, for a merge, those of the merged commits that changed the file."""
    major: bool
    records: tuple[str, ...] = ()
    """For milestone and measure files, the ids whose entries changed."""

    @property
    def note(self) -> str | None:
        """The notes as one text, or None for a minor change."""
        return "\n\n".join(self.notes) if self.notes else None


@dataclass(slots=True)
class History:
    """The publication history of every file under the plan directory."""

    head: str | None
    """HEAD's full sha; None when there is no history (not a repository, or no commits)."""
    shallow: bool
    """Whether history was cut short and earlier events are missing."""
    files: dict[str, list[Event]] = field(default_factory=dict)
    """Events newest first, by path relative to the repository root."""
    unpublished: frozenset[str] = frozenset()
    """Paths with edits not yet committed."""
    chain: tuple[Commit, ...] = ()
    """The first-parent line, newest first."""


@dataclass(slots=True)
class _Index:
    """The parsed log, indexed for following files; cached per HEAD."""

    chain: tuple[Commit, ...]
    touches: dict[str, list[tuple[int, FileChange]]]
    """For each path, (position on the chain, change) of every change to or from it, newest first."""
    carried: dict[str, list[Commit]]
    """For each merge on the chain, the commits it merged."""
    boundary: frozenset[str]
    """Commits at the edge of a shallow clone, whose changes are not real."""


def parse_log(text: str) -> list[Commit]:
    """Parse the output of `git log -z --raw --format=LOG_FORMAT`."""
    commits = []
    for chunk in text.split(RECORD)[1:]:
        sha, parents, date, author, email, subject, notes, raw = chunk.split(FIELD, 7)
        commits.append(
            Commit(
                sha=sha,
                parents=tuple(parents.split()),
                date=datetime.fromisoformat(date),
                author=author,
                email=email,
                subject=subject,
                notes=tuple(n.strip() for n in notes.split(NOTES) if n.strip()),
                changes=tuple(_parse_raw(raw)),
            )
        )
    return commits


def _parse_raw(raw: str) -> Iterable[FileChange]:
    """Parse `--raw -z` entries: `:mode mode old new STATUS\\0path\\0[path\\0]`."""
    tokens = raw.split("\0")
    position = 0
    while position < len(tokens):
        token = tokens[position].lstrip("\n")
        position += 1
        if not token.startswith(":"):
            continue
        _, _, old_blob, new_blob, status = token[1:].split(" ")
        letter = status[0]
        if letter in "RC":
            old_path, path = tokens[position], tokens[position + 1]
            position += 2
        else:
            old_path = path = tokens[position]
            position += 1
        if letter == "C":  # a copy leaves the source alone: for the copy, it is an addition
            letter, old_path = "A", path
        yield FileChange(letter, path, old_path, old_blob, new_blob)


@dataclass(frozen=True, slots=True)
class RepoState:
    """What a build needs to know about the repository before reading any history."""

    head: str | None
    """HEAD's full sha, or None before the first commit."""
    shallow: bool
    unpublished: frozenset[str]
    """Paths with edits not yet committed, staged or not, new files included."""
    mailmap: str
    """A key for the .mailmap, which changes the author names in the log."""
    tags: str = ""
    """The tags as `git for-each-ref` lists them, for plan revisions."""


def repo_state(repo: Repository, folder: str) -> RepoState:
    """HEAD, whether the clone is shallow, and what is uncommitted in a folder: cheap, asked every build."""
    head = repo.head()
    mailmap = repo.root / ".mailmap"
    return RepoState(
        head=head,
        shallow=repo.is_shallow() if head else False,
        unpublished=_unpublished(repo, folder),
        mailmap=content_key(mailmap.read_bytes()) if mailmap.exists() else "",
        tags=repo.run("for-each-ref", f"--format={TAG_FORMAT}", "refs/tags") if head else "",
    )


def read_history(repo: Repository, state: RepoState, paths: list[str], cache: DiskCache | None = None) -> History:
    """The history of each path (relative to the repository root) from one `git log`.

    The parsed log is cached by HEAD (and .mailmap, which changes the names in it), and what
    each blob pair says (whitespace-only? which records changed?) by the blobs themselves.
    """
    cache = cache or DiskCache(None)
    if state.head is None:
        return History(head=None, shallow=False, files={p: [] for p in paths}, unpublished=state.unpublished)
    key = f"{repo.root}:{state.head}:{state.shallow}:{state.mailmap}"
    index = cache.get("log", key)
    if index is None:
        text = repo.run(
            "-c", "log.showSignature=false", "log", "-z", "--raw", "-M", "--no-abbrev", "--root",
            "--diff-merges=first-parent", "--no-color", f"--format={LOG_FORMAT}", "HEAD",
        )  # fmt: skip
        boundary = _shallow_boundary(repo) if state.shallow else frozenset()
        index = build_index(parse_log(text), state.head, boundary)
        cache.put("log", key, index)
    files = {path: _follow(index, path) for path in paths}
    _mark_majors(repo, files, cache)
    return History(
        head=state.head,
        shallow=state.shallow,
        files=files,
        unpublished=state.unpublished,
        chain=index.chain,
    )


def _shallow_boundary(repo: Repository) -> frozenset[str]:
    """The commits a shallow clone was cut at: git lists them in .git/shallow."""
    path = Path(repo.run("rev-parse", "--git-path", "shallow").strip())
    path = path if path.is_absolute() else repo.root / path
    return frozenset(path.read_text().split()) if path.exists() else frozenset()


def build_index(commits: list[Commit], head: str, boundary: frozenset[str]) -> _Index:
    """Find the first-parent line, what each merge brought in, and which commits touch each path."""
    by_sha = {commit.sha: commit for commit in commits}
    chain: list[Commit] = []
    sha: str | None = head
    while sha is not None and sha in by_sha:
        commit = by_sha[sha]
        chain.append(commit)
        sha = commit.parents[0] if commit.parents else None
    seen: set[str] = set()
    carried: dict[str, list[Commit]] = {}
    for commit in reversed(chain):
        seen.add(commit.sha)
        merged: list[Commit] = []
        stack = [p for p in commit.parents[1:] if p in by_sha and p not in seen]
        while stack:
            side = by_sha[stack.pop()]
            if side.sha in seen:
                continue
            seen.add(side.sha)
            merged.append(side)
            stack.extend(p for p in side.parents if p in by_sha and p not in seen)
        if merged:
            carried[commit.sha] = merged
    touches: dict[str, list[tuple[int, FileChange]]] = {}
    for position, commit in enumerate(chain):
        for change in commit.changes:
            touches.setdefault(change.path, []).append((position, change))
            if change.old_path != change.path:
                touches.setdefault(change.old_path, []).append((position, change))
    return _Index(tuple(chain), touches, carried, boundary)


def _follow(index: _Index, path: str) -> list[Event]:
    """Every first-parent commit that changed a file, following it back through renames."""
    events: list[Event] = []
    current, after = path, -1
    while True:
        entries = index.touches.get(current, [])
        start = bisect.bisect_right([position for position, _ in entries], after)
        renamed_from = None
        for position, change in entries[start:]:
            commit = index.chain[position]
            if commit.sha in index.boundary:
                continue  # a shallow clone's cut: every file looks added there
            if not events or events[-1].commit.sha != commit.sha:
                events.append(Event(commit, current, carried_notes(index, commit, change), major=False))
            if change.status == "R" and change.path == current:
                renamed_from, after = change.old_path, position
                break
        if renamed_from is None:
            return events
        current = renamed_from


def carried_notes(index: _Index, commit: Commit, change: FileChange) -> tuple[str, ...]:
    """A change's notes: the commit's own, then those of merged commits that changed the same file."""
    notes = list(commit.notes)
    paths = {change.path, change.old_path}
    for side in reversed(index.carried.get(commit.sha, [])):
        if side.notes and any(c.path in paths or c.old_path in paths for c in side.changes):
            notes.extend(n for n in side.notes if n not in notes)
    return tuple(notes)


def _mark_majors(repo: Repository, files: dict[str, list[Event]], cache: DiskCache) -> None:
    """Make noted events major, except whitespace-only edits; find records changed in data files."""
    facts: dict[tuple[str, str, bool], tuple[bool, tuple[str, ...]]] = cache.get("facts", "blobs") or {}
    missing: dict[tuple[str, str, bool], FileChange] = {}
    for path, events in files.items():
        for event in events:
            change = _change_of(event)
            key = (change.old_blob, change.new_blob, _is_data(path))
            if key not in facts and (key[2] or (event.notes and change.status == "M")):
                missing[key] = change
    if missing:
        wanted = {b for old, new, _ in missing for b in (old, new) if b != NO_BLOB}
        blobs = repo.blobs(sorted(wanted))
        facts = dict(facts)
        for (old_blob, new_blob, is_data), change in missing.items():
            old = blobs.get(old_blob, b"").decode("utf-8", "replace")
            new = blobs.get(new_blob, b"").decode("utf-8", "replace")
            whitespace_only = change.status == "M" and old.split() == new.split()
            facts[(old_blob, new_blob, is_data)] = (whitespace_only, changed_records(old, new) if is_data else ())
        cache.put("facts", "blobs", facts)
    for path, events in files.items():
        for number, event in enumerate(events):
            change = _change_of(event)
            whitespace_only, records = facts.get((change.old_blob, change.new_blob, _is_data(path)), (False, ()))
            major = bool(event.notes) and not whitespace_only
            events[number] = Event(event.commit, event.path, event.notes, major, records)


def _change_of(event: Event) -> FileChange:
    """The change an event's commit made to the event's file."""
    return next(c for c in event.commit.changes if event.path in (c.path, c.old_path))


def _is_data(path: str) -> bool:
    """Whether a path is a milestones or measures file, whose records are worth naming."""
    return path.endswith(("/milestones.yml", "/measures.yml"))


def changed_records(old: str, new: str) -> tuple[str, ...]:
    """Ids of the list entries (`- id: M2.1`) added, removed or changed between two texts."""
    before, after = _records(old), _records(new)
    changed = [i for i in after if before.get(i) != after[i]]
    changed += [i for i in before if i not in after]
    return tuple(changed)


def _records(text: str) -> dict[str, tuple[str, ...]]:
    """Split a data file into its entries by id, each as its words (so spacing does not count)."""
    starts = list(_RECORD_START.finditer(text))
    records: dict[str, tuple[str, ...]] = {}
    for number, match in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(text)
        records[match.group(2)] = tuple(text[match.start() : end].split())
    return records


def _unpublished(repo: Repository, folder: str) -> frozenset[str]:
    """Paths in a folder with uncommitted edits, staged or not, including new files."""
    output = repo.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", folder)
    paths: set[str] = set()
    tokens = iter(output.split("\0"))
    for token in tokens:
        if len(token) < 4:
            continue
        paths.add(token[3:])
        if token[0] in "RC":
            paths.add(next(tokens, ""))
    return frozenset(p for p in paths if p)
