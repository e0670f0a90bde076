"""A cold cache's log, set going as the build begins: the same history, read once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gitrepo import GitRepo
from plansite import write_site

import techplan.cache as techplan_cache
import techplan.history.log as log_module
from techplan.cache import DiskCache
from techplan.history.git import Repository
from techplan.history.log import read_history, repo_state, start_cold_log


@pytest.fixture(autouse=True)
def _fresh_memory() -> Iterator[None]:
    """Each reading starts from nothing in memory, as a new build does."""
    techplan_cache._MEMORY.clear()
    yield
    techplan_cache._MEMORY.clear()
    log_module._STARTED.clear()


def _history(root: Path) -> GitRepo:
    repo = GitRepo(root)
    write_site(root, commit=False)
    repo.commit("Publish the plan", "First publication.", "2021-01-04T09:00:00+00:00")
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.commit("Reword the vision", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    repo.replace("plan/phase1-vision/milestones.yml", "due: 2021-06-30", "due: 2021-09-30")
    repo.commit("Move M1.2", "M1.2 moved to September.", "2021-03-01T09:00:00+00:00")
    return repo


def test_a_cold_cache_has_its_log_read_as_the_build_begins_and_the_same(tmp_path: Path) -> None:
    _history(tmp_path)
    git = Repository(tmp_path / "plan")
    try:
        state = repo_state(git, "plan/")
        paths = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "plan").rglob("*") if p.is_file())
        expected = read_history(git, state, paths, DiskCache(None))
        techplan_cache._MEMORY.clear()

        cache = DiskCache(tmp_path / "cache")
        start_cold_log(tmp_path / "plan", cache)
        assert [head for _, head in log_module._STARTED] == [state.head]
        assert read_history(git, state, paths, cache) == expected
        assert log_module._STARTED == {}  # taken by the build, not read again

        start_cold_log(tmp_path / "plan", cache)  # the cache knows this log now
        assert log_module._STARTED == {}
    finally:
        git.close()


def test_nothing_is_started_where_there_is_no_log_to_read(tmp_path: Path) -> None:
    (tmp_path / "plan").mkdir()
    start_cold_log(tmp_path / "plan", DiskCache(None))  # not a repository
    GitRepo(tmp_path / "empty")
    (tmp_path / "empty" / "plan").mkdir()
    start_cold_log(tmp_path / "empty" / "plan", DiskCache(None))  # no commit yet
    assert log_module._STARTED == {}
