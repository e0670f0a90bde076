"""The demo's site: four years of history built into revisions, redlines, slippage and feeds."""

from __future__ import annotations

import json

import feedparser
import pytest
from demorepo import Demo
from plansite import page, techplan, text_of


@pytest.fixture
def demo_site(demo_built: Demo):  # type: ignore[no-untyped-def]
    """The demo replayed and built once for the whole run (conftest.py): its folder and what replay said."""
    return demo_built.root, demo_built.summary


@pytest.mark.slow
def test_every_tag_is_a_revision_with_its_redline(demo_site) -> None:  # type: ignore[no-untyped-def]
    root, summary = demo_site
    names = [li["id"].removeprefix("revision-") for li in page(root, "revisions/").select(".tp-revision-list > li")]
    assert names == list(reversed(summary.tags))
    for name in summary.tags[1:]:
        redline = page(root, f"revisions/{name}/changes/")
        assert redline.select(".tp-data-changes li") or redline.select(".tp-redline"), name
    index = json.loads((root / "site/revisions/index.json").read_text())
    assert [r["name"] for r in index["revisions"]] == list(summary.tags)
    # Each distinct page version is one file, however many revisions show it.
    files = [p for p in (root / "site/revisions").rglob("*.html") if "/pages/" in p.as_posix()]
    assert len(files) == len(index["versions"]) < len(index["pages"]) * len(summary.tags)


@pytest.mark.slow
def test_slippage_lists_every_reforecast_the_story_made(demo_site) -> None:  # type: ignore[no-untyped-def]
    root, summary = demo_site
    table = page(root, "roadmap/").find(id="due-date-changes").find_next("table")
    moved = {text_of(row.th).split(":")[0] for row in table.tbody.find_all("tr")}
    assert moved == {milestone for milestone, _ in summary.reforecasts}
    for milestone, dues in summary.reforecasts:
        row = next(r for r in table.tbody.find_all("tr") if text_of(r.th).startswith(milestone + ":"))
        assert len(row.select(".tp-slip__moves li")) == len(dues) - 1, milestone


@pytest.mark.slow
def test_feeds_and_changes_json_hold_the_whole_history(demo_site) -> None:  # type: ignore[no-untyped-def]
    root, summary = demo_site
    feed = feedparser.parse((root / "site/feed.xml").read_bytes())
    assert not feed.bozo
    assert len(feed.entries) == 50  # the newest fifty
    data = json.loads((root / "site/changes.json").read_text())
    assert data["commit"] == summary.head


@pytest.mark.slow
def test_diff_warns_about_due_dates_moved_without_a_note(demo_site) -> None:  # type: ignore[no-untyped-def]
    root, summary = demo_site
    result = techplan(root, "diff", summary.tags[0], summary.tags[-1], "--format", "json")
    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    quiet = [w for w in warnings if "without a change note" in w]
    assert {w.split()[0] for w in quiet} == {"M2.5", "M4.3"}
