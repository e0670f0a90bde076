"""Publication history from git: one `git log`, parsed, then followed per file in memory.

A file is published when a commit on the published branch's first-parent line changes it.
A merged pull request is published at its merge and carries the change notes of the commits
it merged that changed the file, following renames on either side of the merge. Renames keep
a file's history; a copy starts its own (git's rename detection on each first-parent diff, with
renames of an empty file counted as a deletion and an addition: empty files share no content).
A file deleted and added again continues its history. A commit with a `Change-note:` trailer is
a major change, unless all it did to a file was change whitespace.

git's output is read with every field ended by a NUL byte, which no message, name or path
can hold, so nothing in a commit can make the parser read a field as another.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from techplan.cache import DiskCache, content_key, pickled_by_fields, read_once_a_build
from techplan.history import trailers
from techplan.history.git import GitError, Repository
from techplan.history.notes import HistoryNote

NOTE_KEY = "Change-note"
"""The trailer that makes a commit a major change, and says why."""
LOG_FORMAT = "%H%x00%P%x00%cd%x00%aN%x00%aE%x00%B"
"""sha, parents, committer date (raw: seconds and offset), author name and email after .mailmap, message."""
LOG_OPTIONS = (
    "-z", "--raw", "-M", "--no-abbrev", "--root", "--diff-merges=first-parent", "--date=raw", "--no-color",
    f"--format={LOG_FORMAT}",
)  # fmt: skip
"""How the log is asked for: every commit once, with its diff against its first parent (a merge's too)."""
_FIELDS = 6
NO_BLOB = "0" * 40
EMPTY_BLOBS = frozenset(
    {"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813"}
)
"""The empty file's id in SHA-1 and SHA-256 repositories."""
_SHA = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_RECORD_START = re.compile(r"^(\s*)-\s+id:\s*['\"]?([A-Za-z][A-Za-z0-9.]*)", re.MULTILINE)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

read_once_a_build("log")  # the build holds what it makes of the parsed log
read_once_a_build("facts")  # and of what each pair of blobs says


@pickled_by_fields
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


@pickled_by_fields
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
    """The commit's own `Change-note:` trailers, in order, each once."""
    changes: tuple[FileChange, ...]
    """Against the first parent."""


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
    notes: tuple[HistoryNote, ...] = ()
    """What in the log could not be read as it stands, and what was shown instead."""


@dataclass(slots=True)
class LogIndex:
    """The parsed log, indexed for following files; cached per HEAD."""

    chain: tuple[Commit, ...]
    touches: dict[str, list[tuple[int, FileChange]]]
    """For each path, (position on the chain, change) of every change to or from it, newest first."""
    carried: dict[str, list[Commit]]
    """For each merge on the chain, the commits it merged."""
    boundary: frozenset[str]
    """Commits at the edge of a shallow clone, whose changes are not real."""
    notes: tuple[HistoryNote, ...] = ()
    renames: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """For each merge on the chain, (old, new) of every rename on its merged side, and on the first-parent
    line since the merged side left it."""


def read_log(repo: Repository, *revisions: str) -> tuple[list[Commit], list[HistoryNote]]:
    """Every commit `git log` lists for the revisions, parsed, and notes on what could not be read."""
    return parse_log(repo.run_bytes("log", *LOG_OPTIONS, *revisions, "--"))


LogRead = Callable[[], tuple[list[Commit], list[HistoryNote]]]
"""A log being read: call it for the commits and the notes (see start_log)."""


def start_log(repo: Repository, *revisions: str) -> LogRead:
    """`read_log`, with git set to work at once, on a core of its own: call what this returns for the result.

    Git's part (walking the commits, finding each one's changes and renames) runs while the
    caller does other work; the parse waits for the call. Git's errors are raised by the call.
    """
    output = repo.start_bytes("log", *LOG_OPTIONS, *revisions, "--")
    return lambda: parse_log(output())


def parse_log(data: bytes) -> tuple[list[Commit], list[HistoryNote]]:
    """Parse the output of `git log` with LOG_OPTIONS: commits in the order git listed them, and notes."""
    tokens = data.split(b"\0")
    drafts: dict[str, Commit] = {}
    undated: list[str] = []
    notes: list[HistoryNote] = []
    position = 0
    while position < len(tokens):
        first = tokens[position].lstrip(b"\n")
        if not first:
            position += 1
            continue
        if not _SHA.fullmatch(first) or position + _FIELDS > len(tokens):
            raise GitError(f"git log printed something unexpected near {first[:40]!r}; is this a git repository?")
        _, parents, date, name, email, body = tokens[position : position + _FIELDS]
        position += _FIELDS
        changes, position = _parse_raw(tokens, position)
        sha = sys.intern(first.decode())  # the same string as the parents of the commits after it
        message = body.decode("utf-8", errors="replace")
        when, problem = parse_raw_date(date)
        if problem:
            notes.append(HistoryNote(sha, message=problem))
        if when is None:
            undated.append(sha)
        notes_in_message, stray = trailers.read(message, NOTE_KEY)
        drafts[sha] = Commit(
            sha=sha,
            parents=tuple(map(sys.intern, parents.decode().split())),
            date=when or EPOCH,
            author=sys.intern(name.decode("utf-8", errors="replace")),
            email=sys.intern(email.decode("utf-8", errors="replace")),
            subject=subject_of(message),
            notes=tuple(dict.fromkeys(notes_in_message)),
            changes=tuple(changes),
        )
        if stray:
            notes.append(
                HistoryNote(
                    sha,
                    message=f"a {NOTE_KEY}: line is not in the message's last paragraph of trailers (or the one "
                    "just above a GitHub squash merge's line of dashes), so it was not read as a change note; "
                    "put it in the last paragraph, beside any Co-authored-by: lines",
                )
            )
    for sha in undated:
        drafts[sha] = replace(drafts[sha], date=_parents_date(drafts, sha, frozenset(undated)))
    return list(drafts.values()), notes


def subject_of(message: str) -> str:
    """A message's subject as git's %s gives it: its first paragraph, on one line."""
    lines: list[str] = []
    for line in message.lstrip("\n").split("\n"):
        if not line.strip():
            if lines:
                break
            continue
        lines.append(line.strip())
    return " ".join(lines)


def _parse_raw(tokens: list[bytes], position: int) -> tuple[list[FileChange], int]:
    """Parse the `--raw -z` entries from a position: `:mode mode old new STATUS\\0path\\0[path\\0]`."""
    changes: list[FileChange] = []
    while position < len(tokens):
        token = tokens[position].lstrip(b"\n")
        if not token:
            position += 1
            continue
        if not token.startswith(b":"):
            break
        fields = token[1:].decode("ascii", errors="replace").split(" ")
        letter = fields[4][:1] if len(fields) == 5 else "?"
        # Interned, as the shas and names are (parse_log): a path is in hundreds of commits, a
        # blob in the change that made it and the one that replaced it.
        old_blob, new_blob = (sys.intern(fields[2]), sys.intern(fields[3])) if len(fields) == 5 else (NO_BLOB, NO_BLOB)
        if letter in ("R", "C"):
            old_path, path = (sys.intern(os.fsdecode(t)) for t in tokens[position + 1 : position + 3])
            position += 3
        else:
            old_path = path = sys.intern(os.fsdecode(tokens[position + 1])) if position + 1 < len(tokens) else ""
            position += 2
        if letter == "C":  # a copy leaves the source alone: for the copy, it is an addition
            letter, old_path = "A", path
        if letter == "R" and (old_blob in EMPTY_BLOBS or new_blob in EMPTY_BLOBS):
            # Two empty files are alike, not the same file: a deletion and an addition.
            changes.append(FileChange("D", old_path, old_path, old_blob, NO_BLOB))
            letter, old_path, old_blob = "A", path, NO_BLOB
        changes.append(FileChange(letter, path, old_path, old_blob, new_blob))
    return changes, position


def _parents_date(drafts: dict[str, Commit], sha: str, undated: frozenset[str]) -> datetime:
    """The date of a commit's nearest first-parent ancestor with a date of its own (the epoch when none has)."""
    seen = set()
    parent = drafts[sha].parents[0] if drafts[sha].parents else None
    while parent is not None and parent in undated and parent in drafts and parent not in seen:
        seen.add(parent)
        parent = drafts[parent].parents[0] if drafts[parent].parents else None
    return drafts[parent].date if parent in drafts and parent not in undated else EPOCH


def parse_raw_date(text: bytes) -> tuple[datetime | None, str]:
    """A `--date=raw` date (`1600000000 +0100`) and what was wrong with it, if anything."""
    parts = text.decode("ascii", errors="replace").split()
    if len(parts) != 2 or not _SECONDS.fullmatch(parts[0]):
        return None, "the commit's date cannot be read; it is shown with its parent's date"
    zone = _zone(parts[1])
    problem = ""
    if zone is None:
        problem = f"the commit's time zone ({parts[1]}) is not a real offset; its time is shown in UTC"
    try:
        return datetime.fromtimestamp(int(parts[0]), tz=zone or UTC), problem
    except (OverflowError, OSError, ValueError):
        return None, f"the commit's date ({parts[0]} seconds after 1970) is out of range; it is shown with its parent's"


_SECONDS = re.compile(r"-?[0-9]+")
_OFFSET = re.compile(r"([+-])([0-9]{2})([0-9]{2})")


@functools.lru_cache(maxsize=256)
def _zone(offset: str) -> timezone | None:
    """The time zone of a `+0100` offset, or None when it is not a real one (a few zones serve a whole log)."""
    match = _OFFSET.fullmatch(offset)
    if match is None or int(match.group(2)) > 23 or int(match.group(3)) > 59:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    return timezone(timedelta(minutes=-minutes if match.group(1) == "-" else minutes))


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
    """The tags as `git for-each-ref` lists them (techplan.history.revisions.TAG_FORMAT), for plan revisions."""


def repo_state(repo: Repository, folder: str) -> RepoState:
    """HEAD, whether the clone is shallow, and what is uncommitted in a folder: cheap, asked every build."""
    # Imported here: revisions reads what this module parses.
    from techplan.history.revisions import list_tags

    head = repo.head()
    return RepoState(
        head=head,
        shallow=repo.is_shallow() if head else False,
        unpublished=_unpublished(repo, folder),
        mailmap=_mailmap_key(repo),
        tags=list_tags(repo) if head else "",
    )


def _mailmap_key(repo: Repository) -> str:
    """A key for the repository's .mailmap (empty without one): it changes the author names in the log."""
    mailmap = repo.root / ".mailmap"
    return content_key(mailmap.read_bytes()) if mailmap.is_file() else ""


_STARTED: dict[tuple[str, str], LogRead] = {}
"""Logs of a whole history set going early (`start_cold_log`), by log line and HEAD, until `_log_index` takes one."""


def start_cold_log(plan_dir: Path, cache: DiskCache) -> None:
    """If the cache has no log of this repository, set git to reading the whole of it now, on a core of its own.

    A build with an empty cache reads the whole log (20,000 commits: about 0.6 s of git's time)
    before the rest of the history can start, and all the while one core is idle. Started as
    the build begins, git reads it while the build loads the plan; `_log_index` then takes it
    rather than asking again. It asks git nothing else (HEAD is read from the refs), so a build
    with a warm cache runs no more git than before. For a full history only: a shallow clone's
    log is keyed apart, and such a build either stops or reads its partial history as before.
    Anything unusual (no git, no commit, an error) leaves the log to be read as before, where
    any error is reported.
    """
    try:
        repo = Repository(plan_dir)
    except Exception:  # only a head start: the build opens the repository again and says what is wrong
        return
    try:
        head = repo.head()
        line = _log_line(repo, False, _mailmap_key(repo))
        if (line, head) in _STARTED:
            return  # started by a build that stopped before taking it (a plan with errors, under serve): still good
        if head is not None and cache.get("log-head", line) is None and cache.get("log", f"{line}:{head}") is None:
            _STARTED[(line, head)] = start_log(repo, head)
    except Exception:  # the same: a broken ref or an unreadable .mailmap is reported by the build's own reading
        return
    finally:
        repo.close()


def _log_line(repo: Repository, shallow: bool, mailmap: str) -> str:
    """What the cached logs of a repository are kept under, with the HEAD each was read at."""
    return f"{repo.root}:{shallow}:{mailmap}"


def read_history(repo: Repository, state: RepoState, paths: list[str], cache: DiskCache | None = None) -> History:
    """The history of each path (relative to the repository root) from one `git log`.

    The parsed log is cached by HEAD (and .mailmap, which changes the names in it), and what
    each blob pair says (whitespace-only? which records changed?) by the blobs themselves.
    """
    cache = cache or DiskCache(None)
    if state.head is None:
        return History(head=None, shallow=False, files={p: [] for p in paths}, unpublished=state.unpublished)
    index = _log_index(repo, state, cache)
    files = {path: _follow(index, path) for path in paths}
    blob_notes = _mark_majors(repo, files, cache)
    return History(
        head=state.head,
        shallow=state.shallow,
        files=files,
        unpublished=state.unpublished,
        chain=index.chain,
        notes=tuple(sorted(set(index.notes) | set(blob_notes))),
    )


def _log_index(repo: Repository, state: RepoState, cache: DiskCache) -> LogIndex:
    """The indexed log up to HEAD: from the cache, or extending the last one read, or read whole.

    After a merge only the new commits are read (`git log NEW ^OLD`), when the HEAD last read
    is an ancestor of this one; after a force-push or a rebase, the whole log.
    """
    assert state.head is not None
    line = _log_line(repo, state.shallow, state.mailmap)
    key = f"{line}:{state.head}"
    index: LogIndex | None = cache.get("log", key)
    if index is not None:
        return index
    boundary = _shallow_boundary(repo) if state.shallow else frozenset()
    last_read: tuple[str, int] | None = cache.get("log-head", line)
    last_head = last_read[0] if last_read is not None else None
    last: LogIndex | None = cache.get("log", f"{line}:{last_head}") if last_head else None
    if last is not None and last_head is not None and not state.shallow and _is_ancestor(repo, last_head, state.head):
        commits, notes = read_log(repo, state.head, f"^{last_head}")
        index = build_index([*_commits_of(last), *commits], state.head, boundary, [*last.notes, *notes])
    else:
        started = _STARTED.pop((line, state.head), None)
        commits, notes = started() if started is not None else read_log(repo, state.head)
        index = build_index(commits, state.head, boundary, notes)
    # Large, and replaced after every merge: written by a copy of the build while it renders the pages.
    cache.put_later("log", key, index)
    cache.put_later("log-head", line, (state.head, len(index.chain)))  # and how long its first-parent line is
    return index


def last_log(repo: Repository, cache: DiskCache) -> tuple[int, Callable[[], LogIndex | None]] | None:
    """How many commits are on the first-parent line of the indexed log the last build cached, and a
    function that loads it; None if there is none (or the clone is shallow).

    Commits never change, so the log of any range on that line can be taken from it rather than
    read from git again (techplan diff does, when the range is long enough to be worth loading it).
    """
    if repo.is_shallow():
        return None
    line = _log_line(repo, False, _mailmap_key(repo))
    last_read: tuple[str, int] | None = cache.get("log-head", line)
    if last_read is None:
        return None
    head, length = last_read
    return length, lambda: cache.get("log", f"{line}:{head}")


def _is_ancestor(repo: Repository, older: str, newer: str) -> bool:
    """Whether one commit is an ancestor of another (git merge-base --is-ancestor)."""
    try:
        repo.run_bytes("merge-base", "--is-ancestor", older, newer)
    except GitError:
        return False  # not an ancestor, or no longer in the repository
    return True


def _commits_of(index: LogIndex) -> list[Commit]:
    """Every commit an index was built from: the first-parent line and what its merges brought in."""
    return [*index.chain, *(side for sides in index.carried.values() for side in sides)]


def _shallow_boundary(repo: Repository) -> frozenset[str]:
    """The commits a shallow clone was cut at: git lists them in .git/shallow."""
    path = Path(repo.run("rev-parse", "--git-path", "shallow").strip())
    path = path if path.is_absolute() else repo.root / path
    return frozenset(path.read_text().split()) if path.exists() else frozenset()


def build_index(
    commits: list[Commit], head: str, boundary: frozenset[str], notes: list[HistoryNote] | None = None
) -> LogIndex:
    """Find the first-parent line, what each merge brought in, and which commits touch each path."""
    by_sha = {commit.sha: commit for commit in commits}
    chain: list[Commit] = []
    on_chain: set[str] = set()
    sha: str | None = head
    while sha is not None and sha in by_sha and sha not in on_chain:
        commit = by_sha[sha]
        chain.append(commit)
        on_chain.add(sha)
        sha = commit.parents[0] if commit.parents else None
    published: dict[str, int] = {}
    """Each commit read so far, by the chain position at which it was published."""
    carried: dict[str, list[Commit]] = {}
    renames: dict[str, list[tuple[str, str]]] = {}
    for position in range(len(chain) - 1, -1, -1):  # oldest first
        commit = chain[position]
        published[commit.sha] = position
        merged: list[Commit] = []
        stack = [p for p in commit.parents[1:] if p in by_sha and p not in published]
        fork = len(chain)
        while stack:
            side = by_sha[stack.pop()]
            if side.sha in published:
                continue
            published[side.sha] = position
            merged.append(side)
            for parent in side.parents:
                if published.get(parent, position) > position:
                    fork = min(fork, published[parent])  # where the merged side left the line
                elif parent not in published and parent in by_sha:
                    stack.append(parent)
        if not merged:
            continue
        carried[commit.sha] = merged
        moves = [(c.old_path, c.path) for side in merged for c in side.changes if c.status == "R"]
        moves += [(c.old_path, c.path) for main in chain[position + 1 : fork] for c in main.changes if c.status == "R"]
        if moves:
            renames[commit.sha] = moves
    touches: dict[str, list[tuple[int, FileChange]]] = {}
    for position, commit in enumerate(chain):
        for change in commit.changes:
            touches.setdefault(change.path, []).append((position, change))
            if change.old_path != change.path:
                touches.setdefault(change.old_path, []).append((position, change))
    return LogIndex(tuple(chain), touches, carried, boundary, tuple(notes or ()), renames)


def _follow(index: LogIndex, path: str) -> list[Event]:
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


def carried_notes(index: LogIndex, commit: Commit, change: FileChange) -> tuple[str, ...]:
    """A change's notes: the commit's own, then those of merged commits that changed the same file.

    The merged commits may know the file by another name: renamed on their side, or on the
    main line while they were being written. Every name that leads to the file through a rename
    on the merged side, or across the merge, counts.
    """
    notes = list(commit.notes)
    sides = index.carried.get(commit.sha, [])
    if not sides:
        return tuple(notes)
    names = _names_of(index.renames.get(commit.sha, []), {change.path, change.old_path})
    for side in reversed(sides):
        if side.notes and any(c.path in names or c.old_path in names for c in side.changes):
            notes.extend(n for n in side.notes if n not in notes)
    return tuple(notes)


def _names_of(moves: list[tuple[str, str]], names: set[str]) -> set[str]:
    """Every name that leads to one of the names through the renames."""
    names = set(names)
    grew = True
    while grew:
        grew = False
        for old, new in moves:
            if new in names and old not in names:
                names.add(old)
                grew = True
    return names


def _mark_majors(repo: Repository, files: dict[str, list[Event]], cache: DiskCache) -> list[HistoryNote]:
    """Make noted events major, except whitespace-only edits; find records changed in data files."""
    facts: dict[tuple[str, str, bool], tuple[bool, tuple[str, ...]]] = cache.get("facts", "blobs") or {}
    missing: dict[tuple[str, str, bool], Event] = {}
    for path, events in files.items():
        for event in events:
            change = _change_of(event)
            key = (change.old_blob, change.new_blob, _is_data(path))
            if key not in facts and (key[2] or (event.notes and change.status == "M")):
                missing[key] = event
    notes: list[HistoryNote] = []
    if missing:
        wanted = {b for old, new, _ in missing for b in (old, new) if b != NO_BLOB}
        blobs = repo.blobs(sorted(wanted))
        facts = dict(facts)
        for (old_blob, new_blob, is_data), event in missing.items():
            absent = [b for b in (old_blob, new_blob) if b != NO_BLOB and b not in blobs]
            if absent:
                notes.append(
                    HistoryNote(event.commit.sha, event.path, 0, "the file's contents are not in this repository "
                                "(a partial clone?); its change is shown without the records it changed")
                )  # fmt: skip
                continue  # not cached: a later fetch may bring the contents
            old = blobs.get(old_blob, b"").decode("utf-8", "replace")
            new = blobs.get(new_blob, b"").decode("utf-8", "replace")
            # What the two blobs are, whatever the change between them: the same pair is a rename elsewhere.
            facts[(old_blob, new_blob, is_data)] = (
                old.split() == new.split(),
                changed_records(old, new) if is_data else (),
            )
        cache.put("facts", "blobs", facts)
    for path, events in files.items():
        for number, event in enumerate(events):
            change = _change_of(event)
            same_words, records = facts.get((change.old_blob, change.new_blob, _is_data(path)), (False, ()))
            # Only an edit in place can be whitespace-only: a rename or copy with the same words is news.
            major = bool(event.notes) and not (same_words and change.status == "M")
            events[number] = Event(event.commit, event.path, event.notes, major, records)
    return notes


def _change_of(event: Event) -> FileChange:
    """The change an event's commit made to the event's file."""
    return next(c for c in event.commit.changes if event.path in (c.path, c.old_path))


def blob_after(event: Event) -> str:
    """The file's blob after the event's commit (NO_BLOB when the commit deleted it)."""
    change = next(c for c in event.commit.changes if event.path in (c.path, c.old_path))
    return NO_BLOB if change.status == "D" else change.new_blob


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
    output = repo.run_bytes("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", folder)
    paths: set[str] = set()
    tokens: Iterator[bytes] = iter(output.split(b"\0"))
    for token in tokens:
        if len(token) < 4:
            continue
        paths.add(os.fsdecode(token[3:]))
        if token[:1] in (b"R", b"C"):
            paths.add(os.fsdecode(next(tokens, b"")))
    return frozenset(p for p in paths if p)
