"""Markdown converted a paragraph at a time (techplan.plan.paragraphs) is the whole page's HTML.

Documents are generated from every kind of block the site's extensions read, joined by one
blank line or none or several, with the characters that start or end blocks in their words.
Each is converted whole and piece by piece, by itself and after another version of the same
page (so that pieces are reused), with the extensions of this project's mkdocs.yml (and
MkDocs's own) plus what point-in-time pages add (links rewritten, tables boxed), and with the
diff's (no table of contents).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techplan.plan.paragraphs import Paragraphs, supports
from techplan.site.config import load_site
from techplan.site.mdlinks import PageLinks
from techplan.site.mdtables import BoxedTables


@functools.cache
def site_markdown() -> tuple[list[Any], dict[str, Any]]:
    """The Markdown extensions and settings of this project's mkdocs.yml, with those MkDocs adds itself."""
    return load_site(Path(__file__).resolve().parent.parent / "mkdocs.yml").markdown_setup()


def archive_markdown() -> tuple[markdown.Markdown, PageLinks]:
    """A converter as point-in-time pages have it (techplan.site.archive)."""
    links = PageLinks()
    links.page = "phase1-vision/index.md"
    links.resolve = lambda target: f"../r1/{target.removesuffix('.md')}.html"
    links.site_root = "../../"
    extensions, configs = site_markdown()
    md = markdown.Markdown(extensions=[*extensions, links, BoxedTables()], extension_configs=configs)
    return md, links


def diff_markdown() -> markdown.Markdown:
    """A converter as `techplan diff` has it: no table of contents."""
    extensions, configs = site_markdown()
    return markdown.Markdown(
        extensions=[e for e in extensions if e != "toc"],
        extension_configs={k: v for k, v in configs.items() if k != "toc"},
    )


WORDS = st.sampled_from(
    [
        "plan",
        "Intro",
        "intro",
        "Care",
        "12",
        "2024",
        "1.",
        "3)",
        "*",
        "**",
        "_",
        "#",
        "|",
        ":",
        "-",
        "+",
        ">",
        "=",
        "`",
        "\\",
        "&amp;",
        "&",
        "{: .x}",
        "{#intro}",
        "[",
        "]",
        "(",
        ")",
        "*stress*",
        "**bold**",
        "`code`",
        "[a link](other.md#part)",
        "[up](../index.md)",
        "![a chart](chart.png)",
        "[here](#intro)",
        "[ref][id]",
        "techplanslot0x",
        "techplanslot3x",
        "techplanslot12x",
        "M1.2",
    ]
)


def line(words: st.SearchStrategy[str] = WORDS) -> st.SearchStrategy[str]:
    return st.lists(words, min_size=1, max_size=6).map(" ".join)


def _list(marker: str) -> Callable[[list[str]], str]:
    return lambda items: "\n".join(f"{marker} {item}" for item in items)


BLOCKS = st.one_of(
    line(),
    line().map(lambda text: "A " + text),
    st.tuples(line(), line()).map("\n".join),
    st.tuples(line(), line()).map("  \n".join),
    st.tuples(st.integers(1, 4), line()).map(lambda h: "#" * h[0] + " " + h[1]),
    st.sampled_from(["# Intro", "## Intro", "## Care {#intro}", "### techplanslot3x plan", "#", "## Care"]),
    st.tuples(line(), st.sampled_from(["===", "---"])).map("\n".join),
    st.lists(line(), min_size=1, max_size=3).map(_list("-")),
    st.lists(line(), min_size=1, max_size=3).map(_list("1.")),
    st.lists(line(), min_size=1, max_size=3).map(_list("*")),
    line().map(lambda text: f"- {text}\n\n    {text}"),
    line().map(lambda text: f"    code {text}\n    more"),
    line().map(lambda text: f"> {text}\n> more"),
    line().map(lambda text: f"| A | B |\n|---|---|\n| {text} | 1 |"),
    line().map(lambda text: f"A | B\n--|--\n{text} | 2"),
    line().map(lambda text: f'!!! note "Note"\n    {text}\n\n    more {text}'),
    line().map(lambda text: f"??? note\n    {text}"),
    line().map(lambda text: f"Term\n: {text}"),
    line().map(lambda text: f": {text}"),
    st.sampled_from(["---", "***", "{: .x}", "<!--techplan-slot-0-->", "<!--techplan-slot-5-->"]),
    st.sampled_from(
        [
            "```\ncode\n\nmore\n```",
            "<div>\n\nraw\n\n</div>",
            "[id]: other.md",
            "[^1]: a note",
            "*[NHS]: National Health Service",
            "[TOC]",
            "Footnote[^1] here",
            "NHS and <span>x</span>",
        ]
    ),
)
_PLACEHOLDER = re.compile(r"(techplanslot|<!--techplan-slot-)([0-9]+)")

SEPARATORS = st.sampled_from(["\n\n", "\n\n", "\n\n", "\n", "\n\n\n", "\n  \n", "  \n\n", "\n\n\n\n"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(BLOCKS, min_size=1, max_size=10))
    text = blocks[0]
    for block in blocks[1:]:
        text += draw(SEPARATORS) + block
    return text


@st.composite
def versions(draw: st.DrawFn) -> tuple[str, str]:
    """Two versions of a page: the second the first with a block changed, added or taken out, or its
    placeholders numbered otherwise (as when a reference is added above them, or one is made two)."""
    first = draw(documents())
    blocks = first.split("\n\n")
    at = draw(st.integers(0, len(blocks)))
    change = draw(st.sampled_from(["change", "add", "remove", "renumber", "same number"]))
    if change == "renumber":
        return first, _PLACEHOLDER.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", first)
    if change == "same number":
        return first, _PLACEHOLDER.sub(lambda m: f"{m.group(1)}7", first)
    if change == "add" or at == len(blocks):
        blocks.insert(at, draw(BLOCKS))
    elif change == "change":
        blocks[at] = draw(BLOCKS)
    else:
        del blocks[at]
    return first, "\n\n".join(blocks)


def test_the_site_extensions_are_supported() -> None:
    """Paragraphs are taken one by one with this project's extensions, and not with an unknown one."""
    assert supports(archive_markdown()[0])
    assert supports(diff_markdown())
    extensions, _ = site_markdown()
    assert {"abbr", "admonition", "def_list", "footnotes", "pymdownx.superfences"} <= set(extensions)
    assert not supports(markdown.Markdown(extensions=[*extensions, "pymdownx.snippets"]))
    assert not supports(markdown.Markdown(extensions=[*extensions, "md_in_html"]))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions())
def test_archive_pages_convert_as_whole(pair: tuple[str, str]) -> None:
    md, _ = archive_markdown()
    whole, _ = archive_markdown()
    paragraphs = Paragraphs(md)
    for text in pair:
        assert paragraphs.convert(text, "page", "links") == whole.reset().convert(text), text


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions())
def test_diff_pages_convert_as_whole(pair: tuple[str, str]) -> None:
    paragraphs = Paragraphs(diff_markdown())
    whole = diff_markdown()
    for text in pair:
        assert paragraphs.convert(text, "page") == whole.reset().convert(text), text


def test_pieces_are_reused_across_versions() -> None:
    """A second version converts only what changed; another page starts afresh."""
    md, _ = archive_markdown()
    paragraphs = Paragraphs(md)
    first = "# Plan\n\nOne paragraph.\n\n## Care\n\nTwo techplanslot0x.\n\nThree."
    second = "# Plan\n\nOne paragraph, reworded.\n\n## Care\n\nTwo techplanslot1x.\n\nThree."
    paragraphs.convert(first, "a.md")
    assert (paragraphs.converted, paragraphs.reused) == (5, 0)
    html = paragraphs.convert(second, "a.md")
    assert (paragraphs.converted, paragraphs.reused) == (6, 4)  # the reworded paragraph alone
    assert "Two techplanslot1x." in html
    paragraphs.convert(second, "b.md")
    assert paragraphs.converted == 11


def test_links_and_tables_are_kept_with_where_they_are() -> None:
    """The same words make other HTML where a link's page or a table's heading differs."""
    md, links = archive_markdown()
    whole, whole_links = archive_markdown()
    paragraphs = Paragraphs(md)
    page = "## {heading}\n\nSee [the roadmap](../phase2-roadmap/index.md).\n\nA | B\n--|--\n1 | 2"
    for heading, resolved in (("Care", "../r1/"), ("Data", "../r2/")):
        for converter in (links, whole_links):
            converter.resolve = lambda target, at=resolved: f"{at}{target}"
        text = page.format(heading=heading)
        html = paragraphs.convert(text, "page", resolved)
        assert html == whole.reset().convert(text)
        assert f'href="{resolved}phase2-roadmap/index.md"' in html
        assert f"Table under \u201c{heading}\u201d" in html


@pytest.mark.parametrize(
    "text",
    [
        "## Care\n\nText.\n\n## Care",  # two headings with one id: made unique across the page
        "Text {#care}\n\n## Care",
        "Some[^1] text.\n\n[^1]: The note.",
        "[Ref][id] text.\n\n[id]: other.md",
        "```\nA\n\n# not a heading\n```",
    ],
)
def test_what_reaches_across_paragraphs_is_converted_whole(text: str) -> None:
    md, _ = archive_markdown()
    whole, _ = archive_markdown()
    paragraphs = Paragraphs(md)
    assert paragraphs.convert(text, "page") == whole.reset().convert(text)
