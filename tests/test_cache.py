"""The disk cache: a warm build makes exactly what a cold one does, and notices every change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gitrepo import GitRepo
from plansite import build, page, text_of, write_site


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of the built site but the search index and sitemap, which MkDocs dates."""
    return {
        path.relative_to(root / "site").as_posix(): path.read_bytes()
        for path in sorted((root / "site").rglob("*"))
        if path.is_file() and "search" not in path.parts and not path.name.startswith("sitemap")
    }


def test_warm_build_is_identical_to_cold(tmp_path: Path) -> None:
    write_site(tmp_path)
    assert build(tmp_path).returncode == 0
    cold = site_files(tmp_path)
    assert (tmp_path / ".cache/techplan").is_dir()
    assert build(tmp_path).returncode == 0
    assert site_files(tmp_path) == cold
    shutil.rmtree(tmp_path / ".cache")
    assert build(tmp_path, TECHPLAN_CACHE="off").returncode == 0
    assert site_files(tmp_path) == cold
    assert not (tmp_path / ".cache").exists()


def test_cached_history_follows_commits_edits_and_settings(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    assert build(tmp_path).returncode == 0
    # An uncommitted title change renames the page wherever the history names it.
    repo.replace("plan/roadmap.md", "# Roadmap", "# Roadmap of milestones")
    assert build(tmp_path).returncode == 0
    changes = page(tmp_path, "whats-changed/")
    assert "Roadmap of milestones" in text_of(changes.select_one(".tp-update__pages"))
    assert text_of(page(tmp_path, "roadmap/").select(".tp-page-meta p")[1]).startswith("Unpublished changes.")
    # Committing it with a note publishes it.
    repo.commit("Retitle", "Retitled the roadmap.", "2021-02-01T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    notes = [text_of(p) for p in page(tmp_path, "roadmap/").select(".tp-update__note")]
    assert notes == ["Retitled the roadmap.", "First publication."]
    data = json.loads((tmp_path / "site/changes.json").read_text())
    assert data["commit"] == repo.head()
    # A setting that changes what the history shows is picked up too.
    repo.replace("mkdocs.yml", "    today: 2021-04-15\n", "    today: 2021-04-15\n    authors: names\n")
    assert build(tmp_path).returncode == 0
    assert text_of(page(tmp_path, "roadmap/").select_one(".tp-update__author")) == "by Policy Editor"


def test_a_broken_cache_is_ignored(tmp_path: Path) -> None:
    write_site(tmp_path)
    assert build(tmp_path).returncode == 0
    cold = site_files(tmp_path)
    for path in (tmp_path / ".cache/techplan").rglob("*"):
        if path.is_file():
            path.write_bytes(b"not a pickle")
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert site_files(tmp_path) == cold
