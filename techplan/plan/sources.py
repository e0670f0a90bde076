"""Where the plan's files are read from: the folder on disk, or a commit's tree in git."""

from __future__ import annotations

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


class DiskFiles:
    """The plan directory as it is in the work tree."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    def paths(self) -> list[str]:
        """Every file, sorted."""
        return self._paths

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
