"""Where the plan's files are read from: the folder on disk, or a commit's tree in git."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from techplan.cache import content_key


class PlanFiles(Protocol):
    """The files of a plan directory, by path relative to it (forward slashes)."""

    def paths(self) -> list[str]:
        """Every file, sorted."""
        ...  # pragma: no cover

    def read(self, path: str) -> bytes:
        """A file's contents."""
        ...  # pragma: no cover

    def key(self, path: str) -> str:
        """A key that changes when, and only when, the file's contents do."""
        ...  # pragma: no cover

    def unusable(self) -> dict[str, str]:
        """Entries named like plan files that are not files the plan can be read from, and what each is."""
        ...  # pragma: no cover


PLAN_SUFFIXES = (".md", ".yml", ".yaml")
"""Names of the files a plan is made of: an entry so named that is not a readable file is a problem."""


class DiskFiles:
    """The plan directory as it is in the work tree."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._paths: list[str] = []
        self._unusable: dict[str, str] = {}
        for entry in sorted(folder.rglob("*")):
            name = entry.relative_to(folder).as_posix()
            if entry.is_file():
                self._paths.append(name)
            elif entry.name.endswith(PLAN_SUFFIXES) and not any(name.startswith(u + "/") for u in self._unusable):
                self._unusable[name] = _what_it_is(entry)

    def paths(self) -> list[str]:
        """Every file, sorted."""
        return self._paths

    def unusable(self) -> dict[str, str]:
        """Entries named like plan files that are folders, broken links or devices, and what each is."""
        return self._unusable

    def read(self, path: str) -> bytes:
        """A file's contents."""
        return (self.folder / path).read_bytes()

    def key(self, path: str) -> str:
        """A hash of the file's contents."""
        return content_key(self.read(path))


class TreeFiles:
    """The plan directory as a commit had it: paths and the blobs git stores them in."""

    def __init__(self, blobs: dict[str, str], fetch: Callable[[list[str]], dict[str, bytes]]) -> None:
        self.blobs = blobs
        """Blob sha by path."""
        self._fetch = fetch
        self._contents: dict[str, bytes] = {}

    def paths(self) -> list[str]:
        """Every file, sorted."""
        return sorted(self.blobs)

    def read(self, path: str) -> bytes:
        """A file's contents, fetched from git on first use."""
        sha = self.blobs[path]
        if sha not in self._contents:
            self._contents.update(self._fetch([sha]))
        return self._contents[sha]

    def prefetch(self, paths: list[str]) -> None:
        """Fetch many files in one go, so reading them costs no git call each."""
        wanted = [self.blobs[p] for p in paths if p in self.blobs and self.blobs[p] not in self._contents]
        if wanted:
            self._contents.update(self._fetch(wanted))

    def key(self, path: str) -> str:
        """The blob sha: git's own hash of the contents."""
        return "blob:" + self.blobs[path]

    def unusable(self) -> dict[str, str]:
        """Nothing: a commit's tree lists only files (blobs)."""
        return {}


def _what_it_is(entry: Path) -> str:
    """What an entry that is not a regular file is, in words, and what to do about it."""
    if entry.is_symlink() and not entry.exists():
        return f"is a link to {os.readlink(entry)}, which does not exist; put the file itself here, or remove the link"
    if entry.is_dir():
        return "is a folder, not a file; the plan reads a file of this name"
    return "is not a regular file (a device, a pipe or a socket); put the file itself here"
