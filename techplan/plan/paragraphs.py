"""Markdown converted a paragraph at a time, so that the versions of one page share the work.

A first build renders every version of every page since the first revision (14,730 at 1,000
pages), and `techplan diff` converts both sides of each page it compares. Versions of a page
mostly differ in a paragraph or two: in the bench's 200-page repository, two pieces in three
of each point-in-time page are word for word in an earlier version of it. Python-Markdown is
a large part of each version's time, and converting each distinct piece once a page cut it by
two fifths there (1.17 s to 0.71 s for 1,000 versions, the same HTML).

This is only done where the pieces cannot read each other. Python-Markdown parses a document
as blocks separated by a blank line, each read with only what came before it in the tree; a
block that starts at the left margin with a letter, a digit (not a numbered list) or `#`
begins a paragraph or heading of its own, never the continuation of a list, a quote, a code
block or a definition list (a block with a definition in it stays with the one before). So
the text is cut before such blocks, each piece converted on its own and the HTML joined,
which gives the document's HTML, unless something reaches across pieces. Then the page is
converted whole, as before:

- text the whole document shares: reference definitions, footnotes, abbreviations, `[TOC]`;
- fenced code and raw HTML, which may span blank lines (the engine's own placeholders for
  blocks apart, on lines of their own);
- an extension this module does not know (registered processors are checked by name), which
  may keep state across blocks;
- two elements with the same id: table of contents ids are made unique across the document,
  and the pieces alone cannot see each other's.

What a piece makes may also depend on where it is, and then that is part of its key: links
(`](`) on the page's address (`links`, given by the caller), and a table (`|`) on the heading
above it, which names its box (techplan.site.mdtables). Placeholders for references
(techplan.site.render.Slots) are numbered in order on the page: a piece is kept without its
placeholders' numbers and its HTML numbered anew, so a reference added above it leaves it as
it was.

Each conversion costs about as much as PIECE_COST characters of text, so cutting pays only
where enough is shared: `worth_cutting` says whether it does for the sides of a diff.

tests/test_paragraphs.py checks, on generated documents of every kind of block and versions of
them, that the pieces' HTML is the whole document's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Protocol, cast

import markdown as markdown_lib
from markdown.util import Registry

_BOUNDARY = re.compile(r"\n\n(?<=\S\n\n)(?=#|[A-Za-z]|[0-9]+[^.0-9]|<!--techplan-slot-[0-9]+-->\n)")
"""A blank line between a line with text and one that starts a block of its own (not a numbered list)."""

_LEANS_BACK = re.compile(r"^ {0,3}:[ \t]", re.MULTILINE)
"""A definition (`: text`) in a block: it joins a definition list above it, so stays with the block before."""

_ACROSS = ("```", "~~~", "[^", "[TOC]")
"""Markdown that reaches across blocks: fences, footnotes, a table of contents."""

_DEFINITION = re.compile(r"^ {0,3}(?:\[[^\]\n]*\]:|\*\[)", re.MULTILINE)
"""A reference or abbreviation definition, which the whole page reads."""

_BLOCK_SLOT = re.compile(r"^<!--techplan-slot-[0-9]+-->$", re.MULTILINE)
"""The engine's placeholder for a block (techplan.site.render.Slots): the only raw HTML a page may have here."""

_NUMBERED = re.compile(r"(techplanslot|<!--techplan-slot-)([0-9]+)")
"""A placeholder, inline or for a block, and its number."""

_ID = re.compile(r'\sid="([^"]*)"')

KNOWN = {
    "preprocessors": {"normalize_whitespace", "html_block", "fenced_code_block"},
    "blockprocessors": {
        "empty",
        "indent",
        "code",
        "hashheader",
        "setextheader",
        "hr",
        "olist",
        "ulist",
        "quote",
        "reference",
        "paragraph",
        "table",
        "admonition",
        "details",
        "deflist",
        "defindent",
        "footnote",
        "abbr",
    },
    "treeprocessors": {
        "inline",
        "prettify",
        "unescape",
        "toc",
        "attr_list",
        "abbr",
        "footnote",
        "footnote-duplicate",
        "techplan_page_links",
        "techplan_boxed_tables",
    },
    "postprocessors": {"raw_html", "amp_substitute", "unescape", "footnote"},
    "inlinePatterns": {
        "backtick",
        "escape",
        "reference",
        "link",
        "image_link",
        "image_reference",
        "short_reference",
        "short_image_ref",
        "autolink",
        "automail",
        "linebreak",
        "html",
        "entity",
        "not_strong",
        "em_strong",
        "em_strong2",
        "footnote",
        "abbr",
    },
}
"""What each of Python-Markdown's registries may hold for paragraphs to be converted on their own:
the processors of Python-Markdown and of the extensions tests/test_paragraphs.py covers."""


def supports(md: markdown_lib.Markdown) -> bool:
    """Whether every processor a converter has registered is one that reads no more than its block."""
    registries: dict[str, Registry[Any]] = {
        "preprocessors": md.preprocessors,
        "blockprocessors": md.parser.blockprocessors,
        "treeprocessors": md.treeprocessors,
        "postprocessors": md.postprocessors,
        "inlinePatterns": md.inlinePatterns,
    }
    # A registry has no public list of its names: `_data` holds them (without it, nothing is supported).
    return all(set(getattr(registry, "_data", {"unknown": 0})) <= KNOWN[kind] for kind, registry in registries.items())


class _NamesTables(Protocol):
    """An extension that names a table after the heading above it (techplan.site.mdtables.BoxedTables)."""

    heading_before: str
    heading_after: str | None


PIECE_COST = 200
"""What one more conversion costs, as characters of text: Python-Markdown's setup and its passes over the result
(about 60 µs against 0.3 µs a character, for a paragraph with the site's extensions)."""


@dataclass(frozen=True, slots=True)
class _Piece:
    html: str
    heading: str | None
    """The last heading in the piece, as a table's box below it is named after it; None if it has none."""
    numbers: tuple[str, ...]
    """The placeholders' numbers in the piece as converted: another version may number them otherwise."""


class Paragraphs:
    """Converts a page's Markdown a paragraph at a time, each distinct paragraph of the page once.

    `convert(text, page, links)` gives what `md.reset().convert(text)` gives. What is kept is
    let go when another page is converted: a page's versions are converted together.
    """

    LIMIT = 4096
    """Pieces kept for one page at most; past it they are let go and kept again from empty."""

    def __init__(self, md: markdown_lib.Markdown) -> None:
        self.md = md
        self.enabled = supports(md)
        self._tables = next(
            (cast(_NamesTables, e) for e in md.registeredExtensions if hasattr(e, "heading_before")), None
        )
        self._page: Hashable = None
        self._pieces: dict[tuple[str, object, object], _Piece] = {}
        self.converted = self.reused = 0
        """Pieces converted and pieces taken as converted before: for the bench and the tests."""

    def convert(self, text: str, page: Hashable = None, links: Hashable = None, whole: bool = False) -> str:
        """The HTML of the text, as Python-Markdown makes it of the whole.

        `links` stands for everything a link's address is made from on this page (for a piece
        with a link in it); `page` for the page whose versions these are. With `whole`, the
        text is converted whole (see `worth_cutting`).
        """
        if page != self._page or len(self._pieces) > self.LIMIT:
            self._page, self._pieces = page, {}
        if whole or not self.enabled or _reaches_across(text):
            return self.md.reset().convert(text)
        pieces = _pieces(text)
        if len(pieces) == 1:
            return self.md.reset().convert(text)
        try:
            html = self._join(pieces, links)
        except RecursionError:  # nested too deeply: the whole conversion says what becomes of it
            html = None
        return html if html is not None else self.md.reset().convert(text)

    @staticmethod
    def worth_cutting(texts: list[str]) -> bool:
        """Whether versions of a page share enough to convert them a piece at a time rather than each whole.

        Each conversion costs about as much as PIECE_COST characters of text besides its text,
        so pieces pay only where the text they share outweighs the conversions they add.
        """
        seen: set[str] = set()
        shared = added = 0
        for text in texts:
            for piece in _pieces(text):
                if piece in seen:
                    shared += len(piece)
                else:
                    seen.add(piece)
                    added += 1
        return shared > PIECE_COST * (added - len(texts))

    def _join(self, pieces: tuple[str, ...], links: Hashable) -> str | None:
        out: list[str] = []
        heading = ""
        for piece in pieces:
            numbers: tuple[str, ...] = ()
            shape = piece
            if "techplan" in piece:  # the numbers apart: text, placeholder, number, text, ...
                parts = _NUMBERED.split(piece)
                numbers = tuple(parts[2::3])
                del parts[2::3]
                shape = "".join(parts)
            under = heading if self._tables is not None and "|" in piece else None
            if under is not None and "techplan" in under:
                return None  # a table named after a heading with a reference in it, numbered for the page
            key = (shape, under, links if "](" in piece else None)
            found = self._pieces.get(key)
            renumbered = None if found is None else _renumbered(found, numbers)
            if found is None or renumbered is None:
                found = renumbered = self._convert(piece, heading, numbers)
                self._pieces[key] = found
                self.converted += 1
            else:
                self.reused += 1
            if not renumbered.html:
                return None
            # After raw HTML (a block's placeholder) at its end, Python-Markdown leaves a blank line.
            ends_in_html = piece.endswith("-->") and _BLOCK_SLOT.search(piece.rpartition("\n")[2]) is not None
            out.append(renumbered.html + "\n" if ends_in_html else renumbered.html)
            if renumbered.heading is not None:
                heading = renumbered.heading
        html = "\n".join(out).rstrip("\n")
        ids = _ID.findall(html) if "id=" in html else []
        return html if len(ids) == len(set(ids)) else None

    def _convert(self, piece: str, heading: str, numbers: tuple[str, ...]) -> _Piece:
        if self._tables is None:
            return _Piece(self.md.reset().convert(piece), None, numbers)
        self.md.reset()  # which puts the page under no heading
        self._tables.heading_before = heading
        html = self.md.convert(piece)
        return _Piece(html, self._tables.heading_after, numbers)


def _reaches_across(text: str) -> bool:
    """Whether the text has Markdown that one block reads from another (see the module's notes)."""
    if any(mark in text for mark in _ACROSS):
        return True
    if "<" in text and text.count("<") != len(_BLOCK_SLOT.findall(text)):
        return True  # raw HTML other than the engine's placeholders for blocks
    return ("]:" in text or "*[" in text) and _DEFINITION.search(text) is not None


@functools.lru_cache(maxsize=8)
def _pieces(text: str) -> tuple[str, ...]:
    """The text cut where a block begins that reads nothing before it.

    Kept for the last few texts: a diff cuts a page's two sides to weigh them (`worth_cutting`),
    then again to convert them.
    """
    pieces: list[str] = []
    for piece in _BOUNDARY.split(text):
        if pieces and ":" in piece and _LEANS_BACK.search(piece):
            pieces[-1] += "\n\n" + piece
        else:
            pieces.append(piece)
    return tuple(pieces)


def _renumbered(piece: _Piece, numbers: tuple[str, ...]) -> _Piece | None:
    """A converted piece for the same text with its placeholders numbered otherwise; None if they cannot be mapped.

    Placeholders are only ever the same where their numbers are: a piece converted with one
    number twice cannot stand for one with two numbers there.
    """
    if numbers == piece.numbers:
        return piece
    mapping = dict(zip(piece.numbers, numbers, strict=True))
    pairs = zip(piece.numbers, numbers, strict=True)
    if any(mapping[old] != new for old, new in pairs) or len(set(mapping.values())) != len(mapping):
        return None

    def number(match: re.Match[str]) -> str:
        return match.group(1) + mapping.get(match.group(2), match.group(2))

    heading = _NUMBERED.sub(number, piece.heading) if piece.heading is not None else None
    return _Piece(_NUMBERED.sub(number, piece.html), heading, numbers)
