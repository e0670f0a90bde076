"""Work handed to a forked copy of the build: its result, its failure, and work that waits for more."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from techplan.site.forked import Forked, ForkFailed

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system: the build never forks")


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
