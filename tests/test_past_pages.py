"""A past revision's page, converted the way point-in-time pages are: its layout kept, its prose tables
boxed for the keyboard, nothing in it that runs, loads from another host or takes the engine's
placeholders, and text nested too deeply to convert shown as written. The whole path through a
real build is in test_hostile; these cover the pieces with corpora and any text."""

from __future__ import annotations

import re

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from test_markup import OTHER_UNSAFE, SCRIPT_LINKS

from techplan.plan.markup import as_written, deepest_line, is_safe_link, link_scheme
from techplan.site.mdtables import BoxedTables, table_name
from techplan.site.render import Slots
from techplan.site.safehtml import PAGE_ATTRIBUTES, PAGE_TAGS, field_markdown, sanitise_page

EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "tables", "toc", "pymdownx.details"]
"""The Markdown extensions this project's mkdocs.yml turns on, as point-in-time pages use them."""


def past_page(text: str) -> str:
    """A page's Markdown as a point-in-time page shows it (site.archive.ArchiveWriter._render_content)."""
    converter = markdown.Markdown(
        extensions=[*EXTENSIONS, "pymdownx.superfences", BoxedTables()], extension_configs={"toc": {"permalink": True}}
    )
    return sanitise_page(converter.convert(text))


def live(html: str) -> list[str]:
    """Whatever in the HTML would run, load from elsewhere, restyle the page or reorder its keyboard path."""
    found = []
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name not in PAGE_TAGS:
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            allowed = PAGE_ATTRIBUTES["*"] | PAGE_ATTRIBUTES.get(element.name, set()) | {"tabindex"}
            if name not in allowed and not name.startswith("aria-"):
                found.append(f"<{element.name} {name}>")
            elif name == "href" and not is_safe_link(text):
                found.append(f"<{element.name} href={text!r}>")
            elif name == "src" and (not is_safe_link(text) or link_scheme(text) is not None):
                found.append(f"<{element.name} src={text!r}>")
            elif name == "style" and not re.fullmatch(r"text-align:\s*(left|right|center)", text):
                found.append(f"<{element.name} style={text!r}>")
            elif name == "tabindex" and text not in ("0", "-1"):
                found.append(f"<{element.name} tabindex={text!r}>")
    return found


CORPUS = [
    "Hi <script>alert(1)</script> there",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<iframe src=https://evil.example srcdoc='<script>alert(1)</script>'></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(https://evil.example/x)" onclick="alert(1)" tabindex="9">d</div>',
    "<meta http-equiv=refresh content='0;url=https://evil.example'><base href=https://evil.example/>",
    "<link rel=stylesheet href=https://evil.example/x.css><object data=x></object><embed src=x>",
    "<form action=https://evil.example><input name=q><button formaction=javascript:alert(1)>go</button></form>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math><template><img src=x onerror=alert(1)></template>",
    "![pixel](https://evil.example/pixel.png) ![proto](//evil.example/p.png)",
    "[x](https://example.org){: onclick=alert(1) style='color:red' }",
    "## Heading {: onmouseover=alert(1) }\n\n| a | b |\n|:--|--:|\n| <b onclick=alert(1)>1</b> | 2 |",
    *(f"[x]({url})" for url in SCRIPT_LINKS + OTHER_UNSAFE if "\n" not in url),
    *(f'<a href="{url}">x</a>' for url in SCRIPT_LINKS if '"' not in url),
]


@pytest.mark.parametrize("text", CORPUS)
def test_nothing_in_a_past_page_runs_or_loads_from_elsewhere(text: str) -> None:
    html = past_page(text)
    assert live(html) == []
    assert "alert(1)</script>" not in html


def test_a_past_page_keeps_its_layout() -> None:
    text = (
        "# Plan\n\nIntro[^1] with <abbr title='Electronic patient record'>EPR</abbr>.\n\n"
        "!!! note\n    An *aside*.\n\n"
        "## Costs\n\n| Year | Cost |\n|:--|--:|\n| 2021 | [one](../a.md) |\n\n"
        "<figure><img src='../img/chart.png' alt='A chart'><figcaption>A chart</figcaption></figure>\n\n"
        '??? info "More"\n    Hidden.\n\n'
        "```\ncode <b>here</b>\n```\n\n[^1]: A note.\n"
    )
    soup = BeautifulSoup(past_page(text), "html.parser")
    assert [h["id"] for h in soup.select("h1, h2")] == ["plan", "costs"]
    assert soup.select_one("h2 a.headerlink")["href"] == "#costs"
    assert soup.select_one("abbr")["title"] == "Electronic patient record"
    assert soup.select_one("div.admonition.note em").get_text() == "aside"
    assert soup.select_one("details.info summary").get_text() == "More"
    assert soup.select_one("img")["src"] == "../img/chart.png"
    assert soup.select_one("figcaption").get_text() == "A chart"
    assert soup.select_one("pre code").get_text() == "code <b>here</b>\n"
    assert soup.select_one("a.footnote-ref")["href"] == "#fn:1"
    assert [td.get("style") for td in soup.select("tbody td")] == ["text-align:left", "text-align:right"]
    box = soup.select_one("div.md-typeset__scrollwrap")
    assert (box["role"], box["tabindex"], box["aria-label"]) == ("region", "0", "Table under \u201cCosts\u201d")
    assert box.select_one("div.md-typeset__table > table") is not None


def test_each_table_is_named_by_its_caption_or_the_heading_it_follows() -> None:
    text = (
        "Before any heading:\n\n| a |\n|---|\n| 1 |\n\n"
        "## First\n\n!!! note\n    | b |\n    |---|\n    | 2 |\n\n"
        "## Second \\*starred\\* & <i>it</i>\n\n| c |\n|---|\n| 3 |\n\n"
        "<table><caption> A  caption </caption><tr><td>4</td></tr></table>\n\n"
        "| d |\n|---|\n| 5 |\n{: .keep }\n"
    )
    boxes = BeautifulSoup(past_page(text), "html.parser").select("div[role=region]")
    assert [box["aria-label"] for box in boxes] == [
        "Table",
        "Table under \u201cFirst\u201d",  # the heading before the note, not the one after it
        "Table under \u201cSecond *starred* & it\u201d",
    ]
    # Raw HTML tables are not Markdown's and stay as written; a table with a class is the author's to style.
    assert [table_name(" A  caption ", "Second"), table_name("", "  "), table_name("", "A\nB")] == [
        "A caption",
        "Table",
        "Table under \u201cA B\u201d",
    ]


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.text(
        # Any character that decoding a blob can give: not a lone surrogate (site.archive decodes with "replace").
        alphabet=st.sampled_from(list("<>/=\"' :;&#[](){}!*_`|\n-#\tajsvcrpitonlgxd1@."))
        | st.characters(blacklist_categories=("Cs",))
    )
)
def test_any_past_page_converts_to_markup_that_cannot_run(text: str) -> None:
    html = past_page(text)
    assert live(html) == []
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.select("table:not([class])"):
        box = table.find_parent("div", class_="md-typeset__scrollwrap")
        if box is not None:
            assert box["role"] == "region" and box["tabindex"] == "0" and box["aria-label"].startswith("Table")


def test_a_placeholder_an_author_wrote_is_left_as_written() -> None:
    slots = Slots()
    held = slots.hold("<p>engine</p>").strip()
    filled = slots.fill(f"{held} techplanslot7x <!--techplan-slot-99999999999999999999-->")
    assert filled == "<p>engine</p> techplanslot7x <!--techplan-slot-99999999999999999999-->"
    assert slots.fill_text("A techplanslot3x heading") == "A techplanslot3x heading"


DEEP = "".join("    " * level + f"- level {level}\n" for level in range(300))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# Title\n\nPlain words.\n", 1),
        ("# Title\n\n- a\n    - b\n        - c\n- d\n", 5),
        ("a\n\n> > > > quoted\n\n> once\n", 3),
        ("a\n\n" + "*" * 40 + "x" + "*" * 40 + "\n\n- b\n", 3),
        ("a\n\n```\n" + " " * 400 + "code\n```\n\n- b\n    - c\n", 8),  # code is not nested
        (DEEP, 300),
    ],
)
def test_the_line_a_page_nests_deepest_at_is_found(text: str, line: int) -> None:
    assert deepest_line(text) == line


def test_a_field_or_page_nested_too_deeply_to_convert_is_shown_as_written() -> None:
    text = f"<script>alert(1)</script> First.\n\n{DEEP}"
    html = field_markdown(EXTENSIONS, {})(text)
    soup = BeautifulSoup(html, "html.parser")
    first, second = (p.get_text() for p in soup.find_all("p"))
    assert first == "<script>alert(1)</script> First." and second.startswith("- level 0\n    - level 1\n")
    assert "level 299" in html and not soup.find("script")
    assert as_written("  one\n\n \n\ntwo & <b>\n") == "<p>one</p>\n<p>two &amp; &lt;b&gt;</p>"
