"""A disk cache that rebuilds, `make serve` and CI can reuse: everything in it is keyed by content.

Entries are keyed by what they were computed from (a commit, a blob, a file's bytes), so an
entry is never stale, only unused. Delete the folder at any time; the next build fills it.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import hashlib
import operator
import os
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, TypeVar

from techplan._version import __version__
from techplan.packs import PackStore

FORMAT = 1
"""Bump when a cached structure changes shape."""

_MEMORY: dict[str, dict[str, Any]] = {}
"""Entries already read or written by this process, by kind, oldest first: serve's rebuilds skip the disk."""
_ONCE: set[str] = set()
"""Kinds a build reads once (`read_once_a_build`)."""
_KEEP = {"log": 2}
"""How many entries of a kind stay in memory (parsed logs are large); 512 of any other kind."""
_ON_DISK = {"published": 3, "log": 3, "archive-index": 3, "record-lives": 3, "record-register": 3}
"""Kinds superseded by every build that changes what they are worked out from, and how many of each stay on disk.

The rendered history and the parsed log are keyed by HEAD, the archive's index by the tags, a
record's life and the register by every change to a record: a merge writes a new one, and the
one before is not read again. Kept, they would grow the cache that CI restores and saves by
megabytes a merge (30 MB at 1,000 pages). A few are kept, not one, for builds that take turns:
`make serve` beside `make site`, two branches, two clones sharing TECHPLAN_CACHE.
"""
_PACKED = frozenset(
    {
        "history-parts",
        "dues",
        "record-versions",
        "converted-page",
        "search-entries",
        "record-page",
        "provenance",
        "page-sections",
        "yaml",
        "reference",
        "block",
        "diff-pages",
        "print-section",
    }
)
"""Kinds of many small entries, kept in packs (techplan.packs) rather than a file each.

Each is written in hundreds or thousands by a first build at 1,000 pages, and read by the
dozen or hundred by every build after a merge: every page's rendered history, conversion,
search entries, sections and section of the whole plan, the due dates and records of every
version of every data file, parsed YAML and rendered references and blocks; and `techplan
diff`'s pages.
"""
_STORES: dict[str, PackStore] = {}
"""The packs of each packed kind's folder, shared by every DiskCache of this process."""


Record = TypeVar("Record", bound=type)


def pickled_by_fields(cls: Record) -> Record:
    """Pickle a dataclass as a call to the class with its fields in order: half the time of its own way.

    A slotted dataclass pickles through `__getstate__` and `__setstate__` that look up the class's
    fields for every object, and what the cache keeps holds thousands of them (a 2,000-commit log
    4,200; the rendered history as many again), written after every merge and read by every
    build. Only for a class whose fields are all positional arguments of `__init__`, with no
    `__post_init__`: then the call gives back an equal object.
    """
    fields = dataclasses.fields(cls)
    if not fields or any(not f.init or f.kw_only for f in fields) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__qualname__} cannot be rebuilt from its fields in order")
    names = [f.name for f in fields]
    values = operator.attrgetter(*names) if len(names) > 1 else (lambda record: (getattr(record, names[0]),))

    def __reduce__(record: object) -> tuple[type, tuple[object, ...]]:
        return cls, values(record)

    cls.__reduce__ = __reduce__  # type: ignore[assignment, method-assign]
    return cls


@functools.cache
def _version() -> str:
    """A name for this code's cache: the format, the version, Python's, and a hash of the package.

    The hash covers every file of the package (code, templates, assets, schemas) and where each
    lives, so a changed or moved engine never reads what an older one wrote, even without a new version.
    """
    return f"{FORMAT}-{__version__}-py{sys.version_info.major}{sys.version_info.minor}-{engine_digest()[:12]}"


@functools.cache
def engine_digest() -> str:
    """A SHA-256 of the engine's own files and their places in the package: two engines that build alike share it."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for source in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.hexdigest()


class DiskCache:
    """Pickled values in a folder, one file per key (packs for the kinds in _PACKED); a None folder: memory only."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / _version() if folder is not None else None
        self._folders: set[str] = set()
        """Folders this cache has made, so a write does not ask again."""
        self._pending: list[tuple[str, str, Any]] = []
        """Entries stored by `put_later` and not yet written (`take_pending`)."""
        if folder is not None:
            _prune(folder)

    def get(self, kind: str, key: str) -> Any:
        """The value stored for a key, or None."""
        remembered = _MEMORY.get(kind, {})
        if key in remembered:
            return remembered[key]
        if self.folder is None:
            return None
        try:
            if kind in _PACKED:
                data = self._packs(kind).get(_name(key))
                if data is None:
                    return None
            else:
                data = (self.folder / kind / _name(key)).read_bytes()
            value = pickle.loads(data)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            return None
        _remember(kind, key, value)
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a value; written atomically, and silently skipped if the disk refuses."""
        self.remember(kind, key, value)
        self.write(kind, key, value)

    def put_later(self, kind: str, key: str, value: Any) -> None:
        """Store a value now for this process, and on disk when whoever holds the cache writes what is pending.

        For the large entries a build after a merge replaces (the parsed log, the rendered history):
        a build hands them to a forked copy of itself to write (`take_pending`) while it renders the
        pages, and then lets this process's copies go (`forget`). What nobody takes is written when
        the process exits.
        """
        self.remember(kind, key, value)
        if self.folder is None:
            return
        if not self._pending:
            atexit.register(self.write_pending)
        self._pending.append((kind, key, value))

    def take_pending(self) -> list[tuple[str, str, Any]]:
        """What `put_later` stored and nothing has written yet, in order; the caller writes it (`write_all`)."""
        pending, self._pending = self._pending, []
        if pending:
            atexit.unregister(self.write_pending)
        return pending

    def write_all(self, entries: list[tuple[str, str, Any]]) -> None:
        """Write entries (kind, key, value) to disk, in order."""
        for kind, key, value in entries:
            self.write(kind, key, value)

    def write_pending(self) -> None:
        """Write what `put_later` stored and nothing has taken."""
        self.write_all(self.take_pending())

    def forget(self, kind: str, key: str) -> None:
        """Let go of this process's copy of an entry (on disk, it stays)."""
        _MEMORY.get(kind, {}).pop(key, None)

    def remember(self, kind: str, key: str, value: Any) -> None:
        """Store a value for this process only (a caller writing it to disk later, from another thread)."""
        _remember(kind, key, value)

    def write(self, kind: str, key: str, value: Any) -> None:
        """Write a value to disk only; `put` does this and `remember`.

        A packed kind's entry is added to this process's pack, on disk once `finish_packs` runs
        (at the end of each build, and at exit).
        """
        if self.folder is None:
            return
        if kind in _PACKED:
            with contextlib.suppress(OSError):  # a read-only checkout still builds, just without reuse
                self._packs(kind).add(_name(key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            return
        folder = os.path.join(self.folder, kind)
        target = os.path.join(folder, _name(key))
        # A name no other process or thread writes to, renamed into place when complete.
        temporary = f"{target}.{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            with open(temporary, "wb") as handle:
                # Into the file as it is made: the largest entries (a rendered history, 22 MB at
                # 1,000 pages) are never whole in memory beside what they are made from.
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, target)
            if kind in _ON_DISK:
                _keep_newest(folder, target, _ON_DISK[kind])
        except OSError:  # a read-only checkout still builds, just without reuse
            self._folders.discard(folder)  # deleted while serve runs? make it again next time
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        except BaseException:  # a value that cannot be pickled: no half-written file left behind
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def forget_all_but(self, kind: str, keys: set[str]) -> None:
        """Delete a kind's entries on disk but these keys': what a build no longer uses does not pile up.

        A packed kind's are dropped when `finish_packs` finds enough of them to merge its packs.
        """
        if self.folder is None:
            return
        if kind in _PACKED:
            self._packs(kind).forget_all_but(_name(key) for key in keys)
            return
        names = {_name(key) for key in keys}
        with contextlib.suppress(OSError):
            for entry in os.scandir(os.path.join(self.folder, kind)):
                if entry.name not in names and not entry.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _packs(self, kind: str) -> PackStore:
        """A packed kind's store, one a folder in this process; its pack is finished at exit if not before."""
        assert self.folder is not None
        folder = str(self.folder / kind)
        store = _STORES.get(folder)
        if store is None:
            if not _STORES:
                atexit.register(finish_packs)
            store = _STORES[folder] = PackStore(folder)
        return store


def finish_packs() -> None:
    """Put what this process added to the packed kinds on disk, as a build ends (techplan.packs)."""
    for store in _STORES.values():
        store.finish()


_ASIDE = ".older-"
"""How an older engine's folder is named once set aside to be deleted (`_prune`)."""
_DELETE = "import shutil, sys\nfor path in sys.argv[1:]:\n    shutil.rmtree(path, ignore_errors=True)\n"
"""What the process that deletes the folders set aside runs."""


@functools.cache
def _prune(folder: Path) -> None:
    """Remove what older versions of the engine cached: it can never be read again.

    After an engine upgrade that is the whole of the last engine's cache: a gigabyte at 1,000
    pages, seconds to delete. So each of its folders is renamed aside at once, and a process of
    its own deletes them while the build goes on. This process waits for it as it exits, so a CI
    job that saves the cache next does not save them; what a killed build left aside, the next
    deletes. A process, not a thread: a build with another thread running forks nothing
    (techplan.jobs).
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # no cache yet
    current = _version()
    aside = []
    for entry in entries:
        if entry.name.startswith(_ASIDE):
            aside.append(entry.path)
        elif entry.name.startswith(f"{FORMAT}-") and entry.name != current and entry.is_dir(follow_symlinks=False):
            target = os.path.join(folder, f"{_ASIDE}{entry.name}-{os.getpid()}")
            try:
                os.rename(entry.path, target)
            except OSError:
                continue  # set aside or deleted meanwhile by another build
            aside.append(target)
    if not aside:
        return
    try:
        deleting = subprocess.Popen(
            [sys.executable, "-I", "-c", _DELETE, *aside],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, ValueError):  # no process to be had: delete them here
        for path in aside:
            shutil.rmtree(path, ignore_errors=True)
        return
    atexit.register(deleting.wait)


def _keep_newest(folder: str, written: str, count: int) -> None:
    """Delete all but the newest `count` entries of a folder (never the one just written)."""
    entries = []
    for entry in os.scandir(folder):
        if entry.path != written and not entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):  # removed meanwhile by another build
                entries.append((entry.stat().st_mtime_ns, entry.path))
    for _, path in sorted(entries, reverse=True)[max(0, count - 1) :]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def remember_at_most(kind: str, count: int) -> None:
    """Keep at most this many entries of a kind in memory (0: read from disk each time, as a build reads each once)."""
    _KEEP[kind] = count


def read_once_a_build(kind: str) -> None:
    """Name a kind a build reads once, to be let go by `forget_read_once`.

    Unlike `remember_at_most(kind, 0)`, which never holds an entry, this keeps the kind in memory
    for a long-lived process's next build (`mkdocs serve`'s): for the few large entries a rebuild
    would otherwise read again. A build whose process ends with it lets them go once its pages no
    longer need them.
    """
    _ONCE.add(kind)


def forget_read_once() -> None:
    """Let go of this process's copies of every kind a build reads once (`read_once_a_build`)."""
    for kind in _ONCE:
        _MEMORY.pop(kind, None)


def _remember(kind: str, key: str, value: Any) -> None:
    """Keep a value in memory, forgetting the oldest of its kind beyond the limit."""
    remembered = _MEMORY.setdefault(kind, {})
    remembered.pop(key, None)
    remembered[key] = value
    while len(remembered) > _KEEP.get(kind, 512):
        del remembered[next(iter(remembered))]


def _name(key: str) -> str:
    """A file name for any key."""
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def content_key(data: bytes) -> str:
    """A key for a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def cache_folder(root: Path) -> Path | None:
    """Where the cache lives: TECHPLAN_CACHE if set ('off' for none), else .cache/techplan in the repository."""
    setting = os.environ.get("TECHPLAN_CACHE", "").strip()
    if setting == "off":
        return None
    return Path(setting) if setting else root / ".cache" / "techplan"
