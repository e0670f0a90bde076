"""Hostile text through real builds: nothing written into the plan, a commit or a tag reaches a page, feed,
calendar, CSV or JSON file live, and every file stays valid.

One site is built from a real repository whose history holds what the check refuses: revision v1's
data has scripts, `javascript:` links in many spellings and control characters in its Markdown, and
commit and tag messages carry the same (they never pass the check). Today's plan holds what the check
accepts but a careless output would still get wrong: markup and formulas in titles, bidirectional
overrides, emoji, long text, negative, large and small numbers. The tests read every file a reader
can download the way their readers do: HTML with BeautifulSoup, feeds with feedparser and a strict
XML parser, the calendar line by line, CSV with the csv module, JSON with a strict loader.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import tempfile
import textwrap
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from unittest.mock import patch

import feedparser
import pytest
from bs4 import BeautifulSoup, Comment
from gitrepo import HERMETIC, GitRepo
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from plansite import MINI_PLAN, build, page, techplan, text_of, write_site

from techplan.cache import DiskCache
from techplan.plan.characters import UNPUBLISHABLE
from techplan.plan.load import load_plan
from techplan.plan.markup import SLOW_MARKUP, TOO_DEEP, URL_ATTRIBUTES, runs_script
from techplan.site.archive import UNCONVERTED
from techplan.site.config import load_site
from techplan.site.opendata import downloads
from techplan.site.render import Renderer, standalone_environment
from techplan.site.safehtml import field_markdown
from techplan.site.views import FEED, SiteInfo, publish_history

MARK = "tp1337"
"""In every payload that would run or load something if it were live."""

ACTIVE = (
    f"<script>alert('{MARK}')</script>",
    f"<img src=x onerror=alert('{MARK}')>",
    f"<svg onload=alert('{MARK}')>",
    f"<iframe src=\"javascript:alert('{MARK}')\"></iframe>",
    f"<a href=\"javascript:alert('{MARK}')\">a</a>",
    f"<div style=\"background:url('https://evil.example/{MARK}')\">d</div>",
    f"<!-- <script>alert('{MARK}')</script> -->",
)
"""Raw HTML that runs a script, loads from another site or hides text."""

LINKS = (
    f"[a](javascript:alert('{MARK}'))",
    f"[b](JaVaScRiPt:alert('{MARK}'))",
    f"[c](&#106;avascript:alert('{MARK}'))",
    f"[d](&#x6A;&#x61;vascript:alert('{MARK}'))",
    f"[e](javascript&colon;alert('{MARK}'))",
    f"[f](java&#09;script:alert('{MARK}'))",
    f"[g]( javascript:alert('{MARK}'))",
    f"[h](vbscript:msgbox('{MARK}'))",
    f"[i](data:text/html;base64,PHNjcmlwdD4{MARK})",
    f"[j](//evil.example/{MARK})",
    f"[k](https://example.org){{: href=\"javascript:alert('{MARK}')\" onclick=\"alert('{MARK}')\" }}",
    f"![l](https://evil.example/{MARK}.png)",
    f"<javascript:alert('{MARK}')>",
    f"[m][ref]\n\n[ref]: javascript:alert('{MARK}')",
)
"""Links and images the check refuses, in the spellings a sanitiser can miss."""

CONTROLS = "\x00\x07\x08\x0b\x0c\x1b[2J\x7f\x85\x9b\u2028\u2029\ufffe\uffff"
SEPARATORS = "\x1c\x1d\x1e\x1f"

# Accepted by the check: text a careless output would still get wrong.
FORMULA_TITLE = f'=HYPERLINK("https://evil.example/?{MARK}","Click")'
MARKUP_TITLE = f"<script>alert('{MARK}')</script> & \"quotes\" 'apos' ]]> {{{{ 7*7 }}}} {{% raw %}}"
DDE_OWNER = "+cmd|' /C calc'!A0"
AT_OWNER = "@SUM(1+1)"
RTL_TITLE = "Invoice \u202etxt.exe\u202c 🚀👩🏽‍⚕️ zero\u200bwidth"
MINUS_OWNER = "-2+3"
PHASE_TITLE = f"Vision <i>{MARK}</i> \u202e & ]]>"
LONG_SUMMARY = (
    "Every trust has a record; " * 200
) + f"`<script>alert('{MARK}')</script>` a < b && c > d [ok](https://example.org)."
MEASURE_TITLE = "-5 fewer paper forms; or, = more"
MEASURE_SOURCE = "@NHS, survey; ; \\ backslash"

# Never checked: git history.
NOTE_MARKUP = (
    f"<script>alert('{MARK}')</script> ]]></content><script>x</script> &amp; =HYPERLINK(\"https://evil.example\")"
)
NOTE_CONTROLS = (
    f"Controls {CONTROLS.replace(chr(0), '')} separators \x1c\x1d\x1e\x1f, RTL \u202eevil\u202c and 🚀 <b>{MARK}</b>"
)
TAG_MESSAGE = (
    f"Vision <script>alert('{MARK}')</script>\x1b\x07\n\nSummary with \x0c and <img src=x onerror=alert('{MARK}')>"
)


def yaml_string(text: str) -> str:
    """Text as a YAML double-quoted scalar: JSON's escapes, and escapes for what YAML will not take raw."""
    quoted = json.dumps(text, ensure_ascii=False)
    return re.sub("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]", lambda m: f"\\u{ord(m.group()):04x}", quoted)


def milestones(entries: list[dict[str, str]]) -> str:
    """A milestones.yml with these fields, every text quoted."""
    lines = ["milestones:"]
    for entry in entries:
        lines.append(f"  - id: {entry['id']}")
        for key, value in entry.items():
            if key != "id":
                lines.append(f"    {key}: {value if key in ('due', 'status', 'depends_on') else yaml_string(value)}")
    return "\n".join(lines) + "\n"


BRACKETS = "A paragraph of " + "[a " * 3000
"""Brackets never closed: Python-Markdown would look for the end of each, for about eight seconds (slow_markup)."""

LOOKALIKES = (
    "# Look-alikes\n\nWords shaped like the engine's placeholders: techplanslot0x, `techplanslot0x` and "
    "<!--techplan-slot-0-->.\n\nThen the engine's own: [[M1.1]].\n"
)
"""A page that writes what the engine puts in a page's Markdown for its first reference and block."""

DEEP = "".join("    " * level + f"- level {level}\n" for level in range(300))
"""A list nested deeper than Python-Markdown can convert (it runs out of stack near 200 levels)."""

TABLE_HEADING = 'Costs <i onmouseover="alert(1)">now</i> & "quoted" \x1b[31m\u202eevil'

HOSTILE_V1 = {
    "plan/phase1-vision/deep.md": f"# Deep\n\n{DEEP}",
    "plan/phase1-vision/brackets.md": f"# Brackets\n\n{BRACKETS}\n",
    "plan/phase1-vision/lookalikes.md": LOOKALIKES,
    "plan/phase1-vision/index.md": textwrap.dedent(MINI_PLAN["plan/phase1-vision/index.md"])
    + f"\n## {TABLE_HEADING}\n\n| Year | Cost |\n| --- | --- |\n"
    + f"| 2021 | <script>alert('{MARK}')</script><b onclick=\"alert('{MARK}')\">1</b> |\n",
    "plan/phase1-vision/milestones.yml": milestones(
        [
            {
                "id": "M1.1",
                "title": "Publish\x1b the\x00 vision\x1f",
                "owner": "NHSX",
                "due": "2020-09-30",
                "status": "done",
                "summary": " ".join(ACTIVE),
            },
            {
                "id": "M1.2",
                "title": "Agree the values",
                "owner": "Plan team",
                "due": "2021-06-30",
                "status": "in-progress",
                "summary": "\n\n".join(LINKS) + "\n\nAfter [[M1.1]].",
            },
        ]
    ),
    "plan/phase2-measures/milestones.yml": milestones(
        [
            {
                "id": "M2.1",
                "title": "Agree the measures",
                "owner": "Plan team",
                "due": "2021-03-31",
                "status": "delayed",
                "summary": f"Red \x1b[31m{CONTROLS}{SEPARATORS} *Done*{{: onclick=\"alert('{MARK}')\" }}",
            }
        ]
    ),
    "plan/phase1-vision/phase.yml": (
        f"title: Vision\nsummary: {yaml_string('<iframe src=//evil.example/' + MARK + '></iframe> Why.')}\n"
        "status: published\n"
    ),
}
"""Revision v1: the check refuses all of it; the archive still shows it, safely."""

TODAY = {
    "plan/phase1-vision/deep.md": "# Deep\n\n- level 0\n    - level 1\n",
    "plan/phase1-vision/brackets.md": "# Brackets\n\nA [closed] bracket, and one written \\[ as it is.\n",
    "plan/phase1-vision/lookalikes.md": LOOKALIKES,
    "plan/phase1-vision/index.md": textwrap.dedent(MINI_PLAN["plan/phase1-vision/index.md"]),
    "plan/phase1-vision/phase.yml": (
        f"title: {yaml_string(PHASE_TITLE)}\nsummary: Why the plan exists.\nstatus: published\n"
    ),
    "plan/phase1-vision/milestones.yml": milestones(
        [
            {
                "id": "M1.1",
                "title": FORMULA_TITLE,
                "owner": DDE_OWNER,
                "due": "2020-09-30",
                "status": "done",
                "summary": "The vision, published for consultation.",
            },
            {
                "id": "M1.2",
                "title": MARKUP_TITLE,
                "owner": AT_OWNER,
                "due": "2021-06-30",
                "status": "in-progress",
                "summary": "Values agreed with *staff*, after [[M1.1]].",
            },
        ]
    ),
    "plan/phase2-measures/milestones.yml": milestones(
        [
            {
                "id": "M2.1",
                "title": RTL_TITLE,
                "owner": MINUS_OWNER,
                "due": "2021-03-31",
                "status": "delayed",
                "summary": LONG_SUMMARY,
            }
        ]
    ),
    "plan/phase2-measures/measures.yml": textwrap.dedent(MINI_PLAN["plan/phase2-measures/measures.yml"])
    + f"""\
  - id: K2
    title: {yaml_string(MEASURE_TITLE)}
    theme: staff
    unit: score
    baseline: {{date: 2020-03-31, value: -12.5}}
    target: {{date: 2024-03-31, value: 999999999999999}}
    actuals:
      - {{date: 2021-03-31, value: 0.000001}}
    source: {yaml_string(MEASURE_SOURCE)}
""",
}
"""Today's plan: every value accepted by the check, many of them traps for a careless output."""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site of a plan whose history is hostile and whose present is tricky."""
    root = tmp_path_factory.mktemp("hostile")
    repo = GitRepo(root)
    write_site(root, {**MINI_PLAN, **HOSTILE_V1}, commit=False)
    repo.commit("Publish the plan", NOTE_MARKUP, "2021-01-04T09:00:00+00:00")
    repo.git("tag", "-a", "v1", "-m", TAG_MESSAGE, date="2021-01-04T10:00:00+00:00")
    for name, text in TODAY.items():
        repo.write(name, text)
    repo.commit("Tidy the plan", NOTE_CONTROLS, "2021-02-01T09:00:00+00:00")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return root


def site_files(root: Path, suffix: str) -> list[Path]:
    files = sorted(path for path in (root / "site").rglob(f"*{suffix}") if path.is_file())
    assert files, f"no {suffix} files were built"
    return files


def live_problems(soup: BeautifulSoup) -> list[str]:
    """What in parsed HTML would run a script or load from elsewhere if a payload had got through."""
    found = []
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"<{element.name} {name}>")
            if name.lower() in (*URL_ATTRIBUTES, "style") and (MARK in text or runs_script(text)):
                found.append(f"<{element.name} {name}={text!r}>")
        if element.name == "script" and MARK in (element.string or "") + str(element.get("src", "")):
            found.append(f"<script>{element.string}</script>")
        if element.name in ("iframe", "object", "embed", "img", "svg", "math") and MARK in str(element.attrs):
            found.append(f"<{element.name} {element.attrs}>")
    return found


def test_no_hostile_markup_is_live_in_any_page(hostile: Path) -> None:
    pages = site_files(hostile, ".html")
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert not UNPUBLISHABLE.search(text), path
        assert live_problems(BeautifulSoup(text, "html.parser")) == [], path


def test_the_payloads_reached_the_pages_as_text(hostile: Path) -> None:
    # The test above can only fail if the payloads are on the pages: here they are, as words.
    today = page(hostile, "phase1-vision/")
    assert [t.get_text() for t in today.select(".tp-title")] == [FORMULA_TITLE, MARKUP_TITLE]
    archived = page(hostile, "revisions/v1/pages/phase1-vision/index.html")
    words = text_of(archived.select_one("article, main, body"))
    assert f"<script>alert('{MARK}')</script>" in words  # raw HTML shown as written, not run
    assert "Publish the vision" in words  # control characters taken out of the old title
    references = [a for a in archived.select("a.tp-ref") if text_of(a) == "M1.1"]
    assert references and references[0]["href"] == "#M1.1"  # the engine's own markup survives
    # Every unsafe link lost its address, k too: its attribute list replaced the safe one.
    links = {text_of(a): a.get("href") for a in archived.select("td a") if not a.get("class")}
    assert {name: links.get(name, "missing") for name in "abcdefghijkm"} == dict.fromkeys("abcdefghijkm")
    assert not archived.select("img")
    # A prose table is in a box a keyboard can reach, named by its heading's words; its script is gone.
    [box] = [div for div in archived.select("div[role=region]") if "Year" in text_of(div)]
    assert box["tabindex"] == "0" and text_of(box.select_one("td b")) == "1"
    heading = text_of(box.find_previous("h2")).rstrip("\u00b6").strip()
    assert heading.startswith('Costs now & "quoted" ') and heading.endswith("[31m\u202eevil")
    assert box["aria-label"] == f"Table under \u201c{heading}\u201d"
    current = page(hostile, "phase2-measures/")
    assert RTL_TITLE in [text_of(t) for t in current.select(".tp-title")]


def with_page_today(
    hostile: Path, name: str, text: str, *runs: Callable[[], subprocess.CompletedProcess[str]]
) -> list[subprocess.CompletedProcess[str]]:
    """Run commands with today's page `name` holding `text`, then put back the page the fixture built."""
    repo = GitRepo(hostile)
    repo.write(name, text)
    try:
        return [run() for run in runs]
    finally:
        repo.write(name, TODAY[name])


def test_a_page_nested_too_deeply_to_convert_is_shown_as_written_or_stops_the_build(
    hostile: Path, tmp_path: Path
) -> None:
    # In a past revision, which no one can correct, the page is published with its text as written.
    archived = page(hostile, "revisions/v1/pages/phase1-vision/deep.html")
    words = [text_of(p) for p in archived.select("article > p")]
    assert UNCONVERTED in words and "- level 0" in words[-1] and "- level 299" in words[-1]
    # A reviewer's diff across it says what changed, as words.
    result = techplan(hostile, "diff", "v1", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "level 299" in result.stdout and "Traceback" not in result.stderr
    # Today's plan can be corrected: the build stops at the file and its deepest line, with no traceback.
    (result,) = with_page_today(
        hostile,
        "plan/phase1-vision/deep.md",
        f"# Deep\n\n{DEEP}",
        lambda: build(hostile, "--site-dir", str(tmp_path / "site")),
    )
    assert result.returncode == 1
    assert f"plan/phase1-vision/deep.md:302: page: {TOO_DEEP}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_page_too_slow_to_convert_is_shown_as_written_or_stops_the_build(hostile: Path, tmp_path: Path) -> None:
    """Thousands of unclosed brackets hold every first build and diff for seconds, a past revision's for good."""
    archived = page(hostile, "revisions/v1/pages/phase1-vision/brackets.html")
    words = [text_of(p) for p in archived.select("article > p")]
    assert UNCONVERTED in words and words[-1] == BRACKETS.strip()
    result = techplan(hostile, "diff", "v1", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "A [closed] bracket" in result.stdout and "Traceback" not in result.stderr
    # Today's page stops the build, and the check, at the paragraph, saying what to do.
    built_and_checked = with_page_today(
        hostile,
        "plan/phase1-vision/brackets.md",
        f"# Brackets\n\nFine.\n\n{BRACKETS}\n",
        lambda: build(hostile, "--site-dir", str(tmp_path / "site")),
        lambda: techplan(hostile, "check"),
    )
    for result in built_and_checked:
        assert result.returncode == 1
        assert f"plan/phase1-vision/brackets.md:5: page: {SLOW_MARKUP}" in result.stdout + result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["phase1-vision/lookalikes/", "revisions/v1/pages/phase1-vision/lookalikes.html"])
def test_words_shaped_like_a_placeholder_stay_words(hostile: Path, url: str) -> None:
    """Only the engine's own placeholder is filled: the reference shows once, the author's words as they read."""
    article = page(hostile, url).select_one("article")
    assert article is not None
    assert len(article.select('a[href*="#M1.1"]')) == 1
    words = text_of(article).replace("\u2060", "")
    assert "placeholders: techplanslot0x, techplanslot0x and ." in words
    comments = [str(found).replace("\u2060", "") for found in article.find_all(string=lambda s: isinstance(s, Comment))]
    assert "techplan-slot-0" in comments  # still the author's comment, not the engine's HTML


def test_feeds_are_valid_xml_and_atom_with_nothing_live(hostile: Path) -> None:
    feeds = site_files(hostile, "feed.xml")
    own = [path for path in feeds if path.parent.parent.name in ("milestones", "measures")]
    assert len(feeds) - len(own) == 3  # the plan's and each phase's; then each record's own
    assert {path.parent.name for path in own} >= {"M1.1", "M1.2", "M2.1", "K1"}
    notes = []
    for path in feeds:
        data = path.read_bytes()
        ElementTree.fromstring(data)  # a strict XML 1.0 parser: raises on any character XML forbids
        feed = feedparser.parse(data)
        assert not feed.bozo, (path, feed.bozo_exception)
        for entry in feed.entries:
            notes.append(entry.title)
            assert live_problems(BeautifulSoup(entry.content[0].value, "html.parser")) == [], path
    assert f"<script>alert('{MARK}')</script> ]]></content><script>x</script> &amp;…" in notes
    assert any(title.startswith("Controls \ufffd") for title in notes)  # NUL became U+FFFD, not a broken feed
    phase = feedparser.parse((hostile / "site/phase1-vision/feed.xml").read_bytes())
    assert phase.feed.title == f"Mini plan: Phase 1: {PHASE_TITLE}"


def unfold(ics: str) -> list[str]:
    """An iCalendar file's content lines, each physical line checked as RFC 5545 requires."""
    assert ics.endswith("\r\n")
    physical = ics[:-2].split("\r\n")
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f]", line), line
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def ics_text(value: str) -> str:
    """An iCalendar TEXT value unescaped; fails on a bare , or ; (which would split the value)."""
    assert not re.search(r"(?<!\\)(?:\\\\)*[,;]", value), value
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_calendar_is_valid_and_holds_each_title_exactly(hostile: Path) -> None:
    lines = unfold((hostile / "site/data/milestones.ics").read_bytes().decode("utf-8"))
    assert [line for line in lines if line.startswith(("BEGIN", "END"))] == [
        "BEGIN:VCALENDAR",
        *["BEGIN:VEVENT", "END:VEVENT"] * 3,
        "END:VCALENDAR",
    ]
    for line in lines:
        assert re.match(r"[A-Z-]+(;[A-Z-]+=[^:;]+)*:", line), line
    summaries = [ics_text(line.split(":", 1)[1]) for line in lines if line.startswith("SUMMARY:")]
    assert summaries == [
        f"M1.1: {FORMULA_TITLE} (done)",
        f"M1.2: {' '.join(MARKUP_TITLE.split())} (in progress)",
        f"M2.1: {' '.join(RTL_TITLE.split())} (delayed)",
    ]
    descriptions = [ics_text(line.split(":", 1)[1]) for line in lines if line.startswith("DESCRIPTION:")]
    assert descriptions[2] == " ".join(f"Owner: {MINUS_OWNER}. {LONG_SUMMARY}".split())


FORMULA = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_csv_cells_are_neutralised_and_numbers_stay_numbers(hostile: Path) -> None:
    rows = read_csv(hostile / "site/data/milestones.csv")
    assert [(r["title"], r["owner"]) for r in rows] == [
        ("'" + FORMULA_TITLE, "'" + DDE_OWNER),
        (MARKUP_TITLE, "'" + AT_OWNER),
        (RTL_TITLE, "'" + MINUS_OWNER),
    ]
    assert [r["phase"] for r in rows] == ["1", "1", "2"]
    measures = read_csv(hostile / "site/data/measures.csv")
    k2 = [r for r in measures if r["measure"] == "K2"]
    assert [(r["kind"], r["value"]) for r in k2] == [
        ("baseline", "-12.5"),
        ("actual", "0.000001"),
        ("target", "999999999999999"),
    ]
    assert {r["title"] for r in k2} == {"'" + MEASURE_TITLE}
    assert {r["source"] for r in k2} == {"'" + MEASURE_SOURCE}
    for row in rows + measures:
        for column, cell in row.items():
            if column != "value":
                assert not cell.lstrip(" \n").startswith(FORMULA), (column, cell)


def strict_json(text: str) -> Any:
    """JSON as a strict reader reads it: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_every_json_file_is_valid_and_the_data_exact(hostile: Path) -> None:
    for path in site_files(hostile, ".json"):
        strict_json(path.read_text(encoding="utf-8"))
    data = strict_json((hostile / "site/data/milestones.json").read_text(encoding="utf-8"))
    assert [(m["title"], m["owner"]) for m in data["milestones"]] == [
        (FORMULA_TITLE, DDE_OWNER),
        (MARKUP_TITLE, AT_OWNER),
        (RTL_TITLE, MINUS_OWNER),
    ]
    assert data["milestones"][2]["summary"] == LONG_SUMMARY
    measures = strict_json((hostile / "site/data/measures.json").read_text(encoding="utf-8"))["measures"]
    assert measures[1]["baseline"]["value"] == -12.5
    assert measures[1]["target"]["value"] == 999999999999999
    assert measures[1]["actuals"][0]["value"] == 0.000001
    old = strict_json((hostile / "site/revisions/v1/data.json").read_text(encoding="utf-8"))
    assert old["milestones"][0]["title"] == "Publish the vision"
    assert old["milestones"][0]["summary"] == " ".join(ACTIVE)  # exact: JSON is data, not markup
    changes = strict_json((hostile / "site/changes.json").read_text(encoding="utf-8"))
    notes = [event["note"] for events in changes["files"].values() for event in events]
    assert NOTE_MARKUP in notes


# Characters the check accepts in text: everything but controls (tab and newline aside), line and
# paragraph separators, surrogates and the two non-characters (techplan.plan.characters.REFUSED).
ACCEPTED = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
    exclude_characters="".join(chr(c) for c in [*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])
    + "\u2028\u2029\ufffe\uffff",
)
# Commit messages are never checked: any character git can store in one, on one line (a trailer is
# one line), separators 0x1C-0x1F included.
COMMITTED = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00\n\r")


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(ACCEPTED, min_size=1, max_size=80),
    owner=st.text(ACCEPTED, min_size=1, max_size=40),
    summary=st.text(ACCEPTED, min_size=1, max_size=200),
    note=st.text(COMMITTED, min_size=1, max_size=120),
)
@example(title=FORMULA_TITLE, owner=MINUS_OWNER, summary="a < b && `<i>` [[M1.1]]", note=NOTE_CONTROLS)
@example(title=PHASE_TITLE, owner=AT_OWNER, summary=RTL_TITLE, note=NOTE_MARKUP)
@example(title="Â¡", owner="0", summary="0", note="0")  # what feedparser took for double-encoded UTF-8
def test_any_text_the_check_accepts_gives_valid_feeds_calendars_csv_and_json(
    title: str, owner: str, summary: str, note: str
) -> None:
    with tempfile.TemporaryDirectory() as folder, patch.dict(os.environ, HERMETIC):
        root = Path(folder)
        files = dict(MINI_PLAN)
        files["plan/phase1-vision/phase.yml"] = (
            f"title: {yaml_string(title)}\nsummary: {yaml_string(summary)}\nstatus: published\n"
        )
        files["plan/phase1-vision/milestones.yml"] = milestones(
            [{"id": "M1.1", "title": title, "owner": owner, "due": "2020-09-30", "status": "done", "summary": summary}]
        )
        files["plan/phase1-vision/index.md"] = "# Phase 1\n\n[[milestones]]\n"
        files["plan/phase2-measures/milestones.yml"] = "milestones: []\n"
        write_site(root, files, commit=False)
        GitRepo(root).commit("An edit", note.strip() or "x", "2021-01-04T09:00:00+00:00")
        plan_settings = load_site(root / "mkdocs.yml").settings
        plan, problems = load_plan(plan_settings)
        assume(not problems)  # the check accepts it
        [milestone] = plan.milestones
        assert (milestone.title, milestone.owner, milestone.summary) == (title.strip(), owner.strip(), summary.strip())

        urls = {"index.md": "", "roadmap.md": "roadmap/", "phase1-vision/index.md": "phase1-vision/"}
        urls |= {"phase2-measures/index.md": "phase2-measures/"}
        renderer = Renderer(plan, standalone_environment(), urls, date(2021, 4, 15), field_markdown([], {}))
        site = SiteInfo("Mini plan", "https://plan.example.org/", None)
        published = publish_history(plan_settings, plan, sorted(urls), renderer, site, DiskCache(None), "x/")
        for path in (FEED, f"phase1-vision/{FEED}"):
            ElementTree.fromstring(published.files[path].encode("utf-8"))
            feed = feedparser.parse(published.files[path].encode("utf-8"))
            assert not feed.bozo, feed.bozo_exception
        # The title as the XML holds it: feedparser "repairs" text that looks double-encoded (Â¡ becomes ¡).
        phase_feed = ElementTree.fromstring(published.files[f"phase1-vision/{FEED}"].encode("utf-8"))
        assert phase_feed.findtext("{http://www.w3.org/2005/Atom}title") == f"Mini plan: Phase 1: {title.strip()}"
        strict_json(published.files["changes.json"])

        licence = {"name": "OGL", "url": "https://example.org/ogl"}
        out = downloads(plan, licence, "https://plan.example.org/", date(2021, 4, 15), {"M1.1": "phase1-vision/#M1.1"})
        assert strict_json(out["data/milestones.json"])["milestones"][0]["title"] == title.strip()
        [row] = list(csv.DictReader(io.StringIO(out["data/milestones.csv"], newline="")))
        formula = title.strip().lstrip(" \n").startswith(FORMULA)
        assert row["title"] == ("'" if formula else "") + title.strip()
        lines = unfold(out["data/milestones.ics"])
        [summary_line] = [line for line in lines if line.startswith("SUMMARY:")]
        assert ics_text(summary_line.split(":", 1)[1]) == " ".join(f"M1.1: {title} (done)".split())


def test_open_data_page_lists_every_file_and_how_csv_cells_are_neutralised(hostile: Path) -> None:
    html = page(hostile, "open-data/")
    article = html.select_one("article")
    links = [a["href"] for a in article.select("td a, p a") if not a["href"].startswith("http")]
    for href in links:
        target = (hostile / "site/open-data" / href).resolve()
        assert target.is_file() or (href.endswith("/") and (target / "index.html").is_file()), href
    named = [text_of(a) for a in article.select("td a")]
    assert named == [
        "milestones.csv",
        "milestones.json",
        "milestones.ics",
        "measures.csv",
        "measures.json",
        "register.csv",
        "register",
        "register.json",
        "feed.xml",
        "phase1-vision/feed.xml",
        "phase2-measures/feed.xml",
        "changes.json",
        "provenance.json",
    ]
    schemas = [text_of(a) for a in article.select("p a") if a["href"].endswith(".schema.json")]
    assert schemas == ["phase.schema.json", "milestones.schema.json", "measures.schema.json"]
    assert "Open Government Licence v3.0" in text_of(article)
    assert "a title written =SUM(A1:A9) is in the file as '=SUM(A1:A9)" in text_of(article)
    # Every table of downloads says where to read about them.
    for url in ("phase1-vision/", "phase2-measures/"):
        downloads = page(hostile, url).select_one(".tp-downloads")
        assert downloads.find("a", string="About the open data")["href"] == "../open-data/"
