"""The disk cache: a warm build makes exactly what a cold one does, and notices every change."""

from __future__ import annotations

import dataclasses
import json
import pickle
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from gitrepo import GitRepo
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from plansite import MINI_PLAN, build, page, site_differences, text_of, write_site

import techplan.cache as techplan_cache
from techplan.cache import _PACKED as PACKED
from techplan.cache import FORMAT, DiskCache, pickled_by_fields
from techplan.packs import read_packs
from techplan.site.views import UPDATES_ID


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of the built site but the sitemap, which MkDocs dates."""
    return {
        path.relative_to(root / "site").as_posix(): path.read_bytes()
        for path in sorted((root / "site").rglob("*"))
        if path.is_file() and not path.name.startswith("sitemap")
    }


def assert_as_cold(root: Path) -> None:
    """The site a warm build made is what a build with an empty cache makes."""
    warm = site_files(root)
    shutil.rmtree(root / ".cache")
    assert build(root).returncode == 0
    assert site_files(root) == warm


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


def test_an_older_engines_cache_is_deleted_by_the_time_the_build_ends(tmp_path: Path) -> None:
    """An engine upgrade leaves the last engine's folder: set aside, deleted by another process the build waits for."""
    write_site(tmp_path)
    root = tmp_path / ".cache/techplan"
    older = root / f"{FORMAT}-0.0.1-py311-000000000000"
    (older / "page-output").mkdir(parents=True)
    for number in range(300):
        (older / "page-output" / f"{number:03}").write_bytes(b"kept by an older engine")
    left_aside = root / ".older-1-0.0.0-py311-111111111111-4242"  # by a build that was killed
    (left_aside / "yaml").mkdir(parents=True)
    (left_aside / "yaml" / "entry").write_bytes(b"x")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "keep").mkdir(parents=True)
    (root / f"{FORMAT}-0.0.2-py311-222222222222").symlink_to(elsewhere, target_is_directory=True)
    assert build(tmp_path).returncode == 0
    engines = sorted(path.name for path in root.iterdir() if path.name.startswith((f"{FORMAT}-", ".older-")))
    assert len(engines) == 2 and engines[0] == f"{FORMAT}-0.0.2-py311-222222222222", engines
    assert (root / engines[1] / "page-output").is_dir()  # this engine's
    assert (elsewhere / "keep").is_dir()  # a link is neither followed nor set aside


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
    assert_as_cold(tmp_path)


def kept_outputs(root: Path) -> list[Path]:
    """The pages' outputs the cache keeps (techplan.site.pagecache)."""
    return sorted((root / ".cache/techplan").glob("*/page-output/*"))


def test_kept_pages_follow_the_navigation_the_footer_and_the_theme(tmp_path: Path) -> None:
    """A page kept from the last build is reused only while all it shows is the same; its footer is always today's."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    assert build(tmp_path).returncode == 0
    kept = kept_outputs(tmp_path)
    assert len(kept) >= 6  # the plan's pages, What's changed, the record pages...
    # A commit that renames one page: every other page's navigation names it anew, and every footer the commit.
    repo.replace("plan/roadmap.md", "# Roadmap", "# Roadmap of milestones")
    repo.commit("Retitle", "Retitled the roadmap.", "2021-02-01T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    vision = page(tmp_path, "phase1-vision/")
    assert "Roadmap of milestones" in [text_of(a) for a in vision.select("nav.md-nav--primary a")]
    for url in ("phase1-vision/", "milestones/M1.1/", "phase2-measures/"):
        assert repo.head()[:12] in text_of(page(tmp_path, url).select_one(".tp-built-from"))
    assert_as_cold(tmp_path)
    # What the build did not use is not kept: one output a page.
    assert len(kept_outputs(tmp_path)) == len(kept)
    # A site's own template changes every page it is part of, kept or not.
    (tmp_path / "overrides/partials").mkdir(parents=True)
    (tmp_path / "overrides/partials/footer.html").write_text('<footer class="site-own-footer">Ours</footer>\n')
    repo.replace("mkdocs.yml", "  font: false\n", "  font: false\n  custom_dir: overrides\n")
    assert build(tmp_path).returncode == 0
    assert page(tmp_path, "phase2-measures/").select_one("footer.site-own-footer") is not None


def test_a_kept_page_is_what_the_build_writes(tmp_path: Path) -> None:
    """The cache is really read (a kept output changed on disk, with its checksum, is what the page becomes)..."""
    import hashlib

    write_site(tmp_path)
    assert build(tmp_path).returncode == 0
    for path in kept_outputs(tmp_path):
        _, _, output = path.read_bytes().partition(b"\n")
        heading = b'<h1 id="phase-2-measures">Phase 2: Measures'
        if heading in output:
            output = output.replace(heading, heading.replace(b"Measures", b"Kept"))
            path.write_bytes(hashlib.sha256(output).hexdigest().encode() + b"\n" + output)
    assert build(tmp_path).returncode == 0
    assert "Phase 2: Kept" in text_of(page(tmp_path, "phase2-measures/").select_one("h1"))
    # ...and one whose checksum does not match is rendered again.
    for path in kept_outputs(tmp_path):
        path.write_bytes(path.read_bytes().replace(b"Phase 2: Kept", b"Phase 2: Torn"))
    assert build(tmp_path).returncode == 0
    assert "Phase 2: Measures" in text_of(page(tmp_path, "phase2-measures/").select_one("h1"))


def test_a_site_with_its_own_main_template_renders_every_page(tmp_path: Path) -> None:
    """A site's main.html overrides the engine's, so nothing kept is used: each build is as a cold one."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides/main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}Consultation open{% endblock %}\n'
    )
    repo.replace("mkdocs.yml", "  font: false\n", "  font: false\n  custom_dir: overrides\n")
    assert build(tmp_path).returncode == 0
    assert build(tmp_path).returncode == 0
    assert "Consultation open" in text_of(page(tmp_path, "roadmap/").select_one(".md-banner"))
    assert_as_cold(tmp_path)


def test_record_pages_follow_their_own_changes_across_commits(tmp_path: Path) -> None:
    """Each record's page is kept by its own life: a prose commit leaves them, a data commit reaches its record."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    other_before = str(page(tmp_path, "milestones/M2.1/").select_one(".tp-life"))
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert len(page(tmp_path, "milestones/M1.2/").select(".tp-life > li")) == 1
    repo.replace("plan/phase1-vision/milestones.yml", "due: 2021-06-30", "due: 2021-09-30")
    repo.commit("Move", "Moved M1.2 to September.", "2021-03-01T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    moved = page(tmp_path, "milestones/M1.2/")
    assert text_of(moved.select_one(".tp-life__note")) == "Change note: “Moved M1.2 to September.”"
    feed = (tmp_path / "site/milestones/M1.2/feed.xml").read_text()
    assert "Moved M1.2 to September." in feed
    assert "<name>Policy Editor</name>" not in feed  # the publisher's name, by default
    assert str(page(tmp_path, "milestones/M2.1/").select_one(".tp-life")) == other_before
    # A new revision reaches the pages of the records it changed.
    repo.git("tag", "-a", "v2", "-m", "Second revision", date="2021-03-02T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert "v2: Second revision" in text_of(page(tmp_path, "milestones/M1.2/").select_one("article"))
    assert "v2: Second revision" not in text_of(page(tmp_path, "milestones/M2.1/").select_one("article"))
    # Who made a change is a setting: the feeds follow it.
    repo.replace("mkdocs.yml", "    today: 2021-04-15\n", "    today: 2021-04-15\n    authors: names\n")
    assert build(tmp_path).returncode == 0
    assert "<name>Policy Editor</name>" in (tmp_path / "site/milestones/M1.2/feed.xml").read_text()
    # A record retitled: the Compare page's data changes, kept between builds, name it anew.
    compare = (tmp_path / "site/revisions/v1/compare.json").read_text()
    assert "Agree the values" in compare
    repo.replace("plan/phase1-vision/milestones.yml", "title: Agree the values", "title: Agree the shared values")
    repo.commit("Retitle", "Retitled M1.2.", "2021-03-03T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    compare = (tmp_path / "site/revisions/v1/compare.json").read_text()
    assert "Agree the shared values" in compare and "Agree the values" not in compare
    assert_as_cold(tmp_path)


SUPERSEDED = ("published", "log", "archive-index", "record-lives", "record-register")
"""The cache's kinds each merge or tag writes anew (techplan.cache._ON_DISK)."""


def cache_entries(root: Path, kind: str) -> dict[Path, int]:
    """A kind's entries in the cache, with when each was written."""
    return {path: path.stat().st_mtime_ns for path in (root / ".cache/techplan").glob(f"*/{kind}/*")}


def test_what_merges_supersede_does_not_pile_up_in_the_cache(tmp_path: Path) -> None:
    """CI restores and saves the cache on every merge: what each merge makes obsolete is deleted, a few kept."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert all(len(cache_entries(tmp_path, kind)) == 1 for kind in SUPERSEDED)
    title = "Agree the values"
    for round_number in range(2, 5):  # the 4th entry of each is one too many
        # A record retitled (its life and the register change), then a revision (the archive's index does).
        repo.replace("plan/phase1-vision/milestones.yml", f"title: {title}", f"title: {title}!")
        title += "!"
        month = f"2021-0{round_number}"
        repo.commit(f"Retitle {round_number}", f"Retitled M1.2 ({round_number}).", f"{month}-01T09:00:00+00:00")
        repo.git("tag", "-a", f"v{round_number}", "-m", f"Revision {round_number}", date=f"{month}-02T09:00:00+00:00")
        assert build(tmp_path).returncode == 0
        for kind in SUPERSEDED:
            assert len(cache_entries(tmp_path, kind)) == min(round_number, 3), kind
    # What the last build wrote is what the next reads: a rebuild rewrites none of it, and matches a cold build.
    kept = {kind: cache_entries(tmp_path, kind) for kind in SUPERSEDED}
    assert build(tmp_path).returncode == 0
    assert {kind: cache_entries(tmp_path, kind) for kind in SUPERSEDED} == kept
    assert text_of(page(tmp_path, "milestones/M1.2/").select_one("h1")).startswith(f"M1.2: {title}")
    # The rendered parts of the history (pages' histories, months, feeds) are only those of this commit:
    # what a cold build of it renders, no more.
    # what a cold build of it renders, and what merges made obsolete only until they are a quarter of it
    # (then the kind's packs are merged without them: techplan.packs).
    parts = set(packed(tmp_path, "history-parts"))
    assert_as_cold(tmp_path)
    cold = set(packed(tmp_path, "history-parts"))
    assert cold <= parts and 4 * len(parts - cold) <= len(parts)
    assert len(list(tmp_path.glob("*/techplan/*/history-parts/*"))) == 1  # one pack, not a file a part


def packed(root: Path, kind: str) -> dict[str, tuple[str, bytes]]:
    """A packed kind's entries in the cache (techplan.packs): the pack holding each, and its bytes."""
    [folder] = (root / ".cache/techplan").glob(f"*/{kind}")
    return read_packs(str(folder))


def archive_contents(root: Path) -> list[int]:
    """How many page versions each of the archive's content entries holds (techplan.site.archive.CONTENTS), sorted."""
    entries = (root / ".cache/techplan").glob("*/archive-content/*")
    return sorted(len(pickle.loads(path.read_bytes())) for path in entries)


def test_the_archive_keeps_the_content_of_each_pages_versions_in_one_entry(tmp_path: Path) -> None:
    """A first build makes one cache file a page, not one a version; what the archive no longer has is dropped."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    pages = len(list((tmp_path / "plan").rglob("*.md")))
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert archive_contents(tmp_path) == [1] * pages
    # One page reworded in the next revision: its entry holds both versions, the others their one.
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    repo.git("tag", "-a", "v2", "-m", "Second revision", date="2021-02-02T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert archive_contents(tmp_path) == [1] * (pages - 1) + [2]
    # A page added in a third revision: a new entry; and every page's versions link to the site's
    # pages, so each entry is rewritten with its versions as they render now, and no others.
    # Then that revision withdrawn: the page is in no revision, and its entry goes.
    repo.write("plan/phase1-vision/more.md", "# More\n\nMore of the vision.\n")
    repo.commit("Add a page", "Added a page.", "2021-03-01T09:00:00+00:00")
    repo.git("tag", "-a", "v3", "-m", "Third revision", date="2021-03-02T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert archive_contents(tmp_path) == [1] * pages + [2]
    repo.git("tag", "-d", "v3")
    assert build(tmp_path).returncode == 0
    assert archive_contents(tmp_path) == [1] * (pages - 1) + [2]
    assert_as_cold(tmp_path)


def test_a_rebuild_keeps_the_archive_in_place_and_only_what_it_still_publishes(tmp_path: Path) -> None:
    """The last build's archive is set aside while MkDocs empties the site, and taken back only where it holds."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    repo.git("tag", "-a", "v2", "-m", "Second revision", date="2021-02-02T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    site = tmp_path / "site"
    folder = site / "revisions/v1/pages"
    inode = folder.stat().st_ino
    (folder / "stray.html").write_text("not the archive's")
    (site / "revisions/v1/pages/phase1-vision").mkdir(exist_ok=True)
    (site / "revisions/v1/pages/phase1-vision/stray.html").write_text("nor this")
    assert build(tmp_path).returncode == 0
    assert folder.stat().st_ino == inode  # moved back, not made again
    assert not (folder / "stray.html").exists()
    assert not (site / "revisions/v1/pages/phase1-vision/stray.html").exists()
    assert not any(path.name.startswith(".") for path in site.iterdir())
    assert_as_cold(tmp_path)
    # A revision withdrawn: its folder goes; the other's stays where it was.
    inode = (site / "revisions/v1/pages").stat().st_ino
    repo.git("tag", "-d", "v2")
    assert build(tmp_path).returncode == 0
    assert not (site / "revisions/v2").exists()
    assert (site / "revisions/v1/pages").stat().st_ino == inode
    assert not any(path.name.startswith(".") for path in site.iterdir())
    assert_as_cold(tmp_path)
    # A build that fails leaves nothing set aside in the site either.
    milestones = tmp_path / "plan/phase1-vision/milestones.yml"
    good = milestones.read_text()
    milestones.write_text(good.replace("status: done", "status: finished", 1))
    assert build(tmp_path).returncode != 0
    assert not any(path.name.startswith(".") for path in site.iterdir())
    milestones.write_text(good)
    assert build(tmp_path).returncode == 0
    assert_as_cold(tmp_path)


def test_a_warm_build_still_lists_what_the_history_could_not_read(tmp_path: Path) -> None:
    """Record lives kept from an earlier build keep the notes their reading made: every build lists them."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    # A measure's baseline only the record lives read (slippage reads milestones' dates).
    repo.replace("plan/phase2-measures/measures.yml", "value: 60}", "value: sixty}")
    repo.commit("Break a figure", "Restated K1's baseline.", "2021-02-01T09:00:00+00:00")
    repo.replace("plan/phase2-measures/measures.yml", "value: sixty}", "value: 61}")
    repo.commit("Mend the figure", "Restated K1's baseline again.", "2021-02-02T09:00:00+00:00")
    outputs = [build(tmp_path)]
    # A commit to prose only: the lives are kept, and what reading them noted must be too.
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-03-01T09:00:00+00:00")
    outputs.append(build(tmp_path))
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert "could not be read" in result.stderr
        assert "plan/phase2-measures/measures.yml" in result.stderr.split("could not be read", 1)[1]
    assert [r.stderr.split("could not be read", 1)[1].split("INFO")[0] for r in outputs] == [
        outputs[0].stderr.split("could not be read", 1)[1].split("INFO")[0]
    ] * 2


def conversions(result: subprocess.CompletedProcess[str], what: str = "converted") -> tuple[int, int]:
    """(done, reused): how many pages' Markdown a verbose build converted (or its search index read), and reused."""
    said = {"converted": "converted", "indexed": "search index read"}[what]
    found = re.search(rf"{said} (\d+) pages(?:' Markdown)?, reused (\d+) from earlier builds", result.stderr)
    assert found is not None, result.stderr
    return int(found[1]), int(found[2])


def kept_conversions(root: Path) -> dict[str, tuple[str, bytes]]:
    """The pages' conversions the cache keeps (techplan.site.converted): the pack each was written to, and it."""
    return packed(root, "converted-page")


def test_kept_conversions_still_check_every_link_and_anchor(tmp_path: Path) -> None:
    """Markdown converted in an earlier build is reused; MkDocs's link checks hold on every build all the same."""
    repo = GitRepo(tmp_path)
    links = "The [figures](data/figures.csv) and [the steps](phase1-vision/index.md#milestones)."
    home = MINI_PLAN["plan/index.md"] + f"\n        {links}\n"
    write_site(tmp_path, {**MINI_PLAN, "plan/index.md": home, "plan/data/figures.csv": "year,value\n2021,1\n"})
    first = build(tmp_path, "--verbose")
    assert first.returncode == 0, first.stderr
    converted, reused = conversions(first)
    assert converted >= 6 and reused == 0  # the plan's pages, What's changed, the record pages...
    cold = site_files(tmp_path)
    assert conversions(first, "indexed") == (converted, 0)
    second = build(tmp_path, "--verbose")
    assert conversions(second) == (0, converted)
    assert conversions(second, "indexed") == (0, converted)  # the search index is as the first build made it
    assert site_files(tmp_path) == cold
    assert len(kept_conversions(tmp_path)) == converted
    # The file the home page links to is deleted: the unchanged page is converted again, so the link is checked.
    repo.git("rm", "--quiet", "plan/data/figures.csv")
    repo.commit("Drop the figures", "Took down the figures.", "2021-02-01T09:00:00+00:00")
    deleted = build(tmp_path, "--verbose")
    gone = (
        "Doc file 'index.md' contains a link 'data/figures.csv', but the target is not found among documentation files."
    )
    assert deleted.returncode != 0 and gone in deleted.stderr
    # Built again, nothing is converted, and the warning the kept conversion made is given again: strict still fails.
    again = build(tmp_path, "--verbose")
    assert conversions(again) == (0, converted)
    assert again.returncode != 0 and gone in again.stderr
    # MkDocs checks anchors only when not verbose. The heading the home page links to is renamed:
    # the home page's conversion is reused (not written again), and the link is still reported.
    repo.replace("plan/index.md", "The [figures](data/figures.csv) and", "See")
    repo.commit("Mend the link", "Linked the vision.", "2021-03-01T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    kept = kept_conversions(tmp_path)
    # One conversion a page, and those of earlier builds only until they are a quarter (techplan.packs).
    assert converted <= len(kept) and 3 * len(kept) <= 4 * converted
    home = [key for key, (_, data) in kept.items() if b"phase1-vision/#milestones" in data and b"figures" not in data]
    [home_entry] = home  # the home page as it now reads (its earlier conversions name the figures)
    repo.replace("plan/phase1-vision/index.md", "## Milestones", "## Steps")
    repo.commit("Rename a heading", "Renamed the vision's milestones.", "2021-04-01T09:00:00+00:00")
    renamed = build(tmp_path)
    missing = (
        "Doc file 'index.md' contains a link 'phase1-vision/index.md#milestones', "
        "but the doc 'phase1-vision/index.md' does not contain an anchor '#milestones'."
    )
    assert renamed.returncode != 0 and missing in renamed.stderr
    assert kept_conversions(tmp_path)[home_entry] == kept[home_entry]
    repo.replace("plan/phase1-vision/index.md", "## Steps", "## Milestones")
    assert build(tmp_path).returncode == 0
    assert_as_cold(tmp_path)


def test_what_the_cache_keeps_reads_back_as_it_was_written(tmp_path: Path) -> None:
    """Commits, changes, data changes and the other records written by the thousand are rebuilt from their fields."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    repo.replace("plan/phase1-vision/milestones.yml", "due: 2021-06-30", "due: 2021-09-30")
    repo.commit("Move M1.2", "Moved M1.2 to September.", "2021-02-01T09:00:00+00:00")
    repo.git("tag", "-a", "v2", "-m", "Second revision", date="2021-02-02T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    rebuilt: set[type] = set()
    # DiskCache's pickles: not the pages and archive files kept as written, nor Jinja's compiled templates.
    entries: list[tuple[str, bytes]] = []
    for folder in sorted((tmp_path / ".cache/techplan").glob(f"{FORMAT}-*/*")):
        if folder.name in ("page-output", "archive-files"):
            continue
        if folder.name in PACKED:
            entries += [(f"{folder.name}/{key}", data) for key, (_, data) in sorted(read_packs(str(folder)).items())]
        else:
            entries += [(f"{folder.name}/{path.name}", path.read_bytes()) for path in sorted(folder.iterdir())]
    assert any(name.startswith("dues/") for name, _ in entries)
    for entry, data in entries:
        value = pickle.loads(data)
        assert pickle.loads(pickle.dumps(value)) == value, entry
        stack, seen = [value], set()
        while stack:
            item = stack.pop()
            if id(item) in seen:
                continue
            seen.add(id(item))
            if type(item).__reduce__ is not object.__reduce__ and dataclasses.is_dataclass(item):
                rebuilt.add(type(item))
            if dataclasses.is_dataclass(item) and not isinstance(item, type):
                stack += [getattr(item, field.name) for field in dataclasses.fields(item)]
            elif isinstance(item, dict):
                stack += [*item.keys(), *item.values()]
            elif isinstance(item, (list, tuple, set, frozenset)):
                stack += list(item)
    names = {cls.__name__ for cls in rebuilt}
    assert {"Commit", "FileChange", "DataChange", "Version", "LifeEvent", "Point", "Reforecast"} <= names
    assert {"YamlNode", "Entry", "Block", "Milestone", "Location", "Token", "RecordLife"} <= names


def test_only_a_class_its_fields_rebuild_is_pickled_by_them() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            assert self.value >= 0

    @dataclasses.dataclass(frozen=True)
    class Derived:
        value: int
        double: int = dataclasses.field(init=False, default=0)

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Named:
        value: int

    for cls in (Checked, Derived, Named):
        with pytest.raises(TypeError, match="cannot be rebuilt from its fields"):
            pickled_by_fields(cls)


def test_a_build_that_ends_with_its_process_lets_go_of_what_it_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mkdocs serve` keeps them for its next build; a build whose process ends with it need not hold them."""
    monkeypatch.setattr(techplan_cache, "_MEMORY", {})
    monkeypatch.setattr(techplan_cache, "_ONCE", set())
    cache = DiskCache(tmp_path / "cache")
    techplan_cache.read_once_a_build("parsed")
    history, scans = ["a parsed log"], ["each page's scan"]
    cache.put("parsed", "HEAD", history)
    cache.put("scans", "all", scans)
    assert cache.get("parsed", "HEAD") is history  # in memory: the next build of a long-lived process skips the disk
    techplan_cache.forget_read_once()
    again = cache.get("parsed", "HEAD")
    assert again == history and again is not history  # read back from the disk
    assert cache.get("scans", "all") is scans  # a kind read more than once stays


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["in one process, as serve builds", "forking"])
def test_builds_in_one_process_each_show_every_pages_history_and_sections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """A build lets each page's history, date line and section lines go once used; the next build shows them again.

    `mkdocs serve` builds again in the same process, from what the last build read.
    """
    root = tmp_path / "repository"  # the sites outside it: not an uncommitted edit
    root.mkdir()
    repo = GitRepo(root)
    write_site(root)
    repo.git("tag", "-a", "v1", "-m", "First revision", date="2021-01-05T09:00:00+00:00")
    repo.replace("plan/phase1-vision/index.md", "\n## ", "\nA new paragraph.\n\n## ")
    repo.commit("Add a paragraph", "The vision says more.", "2021-02-01T09:00:00+00:00")
    monkeypatch.setenv("TECHPLAN_JOBS", jobs)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setattr(techplan_cache, "_MEMORY", {})
    for name in ("first", "second"):
        mkdocs_build(load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / name)))
    assert site_differences(tmp_path / "first", tmp_path / "second") == []
    vision = page_at(tmp_path / "second", "phase1-vision/")
    updates = vision.find(id=UPDATES_ID)
    assert updates is not None and "The vision says more." in text_of(updates.find_parent())
    assert vision.select(".tp-page-meta") and vision.select(".tp-provenance")
    assert "The vision says more." in text_of(page_at(tmp_path / "second", "whats-changed/"))
    assert json.loads((tmp_path / "second/provenance.json").read_text())["pages"]


def page_at(site: Path, url: str) -> BeautifulSoup:
    """A page of a site built to a folder of its own."""
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_an_entry_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """Pickled into its file as it is made: a value that cannot be pickled leaves nothing behind, not half a file."""
    cache = DiskCache(tmp_path / "cache")
    large = {f"page-{n}.md": "x" * n for n in range(3000)}  # several of pickle's frames
    cache.write("published", "HEAD", large)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        cache.write("published", "other", {**large, "renderer": lambda: None})
    assert cache.folder is not None
    assert [p.name for p in (cache.folder / "published").iterdir()] == [techplan_cache._name("HEAD")]
    assert DiskCache(tmp_path / "cache").get("published", "HEAD") == large
