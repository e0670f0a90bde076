"""Reproducible builds: one commit and as-at date give the same bytes in any folder, on any day, cache or none.

The two builds of each test differ in everything a build could pick up by accident: the folder
(a clone elsewhere), the real clock (faketime, years apart; without it, MkDocs' own clock through
SOURCE_DATE_EPOCH), the time zone, Python's hash seed (set and dict order), the umask, and the
cache (empty, then warm). The as-at date is fixed by extra.plan.today in mkdocs.yml.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from gitrepo import GitRepo
from plansite import _env, write_site

FAKETIME = shutil.which("faketime")


def tag(repo: GitRepo, name: str, message: str, date: str) -> None:
    repo.git("tag", "-a", name, "-m", message, date=date)


def plan_with_history(root: Path) -> GitRepo:
    """The mini plan with three revisions, a merged pull request, and two revisions sharing their data files."""
    repo = GitRepo(root)
    write_site(root, commit=False)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    tag(repo, "v1", "First revision\n\nThe plan as first published.", "2021-01-05T09:00:00+00:00")
    # Only a page changes: v1 and v2 have the same data files (their data.json must still name each its own).
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    tag(repo, "v2", "Second revision", "2021-02-02T09:00:00+00:00")
    repo.git("checkout", "-q", "-b", "slip")
    repo.replace("plan/phase1-vision/milestones.yml", "due: 2021-06-30", "due: 2021-09-30")
    repo.commit("Move M1.2", "M1.2 moved to September.", "2021-03-01T09:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.merge("slip", "Merge the slip", None, "2021-03-02T09:00:00+00:00")
    tag(repo, "v3", "Third revision\n\nM1.2 moved.", "2021-03-03T09:00:00+00:00")
    repo.replace("plan/roadmap.md", "# Roadmap", "# Roadmap of the plan")
    repo.commit("Retitle the roadmap", None, "2021-03-10T09:00:00+00:00")
    return repo


def build_at(root: Path, site: Path, clock: str, cache: Path, **env: str) -> None:
    """Build the site in root into `site` with the real clock at `clock`, the given cache and environment."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    extra = {"TECHPLAN_CACHE": str(cache), **env}
    if FAKETIME:
        command = [FAKETIME, clock, *command]
    else:
        # No faketime here: move the clock MkDocs reads (its build date) instead; the plan's date is fixed anyway.
        extra["SOURCE_DATE_EPOCH"] = str(int(subprocess.check_output(["date", "-d", clock, "+%s"], text=True)))
    result = subprocess.run(command, cwd=root, env=_env(**extra), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def differences(site: Path, other: Path) -> list[str]:
    """Every file the two sites do not share, and every shared file whose bytes differ."""
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    others = {p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file()}
    differing = sorted(files ^ others)
    differing += [name for name in sorted(files & others) if (site / name).read_bytes() != (other / name).read_bytes()]
    return differing


def clone(source: Path, target: Path) -> None:
    """A clone of a repository, tags and all, in another folder."""
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True, env=_env())


def test_the_same_commit_builds_the_same_bytes_in_another_folder_on_another_day(tmp_path: Path) -> None:
    first = tmp_path / "first"
    repo = plan_with_history(first)
    second = tmp_path / "elsewhere" / "second"
    clone(first, second)
    build_at(first, tmp_path / "site-1", "2030-01-01 10:00:00", tmp_path / "cache-1", PYTHONHASHSEED="1", TZ="UTC")
    # Point-in-time views written by forked processes this time: the same bytes.
    build_at(
        second, tmp_path / "site-2", "2031-07-15 23:59:30", tmp_path / "cache-2",
        PYTHONHASHSEED="2", TZ="Pacific/Kiritimati", TECHPLAN_JOBS="2",
    )  # fmt: skip
    # A warm cache, on yet another day: everything the archive holds comes from the cache this time.
    os.umask(old := os.umask(0o077))
    try:
        build_at(
            second,
            tmp_path / "site-3",
            "2032-02-29 12:00:00",
            tmp_path / "cache-2",
            PYTHONHASHSEED="3",
            TZ="Asia/Tokyo",
        )
    finally:
        os.umask(old)
    site = tmp_path / "site-1"
    assert len(list(site.rglob("*.html"))) > 20
    assert differences(site, tmp_path / "site-2") == []
    assert differences(site, tmp_path / "site-3") == []
    # The archive's data names its own revision, though v1 and v2 share their data files.
    assert json.loads((site / "revisions/v1/data.json").read_text())["revision"]["name"] == "v1"
    assert json.loads((site / "revisions/v2/data.json").read_text())["revision"]["name"] == "v2"
    # The sitemap is dated by the plan's as-at date, not by either clock.
    sitemap = (site / "sitemap.xml").read_text()
    assert sitemap.count("<lastmod>2021-04-15</lastmod>") == sitemap.count("<url>") > 5
    # The manifest records the as-at date and HEAD, and the hash of every other file.
    manifest = json.loads((site / "manifest.json").read_text())
    assert manifest["as_at"] == "2021-04-15"
    assert manifest["commit"] == repo.head()
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == files
    for name in files:
        assert manifest["files"][name] == hashlib.sha256((site / name).read_bytes()).hexdigest(), name


def _edit_in_place(page: Path) -> None:
    """Change one byte of a file without replacing it, as some deploy tools rewrite files."""
    with page.open("r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(b"X" if byte != b"X" else b"Y")


def test_a_site_file_edited_in_place_does_not_reach_the_next_build(tmp_path: Path) -> None:
    """Archive files are hard links to the cache's: an edit made through one is not built again."""
    root = tmp_path / "repo"
    plan_with_history(root)
    cache = tmp_path / "cache"
    build_at(root, tmp_path / "site-1", "2030-01-01 10:00:00", cache)
    page = "revisions/v1/index.html"
    # A first build writes each archive file once, into the cache, and links it into the site.
    assert (tmp_path / "site-1" / page).stat().st_nlink == 2
    original = (tmp_path / "site-1" / page).read_bytes()
    _edit_in_place(tmp_path / "site-1" / page)
    build_at(root, tmp_path / "site-2", "2030-01-02 10:00:00", cache)
    assert (tmp_path / "site-2" / page).read_bytes() == original
    assert differences(tmp_path / "site-1", tmp_path / "site-2") == [page]
    # A warm build links the cache's file: the site's and the cache's are one, and the same holds.
    assert (tmp_path / "site-2" / page).stat().st_nlink == 2
    _edit_in_place(tmp_path / "site-2" / page)
    build_at(root, tmp_path / "site-3", "2030-01-03 10:00:00", cache)
    assert (tmp_path / "site-3" / page).read_bytes() == original
    assert differences(tmp_path / "site-2", tmp_path / "site-3") == [page]


def test_a_site_on_another_file_system_than_the_cache_gets_copies(tmp_path: Path) -> None:
    """The cache cannot be linked across file systems: the site gets its own files, the same bytes."""
    elsewhere = Path("/dev/shm")
    if not elsewhere.is_dir() or elsewhere.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system to build into")
    root = tmp_path / "repo"
    plan_with_history(root)
    site = Path(tempfile.mkdtemp(dir=elsewhere))
    try:
        build_at(root, site, "2030-01-01 10:00:00", tmp_path / "cache")
        build_at(root, tmp_path / "site", "2030-01-01 10:00:00", tmp_path / "cold")
        assert (site / "revisions/v1/index.html").stat().st_nlink == 1
        assert (tmp_path / "site/revisions/v1/index.html").stat().st_nlink == 2
        assert differences(site, tmp_path / "site") == []
    finally:
        shutil.rmtree(site)


@pytest.mark.slow
def test_the_demo_builds_the_same_bytes_in_another_folder_on_another_day(demo_built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The demo's four years of history (merges, renames, nine revisions), built again elsewhere, cold."""
    second = tmp_path / "demo"
    clone(demo_built.root, second)
    build_at(
        second, tmp_path / "site", "2033-11-05 04:00:00", tmp_path / "cache", PYTHONHASHSEED="7", TZ="America/Denver"
    )
    assert differences(demo_built.root / "site", tmp_path / "site") == []


def test_a_commit_that_changes_the_markdown_settings_renders_the_archive_again(tmp_path: Path) -> None:
    """Point-in-time pages use the site's Markdown extensions: pages cached with other settings are not reused."""
    root = tmp_path / "repo"
    repo = plan_with_history(root)
    cache = tmp_path / "cache"
    build_at(root, tmp_path / "site-1", "2030-01-01 10:00:00", cache)
    assert 'class="headerlink"' in (tmp_path / "site-1/revisions/v1/pages/phase1-vision/index.html").read_text()
    repo.replace("mkdocs.yml", "      permalink: true", "      permalink: false")
    repo.commit("No permalinks", None, "2021-03-11T09:00:00+00:00")
    build_at(root, tmp_path / "site-2", "2030-01-02 10:00:00", cache)
    build_at(root, tmp_path / "site-3", "2030-01-03 10:00:00", tmp_path / "cold")
    assert 'class="headerlink"' not in (tmp_path / "site-2/revisions/v1/pages/phase1-vision/index.html").read_text()
    assert differences(tmp_path / "site-2", tmp_path / "site-3") == []
