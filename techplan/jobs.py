"""How many processes the engine may fork for work that can be shared out: the one rule every part asks."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading

DEFAULT_JOBS = 4
"""The most processes a build uses unless TECHPLAN_JOBS says otherwise: each may hold as much memory as the build."""


def jobs_available() -> int:
    """How many processes the engine may use: TECHPLAN_JOBS, else one a core (up to 4).

    A build forks one to write the point-in-time views while MkDocs renders the pages (on a
    first build, from when the revisions' pages are known) and with more shares them out; a
    first build forks one to follow the sections' history meanwhile; `techplan diff` shares out
    many pages' comparisons. The output is the same byte for byte. By default on Linux only, and
    only a process with no other thread forks: a fork copies the calling thread alone, and a lock
    another thread held stays held in the copy for ever. So `mkdocs serve`'s rebuilds, beside its
    server's threads, use one process.
    """
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        return 1
    setting = os.environ.get("TECHPLAN_JOBS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    if not sys.platform.startswith("linux"):  # macOS's own libraries are not safe to fork: there, only when asked
        return 1
    return min(len(os.sched_getaffinity(0)), DEFAULT_JOBS)


_frozen = False
"""Whether `before_fork` has frozen this process's objects (and `after_forks` has not yet let them go)."""


def before_fork() -> None:
    """Leave every object this process holds out of its garbage collections, and out of its forked copies' (gc.freeze).

    A forked copy shares the build's memory until one of them writes to it, and a full collection
    writes to every object it visits: here and in each copy, the whole history the build has read,
    each copy making a private copy of every page of memory it visits. Frozen, what exists at the
    fork is visited by no collection, here or in the copies, until `after_forks`. (A first build of
    100 pages spent 1.1 s collecting across its processes, 0.6 s of it in full collections here;
    frozen at each fork, 0.5 s in all.)
    """
    global _frozen
    gc.freeze()
    _frozen = True


def after_forks() -> None:
    """Let the collector visit again what `before_fork` froze, so a process that lives on (a test, a host) frees it."""
    global _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False


def exit_soon() -> None:
    """In a process about to exit: leave every object it holds out of the collections Python runs as it shuts down.

    Those visit everything still held, more than once: after a build of 1,000 pages, or a diff
    that read the whole log, about 0.3 s, a fifteenth of a rebuild. The memory goes back to the
    system at exit all the same. Only for a process that is about to exit: what is frozen is
    never collected.
    """
    gc.freeze()


def in_pool_process() -> None:
    """In a process of a pool (its initializer): die at once when the pool is stopped, and leave Ctrl-C to the process
    that runs the pool, which stops it.

    The pool's process forks it from a build's copy, whose handlers (`stop_on_signals`) it would
    inherit: those run only between Python's steps, so a process busy in one long call (a regular
    expression on a pathological page) would go on until it returned. SIGTERM's own action does not wait.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop_on_signals() -> None:
    """In a forked copy of a build: take SIGTERM (the build stopping it) or Ctrl-C as an exception, so what it started
    stops too.

    A pool it runs is terminated as its `with` block ends, rather than left rendering into the
    site after the build has stopped. Once stopping, it ignores both: Ctrl-C reaches the copy and
    the build at once, and the build then stops the copy too, which must not cut short the
    stopping of its pool.
    """

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
