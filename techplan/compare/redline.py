"""Redlines: word-level differences between two versions of a page's rendered text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser
from typing import ClassVar

BLOCK_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "tr", "dt", "dd", "caption", "figcaption"}
"""Elements whose text is one block of a page: a heading, a paragraph, a list item, a table row..."""
SKIPPED_TAGS = {"script", "style", "svg", "template"}
"""Elements whose text is not the page's text (a chart's labels repeat its table)."""
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_WORDS = re.compile(r"\s+|\w+(?:['’]\w+)*\s*|[^\w\s]\s*")
"""Words and single punctuation marks, each with the space after it: a lone space token, repeated
between every pair of words, would make the diff both slow and fond of matching nothing but spaces."""


@dataclass(frozen=True, slots=True)
class Block:
    """A block of a page's text, as a reader reads it."""

    kind: str
    """The element it came from: h2, p, li, tr..."""
    text: str

    @property
    def is_heading(self) -> bool:
        """Whether the block is a heading, which a redline keeps as a landmark."""
        return self.kind in HEADINGS


@dataclass(frozen=True, slots=True)
class Segment:
    """One block of a redline: unchanged, changed (with word marks), added or removed."""

    kind: str
    status: str
    """equal, changed, inserted or deleted."""
    html: str
    """The block's text, escaped, with <ins> and <del> around what changed."""

    @property
    def is_heading(self) -> bool:
        """Whether the block is a heading."""
        return self.kind in HEADINGS


def extract_blocks(content: str) -> list[Block]:
    """Split rendered HTML into the blocks of text a reader reads, in order."""
    parser = _BlockParser()
    parser.feed(content)
    parser.close()
    return parser.blocks


def redline(old: list[Block], new: list[Block]) -> list[Segment]:
    """Compare two versions block by block, and changed blocks word by word."""
    matcher = SequenceMatcher(None, [(b.kind, b.text) for b in old], [(b.kind, b.text) for b in new], autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments += [Segment(b.kind, "equal", html.escape(b.text)) for b in new[j1:j2]]
            continue
        segments += _pair_blocks(old[i1:i2], new[j1:j2])
    return segments


def _pair_blocks(old: list[Block], new: list[Block]) -> list[Segment]:
    """Match replaced blocks to their closest counterparts, in order; the rest were removed or added."""
    matches: list[tuple[int, int]] = []
    position = 0
    old_words = [b.text.split() for b in old]
    matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)
    for j, block in enumerate(new):
        best, best_ratio = None, 0.5
        # Similar in words, not characters: any two English paragraphs share most letters.
        matcher.set_seq2(block.text.split())  # indexed once, then compared with each candidate
        for i in range(position, len(old)):
            if old[i].kind != block.kind:
                continue
            matcher.set_seq1(old_words[i])
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = i, ratio
        if best is not None:
            matches.append((best, j))
            position = best + 1
    segments: list[Segment] = []
    done_old = done_new = 0
    for i, j in [*matches, (len(old), len(new))]:
        segments += [Segment(b.kind, "deleted", _mark("del", b.text)) for b in old[done_old:i]]
        segments += [Segment(b.kind, "inserted", _mark("ins", b.text)) for b in new[done_new:j]]
        if i < len(old) and j < len(new):
            segments.append(Segment(new[j].kind, "changed", word_diff(old[i].text, new[j].text)))
        done_old, done_new = i + 1, j + 1
    return segments


def word_diff(old: str, new: str) -> str:
    """Escaped text with <del> and <ins> around the words that changed."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(html.escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(_mark("del", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(_mark("ins", "".join(b[j1:j2])))
    return "".join(parts)


def _mark(tag: str, text: str) -> str:
    """Text marked as inserted or deleted, in words a screen reader announces (colour never alone)."""
    label = "inserted" if tag == "ins" else "deleted"
    hidden = '<span class="tp-visually-hidden">'
    return f"<{tag}>{hidden}[{label}: </span>{html.escape(text)}{hidden}]</span></{tag}>"


def count_changes(segments: list[Segment]) -> int:
    """How many blocks differ."""
    return sum(1 for segment in segments if segment.status != "equal")


class _BlockParser(HTMLParser):
    """Collects the text of block elements, skipping what is not the page's own text."""

    VOID: ClassVar[set[str]] = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._open: list[tuple[str, list[str] | None, bool]] = []
        """Open elements: (tag, the text of a block element or None, whether it is skipped)."""
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            if tag == "br":
                self._append(" ")
            return
        classes = dict(attrs).get("class") or ""
        skipped = tag in SKIPPED_TAGS or "headerlink" in classes or "tp-visually-hidden" in classes
        self._skipping += skipped
        if tag in BLOCK_TAGS:
            self._flush()  # text before a nested block (a list item's own words) comes first
        if tag in ("td", "th"):
            collector = self._collector()
            if collector:  # cells of a row read as one block, separated
                collector.append(" | ")
        self._open.append((tag, [] if tag in BLOCK_TAGS else None, skipped))

    def _flush(self) -> None:
        """Emit the text collected so far by the innermost open block."""
        for index in range(len(self._open) - 1, -1, -1):
            name, text, _ = self._open[index]
            if text is not None:
                joined = " ".join("".join(text).split()).strip(" |")
                if joined:
                    self.blocks.append(Block(name, joined))
                text.clear()
                return

    def handle_endtag(self, tag: str) -> None:
        if not any(name == tag for name, _, _ in self._open):
            return  # a stray end tag
        while self._open:
            if self._open[-1][1] is not None:
                self._flush()
            name, _, skipped = self._open.pop()
            self._skipping -= skipped
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self._append(data)

    def _append(self, data: str) -> None:
        """Add text to the innermost open block, unless it is being skipped."""
        collector = self._collector()
        if collector is not None and not self._skipping:
            collector.append(data)

    def _collector(self) -> list[str] | None:
        """The text of the innermost open block element."""
        return next((text for _, text, _ in reversed(self._open) if text is not None), None)
