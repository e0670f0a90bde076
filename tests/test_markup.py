"""Data-field Markdown: which links are safe, what the one rendering path lets through, and the exports
for text that never passed the check."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from plansite import MINI_PLAN, write_site

from techplan.plan.load import load_plan
from techplan.plan.markup import (
    MARKUP_BUDGET,
    is_safe_link,
    markdown_problems,
    page_warnings,
    runs_script,
    slow_markup,
)
from techplan.plan.model import Location, Milestone, Plan
from techplan.plan.prose import scan
from techplan.site.config import load_site
from techplan.site.opendata import csv_number, milestones_csv, milestones_ics, spreadsheet_text
from techplan.site.render import Renderer, standalone_environment
from techplan.site.safehtml import ATTRIBUTES, CLASSES, TAGS, field_markdown

SCRIPT_LINKS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01\x02javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#X6a;&#x61;&#x76;&#x61;script:alert(1)",
    "&#0000106avascript:alert(1)",
    "javascript&colon;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav&Tab;ascript:alert(1)",
    "&amp;#106;avascript:alert(1)",
    "javascript :alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "livescript:x",
]
OTHER_UNSAFE = [
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "//evil.example/",
    "\\\\evil.example/",
    "/\\evil.example/",
    "\\/evil.example/",
    " //evil.example/",
    "file:///etc/passwd",
    "ftp://example.org/",
    "tel:+441234567890",
    "%6Aavascript:alert(1)",
    "\u00a0javascript:alert(1)",
    "java\x00script:alert(1)",
    "https://example.org/\x1b[2J",
    "C:\\Windows",
]
SAFE = [
    "https://example.org",
    "HTTPS://example.org/a:b?c=d#e",
    "http://example.org",
    "mailto:team@example.org",
    "&#109;&#97;&#105;&#108;&#116;&#111;&#58;team@example.org",
    "../phase2-roadmap/",
    "phase2-roadmap/index.html",
    "/absolute/path",
    "#M2.1",
    "?q=1",
    "./notes:2021",
    "",
]


@pytest.mark.parametrize("url", SCRIPT_LINKS)
def test_script_links_in_any_spelling_are_neither_safe_nor_missed(url: str) -> None:
    assert not is_safe_link(url)
    assert runs_script(url)


@pytest.mark.parametrize("url", OTHER_UNSAFE)
def test_other_links_a_data_field_may_not_hold(url: str) -> None:
    assert not is_safe_link(url)


@pytest.mark.parametrize("url", SAFE)
def test_web_email_and_in_site_links_are_safe(url: str) -> None:
    assert is_safe_link(url)
    assert not runs_script(url)


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    """The site's renderer for the small plan, with the Markdown extensions its mkdocs.yml turns on."""
    root = tmp_path_factory.mktemp("markup")
    write_site(root, MINI_PLAN, commit=False)
    plan_settings = load_site(root / "mkdocs.yml").settings
    plan, problems = load_plan(plan_settings)
    assert problems == []
    urls = {page: page.removesuffix("index.md").removesuffix(".md") for page in plan.pages}
    extensions = ["attr_list", "tables", "toc", "footnotes", "admonition", "def_list", "abbr", "pymdownx.details"]
    return Renderer(
        plan,
        standalone_environment(),
        urls,
        date(2021, 4, 15),
        field_markdown(extensions, {"toc": {"permalink": True}}),
    )


def disallowed(html: str, text: str, plan: Plan) -> list[str]:
    """Everything in a rendered field the allow-list does not allow, but for the engine's own references."""
    found = []
    soup = BeautifulSoup(html, "html.parser")
    engine: set[int] = set()
    for reference in soup.select("a.tp-ref"):
        status = reference.find_next_sibling()
        parts = [reference]
        if status is not None and status.name == "span" and {"tp-status", "tp-latest"} & set(status.get("class", [])):
            parts.append(status)
        engine |= {id(e) for part in parts for e in [part, *part.find_all(True)]}
    # Only references the text makes can carry the engine's classes: a user cannot dress up as one.
    made = [t for t in scan(text) if t.is_reference and plan.record(t.name) is not None]
    if len(soup.select("a.tp-ref")) > len(made):
        found.append("more references than the text makes")
    for element in soup.find_all(True):
        if id(element) in engine:
            continue
        if element.name not in TAGS:
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            if name == "class":
                extra = set(value) - CLASSES.get(element.name, set())
                if extra:
                    found.append(f"<{element.name} class={sorted(extra)}>")
            elif name not in ATTRIBUTES.get(element.name, set()):
                found.append(f"<{element.name} {name}>")
            elif name == "href" and not is_safe_link(value):
                found.append(f"<{element.name} href={value!r}>")
            elif name == "style" and not re.fullmatch(r"text-align:\s*(left|right|center)", value):
                found.append(f"<{element.name} style={value!r}>")
    return found


CORPUS = [
    "Hi <script>alert(1)</script> there",
    "<img src=x onerror=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "<iframe src=//evil.example></iframe>",
    "*Done*{: .tp-status .tp-status--done }",
    "[x](https://example.org){: onclick=alert(1) style='color:red' id=__drawer }",
    '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "![tracker](https://evil.example/pixel.png)",
    "| a | b |\n|:--|--:|\n| 1 | 2 |",
    "!!! note\n    admonished",
    "## A heading",
    "x[^1]\n\n[^1]: a note",
    "After [[M1.1]] and [[M1.2|the values]], and [[K1]] and [[K1|the measure]].",
    "[[[M1.1]]](javascript:alert(1)) and [x]([[M1.1]])",
    "{: title='[[M1.1]]' }",
    *(f"[x]({url})" for url in SCRIPT_LINKS + OTHER_UNSAFE if "\n" not in url),
]


@pytest.mark.parametrize("text", CORPUS)
def test_a_rendered_field_holds_only_allowed_markup(renderer: Renderer, text: str) -> None:
    html = str(renderer.render_field_markdown(text, "phase1-vision/"))
    assert disallowed(html, text, renderer.plan) == []
    assert "alert(1)</script>" not in html  # shown as text at most, never an element


def test_references_survive_and_user_markup_does_not(renderer: Renderer) -> None:
    html = str(renderer.render_field_markdown("After [[M1.1]], *now* <b>bold</b>.", "phase1-vision/"))
    soup = BeautifulSoup(html, "html.parser")
    reference = soup.select_one("a.tp-ref")
    assert reference is not None and reference["href"] == "#M1.1"
    assert reference.get_text() == "M1.1: Publish the vision"
    assert soup.select_one("span.tp-status--done") is not None
    assert soup.select_one("em").get_text() == "now"
    assert soup.select("b") == []
    assert "<b>bold</b>" in soup.get_text()


def test_a_reference_in_an_address_or_attribute_is_taken_out(renderer: Renderer) -> None:
    html = str(renderer.render_field_markdown("[x]([[M1.1]]) and [y](https://example.org){: title='[[M1.2]]' }", ""))
    soup = BeautifulSoup(html, "html.parser")
    assert [a.attrs for a in soup.find_all("a")] == [{"href": ""}, {"href": "https://example.org", "title": ""}]


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' :;&#[](){}!*_`|\n\tajsvcrpitonlgxd1@.-")) | st.characters()))
def test_no_text_renders_to_markup_outside_the_allow_list(renderer: Renderer, text: str) -> None:
    html = str(renderer.render_field_markdown(text, "phase1-vision/"))
    assert disallowed(html, text, renderer.plan) == []
    markdown_problems(text, "summary")  # never raises


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("![a](https://evil.example/a.png)", [("image", "https://evil.example/a.png")]),
        (
            "![a](<//evil.example/a.png>) ![b](\\\\evil.example/b.png)",
            [("image", "//evil.example/a.png"), ("image", "\\\\evil.example/b.png")],
        ),
        ('<img alt="x" src="HTTPS://evil.example/i.png">', [("src", "HTTPS://evil.example/i.png")]),
        ("<object data=https://evil.example/o></object>", [("data", "https://evil.example/o")]),
        ('<img srcset="a.png 1x, https://evil.example/b.png 2x">', [("srcset", "https://evil.example/b.png")]),
        ("<link rel=stylesheet href='https://fonts.example/css'>", [("stylesheet", "https://fonts.example/css")]),
        ('<p style="background: url( https://evil.example/bg.png )">', [("url()", "https://evil.example/bg.png")]),
        ('<video poster="http://evil.example/p.jpg"></video>', [("poster", "http://evil.example/p.jpg")]),
        ("![a](img/a.png) ![b](../b.png 'title') ![c](/c.png)", []),
        ('<img src="data:image/png;base64,AAAA"> <img src=local.png>', []),
        ("[a link](https://example.org) and <a href=https://example.org>one</a>", []),
        ("`![code](https://evil.example/c.png)` is only words", []),
    ],
)
def test_what_a_page_fetches_from_another_site_is_warned_of(line: str, found: list[tuple[str, str]]) -> None:
    warnings = page_warnings(f"# Page\n\n{line}\n")
    assert [(number, what) for number, what, _ in warnings] == [(3, what) for what, _ in found]
    assert [message.split('"')[1] for _, _, message in warnings] == [url for _, url in found]


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' :;&#[](){}!*_`|\nonscriptjavaclick")) | st.characters()))
@settings(max_examples=200, deadline=None, database=None)
def test_page_warnings_never_fail_on_any_text(text: str) -> None:
    for line, what, message in page_warnings(text):
        assert line >= 1 and what and message


SLOW = "[a " * 3000
"""3,000 brackets never closed in one paragraph: eight seconds of Python-Markdown, which looks for the end of each."""


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f"# Page\n\nFine.\n\n{SLOW}\n", 5),
        (f"# Page\n\nFine.\n\nIt runs on\n{SLOW}\n", 5),  # where its paragraph begins
        ("# Page\n\n" + "[" * 3000, 3),
        ("# Page\n\n" + "[" * 3000 + "]" * 3000, 3),  # closed, but each `[` searches past thousands
        ("# Page\n\n" + "x <a " * 3000, 3),  # tags never closed: the HTML parser looks to the end
        ("".join(f"Line {n} [\n" for n in range(3000)), 1),  # a paragraph of many lines
        ("# Page\n\n" + "".join(f"Paragraph {n} <b\n\n" for n in range(3000)), 3),  # the parser reads the page whole
        # Fine: links, balanced or short brackets, escaped ones, code, list items and table rows apart.
        ("# Page\n\n" + "[a link](https://example.org) " * 3000, None),
        ("# Page\n\n" + "\\[ " * 20000, None),
        ("# Page\n\n```\n" + "[" * 20000 + "\n```\n", None),
        ("# Page\n\n`" + "[" * 20000 + "`\n", None),
        ("".join(f"- [ item {n}\n" for n in range(3000)), None),
        ("| a | b |\n| - | - |\n" + "".join(f"| [ {n} | b |\n" for n in range(3000)), None),
        ("x <a> " * 3000, None),
        ("[" * 1000, None),  # a thousand at worst: under a second
    ],
)
def test_pages_too_slow_to_convert_are_found_at_their_paragraph(text: str, line: int | None) -> None:
    assert slow_markup(text) == line


def test_a_field_too_slow_to_convert_is_refused_by_the_check_and_shown_as_written() -> None:
    (message,) = markdown_problems(SLOW, "summary")
    assert message.startswith("too many [ or < in this summary for Markdown to read in good time")
    converted = field_markdown([], {})(SLOW)
    assert converted == f"<p>{SLOW.strip()}</p>"


@given(st.text(alphabet=st.sampled_from(list("[]<>\\`~\n -|#*1.a")), max_size=3000))
@settings(max_examples=300, deadline=None, database=None)
def test_the_estimate_never_fails_and_names_a_line_of_the_page(text: str) -> None:
    line = slow_markup(text * 8)
    assert line is None or 1 <= line <= (text * 8).count("\n") + 1


def test_the_budget_leaves_every_page_of_this_plan_far_inside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """This plan's pages cost Markdown under a hundredth of the budget: no page an editor writes is stopped."""
    monkeypatch.setattr("techplan.plan.markup.MARKUP_BUDGET", MARKUP_BUDGET // 100)
    pages = sorted(Path(__file__).parent.parent.joinpath("plan").rglob("*.md"))
    assert len(pages) > 10
    assert [page.name for page in pages if slow_markup(page.read_text()) is not None] == []


def milestone(title: str, owner: str, summary: str) -> Milestone:
    return Milestone("M1.1", title, owner, date(2021, 3, 31), "done", (), summary, 1, Location("x", 1))


@settings(max_examples=200, deadline=None, database=None)
@given(title=st.text(), owner=st.text(), summary=st.text())
def test_calendar_and_csv_stay_valid_for_any_text_even_unchecked(title: str, owner: str, summary: str) -> None:
    # Nothing the check refuses reaches the plan, but the exports do not rely on it.
    plan = Plan(phases=(), milestones=(milestone(title, owner, summary),), measures=())
    ics = milestones_ics(plan, "https://plan.example.org/", "plan.example.org", date(2021, 4, 15), {})
    ics.encode("utf-8")
    for line in ics.removesuffix("\r\n").split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]", line), line
    text = milestones_csv(plan)
    text.encode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    for column in ("title", "owner"):
        assert not row[column].lstrip(" \n").startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-5% fewer forms", "'-5% fewer forms"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("\n=1", "'\n=1"),
        ("＝1+1", "'＝1+1"),
        ("Fewer forms = better", "Fewer forms = better"),
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_spreadsheet_text_neutralises_what_would_start_a_formula(text: str, cell: str) -> None:
    assert spreadsheet_text(text) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [(83.0, "83"), (-12.5, "-12.5"), (1234567.0, "1234567"), (1e15, "1000000000000000"), (0.000001, "0.000001")],
)
def test_csv_numbers_are_exact_and_never_neutralised(value: float, cell: str) -> None:
    assert csv_number(value) == cell
    assert float(cell) == value


def test_the_json_schemas_say_the_same_ranges(tmp_path: Path) -> None:
    from techplan.plan.spec import json_schema

    point = json_schema("measures.yml")["properties"]["measures"]["items"]["properties"]["baseline"]
    assert point["properties"]["value"]["minimum"] == -(10**15)
    assert point["properties"]["value"]["maximum"] == 10**15
    title = json_schema("milestones.yml")["properties"]["milestones"]["items"]["properties"]["title"]
    assert re.match(title["pattern"], "Ordinary text\twith a tab")
    assert not re.match(title["pattern"], "Escape \x1b[31m")
    assert json.dumps(title["pattern"])  # plain JSON
