"""Packs: many small cache entries of one kind in a few files, for the cache's kinds of small entries.

A build reads and writes entries by the thousand (at 1,000 pages: each page's rendered history,
the due dates of every version of every milestones file, each page's conversion and search
entries). One file each, a first build made some 9,000 files and a build after a merge opened
a file for every page: on a slow file system, about a second of a first build's history step,
and tens of milliseconds of a build after one commit at 100 pages.

A pack is one file: the entries' pickled bytes one after another, then an index (key to offset
and length), then a footer giving where the index starts. A process appends what it adds to a
pack of its own under a temporary name, and `finish` names it a pack when the build ends: an
entry costs a write to an open file, not a file. Reading loads each pack's index once and reads
an entry's bytes when asked for (os.pread on the open file: nothing held in memory, and a forked
process reads through the same files safely). Packs are named by when they were finished, so a
later one wins where two hold a key (most keys are content hashes, with one value for ever; an
entry of `techplan diff`'s pages is rewritten under its key as the page gains versions).

When a kind has more than MAX_PACKS packs, or much of what it holds is no longer wanted (see
`forget_all_but`), `finish` writes what is still wanted into one pack and deletes the packs it
read. A pack deleted by another process while it is read stays readable through the open file;
one that cannot be read (cut short, or another format) is ignored: its entries are made again.

A forked copy of the build (any process but the one that imported this module) reads the pack
it inherited as it was at the fork, but never appends to it: what it adds goes at once into a
pack of its own, as one file an entry would, for it may end without running exit handlers;
unless it says it will finish (`batch_in_this_copy`, `finish_copy`: techplan.site.forked does).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import time
from collections.abc import Iterable

SUFFIX = ".pack"
_TEMPORARY = ".pack.tmp"
_MAGIC = b"techpk1\0"
_FOOTER = struct.Struct("<Q8s")
"""Where the index starts, and the format's name: the last 16 bytes of a pack."""
MAX_PACKS = 8
"""Packs of a kind from which `finish` merges them into one."""
OPEN_AT_MOST = 32
"""Packs of a kind a process holds open: the entries of any older ones are copied into its own pack."""
_STALE = 24 * 3600
"""Seconds after which a temporary pack no process finished is deleted (a build that was killed)."""


_HOME = os.getpid()
"""The process that imported this module: the build. Any other that runs this code is a forked copy of it."""


def _forked() -> bool:
    """Whether this is a forked copy of the build (which finishes no pack: it may end without running exit handlers)."""
    return os.getpid() != _HOME


_COPY: tuple[int, dict[str, _PackWriter]] | None = None
"""A forked copy that will call `finish_copy` before it ends: its pid, and the pack it adds to in each folder."""


def batch_in_this_copy() -> None:
    """In a forked copy that will call `finish_copy` as it ends: add to one pack a folder, not a pack an entry.

    Only this process: a copy it forks in turn (a pool's worker) finishes nothing, and packs each entry at once.
    """
    global _COPY
    _COPY = (os.getpid(), {})


def finish_copy() -> None:
    """In a forked copy that `batch_in_this_copy` marked: name the packs it added to."""
    global _COPY
    if _COPY is None or _COPY[0] != os.getpid():
        return
    writers, _COPY = _COPY[1], None
    for writer in writers.values():
        try:
            writer.finish()
        except OSError:
            writer.abandon()


def _copy_writer(folder: str, make: bool = False) -> _PackWriter | None:
    """The pack this forked copy adds to in a folder, if it batches (`batch_in_this_copy`); made if asked."""
    if _COPY is None or _COPY[0] != os.getpid():
        return None
    writer = _COPY[1].get(folder)
    if writer is None and make:
        writer = _COPY[1][folder] = _PackWriter(folder)
    return writer


class PackStore:
    """One kind's packs in a folder: the entries they hold, and the pack this process is adding to."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._files: list[tuple[str, int]] = []
        """The packs read, oldest first: (path, open file descriptor)."""
        self._where: dict[str, tuple[int, int, int]] | None = None
        """Each key's (descriptor, offset, length) in the packs read; None until first asked."""
        self._adding: _PackWriter | None = None
        self._wanted: set[str] | None = None
        """The keys `forget_all_but` keeps, when it was asked."""

    def get(self, key: str) -> bytes | None:
        """An entry's bytes, from this process's own pack or the packs on disk; None if none holds it."""
        batch = _COPY[1].get(self.folder) if _COPY is not None else None  # its own, or its parent's before the fork
        for adding in (batch, self._adding):  # a forked copy reads its parent's pack as it was at the fork
            if adding is not None:
                data = adding.get(key)
                if data is not None:
                    return data
        where = self._index().get(key)
        if where is None:
            return None
        descriptor, offset, length = where
        try:
            data = _read_at(descriptor, length, offset)
        except OSError:
            return None
        return data if len(data) == length else None

    def add(self, key: str, data: bytes) -> None:
        """Keep an entry's bytes: in this process's pack; in a forked copy, in its batch or a pack of its own."""
        if _forked():
            batch = _copy_writer(self.folder, make=True)
            if batch is not None:
                batch.add(key, data)
                return
            writer = _PackWriter(self.folder)
            try:
                writer.add(key, data)
                writer.finish()
            except OSError:
                writer.abandon()  # a full disk: the entry is made again, and no temporary file is left
            return
        if self._adding is None:
            self._adding = _PackWriter(self.folder)
        self._adding.add(key, data)

    def forget_all_but(self, keys: Iterable[str]) -> None:
        """Drop every entry but these keys' when this process finishes its pack."""
        self._wanted = set(keys)

    def finish(self) -> None:
        """Name this process's pack a pack, merging the kind's packs into it when there are many or much is unwanted.

        Then forget what was read: the next build (of `mkdocs serve`) reads the packs again.
        """
        if _forked():
            return  # a forked copy: the build that forked it finishes the pack, and closes the files
        if self._where is None and self._adding is None and self._wanted is None:
            return  # nothing read, added or forgotten since the last time
        where = self._index()
        wanted = self._wanted
        unwanted = {key for key in where if wanted is not None and key not in wanted}
        adding = self._adding
        merge = len(self._files) + (adding is not None) > MAX_PACKS or 4 * len(unwanted) > len(where) > 0
        try:
            if merge:
                if adding is None:
                    adding = _PackWriter(self.folder)
                for key in where:
                    if key in adding.index or key in unwanted:
                        continue
                    data = self.get(key)
                    if data is not None:
                        adding.add(key, data)
            if adding is not None:
                adding.finish()
            if merge:
                for path, _ in self._files:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
        except OSError:
            if adding is not None:
                adding.abandon()
        finally:
            self._adding = None
            self.close()

    def close(self) -> None:
        """Close the packs read (a forked copy's are its parent's to close)."""
        if not _forked():
            for _, descriptor in self._files:
                if descriptor >= 0:
                    with contextlib.suppress(OSError):
                        os.close(descriptor)
        self._files = []
        self._where = None
        self._wanted = None

    def _index(self) -> dict[str, tuple[int, int, int]]:
        """Each key's place in the packs on disk, read once.

        Each pack read stays open until `finish`. Past OPEN_AT_MOST packs (forked copies each
        leave one), the newest are kept open and the entries of the rest copied into this
        process's pack now, rather than holding a file open for each: `finish` merges them all.
        """
        if self._where is not None:
            return self._where
        self._where = {}
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return self._where
        now = time.time()
        paths = []
        for name in names:
            path = os.path.join(self.folder, name)
            if name.endswith(_TEMPORARY):
                with contextlib.suppress(OSError):
                    if now - os.stat(path).st_mtime > _STALE:
                        os.unlink(path)
            elif name.endswith(SUFFIX):
                paths.append(path)
        copied = set(paths[: -OPEN_AT_MOST if not _forked() and len(paths) > OPEN_AT_MOST else 0])
        for path in reversed(paths):  # newest first: a key's newest entry is the one kept
            try:
                descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                continue  # merged and deleted by another build meanwhile
            index = _read_index(descriptor)
            if index is None:
                os.close(descriptor)
                continue
            if path in copied:
                try:
                    self._copy(descriptor, index)
                except OSError:
                    pass  # no pack of its own to be had (a read-only cache): read it from where it is
                else:
                    os.close(descriptor)
                    self._files.append((path, -1))
                    continue
            self._files.append((path, descriptor))
            for key, (offset, length) in index.items():
                self._where.setdefault(key, (descriptor, offset, length))
        self._files.reverse()
        return self._where

    def _copy(self, descriptor: int, index: dict[str, tuple[int, int]]) -> None:
        """Add a pack's entries to this process's pack, but those a newer pack or this process holds."""
        newer = self._where or {}
        adding = self._adding = self._adding or _PackWriter(self.folder)
        for key, (offset, length) in index.items():
            if key not in newer and key not in adding.index:
                data = _read_at(descriptor, length, offset)
                if len(data) == length:
                    adding.add(key, data)


def read_packs(folder: str) -> dict[str, tuple[str, bytes]]:
    """Every entry the packs in a folder hold, by key: the name of the pack holding it, and its bytes (for checks)."""
    found: dict[str, tuple[str, bytes]] = {}
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    for name in (n for n in names if n.endswith(SUFFIX)):
        with open(os.path.join(folder, name), "rb") as handle:
            for key, (offset, length) in (_read_index(handle.fileno()) or {}).items():
                found[key] = (name, _read_at(handle.fileno(), length, offset))
    return found


class _PackWriter:
    """A pack being written: entries appended to a temporary file, named a pack by `finish`."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.index: dict[str, tuple[int, int]] = {}
        self._size = 0
        os.makedirs(folder, exist_ok=True)
        self._temporary = os.path.join(folder, f"{time.time_ns():020d}-{os.getpid()}{_TEMPORARY}")
        # Unbuffered: nothing of it is held in this process for a forked copy to write a second time.
        self._file = open(self._temporary, "w+b", buffering=0)  # noqa: SIM115 - closed by finish or abandon

    def add(self, key: str, data: bytes) -> None:
        self._file.write(data)
        self.index[key] = (self._size, len(data))
        self._size += len(data)

    def get(self, key: str) -> bytes | None:
        where = self.index.get(key)
        if where is None:
            return None
        return _read_at(self._file.fileno(), where[1], where[0])

    def finish(self) -> None:
        """Write the index and footer, and give the file its pack name (named by when: later packs win)."""
        self._file.write(pickle.dumps(self.index, protocol=pickle.HIGHEST_PROTOCOL))
        self._file.write(_FOOTER.pack(self._size, _MAGIC))
        self._file.close()
        os.replace(self._temporary, os.path.join(self.folder, f"{time.time_ns():020d}-{os.getpid()}{SUFFIX}"))

    def abandon(self) -> None:
        """Give up the pack (the disk refused): its file goes."""
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            os.unlink(self._temporary)


def _read_at(descriptor: int, length: int, offset: int) -> bytes:
    """Bytes at an offset of an open file, leaving its position alone where the system can (os.pread)."""
    if hasattr(os, "pread"):
        return os.pread(descriptor, length, offset)
    os.lseek(descriptor, offset, os.SEEK_SET)  # Windows: no fork shares the position there
    return os.read(descriptor, length)


def _read_index(descriptor: int) -> dict[str, tuple[int, int]] | None:
    """A pack's index, or None if the file is not a whole pack of this format."""
    try:
        size = os.fstat(descriptor).st_size
        if size < _FOOTER.size:
            return None
        start, magic = _FOOTER.unpack(_read_at(descriptor, _FOOTER.size, size - _FOOTER.size))
        if magic != _MAGIC or start > size - _FOOTER.size:
            return None
        index = pickle.loads(_read_at(descriptor, size - _FOOTER.size - start, start))
        if not isinstance(index, dict) or not all(
            isinstance(key, str) and isinstance(at, int) and isinstance(length, int) and 0 <= at <= start - length
            for key, (at, length) in index.items()
        ):
            return None
    except (OSError, struct.error, pickle.UnpicklingError, EOFError, ValueError, TypeError, LookupError):
        return None
    return index
