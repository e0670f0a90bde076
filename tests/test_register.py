"""Each milestone's and measure's own page, the register, and ids never reused: checked against plain git."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from demorepo import Demo
from gitrepo import GitRepo
from plansite import MINI_PLAN, build, page, techplan, text_of, write_site

MILESTONE_FIELDS = ("title", "due", "status", "owner", "depends_on", "summary")
MEASURE_FIELDS = ("title", "unit", "baseline", "target", "actuals")


def _versions(git: object, prefix: str = "plan/") -> list[tuple[str, dict[str, dict[str, object]]]]:
    """Every first-parent commit, oldest first, with every record it holds as plain YAML reads it.

    Worked out from `git rev-list` and `git show`, without the engine: the ids each data file holds,
    with the fields a record's page reports changes to.
    """
    run = git  # a callable running git and returning its output
    shas = run("rev-list", "--first-parent", "--reverse", "HEAD").split()  # type: ignore[operator]
    out = []
    for sha in shas:
        names = run("ls-tree", "-r", "--name-only", sha, "--", prefix).split("\n")  # type: ignore[operator]
        records: dict[str, dict[str, object]] = {}
        for name in names:
            kind = name.rsplit("/", 1)[-1]
            if not re.fullmatch(r"plan/phase[0-9]+-[a-z0-9-]+/(milestones|measures)\.yml", name):
                continue
            data = yaml.safe_load(run("show", f"{sha}:{name}")) or {}  # type: ignore[operator]
            key = "milestones" if kind == "milestones.yml" else "measures"
            for record in data.get(key) or []:
                fields = MILESTONE_FIELDS if key == "milestones" else MEASURE_FIELDS
                values: dict[str, object] = {f: record.get(f) for f in fields}
                if "summary" in values:
                    values["summary"] = " ".join(str(values["summary"] or "").split())
                if "depends_on" in values:
                    values["depends_on"] = sorted(values["depends_on"] or [])
                if "actuals" in values:
                    values["actuals"] = sorted((str(a["date"]), a["value"]) for a in values["actuals"] or [])
                records.setdefault(record["id"], values)
        out.append((sha, records))
    return out


def _changes_by_id(versions: list[tuple[str, dict[str, dict[str, object]]]]) -> dict[str, list[str]]:
    """The commits, newest first, at which each record appeared, disappeared or changed a reported field."""
    changed: dict[str, list[str]] = {}
    before: dict[str, dict[str, object]] = {}
    for sha, after in versions:
        for record_id in before.keys() | after.keys():
            if before.get(record_id) != after.get(record_id):
                changed.setdefault(record_id, []).insert(0, sha)
        before = after
    return changed


def _listed_changes(root: Path, record_id: str) -> list[str]:
    """The change items a record's page lists, by the 12 characters of their commits."""
    folder = "milestones" if record_id.startswith("M") else "measures"
    html = page(root, f"{folder}/{record_id}/")
    return [li["id"].removeprefix("change-") for li in html.select("ol.tp-life > li")]


def test_every_record_page_lists_exactly_the_changes_git_shows(demo_built: Demo) -> None:
    versions = _versions(demo_built.git)
    expected = _changes_by_id(versions)
    assert len(expected) >= 30
    for record_id, shas in expected.items():
        assert _listed_changes(demo_built.root, record_id) == [sha[:12] for sha in shas], record_id


def _note_of(demo: Demo, sha: str) -> bool:
    """Whether a first-parent commit was published with a change note: its own or one it merged."""
    parents = demo.git("rev-list", "--parents", "-n", "1", sha).split()[1:]
    span = [f"{parents[0]}..{sha}"] if parents else [sha]
    notes = demo.git("log", "--format=%(trailers:key=Change-note,valueonly)", *span, "--", "plan/")
    return bool(notes.strip())


def test_register_counts_match_an_independent_count(demo_built: Demo) -> None:
    versions = _versions(demo_built.git)
    milestones = {i for _, records in versions for i in records if i.startswith("M")}
    last: dict[str, dict[str, object]] = {}
    moved: dict[str, list[str]] = {}
    before: dict[str, dict[str, object]] = {}
    for sha, after in versions:
        for record_id in milestones:
            if record_id in before and record_id in after and before[record_id]["due"] != after[record_id]["due"]:
                moved.setdefault(record_id, []).append(sha)
        last.update({i: r for i, r in after.items() if i.startswith("M")})
        before = after
    now = versions[-1][1]
    deleted = {i for i in milestones if i not in now}
    without_note = {i for i, shas in moved.items() if any(not _note_of(demo_built, sha) for sha in shas)}
    delivered = {i for i in milestones if last[i]["status"] == "done" and i not in moved}
    dropped = {i for i in milestones if last[i]["status"] == "dropped"}

    data = json.loads((demo_built.root / "site/data/register.json").read_text(encoding="utf-8"))
    assert data["counts"] == {
        "milestones": len(milestones),
        "delivered_on_first_date": len(delivered),
        "moved": len(moved),
        "moved_without_note": len(without_note),
        "dropped": len(dropped),
        "deleted": len(deleted),
    }
    assert moved and without_note  # the demo's story moves dates, some without a note
    html = page(demo_built.root, "register/")
    said = text_of(html.select_one(".tp-register__counts"))
    assert f"{len(delivered)} of {len(milestones)} milestones delivered on their first date" in said
    assert f"{len(moved)} moved; {len(without_note)} moved without a change note" in said
    rows = html.select(".tp-register__table tbody tr")
    assert [row.th.a.get_text().split(":")[0] for row in rows] == [r["id"] for r in data["milestones"]]
    assert {row["data-nonote"] for row in rows if row.th.a.get_text().split(":")[0] in without_note} == {"Yes"}
    # The same rows as CSV, listed on the Open data page.
    table = list(csv.DictReader(io.StringIO((demo_built.root / "site/data/register.csv").read_text(), newline="")))
    assert [r["id"] for r in table] == [r["id"] for r in data["milestones"]]
    assert [int(r["moves"]) for r in table] == [len(moved.get(r["id"], [])) for r in table]
    listed = [a["href"] for a in page(demo_built.root, "open-data/").select("article td a")]
    assert "../data/register.csv" in listed and "../data/register.json" in listed


def test_a_record_page_says_what_it_is_now_and_where_it_is_cited(demo_built: Demo) -> None:
    html = page(demo_built.root, "milestones/M2.1/")
    assert text_of(html.select_one("h1")).startswith("M2.1: Every trust has an electronic patient record")
    facts = text_of(html.select_one(".tp-record__facts"))
    assert "Depends on M3.2 (" in facts and "M4.2 (" in facts  # dependencies named with their titles
    cited = [a["href"] for a in html.select("#where-the-plan-cites-it + ul a")]
    assert cited and all(not href.startswith("http") for href in cited)
    for href in cited:
        target = (demo_built.root / "site/milestones/M2.1" / href.split("#")[0]).resolve()
        assert (target / "index.html").is_file(), href
    # Its feed parses and lists the changes the page lists; its due date is an iCalendar event.
    feed = feedparser.parse((demo_built.root / "site/milestones/M2.1/feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link.rsplit("#change-", 1)[1] for e in feed.entries] == _listed_changes(demo_built.root, "M2.1")
    ics = (demo_built.root / "site/milestones/M2.1/due.ics").read_text(encoding="utf-8")
    assert "UID:M2.1@" in ics and ics.count("BEGIN:VEVENT") == 1
    # Ids in data-change lists link to their page, the title shown beside them.
    site = demo_built.root / "site"
    redlines = [str(p.relative_to(site)) for p in sorted(site.glob("revisions/v*/changes/index.html"))]
    links = [a for url in redlines for a in page(demo_built.root, url).select(".tp-record-ref")]
    assert links and all(a.find_next_sibling(class_="tp-record-ref__title") is not None for a in links)


def _deleted_repo(root: Path) -> GitRepo:
    """The mini plan, then M1.2 deleted without being dropped and M2.1 dropped, then deleted."""
    write_site(root)
    repo = GitRepo(root)
    repo.replace("plan/phase2-measures/milestones.yml", "status: delayed", "status: dropped")
    repo.commit("Drop M2.1", "Dropped the measures milestone: folded into phase 5.", "2021-02-01T09:00:00+00:00")
    text = (root / "plan/phase2-measures/milestones.yml").read_text(encoding="utf-8")
    repo.write("plan/phase2-measures/milestones.yml", "milestones: []\n" if "M2.1" in text else text)
    repo.replace("plan/phase1-vision/milestones.yml", "depends_on: [M1.1]\n", "")
    text = (root / "plan/phase1-vision/milestones.yml").read_text(encoding="utf-8")
    repo.write("plan/phase1-vision/milestones.yml", text[: text.index("  - id: M1.2")])
    repo.replace("plan/phase1-vision/index.md", " and then [[M1.2|the second step]]", "")
    repo.commit("Remove M1.2 and M2.1", None, "2021-03-01T09:00:00+00:00")
    return repo


def test_a_deleted_milestone_keeps_its_page_and_its_id_is_never_reused(tmp_path: Path) -> None:
    repo = _deleted_repo(tmp_path)
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    gone = page(tmp_path, "milestones/M1.2/")
    said = text_of(gone.select_one(".tp-record__gone"))
    assert "deleted on 1 March 2021" in said and "no change note was published" in said
    assert "deleted without first being marked dropped" in said
    dropped = text_of(page(tmp_path, "milestones/M2.1/").select_one(".tp-record__gone"))
    assert "had been marked dropped before it was deleted" in dropped
    life = page(tmp_path, "milestones/M2.1/").select("ol.tp-life > li")
    assert [li["id"] for li in life] == [
        f"change-{sha[:12]}" for sha in repo.follow("plan/phase2-measures/milestones.yml")
    ]
    counts = json.loads((tmp_path / "site/data/register.json").read_text())["counts"]
    assert counts["deleted"] == 2 and counts["dropped"] == 1 and counts["milestones"] == 3

    # A new milestone under the deleted id is refused, saying when it was used and what for.
    repo.replace(
        "plan/phase1-vision/milestones.yml",
        "summary: The vision, published for consultation.\n",
        "summary: The vision, published for consultation.\n\n  - id: M1.2\n    title: Something else\n"
        "    owner: NHSX\n    due: 2022-01-31\n    status: planned\n    summary: New.\n",
    )
    checked = techplan(tmp_path, "check")
    assert checked.returncode == 1
    line = next(
        n
        for n, text in enumerate((tmp_path / "plan/phase1-vision/milestones.yml").read_text().splitlines(), 1)
        if "id: M1.2" in text
    )
    assert (
        f"plan/phase1-vision/milestones.yml:{line}: id: M1.2 was the id of the milestone “Agree the values”, "
        "deleted on 1 March 2021"
    ) in checked.stdout
    # Put back as it was, it is a restoration, not a reuse.
    repo.git("checkout", "HEAD~1", "--", "plan/phase1-vision/milestones.yml")
    assert techplan(tmp_path, "check").returncode == 0


def test_without_git_check_says_it_could_not_look_and_passes(tmp_path: Path) -> None:
    write_site(tmp_path, commit=False)
    result = techplan(tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ids were not checked against the plan's history" in result.stdout


HOSTILE_TITLE = '<script>alert(1)</script> & ]]> "q" =SUM(A1)'


def test_hostile_titles_and_notes_are_escaped_and_feeds_and_calendars_parse(tmp_path: Path) -> None:
    write_site(tmp_path)
    repo = GitRepo(tmp_path)
    repo.replace("plan/phase1-vision/milestones.yml", "title: Agree the values", f"title: '{HOSTILE_TITLE}'")
    repo.replace("plan/phase1-vision/milestones.yml", "due: 2021-06-30", "due: 2021-09-30")
    repo.commit("Retitle", "<img src=x onerror=alert(2)> ]]> moved", "2021-02-01T09:00:00+00:00")
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    html = (site / "milestones/M1.2/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    record = page(tmp_path, "milestones/M1.2/")
    assert HOSTILE_TITLE in text_of(record.select_one("h1"))
    assert "<img src=x onerror=alert(2)> ]]> moved" in text_of(record.select_one("ol.tp-life"))
    feed_bytes = (site / "milestones/M1.2/feed.xml").read_bytes()
    ElementTree.fromstring(feed_bytes)
    feed = feedparser.parse(feed_bytes)
    assert not feed.bozo and HOSTILE_TITLE in feed.feed.title
    ics = (site / "milestones/M1.2/due.ics").read_bytes().decode("utf-8")
    assert ics.endswith("\r\n") and all(len(line.encode()) <= 75 for line in ics[:-2].split("\r\n"))
    assert "DTSTART;VALUE=DATE:20210930" in ics
    register = (site / "data/register.csv").read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(register, newline="")) if r["id"] == "M1.2")
    assert row["title"] == HOSTILE_TITLE and row["moves"] == "1"  # starts with <: no quote needed
    assert date.fromisoformat(row["first_due"]) == date(2021, 6, 30)


@pytest.mark.parametrize("history", ["off"])
def test_without_history_every_record_still_has_a_page(tmp_path: Path, history: str) -> None:
    write_site(tmp_path, dict(MINI_PLAN))
    result = build(tmp_path, TECHPLAN_HISTORY=history)
    assert result.returncode == 0, result.stderr
    html = page(tmp_path, "milestones/M1.2/")
    assert "This build reads no history" in text_of(html)
    assert not (tmp_path / "site/milestones/M1.2/feed.xml").exists()
    assert page(tmp_path, "register/").select(".tp-register__table tbody tr")


def test_a_past_version_that_does_not_pass_is_not_read_as_a_deletion(tmp_path: Path) -> None:
    write_site(tmp_path)
    repo = GitRepo(tmp_path)
    first = repo.head()
    repo.replace("plan/phase1-vision/milestones.yml", "due: 2021-06-30", "due: soon")
    repo.replace("plan/phase1-vision/milestones.yml", "title: Agree the values", "title: Agree shared values")
    repo.commit("Break M1.2", None, "2021-02-01T09:00:00+00:00")
    repo.replace("plan/phase1-vision/milestones.yml", "due: soon", "due: 2021-09-30")
    fixed = repo.commit("Mend M1.2", "Moved M1.2 to September.", "2021-02-02T09:00:00+00:00")
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    life = page(tmp_path, "milestones/M1.2/").select("ol.tp-life > li")
    assert [li["id"] for li in life] == [f"change-{fixed[:12]}", f"change-{first[:12]}"]
    said = [text_of(li) for li in life[0].select(".tp-data-changes > li")]
    assert said[0].startswith("M1.2 retitled from “Agree the values” to “Agree shared values”")
    assert said[1].startswith("M1.2 due date moved from 30 June 2021 to 30 September 2021")
    assert "removed" not in text_of(page(tmp_path, "milestones/M1.2/").select_one("ol.tp-life"))


def test_diff_html_links_each_id_to_its_page_with_its_title(tmp_path: Path) -> None:
    write_site(tmp_path)
    repo = GitRepo(tmp_path)
    repo.replace("plan/phase2-measures/milestones.yml", "depends_on: [M1.1]", "depends_on: [M1.1, M1.2]")
    repo.commit("Depend", "Linked the measures to the vision.", "2021-02-01T09:00:00+00:00")
    result = techplan(tmp_path, "diff", "HEAD~1", "HEAD", "--format", "html")
    assert result.returncode == 0, result.stderr
    html = BeautifulSoup(result.stdout, "html.parser")
    [item] = [li for li in html.select("li") if "now depends on" in text_of(li)]
    assert text_of(item) == "M2.1 (Agree the measures) now depends on M1.2 (Agree the values) ."
    assert [a["href"] for a in item.select("a")] == [
        "https://plan.example.org/milestones/M2.1/",
        "https://plan.example.org/milestones/M1.2/",
    ]
