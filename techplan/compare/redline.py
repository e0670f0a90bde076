"""Redlines: what changed between two versions of a page, block by block and word by word.

This is the reference. The compare page's script (techplan-compare.js) runs the same steps on
the blocks the build publishes, so both mark the same words; tests/golden/redline holds both to
hand-checked answers and a differential test to each other.

1. Blocks (headings, paragraphs, list items, table rows) are compared as whole values.
2. Runs of blocks that differ are paired: each new block with the most similar old block of the
   same kind after the last pair, if more than half alike; the rest were removed or added.
3. Paired blocks are compared word by word: words, single punctuation marks and runs of
   whitespace are tokens, so a change marks exactly the words and marks that changed.
4. The word-level edits are tidied. An insertion or deletion says the same wherever it can
   slide to (while the token leaving one end is the token arriving at the other): if it can
   slide to the change before or after it, it joins that change; otherwise it goes as far right
   as it can, so it starts at a word rather than a space. Then a single space between two
   changes joins them, unless both only insert or both only delete.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import ClassVar, NamedTuple

from techplan.cache import pickled_by_fields
from techplan.compare.sequences import diff_sequences, lcs_length

BLOCK_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "tr", "dt", "dd", "caption", "figcaption"}
"""Elements whose text is one block of a page: a heading, a paragraph, a list item, a table row..."""
SKIPPED_TAGS = {"script", "style", "svg", "template"}
"""Elements whose text is not the page's text (a chart's labels repeat its table)."""
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
TOKENS = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]|\s+")
"""Words (with apostrophes inside), single punctuation marks and runs of whitespace: every
character falls in one, so the tokens of a text join back into it."""
WORDS = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
"""The same tokens without the whitespace: what similarity compares."""
PAIRING_THRESHOLD = 0.5
"""How alike two blocks must be (more than this) to be shown as one block changed."""

EQUAL, DELETED, INSERTED = "=", "-", "+"


class Part(NamedTuple):
    """A run of a block's text: equal (=), deleted (-) or inserted (+)."""

    op: str
    text: str


@pickled_by_fields
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
    parts: tuple[Part, ...]
    """The block's text in runs, each equal, deleted or inserted."""

    @property
    def html(self) -> str:
        """The block's text, escaped, with <ins> and <del> around what changed."""
        return parts_html(self.parts)

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
    """Compare two versions block by block, and paired blocks word by word."""
    ids: dict[tuple[str, str], int] = {}
    old_ids = [ids.setdefault((b.kind, b.text), len(ids)) for b in old]
    new_ids = [ids.setdefault((b.kind, b.text), len(ids)) for b in new]
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in diff_sequences(old_ids, new_ids):
        if tag == "equal":
            segments += [Segment(b.kind, "equal", (Part(EQUAL, b.text),)) for b in new[j1:j2]]
        else:
            segments += pair_blocks(old[i1:i2], new[j1:j2])
    return segments


def pair_blocks(old: list[Block], new: list[Block]) -> list[Segment]:
    """Show replaced blocks as changed where they pair, as removed or added where they do not.

    Each new block, in order, pairs with the old block of its kind after the last pair that is
    most similar to it (the first of equals), if more than PAIRING_THRESHOLD alike.
    """
    old_words = [_words(b.text) for b in old]
    old_counts = [dict(Counter(words)) for words in old_words]
    matches: list[tuple[int, int]] = []
    position = 0
    for j, block in enumerate(new):
        words = _words(block.text)
        counts = Counter(words)
        tokens, numbers, none = list(counts), list(counts.values()), [0] * len(counts)
        best, best_ratio = None, PAIRING_THRESHOLD
        for i in range(position, len(old)):
            if old[i].kind != block.kind:
                continue
            total = len(old_words[i]) + len(words)
            # Cheap upper bounds first (lengths, then words in common in any order): most
            # candidates cannot beat the best so far.
            if total and 2 * min(len(old_words[i]), len(words)) / total <= best_ratio:
                continue
            shared = sum(map(min, numbers, map(old_counts[i].get, tokens, none)))  # map: no Python loop
            if total and 2 * shared / total <= best_ratio:
                continue
            ratio = similarity(old_words[i], words)
            if ratio > best_ratio:
                best, best_ratio = i, ratio
        if best is not None:
            matches.append((best, j))
            position = best + 1
    segments: list[Segment] = []
    done_old = done_new = 0
    for i, j in [*matches, (len(old), len(new))]:
        segments += [Segment(b.kind, "deleted", (Part(DELETED, b.text),)) for b in old[done_old:i]]
        segments += [Segment(b.kind, "inserted", (Part(INSERTED, b.text),)) for b in new[done_new:j]]
        if i < len(old) and j < len(new):
            segments.append(Segment(new[j].kind, "changed", word_diff(old[i].text, new[j].text)))
        done_old, done_new = i + 1, j + 1
    return segments


def similarity(old_words: list[str], new_words: list[str]) -> float:
    """How alike two blocks are, 0 to 1: twice the words and marks they share in order, over how many they have.

    Words, not characters: any two English paragraphs share most of their letters.
    """
    total = len(old_words) + len(new_words)
    return 2 * lcs_length(old_words, new_words) / total if total else 1.0


def tokenize(text: str) -> list[str]:
    """A text's words, single punctuation marks and runs of whitespace, in order."""
    return TOKENS.findall(text)


def _words(text: str) -> list[str]:
    """A text's tokens without the whitespace: what similarity compares."""
    return WORDS.findall(text)


def word_diff(old: str, new: str) -> tuple[Part, ...]:
    """The runs of two texts' words that are equal, deleted and inserted (a deletion before its insertion)."""
    a, b = tokenize(old), tokenize(new)
    equal: list[list[str]] = [[]]  # equal[k] comes before changes[k] and after changes[k - 1]
    changes: list[tuple[list[str], list[str]]] = []  # (deleted tokens, inserted tokens)
    for tag, i1, i2, j1, j2 in diff_sequences(a, b):
        if tag == "equal":
            equal[-1] += a[i1:i2]
        else:
            changes.append((a[i1:i2], b[j1:j2]))
            equal.append([])
    _slide_edits(equal, changes)
    _join_across_spaces(equal, changes)
    parts: list[Part] = []
    for k, run in enumerate(equal):
        if run:
            parts.append(Part(EQUAL, "".join(run)))
        if k < len(changes):
            deleted, inserted = changes[k]
            if deleted:
                parts.append(Part(DELETED, "".join(deleted)))
            if inserted:
                parts.append(Part(INSERTED, "".join(inserted)))
    return tuple(parts)


def _slide_edits(equal: list[list[str]], changes: list[tuple[list[str], list[str]]]) -> None:
    """Move each change that only inserts or only deletes to where it reads best (it says the same anywhere).

    It slides left while its last token is the one before it, and joins the change before if it
    gets there: "trust<ins>,</ins> <ins>and every GP practice, </ins>has" becomes
    "trust<ins>, and every GP practice,</ins> has". Then it slides right while its first token is
    the one after it, joining the change after if it gets there, and stays as far right as it
    went: "a<ins> new</ins> plan" becomes "a <ins>new </ins>plan", marking a word, not a space.
    """
    k = 0
    while k < len(changes):
        deleted, inserted = changes[k]
        if deleted and inserted:
            k += 1
            continue
        run, before, after = list(deleted or inserted), equal[k], equal[k + 1]
        while before and run[-1] == before[-1]:
            after.insert(0, before.pop())
            run = after[:1] + run[:-1]
        if not before and k > 0:
            equal[k - 1 : k + 1] = [equal[k - 1]]
            changes[k - 1 : k + 1] = [_joined(changes[k - 1], run, bool(deleted), True)]
            k -= 1
            continue
        while after and run[0] == after[0]:
            before.append(after.pop(0))
            run = run[1:] + before[-1:]
        if not after and k < len(changes) - 1:
            del equal[k + 1]
            changes[k : k + 2] = [_joined(changes[k + 1], run, bool(deleted), False)]
            continue
        changes[k] = (run, []) if deleted else ([], run)
        k += 1


def _joined(
    change: tuple[list[str], list[str]], run: list[str], deletes: bool, after: bool
) -> tuple[list[str], list[str]]:
    """A change with a run of deleted or inserted tokens added after (or before) its own."""
    deleted, inserted = change
    if deletes:
        return (deleted + run, inserted) if after else (run + deleted, inserted)
    return (deleted, inserted + run) if after else (deleted, run + inserted)


def _join_across_spaces(equal: list[list[str]], changes: list[tuple[list[str], list[str]]]) -> None:
    """Make one change of two with a single space between them, so a rewording is not a confetti of marks.

    Unless both only insert or both only delete: joining those would mark an unchanged space as
    deleted and inserted again.
    """
    k = 1
    while k < len(equal) - 1:
        between = equal[k]
        left, right = changes[k - 1], changes[k]
        deletes, inserts = bool(left[0] or right[0]), bool(left[1] or right[1])
        if len(between) == 1 and between[0][0].isspace() and deletes and inserts:
            changes[k - 1 : k + 1] = [(left[0] + between + right[0], left[1] + between + right[1])]
            del equal[k]
        else:
            k += 1


def parts_html(parts: Iterable[Sequence[str]]) -> str:
    """A block's runs as escaped HTML, with <del> and <ins> around what changed."""
    return "".join(
        _mark("del", text) if op == DELETED else _mark("ins", text) if op == INSERTED else html.escape(text)
        for op, text in parts
    )


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
