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


def test_a_new_commit_renders_again_only_what_it_changed_and_matches_a_cold_build(tmp_path: Path) -> None:
    """Page histories and months of What's changed are kept per part: a commit must reach every part it touches."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    measures_before = page(tmp_path, "phase2-measures/").select(".tp-page-history")
    # One page reworded, and a milestone moved: the vision page and the roadmap show that milestone's file.
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.replace("plan/phase1-vision/milestones.yml", "due: 2021-06-30", "due: 2021-09-30")
    repo.commit("Reword and move", "Moved M1.2 to September.", "2021-05-03T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    vision = page(tmp_path, "phase1-vision/")
    notes = [text_of(p) for p in vision.select(".tp-page-history .tp-update__note")]
    assert notes == ["Moved M1.2 to September.", "First publication."]
    assert "3 May 2021" in text_of(vision.select_one(".tp-page-meta"))
    roadmap = [text_of(p) for p in page(tmp_path, "roadmap/").select(".tp-page-history .tp-update__note")]
    assert roadmap == ["Moved M1.2 to September.", "First publication."]
    # A page the commit did not touch keeps its history as it was.
    assert page(tmp_path, "phase2-measures/").select(".tp-page-history") == measures_before
    months = [text_of(h).removesuffix(" ¶") for h in page(tmp_path, "whats-changed/").select("h2")]
    assert months[:2] == ["May 2021", "January 2021"]
    warm = site_files(tmp_path)
    shutil.rmtree(tmp_path / ".cache")
    assert build(tmp_path).returncode == 0
    assert site_files(tmp_path) == warm
