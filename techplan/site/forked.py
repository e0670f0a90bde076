"""Work a build hands to a forked copy of itself, to run on another core meanwhile.

The copy starts with everything the build has worked out so far (no pickling of inputs) and
hands back its result, pickled, through a file. Only for work that touches nothing the build
writes meanwhile: the point-in-time views, in their own folder of the site, while MkDocs renders
the pages; the sections' provenance, from git, while the build reads the rest of the history; the
cache's largest entries, while MkDocs renders the pages.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import signal
import tempfile
import traceback
from collections.abc import Callable
from functools import partial
from typing import Generic, TypeVar

from techplan.cache import DiskCache
from techplan.jobs import before_fork, jobs_available, stop_on_signals
from techplan.packs import batch_in_this_copy, finish_copy

T = TypeVar("T")

log = logging.getLogger("mkdocs.plugins.techplan")


class ForkFailed(RuntimeError):
    """The forked process stopped without a result, or its work raised (the message says where)."""


class Forked(Generic[T]):
    """A function running in a forked process; `result()` waits for what it returned.

    Work that can start before the build knows all it needs takes `awaits=True`: it is called
    with a function that waits for what the build then gives it with `send`.
    """

    def __init__(
        self, work: Callable[..., T], what: str = "rendering the point-in-time views", awaits: bool = False
    ) -> None:
        """Start `work` in a forked process; `what` names it in a ForkFailed ("rendering the point-in-time views")."""
        self._what = what
        # What `send` gives goes through a file (a pipe's buffer would hold the build up until the work
        # reads it); closing the pipe says it is there. No other process is forked holding this end.
        self._later: tuple[int, str] | None = None
        if awaits:
            handle, path = tempfile.mkstemp(prefix="techplan-", suffix=".pickle")
            os.close(handle)
        # The result goes through a file too, and the pipe's closing says it is there: through the
        # pipe, a result larger than its buffer (the archive's hashes) would keep the copy alive,
        # holding every page of memory the build has changed since the fork, until the build reads it.
        self._outcome = tempfile.TemporaryFile(prefix="techplan-")  # noqa: SIM115 - closed by result() or cancel()
        read, write = os.pipe()
        later = os.pipe() if awaits else None
        before_fork()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: nothing left open behind
            for end in (read, write, *(later or ())):
                os.close(end)
            self._outcome.close()
            if awaits:
                os.unlink(path)
            raise
        if pid == 0:  # pragma: no cover - the forked process; its work is covered where the build checks it
            os.close(read)
            status = 0
            try:
                stop_on_signals()  # cancel(): what the work started (a pool of processes) stops with it
                batch_in_this_copy()  # what it adds to the cache's packs, one pack a kind, finished below
                arguments: tuple[Callable[[], object], ...] = ()
                if later is not None:
                    os.close(later[1])
                    arguments = (partial(_wait_for, later[0], path),)
                result = work(*arguments)
                finish_copy()
                payload = pickle.dumps((True, result), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                payload = pickle.dumps((False, traceback.format_exc()))
                status = 1
            with contextlib.suppress(OSError):
                self._outcome.write(payload)
                self._outcome.flush()
            os._exit(status)  # not the build's exit handlers, nor its buffered output; the pipe closes
        os.close(write)
        if later is not None:
            os.close(later[0])
            self._later = (later[1], path)
        self._pid: int | None = pid
        self._read = read
        atexit.register(self.cancel)  # a build that stops early does not leave it writing into the site

    def send(self, value: object) -> None:
        """Give the work what it waits for (only with `awaits`; once)."""
        assert self._later is not None
        write, path = self._later
        self._later = None
        with open(path, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.close(write)

    def result(self) -> T:
        """Wait for the work to finish; what it returned. ForkFailed if it raised or the process died."""
        with os.fdopen(self._read, "rb") as stream:
            stream.read()  # nothing is written to the pipe: it closes as the copy exits
        self._reap()
        with self._outcome:
            self._outcome.seek(0)
            payload = self._outcome.read()
        try:
            finished, value = pickle.loads(payload)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError):  # killed before it had written it all
            raise ForkFailed(f"the process {self._what} stopped without finishing") from None
        if not finished:
            raise ForkFailed(f"{self._what} failed:\n{value}")
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the work if it is still running (the build failed); nothing if it has been waited for."""
        if self._later is not None:  # never sent: it waits no more, and its file goes
            write, path = self._later
            self._later = None
            with contextlib.suppress(OSError):
                os.close(write)
            with contextlib.suppress(OSError):
                os.unlink(path)
        if self._pid is None:
            return
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.close(self._read)
        self._reap()
        self._outcome.close()

    def _reap(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = None
        atexit.unregister(self.cancel)


def write_aside(cache: DiskCache) -> Callable[[], None]:
    """Write what the cache holds to be written (`DiskCache.put_later`) from a forked copy; what waits until it is.

    A build after a merge replaces the parsed log and the rendered history (0.8 and 2.4 MB at 100
    pages, 7 and 22 MB at 1,000): pickling and writing them is work for a spare core while MkDocs
    renders the pages. This process then lets them go (as objects, 30 MB at 1,000 pages): if the
    copy dies, they are not written, and the next build makes them again. With no core to spare
    (`mkdocs serve`) or no process to be had, they are written here and now, and kept in memory
    for the next build.
    """
    pending = cache.take_pending()
    if pending and jobs_available() > 1:
        try:
            job: Forked[None] = Forked(partial(cache.write_all, pending), "writing the cache")
        except OSError:
            pass
        else:
            for kind, key, _ in pending:
                cache.forget(kind, key)
            del pending  # the copy has its own
            waited: list[bool] = []

            def written() -> None:  # once: a build that fails after on_post_build began waits again
                if not waited:
                    waited.append(True)
                    try:
                        job.result()
                    except ForkFailed as error:  # killed (out of memory?): a cache entry missing, nothing lost
                        log.info("techplan: %s; the next build reads the history again", error)

            return written
    cache.write_all(pending)
    return lambda: None


def _wait_for(later: int, path: str) -> object:  # pragma: no cover - runs in the forked process
    """In the forked work: wait until the build has sent what the work awaits (the pipe closes); that."""
    os.read(later, 1)
    os.close(later)
    try:
        with open(path, "rb") as stream:
            return pickle.load(stream)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
