"""Real builds of a small plan: the HTML a reader gets on each kind of page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plansite import build, edit, page, text_of, write_site

from techplan.site import timeline


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mini")
    write_site(root)
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return root


def rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The body rows of a table as lists of cell texts."""
    return [[text_of(cell) for cell in row.find_all(["th", "td"])] for row in table.tbody.find_all("tr")]


def test_phase_page_shows_its_milestones_as_a_table(site: Path) -> None:
    html = page(site, "phase1-vision/")
    table = html.select_one(".tp-milestones table")
    assert text_of(table.caption) == "Phase 1: Vision: 2 milestones"
    headers = [text_of(th) for th in table.thead.find_all("th")]
    assert headers == ["Id", "Milestone", "Status", "Owner", "Due", "Depends on"]
    first, second = rows(table)
    assert first == [
        "M1.1",
        "Publish the vision The vision, published for consultation.",
        "Status: Done",
        "NHSX",
        "30 September 2020",
        "None",
    ]
    assert second[0] == "M1.2"
    assert second[2:5] == ["Status: In progress", "Plan team", "30 June 2021"]
    assert second[5] == "M1.1: Publish the vision Status: Done"


def test_every_milestone_has_a_stable_anchor_that_links_to_its_own_page(site: Path) -> None:
    html = page(site, "phase1-vision/")
    row = html.find(id="M1.2")
    assert row.name == "tr"
    assert row.find("a", class_="tp-anchor")["href"] == "../milestones/M1.2/"
    assert page(site, "milestones/M1.2/").select_one("h1").get_text(strip=True).startswith("M1.2: Agree the values")
    assert page(site, "phase2-measures/").find(id="M2.1").name == "tr"


def test_status_is_written_in_words_not_only_colour(site: Path) -> None:
    badge = page(site, "phase2-measures/").find(id="M2.1").find(class_="tp-status")
    assert "tp-status--delayed" in badge["class"]
    assert text_of(badge) == "Status: Delayed"
    assert text_of(badge.find(class_="tp-visually-hidden")) == "Status:"


def test_dependencies_link_to_milestones_on_other_pages(site: Path) -> None:
    row = page(site, "phase2-measures/").find(id="M2.1")
    link = row.select_one(".tp-deps a")
    assert link["href"] == "../milestones/M1.1/"  # the milestone's own page
    assert text_of(link) == "M1.1: Publish the vision"


def test_summary_markdown_is_rendered_with_references(site: Path) -> None:
    cell = page(site, "phase1-vision/").find(id="M1.2").find_all("td")[0]
    assert cell.find("em").get_text() == "staff"
    reference = cell.find("a", class_="tp-ref")
    assert reference["href"] == "#M1.1"
    assert text_of(reference.parent) == (
        "Values agreed with staff and patients, after M1.1: Publish the vision Status: Done ."
    )


def test_references_in_prose_link_with_status(site: Path) -> None:
    html = page(site, "phase1-vision/")
    first, second = html.select("article p a.tp-ref")[:2]
    assert first["href"] == "#M1.1"
    assert text_of(first) == "M1.1: Publish the vision"
    assert text_of(first.find_next_sibling(class_="tp-status")) == "Status: Done"
    assert text_of(second) == "the second step"
    assert text_of(second.find_next_sibling(class_="tp-status")) == "Status: In progress"


def test_measure_reference_shows_latest_value(site: Path) -> None:
    paragraph = page(site, "phase2-measures/").select_one("article p:has(a.tp-ref)")
    assert paragraph.a["href"] == "#K1"
    assert text_of(paragraph) == (
        "See K1: Trusts with an electronic patient record (latest: 80% in March 2022; target 100%) ."
    )


def test_phase_page_without_blocks_gets_measures_then_milestones(site: Path) -> None:
    html = page(site, "phase2-measures/")
    headings = [text_of(h) for h in html.select("article h2")]
    assert headings == ["Measures ¶", "Milestones ¶", "Updates to this page ¶"]
    assert html.find(id="K1") is not None and html.find(id="M2.1") is not None


def test_measure_shows_baseline_target_latest_and_progress(site: Path) -> None:
    measure = page(site, "phase2-measures/").find(id="K1")
    figures = {text_of(div.dt): text_of(div.dd) for div in measure.select(".tp-figures > div")}
    # Latest is the most recent actual even though the file lists it first; progress is
    # (80 - 60) / (100 - 60) = 50%, and a straight line from 60 to 100 over four years
    # reaches 80 on the same day the actual was 80, so the measure is on track.
    assert figures == {
        "Baseline": "60% in March 2020",
        "Target": "100% by March 2024",
        "Latest": "80% in March 2022",
        "Progress": "50% of the way from baseline to target On track",
    }
    assert measure.select_one(".tp-bar span")["style"] == "width: 50.0%"


def test_measure_trend_is_an_svg_with_a_table_of_the_numbers(site: Path) -> None:
    measure = page(site, "phase2-measures/").find(id="K1")
    svg = measure.find("svg")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert text_of(svg.find(id=title_id)) == "K1 trend: Trusts with an electronic patient record"
    assert text_of(svg.find(id=desc_id)) == (
        "Baseline 60% in March 2020, then 65% in March 2021, then 80% in March 2022. "
        "Target 100% by March 2024, shown as a dashed line from the baseline."
    )
    assert [t.get_text() for t in svg.select("text.tp-axis") if "%" in t.get_text()] == [
        "60%",
        "70%",
        "80%",
        "90%",
        "100%",
    ]
    table = measure.find("table")
    assert text_of(table.caption) == "K1 figures"
    assert rows(table) == [
        ["31 March 2020", "60%", "Baseline"],
        ["31 March 2021", "65%", "Actual"],
        ["31 March 2022", "80%", "Actual"],
        ["31 March 2024", "100%", "Target"],
    ]


def test_roadmap_has_svg_timeline_and_the_same_data_as_a_table(site: Path) -> None:
    html = page(site, "roadmap/")
    svg = html.select_one(".tp-timeline svg")
    assert svg["role"] == "img"
    assert text_of(svg.find("title")) == "Timeline of 3 milestones due from 2020 to 2021"
    assert "status is shown by the shape" in text_of(svg.find("desc"))
    labels = [text_of(t) for t in svg.select("text.tp-row-label")]
    assert labels == ["M1.1 Publish the vision", "M1.2 Agree the values", "M2.1 Agree the measures"]
    assert [text_of(t) for t in svg.select("text.tp-band")] == ["Phase 1: Vision", "Phase 2: Measures"]
    assert len(svg.select(".tp-legend .tp-mark")) == 6
    table = html.select_one(".tp-roadmap table")
    assert [r[:4] for r in rows(table)] == [
        ["30 September 2020", "M1.1: Publish the vision", "Phase 1: Vision", "Status: Done"],
        ["31 March 2021 (overdue)", "M2.1: Agree the measures", "Phase 2: Measures", "Status: Delayed"],
        ["30 June 2021", "M1.2: Agree the values", "Phase 1: Vision", "Status: In progress"],
    ]
    assert table.select("tbody a")[0]["href"] == "../milestones/M1.1/"


def test_roadmap_markers_sit_at_due_dates(site: Path) -> None:
    svg = page(site, "roadmap/").select_one(".tp-timeline svg")
    marks = svg.select("g.tp-mark:not(.tp-legend g)")
    positions = {}
    for mark in marks:
        if mark.find_parent(class_="tp-legend"):
            continue
        x = float(re.match(r"translate\(([0-9.]+) ", mark["transform"]).group(1))
        positions[mark["class"][1]] = x
    # The axis runs from 1 January 2020 to 1 January 2022 (731 days) between the label column
    # and the right margin; 30 September 2020 is day 273, 31 March 2021 day 455, 30 June 2021 day 546.
    left, right = timeline.LABEL_WIDTH + 10, timeline.WIDTH - 20
    assert positions["tp-mark--done"] == round(left + (right - left) * 273 / 731, 1)
    assert positions["tp-mark--delayed"] == round(left + (right - left) * 455 / 731, 1)
    assert positions["tp-mark--in-progress"] == round(left + (right - left) * 546 / 731, 1)


def test_home_page_shows_phases_and_what_is_coming_due(site: Path) -> None:
    html = page(site, "")
    phases = rows(html.select_one(".tp-phases table"))
    assert phases[0] == [
        "Phase 1: Vision Why the plan exists.",
        "Published",
        "Open until 31 May 2021 . Give feedback on vision",
        "1 in progress 1 done",
    ]
    assert phases[1] == ["Phase 2: Measures How success is measured.", "Draft", "No consultation planned", "1 delayed"]
    # Filled in with the phase's page: tests/test_feedback.py reads the subject and body.
    assert html.select_one(".tp-phases a[href^=mailto]")["href"].startswith("mailto:plan-feedback@example.org?subject=")
    coming = html.select_one(".tp-coming-due")
    assert text_of(coming.p) == "As at 15 April 2021 ."
    upcoming, overdue = coming.find_all("table")
    assert text_of(upcoming.caption) == "Milestones due in the next six months"
    assert rows(upcoming) == [["30 June 2021", "M1.2: Agree the values", "Status: In progress", "Plan team"]]
    assert text_of(overdue.caption) == "Overdue: past their due date and not yet done"
    assert rows(overdue) == [["31 March 2021", "M2.1: Agree the measures", "Status: Delayed", "Plan team"]]


def test_schemas_are_published_and_raw_yaml_is_not(site: Path) -> None:
    assert (site / "site/schemas/milestones.schema.json").is_file()
    assert (site / "site/schemas/measures.schema.json").is_file()
    assert (site / "site/schemas/phase.schema.json").is_file()
    assert not list((site / "site").rglob("*.yml"))


def test_edit_this_page_links_to_the_source_file(site: Path) -> None:
    edit_link = page(site, "phase1-vision/").select_one("a.md-content__button[href*='edit']")
    assert edit_link["href"] == "https://git.example.org/team/plan/edit/main/plan/phase1-vision/index.md"


def test_text_from_yaml_is_escaped(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(
        tmp_path,
        "plan/phase1-vision/milestones.yml",
        "title: Publish the vision",
        'title: "Publish <script>alert(1)</script> & *more*"',
    )
    edit(tmp_path, "plan/phase1-vision/milestones.yml", "owner: NHSX", 'owner: "<img src=x onerror=alert(2)>"')
    edit(tmp_path, "plan/phase2-measures/measures.yml", "source: Digital maturity assessment", 'source: "<b>bold</b>"')
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    for url in ("", "roadmap/", "phase1-vision/", "phase2-measures/"):
        raw = (tmp_path / "site" / url / "index.html").read_text(encoding="utf-8")
        assert "<script>alert(1)" not in raw
        assert "<img src=x" not in raw
        assert "<b>bold</b>" not in raw
    html = page(tmp_path, "phase1-vision/")
    assert text_of(html.find(id="M1.1").find("strong")) == "Publish <script>alert(1)</script> & *more*"
    reference = html.select_one("article p a.tp-ref")
    assert text_of(reference) == "M1.1: Publish <script>alert(1)</script> & *more*"
    assert text_of(page(tmp_path, "phase2-measures/").select_one(".tp-source")) == "Source: <b>bold</b>"


def test_references_in_code_are_left_as_written(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(
        tmp_path,
        "plan/phase1-vision/index.md",
        "## Milestones",
        "Write `[[M1.1]]` to refer to a milestone.\n\n```\n[[M9.9]]\n```\n\n## Milestones",
    )
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    codes = [code.get_text() for code in page(tmp_path, "phase1-vision/").select("article code")]
    assert "[[M1.1]]" in codes
    assert "[[M9.9]]\n" in codes
