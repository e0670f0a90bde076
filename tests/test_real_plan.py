"""This repository's own plan: it checks clean, builds strict, and asks nothing of other hosts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from plansite import REPO, other_host_requests, page, text_of

from techplan.plan.load import load_plan
from techplan.site.config import load_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"), "-d", str(out / "site")],
        capture_output=True,
        text=True,
        # CI may check out a shallow clone; this test is about the content, so accept one.
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "TECHPLAN_HISTORY": "partial"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return out


def test_plan_has_the_content_the_site_promises() -> None:
    site = load_site(REPO / "mkdocs.yml")
    config, problems = site.settings, site.problems
    plan, plan_problems = load_plan(config)
    assert problems == plan_problems == []
    assert [p.folder for p in plan.phases] == [
        "phase1-vision",
        "phase2-roadmap",
        "phase3-enablers",
        "phase4-delivery",
        "phase5-measures",
    ]
    assert len(plan.milestones) >= 20
    assert len(plan.measures) >= 6
    assert all(m.actuals for m in plan.measures)
    assert {m.due.year for m in plan.milestones} <= {2020, 2021, 2022, 2023, 2024}
    assert all(p.consultation for p in plan.phases)
    for phase in plan.phases:
        pages = [p for p in plan.pages if p.startswith(phase.folder + "/")]
        assert len(pages) >= 3, phase.folder


def test_home_page_says_the_content_is_illustrative(site: Path) -> None:
    text = text_of(page(site, "").article)
    assert "This is illustrative content based on the public announcement of the NHSX Tech Plan" in text
    assert len(page(site, "").select(".tp-phases tbody tr")) == 5


def test_every_phase_page_shows_its_milestones(site: Path) -> None:
    config = load_site(REPO / "mkdocs.yml").settings
    plan, _ = load_plan(config)
    for phase in plan.phases:
        html = page(site, phase.folder + "/")
        ids = [row["id"] for row in html.select(".tp-milestones tbody tr")]
        assert ids == [m.id for m in plan.milestones_of(phase.number)]
    roadmap = page(site, "roadmap/")
    assert len(roadmap.select(".tp-roadmap table tbody tr")) == len(plan.milestones)
    assert len(roadmap.select(".tp-timeline svg text.tp-row-label")) == len(plan.milestones)
    measures = page(site, "phase5-measures/").select(".tp-measure")
    assert [m["id"] for m in measures] == sorted((m.id for m in plan.measures), key=lambda i: int(i[1:]))


def test_no_reference_is_left_unrendered(site: Path) -> None:
    for path in (site / "site").rglob("*.html"):
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if html.article is None:
            continue
        for code in html.article.find_all(["code", "pre"]):
            code.decompose()
        assert "[[" not in html.article.get_text(), path


def test_pages_ask_no_other_host_for_anything(site: Path) -> None:
    requests, checked = other_host_requests(site / "site", "techplan.example.org")
    assert requests == []
    assert checked > 100


def test_no_email_address_but_team_mailboxes(site: Path) -> None:
    addresses = set()
    for path in (site / "site").rglob("*.html"):
        addresses |= set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.-]+", path.read_text(encoding="utf-8")))
    assert addresses <= {"techplan-feedback@example.org"}
