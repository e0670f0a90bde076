"""Writing files without losing anything: atomic replacement, in-place streams, read-only refusal, edit locks.

Every file techplan writes for a user goes through here: the data files the edit commands
change and the report `techplan diff --output` writes. A regular file is replaced atomically (a
crash leaves the old file or the new one, whole); a device, FIFO or socket is written in place,
because replacing it would destroy it; a read-only file is refused, because renaming over it
would succeed (as root it always does) while the owner meant it not to change.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
import socket
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from techplan.errors import TechplanError


class WriteError(TechplanError):
    """A file could not be written, or must not be; nothing was written."""

    status = 1


class FileChanged(WriteError):
    """The file changed on disk after it was read: writing now would lose that change."""


_STREAMS = {"-": 1, "/dev/stdout": 1, "/dev/stderr": 2}
"""Names of this process's own output streams, written to directly rather than opened by name."""

_FD_PATH = re.compile(r"/(?:dev|proc/self)/fd/([0-9]+)")
"""An open file descriptor by name (`/dev/fd/3`): it may be a pipe, a socket or a terminal."""


def write_output(path: Path | str, data: bytes, name: str | None = None) -> None:
    """Write data to where a user pointed an --output option, whatever it is.

    `-`, /dev/stdout and /dev/stderr write to this process's streams. A regular file (or a new
    one) is replaced atomically, its folder created if missing. A character or block device, a
    FIFO or a socket is written in place. A folder or a read-only file is refused.
    `name` is how messages show the path.
    """
    text = os.fspath(path)
    name = name or text
    stream = _STREAMS.get(text)
    match = _FD_PATH.fullmatch(text)
    if stream is None and match is not None:
        stream = int(match.group(1))
    if stream is not None:
        _write_stream(stream, data, name)
        return
    try:
        info = os.stat(text)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise WriteError(f"could not write {name}: {error.strerror or error}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError(f"{name} is a folder; give the name of a file in it, like {Path(text) / 'diff.md'}")
    if info is None or stat.S_ISREG(info.st_mode):
        try:
            Path(os.path.realpath(text)).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WriteError(f"could not write {name}: {error.strerror or error}") from None
        replace_file(text, data, name)
        return
    refuse_read_only(text, info, name)
    if stat.S_ISSOCK(info.st_mode):
        _write_socket(text, data, name)
        return
    try:
        # No O_TRUNC, no O_CREAT: a device or FIFO is written as it is, never made into a file.
        handle = os.open(text, os.O_WRONLY)
    except OSError as error:
        raise WriteError(f"could not write {name}: {error.strerror or error}") from None
    try:
        _write_all(handle, data, name)
    finally:
        os.close(handle)


def replace_file(path: Path | str, data: bytes, name: str | None = None) -> None:
    """Replace a regular file's contents (or create it) so that a crash leaves the old file or the new one, whole.

    The new contents go to a temporary file in the same folder (so the rename cannot cross file
    systems), are flushed to disk, and the temporary file is renamed over the original: a rename
    within a folder is atomic. The original's permissions are kept, and a symlinked file stays a
    symlink (its target is replaced). A read-only file is refused. `name` is how messages show the path.
    """
    _replace(Path(os.fspath(path)), data, name or os.fspath(path), None)


def replace_if_unchanged(path: Path, data: bytes, old: bytes | None, name: str | None = None) -> None:
    """Replace a file as replace_file does, unless it no longer holds `old` (None: it did not exist).

    An editor may have saved the file since it was read; that save is never overwritten. The
    comparison is made again just before the rename, after the new contents are on disk.
    """
    name = name or str(path)

    def unchanged() -> None:
        """Refuse if the file is no longer what the new contents were made from."""
        if read_if_exists(path) != old:
            raise FileChanged(
                f"{name} changed on disk while the edit was being made; nothing was written, run it again"
            )

    unchanged()
    _replace(path, data, name, unchanged)


def read_if_exists(path: Path) -> bytes | None:
    """A file's bytes, following symlinks; None if there is no file."""
    try:
        return Path(os.path.realpath(path)).read_bytes()
    except FileNotFoundError:
        return None


def refuse_read_only(path: Path | str, info: os.stat_result, name: str) -> None:
    """Refuse a file its permissions say must not change: no write permission bit, or none for this user.

    Root may write anything, so os.access alone would let a `chmod 0444` file be replaced; the
    permission bits say what the owner meant.
    """
    if info.st_mode & 0o222 and os.access(path, os.W_OK):
        return
    mode = stat.filemode(info.st_mode)
    raise WriteError(
        f"{name} is read-only (its permissions are {mode}); nothing was written. If it should change, "
        f"make it writable first (chmod u+w {shlex.quote(name)}) and run the command again"
    )


@contextlib.contextmanager
def edit_lock(
    paths: Sequence[Path], names: Sequence[str], wait: float, waiting: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on each file while it is read, compared and replaced; wait up to `wait` seconds.

    `waiting` is told the name of a file whose lock another edit holds, before this one waits for it.

    The lock is a file in the git folder of the repository holding the file (or, outside git,
    in the system's temporary folder), named after the file's real path: it survives the file
    being renamed over, and git, `mkdocs serve` and the site never see it. Locks are taken in
    path order, so two edits of the same files cannot each hold one and wait for the other.
    """
    order = sorted(range(len(paths)), key=lambda i: os.path.realpath(paths[i]))
    with contextlib.ExitStack() as stack:
        for index in order:
            lock_path = lock_file_for(paths[index])
            try:
                lock_path.parent.mkdir(parents=True, exist_ok=True)
                lock = FileLock(lock_path)
                try:
                    lock.acquire(timeout=0)
                except Timeout:
                    if waiting is not None:
                        waiting(names[index])
                    lock.acquire(timeout=wait)
                stack.callback(lock.release)
            except Timeout:
                raise WriteError(
                    f"another edit of {names[index]} is in progress; nothing was written, run it again"
                ) from None
            except OSError as error:
                raise WriteError(
                    f"could not lock {names[index]} for editing ({lock_path}: {error.strerror or error}); "
                    "nothing was written"
                ) from None
        yield


def lock_file_for(path: Path) -> Path:
    """Where the edit lock of a file lives: found from the file's real path alone, so every editor agrees."""
    real = Path(os.path.realpath(path))
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:16]
    git_dir = _git_dir(real.parent)
    folder = git_dir / "techplan" / "locks" if git_dir is not None else Path(tempfile.gettempdir()) / "techplan-locks"
    return folder / f"{real.name}.{digest}.lock"


def _git_dir(folder: Path) -> Path | None:
    """The git folder of the repository (or worktree) holding a folder, as git finds it; None outside git."""
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            # A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
            with contextlib.suppress(OSError, UnicodeDecodeError):
                first = dot_git.read_text(encoding="utf-8").split("\n", 1)[0].strip()
                if first.startswith("gitdir:"):
                    return (candidate / first.removeprefix("gitdir:").strip()).resolve()
    return None


def _replace(path: Path, data: bytes, name: str, before_rename: Callable[[], None] | None) -> None:
    """Write a temporary file beside the real one, flush it, check, and rename it over the original."""
    target = Path(os.path.realpath(path))  # a symlinked file stays a symlink
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise WriteError(f"could not write {name}: {error.strerror or error}; the file is unchanged") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError(f"{name} is a folder, not a file; nothing was written")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise WriteError(f"{name} is not a regular file; nothing was written")
    if info is not None:
        refuse_read_only(target, info, name)
    mode = stat.S_IMODE(info.st_mode) if info is not None else _default_mode()
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise WriteError(f"could not write {name}: {error.strerror or error}; the file is unchanged") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if before_rename is not None:
            before_rename()
        os.replace(temporary, target)
    except BaseException as error:
        # Interrupted, refused or failed before the rename: the original was never touched; drop the copy.
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise WriteError(f"could not write {name}: {error.strerror or error}; the file is unchanged") from None
        raise
    _sync_folder(target.parent)


def _write_stream(descriptor: int, data: bytes, name: str) -> None:
    """Write to one of this process's open files: standard output and error through Python's own streams."""
    stream = {1: sys.stdout, 2: sys.stderr}.get(descriptor)
    try:
        if stream is not None:
            stream.flush()
            buffer = getattr(stream, "buffer", None)
            if buffer is None:  # a replaced stream (a test's capture) takes text
                stream.write(data.decode("utf-8"))
            else:
                buffer.write(data)
            stream.flush()
            return
    except OSError as error:
        raise WriteError(f"could not write {name}: {error.strerror or error}") from None
    _write_all(descriptor, data, name)


def _write_all(handle: int, data: bytes, name: str) -> None:
    """Write every byte to an open file descriptor."""
    view = memoryview(data)
    try:
        while view:
            written = os.write(handle, view)
            view = view[written:]
    except OSError as error:
        raise WriteError(f"could not write {name}: {error.strerror or error}") from None


def _write_socket(path: str, data: bytes, name: str) -> None:
    """Send data to a Unix socket listening at a path."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(path)
            connection.sendall(data)
    except OSError as error:
        raise WriteError(f"could not write {name}: {error.strerror or error}") from None


def _default_mode() -> int:
    """The permissions a new file gets here: read-write as the umask allows (mkstemp's are owner-only)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file to disk, where the system allows it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its rename is durable enough
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
