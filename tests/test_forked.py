"""Work handed to a forked copy of the build: its result, its failure, and work that waits for more."""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from gitrepo import GitRepo
from plansite import write_site

from techplan.cache import DiskCache
from techplan.jobs import after_forks
from techplan.site.forked import Forked, ForkFailed, write_aside

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system: the build never forks")


@pytest.fixture(autouse=True)
def _collected_again() -> Iterator[None]:
    """A build lets go of what its forks froze when it ends; these fork outside one, so each test does."""
    yield
    after_forks()


def _pid_written(path: Path) -> int:
    """The pid a forked process wrote to a file, once it has."""
    deadline = time.monotonic() + 30
    while not (path.is_file() and path.read_text()):
        assert time.monotonic() < deadline, "the forked process never started"
        time.sleep(0.01)
    return int(path.read_text())


def test_what_the_work_returns_comes_back_and_its_failure_is_named() -> None:
    assert Forked(lambda: {"pages": [1, 2, 3]}).result() == {"pages": [1, 2, 3]}

    def fails() -> None:
        raise ValueError("a page could not be read")

    with pytest.raises(ForkFailed, match=r"(?s)reading the sections' provenance failed:.*a page could not be read"):
        Forked(fails, "reading the sections' provenance").result()


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads whether the copy ended from /proc")
def test_a_copy_ends_once_its_work_is_done_however_large_what_it_returns(tmp_path: Path) -> None:
    """It holds every page of memory the build changes after the fork: it must not wait for the build to read."""
    started = tmp_path / "started"
    large = {f"revisions/v{n}/page-{n:04d}.html": "0" * 64 for n in range(30_000)}  # a pipe holds 64 KiB

    def work() -> dict[str, str]:
        started.write_text(str(os.getpid()))
        return large

    job = Forked(work)
    pid = _pid_written(started)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":  # exited, not yet waited for
        assert time.monotonic() < deadline, "the copy is still running, waiting for the build to read its result"
        time.sleep(0.01)
    assert job.result() == large


def test_work_that_waits_gets_what_the_build_sends_later(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def work(more: object) -> tuple[str, object]:
        started.write_text(str(os.getpid()))
        assert callable(more)
        return "then", more()

    job = Forked(work, "writing the views", awaits=True)
    _pid_written(started)  # it runs, and waits
    records = {f"M{n}": (f"milestones/M{n}/", "x" * 1000) for n in range(200)}  # more than a pipe holds
    job.send(records)
    assert job.result() == ("then", records)


def test_work_still_waiting_when_the_build_fails_is_stopped_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    started = tmp_path / "started"
    job = Forked(lambda more: (started.write_text(str(os.getpid())), more()), "writing the views", awaits=True)
    pid = _pid_written(started)
    assert len(list((tmp_path / "tmp").iterdir())) == 1  # where what it waits for would be sent
    job.cancel()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped
    assert list((tmp_path / "tmp").iterdir()) == []


def test_no_process_to_be_had_leaves_nothing_open_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build then writes the views later or in-process: the failed start leaves no file or descriptor."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    open_before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for awaits in (False, True):
        with pytest.raises(OSError, match="temporarily unavailable"):
            Forked(lambda *_: None, "writing the views", awaits=awaits)
    assert list(tmp_path.iterdir()) == []
    if open_before is not None:
        assert len(os.listdir("/proc/self/fd")) == open_before


class _Node:
    """An object in a reference cycle: only the cyclic garbage collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_what_a_fork_shares_is_left_out_of_collections_until_the_build_lets_it_go() -> None:
    """A full collection writes to every object it visits, so a fork's copies would each copy the whole history."""
    assert gc.get_freeze_count() == 0
    node = _Node()
    alive = weakref.ref(node)
    try:
        # The forked copy finds the build's objects frozen: its collections do not visit them.
        assert Forked(gc.get_freeze_count).result() > 0
        del node
        gc.collect()
        assert alive() is not None  # nor do the build's own, while it forks
    finally:
        after_forks()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None


def _python(folder: Path, code: str, *args: str, **env: str) -> str:
    """Run Python code in its own process in a folder, with more environment variables; what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


_BUILD_AND_LIVE_ON = """
import gc
from mkdocs.commands.build import build
from mkdocs.config import load_config

freezes = []
freeze = gc.freeze
gc.freeze = lambda: (freezes.append(gc.get_count()), freeze())[1]
build(load_config("mkdocs.yml", site_dir="site"))
print(len(freezes), gc.get_freeze_count())
"""


def test_a_process_that_builds_and_lives_on_collects_again_after_the_build(tmp_path: Path) -> None:
    """A program that builds through MkDocs' API and goes on (a test runner, a host) frees the build's objects."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    freezes, frozen = map(int, _python(tmp_path, _BUILD_AND_LIVE_ON, TECHPLAN_JOBS="2").split())
    assert freezes >= 1  # the point-in-time views were written in a forked copy, the build frozen meanwhile
    assert frozen == 0


_FROZEN_AT_EXIT = """
import atexit, gc, sys
atexit.register(lambda: print(gc.get_freeze_count() > 0))
command = sys.argv[1]
sys.argv = sys.argv[1:]
if command == "mkdocs":
    from mkdocs.__main__ import cli
    cli()
else:
    from techplan.cli import run
    run()
"""


@pytest.mark.parametrize("command", [["mkdocs", "build", "--strict"], ["techplan", "check"]])
def test_the_commands_exit_without_collecting_everything_they_hold_first(tmp_path: Path, command: list[str]) -> None:
    """Python's collections as it shuts down visit every object left: 0.3 s after a build of 1,000 pages."""
    GitRepo(tmp_path)
    write_site(tmp_path)
    output = _python(tmp_path, _FROZEN_AT_EXIT, *command, NO_MKDOCS_2_WARNING="1")
    assert output.splitlines()[-1] == "True"  # frozen by the time Python starts shutting down


def _entries(folder: Path) -> dict[str, object]:
    """What a cache holds on disk, by kind (one entry of each here), read as another build would."""
    return {path.parent.name: pickle.loads(path.read_bytes()) for path in folder.glob("*/*/*")}


def _writers(monkeypatch: pytest.MonkeyPatch, log: Path, die_in_copy: bool = False) -> None:
    """Make each cache write note the process writing it (and a forked writer die first, if asked)."""
    write = DiskCache.write
    build = os.getpid()

    def noted(cache: DiskCache, kind: str, key: str, value: object) -> None:
        if die_in_copy and os.getpid() != build:
            os._exit(9)  # as the kernel's out-of-memory killer would end it
        with log.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        write(cache, kind, key, value)

    monkeypatch.setattr(DiskCache, "write", noted)


HISTORY = {"commits": [f"{n:040x}" for n in range(2000)]}
"""A value as large as a parsed log's beginnings."""


class _Parsed:
    """A value a weak reference can follow (a list or a dict cannot have one)."""

    def __init__(self, commits: list[str]) -> None:
        self.commits = commits


def test_the_largest_entries_are_written_by_a_forked_copy_while_the_build_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TECHPLAN_JOBS", "2")
    log = tmp_path / "writers"
    _writers(monkeypatch, log)
    cache = DiskCache(tmp_path / "cache")
    cache.put_later("log", "HEAD", HISTORY)
    cache.put_later("published", "HEAD", ("the history", 1))
    assert cache.get("log", "HEAD") == HISTORY  # this process has it at once
    written = write_aside(cache)
    written()
    written()  # waiting twice (a build that fails after on_post_build began) is waiting once
    assert _entries(tmp_path / "cache") == {"log": HISTORY, "published": ("the history", 1)}
    writers = set(log.read_text().split())
    assert len(writers) == 1 and writers != {str(os.getpid())}
    assert cache.take_pending() == []  # nothing left for the exit to write again


def test_with_no_core_to_spare_the_entries_are_written_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TECHPLAN_JOBS", "1")  # as under mkdocs serve
    log = tmp_path / "writers"
    _writers(monkeypatch, log)
    cache = DiskCache(tmp_path / "cache")
    value = _Parsed(HISTORY["commits"])
    cache.put_later("log", "HEAD", value)
    write_aside(cache)  # not waited for
    assert _entries(tmp_path / "cache")["log"].commits == HISTORY["commits"]
    assert set(log.read_text().split()) == {str(os.getpid())}
    assert cache.get("log", "HEAD") is value  # kept in memory for serve's next build, not read back


def test_once_a_copy_writes_them_the_build_holds_no_copy_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsed log and the rendered history: a build after a merge's largest objects (30 MB at 1,000 pages)."""
    monkeypatch.setenv("TECHPLAN_JOBS", "2")
    cache = DiskCache(tmp_path / "cache")
    value = _Parsed(HISTORY["commits"])
    gone = weakref.ref(value)
    cache.put_later("log", "HEAD", value)
    del value
    assert gone() is not None  # held, to be written
    written = write_aside(cache)
    gc.collect()
    assert gone() is None  # let go here while the copy writes it
    written()
    entry = cache.get("log", "HEAD")
    assert isinstance(entry, _Parsed) and entry.commits == HISTORY["commits"]  # read back from the disk


def test_entries_a_dead_copy_did_not_write_are_left_for_the_next_build_to_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TECHPLAN_JOBS", "2")
    log = tmp_path / "writers"
    _writers(monkeypatch, log, die_in_copy=True)
    cache = DiskCache(tmp_path / "cache")
    cache.put_later("log", "HEAD", HISTORY)
    written = write_aside(cache)
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.techplan"):
        written()  # the build goes on
    assert _entries(tmp_path / "cache") == {}  # nothing written, nothing half-written
    assert not log.exists()  # the copy died before writing; this process wrote nothing
    assert cache.take_pending() == []  # nor will it at exit
    assert "the next build reads the history again" in caplog.text
    assert all(record.levelno < logging.WARNING for record in caplog.records)  # not a warning: strict builds go on


_PUT_AND_EXIT = """
import sys
from pathlib import Path
from techplan.cache import DiskCache
DiskCache(Path(sys.argv[1])).put_later("log", "HEAD", ["a parsed log"])
"""


def test_entries_nothing_takes_are_written_when_the_process_exits(tmp_path: Path) -> None:
    """`techplan check` reads the log as a build does, and hands nothing aside: its entries still reach the disk."""
    result = subprocess.run(
        [sys.executable, "-c", _PUT_AND_EXIT, str(tmp_path / "cache")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert _entries(tmp_path / "cache") == {"log": ["a parsed log"]}


STOPPING_HOOK = """\
import os
import time
from pathlib import Path

import techplan.site.archive as archive

archive.PARALLEL_FROM = 1  # a pool of processes even for the mini plan's few files
write = archive.ArchiveWriter._write_rendered


def slowly(self, site_dir, url, key, render):
    time.sleep(0.3)  # each file takes a while: the pool is still at work when the build stops
    return write(self, site_dir, url, key, render)


archive.ArchiveWriter._write_rendered = slowly


def on_page_content(html, page, config, files):
    deadline = time.monotonic() + 60
    while not any(Path(config.site_dir, "revisions").rglob("*.html")):  # the pool has begun
        assert time.monotonic() < deadline, "no point-in-time page was written"
        time.sleep(0.05)
    Path(config.site_dir).with_name("stopped-at").write_text(repr(time.time()))
    if os.environ["HOW"] == "fails":
        raise RuntimeError("this page cannot be built")
    time.sleep(60)  # until the test presses Ctrl-C
"""


@pytest.mark.parametrize("how", ["fails", "ctrl-c"])
def test_a_build_that_stops_stops_its_point_in_time_views_at_once_and_quietly(tmp_path: Path, how: str) -> None:
    """The processes rendering the archive stop with the build: nothing writes into the site after it, or prints."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    (tmp_path / "stopping.py").write_text(STOPPING_HOOK)
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text().replace("hooks:\n", f"hooks:\n  - {tmp_path / 'stopping.py'}\n"))
    site, stopped = tmp_path / "site", tmp_path / "stopped-at"
    build = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "TECHPLAN_JOBS": "2", "TECHPLAN_CACHE": str(tmp_path / "cache"),
             "HOW": how},
        start_new_session=True,  # its own process group, as a terminal's command is: Ctrl-C reaches all of it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal starts it
    )  # fmt: skip
    if how == "ctrl-c":
        deadline = time.monotonic() + 60
        while not stopped.exists():
            assert time.monotonic() < deadline and build.poll() is None, "the build never reached its pages"
            time.sleep(0.05)
        os.killpg(build.pid, signal.SIGINT)
    _, errors = build.communicate(timeout=120)
    assert build.returncode != 0
    assert "Traceback" not in errors if how == "ctrl-c" else "this page cannot be built" in errors
    assert "BrokenPipeError" not in errors and "ForkPoolWorker" not in errors, errors
    time.sleep(1)
    last_written = max(path.stat().st_mtime for path in site.rglob("*") if path.is_file())
    assert last_written < float(stopped.read_text()) + 1, "the archive went on writing after the build stopped"
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and str(site) in _reads(f"/proc/{pid}/cmdline")]
    assert left == [], "a process of the build outlived it"


def _reads(path: str) -> str:
    """A /proc file's text, or nothing if the process has gone."""
    try:
        return Path(path).read_bytes().decode(errors="replace")
    except OSError:
        return ""
