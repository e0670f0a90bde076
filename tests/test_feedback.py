"""Where "Give feedback" links go, read from the built HTML: the page and section they are about, filled in.

The mini plan's phase 1 is open for consultation on the build's "today" (15 April 2021), so its
page has a consultation box and a feedback link under each section, and the home page's phases
table links to feedback on it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from plansite import MINI_PLAN, build, page, text_of, write_site

TRACKER = "https://issues.example.org/plan/new?title={title}&body={url}"
"""A feedback address with placeholders, as an issue tracker's "new issue" form takes them."""

PHASE_PAGE = "https://plan.example.org/phase1-vision/"
"""Phase 1's page as readers see it: the test site's site_url and the page's URL."""

SECTIONS = """\
# Phase 1: Vision

We start with [[M1.1]] and then [[M1.2|the second step]].

## Data & *analytics*

Text from a heading with markup and an ampersand in it.

## Milestones

[[milestones]]
"""


def _build(root: Path, feedback: str | None) -> Path:
    """The mini plan with phase 1's page in two sections, feedback going where told (or to the site's mailto)."""
    phase = MINI_PLAN["plan/phase1-vision/phase.yml"]
    if feedback is not None:
        phase += f'  feedback: "{feedback}"\n'
    write_site(root, {**MINI_PLAN, "plan/phase1-vision/phase.yml": phase, "plan/phase1-vision/index.md": SECTIONS})
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


def _decoded(href: str) -> tuple[str, str, dict[str, str]]:
    """A link's scheme, address and query parameters, percent-decoded: what a mail client or form reads."""
    parts = urlsplit(href)
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in query.values()), href
    return parts.scheme, parts.netloc + parts.path, {key: values[0] for key, values in query.items()}


@pytest.fixture(scope="module")
def tracker_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("feedback-tracker"), TRACKER)


@pytest.fixture(scope="module")
def mailto_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("feedback-mailto"), None)


def test_home_page_phases_table_fills_in_the_feedback_address(tracker_site: Path) -> None:
    links = page(tracker_site, "").select(".tp-phases a[href^='https://issues.example.org/']")
    assert [text_of(a) for a in links] == ["Give feedback on vision"]
    href = links[0]["href"]
    assert "{" not in href and "}" not in href
    assert _decoded(href) == (
        "https",
        "issues.example.org/plan/new",
        {"title": "Phase 1: Vision", "body": PHASE_PAGE},
    )


def test_home_page_phases_table_gives_a_mailto_link_a_subject_and_the_page(mailto_site: Path) -> None:
    links = page(mailto_site, "").select(".tp-phases a[href^='mailto:']")
    assert [text_of(a) for a in links] == ["Give feedback on vision"]
    assert _decoded(links[0]["href"]) == (
        "mailto",
        "plan-feedback@example.org",
        {"subject": "Feedback on Phase 1: Vision", "body": f"Page: {PHASE_PAGE}"},
    )


def test_section_feedback_names_each_section_as_its_heading_reads(tracker_site: Path) -> None:
    html = page(tracker_site, "phase1-vision/")
    headings = [text_of(h2) for h2 in html.select("article h2")]
    assert headings[:2] == ["Data & analytics ¶", "Milestones ¶"]  # the permalink sign is there to be left out
    links = html.select(".tp-section-feedback a")
    assert [text_of(a) for a in links] == [
        "Give feedback on this section : Data & analytics",
        "Give feedback on this section : Milestones",
    ]
    assert [_decoded(a["href"]) for a in links] == [
        ("https", "issues.example.org/plan/new", {"title": f"Phase 1: Vision: {section}", "body": PHASE_PAGE})
        for section in ("Data & analytics", "Milestones")
    ]
    raw = (tracker_site / "site" / "phase1-vision" / "index.html").read_text(encoding="utf-8")
    section_markup = "".join(str(p) for p in html.select(".tp-section-feedback"))
    assert "para" not in section_markup and "¶" not in section_markup and "&amp;amp;" not in raw
    # The page's own consultation box names the page.
    box = html.select_one(".tp-consultation a.tp-feedback")
    assert _decoded(box["href"])[2] == {"title": "Phase 1: Vision", "body": PHASE_PAGE}


def test_section_feedback_by_email_has_the_section_in_its_subject(mailto_site: Path) -> None:
    links = page(mailto_site, "phase1-vision/").select(".tp-section-feedback a")
    assert [_decoded(a["href"]) for a in links] == [
        (
            "mailto",
            "plan-feedback@example.org",
            {"subject": f"Feedback on Phase 1: Vision: {s}", "body": f"Page: {PHASE_PAGE}"},
        )
        for s in ("Data & analytics", "Milestones")
    ]
    # A phase with no consultation asks for none.
    assert not page(mailto_site, "phase2-measures/").select(".tp-section-feedback, .tp-consultation")
