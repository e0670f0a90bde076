"""Section provenance: when each section of a page last changed with a change note, and why.

A page's versions are the blobs its publication events left (history.log: the first-parent
line, renames followed). Each version's Markdown is split by its headings (cheap: no rendering),
and sections are followed from one version to the next by heading, then by a heading changed a
little or by unchanged words under a new heading. A section changed by a major event (one with a
change note) records that event; whitespace-only edits, edits to other sections and changes to the
data a block draws on do not count for it. A section split in two keeps its history in the part
that keeps the heading, and the other part is new; two sections merged continue the one whose
heading stays.

Every version is read once, in one batch, and split once: sections are cached by blob, and each
page's result by the events it was computed from. Nothing here raises on what the past holds: a
version the repository lacks is skipped, with a note.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from techplan.cache import DiskCache, content_key, pickled_by_fields, read_once_a_build, remember_at_most
from techplan.history.log import NO_BLOB, Event, blob_after
from techplan.history.notes import HistoryNote
from techplan.history.past import PastReader
from techplan.plan.prose import scan, visible_lines

LEVELS = (2, 3)
"""The heading levels that get a provenance line: h2 sections and the h3 sections inside them."""
SIMILAR_HEADING = 0.9
"""How alike two headings must be (difflib's ratio) for a section to be followed through a small rename alone."""
SIMILAR_SECTION = 0.6
"""How alike two headings must be for a section to be followed when its words are alike too."""
WORDS_ALIKE = 0.5
"""How alike the words under two headings must be for that (difflib's ratio over the words)."""
_SETEXT = re.compile(r"(=+|-+) *")
HEADING_CHARACTERS = 500
"""How much of a heading is compared with others: enough for any real one, and quick on any line."""
WORDS_COMPARED = 2000
"""How many of a section's words are compared with another's when neither heading matches."""
PAIRS_COMPARED = 10_000
"""How many (old, new) pairs of unmatched sections are compared at most: a rewritten page is new."""
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
"""MkDocs' own pattern for YAML front matter (mkdocs.utils.meta)."""
_MAPPING = re.compile(r"^[^\s#-][^:\n]*:(?:[ \t]|$)", re.MULTILINE)
_ATTRIBUTES = re.compile(r"\s*\{[^{}]*\}\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_NOT_WORD = re.compile(r"[^\w\s]+")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Section:
    """A section of one version of a page: its heading and the words under it."""

    level: int
    heading: str
    """The heading as written, inline Markdown and all."""
    line: int
    """The heading's last line in the text (an underlined heading's underline), 1-based."""
    key: str
    """The heading's words, lower case, without markup or punctuation: what sections are matched by."""
    words: tuple[str, ...]
    """The section's Markdown split on whitespace, its subsections included: what counts as a change."""
    blocks: tuple[str, ...] = ()
    """The plan blocks ([[milestones]] and the like) placed in it, whose data has its own history."""

    @property
    def title(self) -> str:
        """The heading as plain text, for saying which section a line is about."""
        return plain_heading(self.heading)

    def same_text(self, other: Section) -> bool:
        """Whether two versions of a section read the same, but for whitespace."""
        return self.heading.split() == other.heading.split() and self.words == other.words


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Stamp:
    """A publication event as a section's history names it."""

    commit: str
    date: datetime
    notes: tuple[str, ...]

    @property
    def note(self) -> str | None:
        """The notes as one text, or None."""
        return "\n\n".join(self.notes) if self.notes else None


@dataclass(frozen=True, slots=True)
class SectionHistory:
    """What a section of the page's latest version has been through."""

    section: Section
    added: Stamp
    """When the section first appeared, as far as it can be followed back."""
    with_page: bool
    """Whether it appeared when the page was first published."""
    changed: Stamp | None
    """Its last change with a change note (which may be its addition after the page's first publication)."""
    minor_edits: bool
    """Whether it was edited without a change note since then (or since it appeared)."""


@dataclass(frozen=True, slots=True)
class PageProvenance:
    """The sections of a page's latest published version, each with its history."""

    page: str
    blob: str
    """The latest version's blob: what the page reads when nothing is unpublished."""
    first: Stamp
    """When the page was first published."""
    sections: tuple[SectionHistory, ...]


def strip_front_matter(text: str) -> str:
    """The Markdown MkDocs converts: the text without its YAML front matter, if it starts with some.

    MkDocs keeps front matter that is not a mapping; past versions are not parsed as YAML here
    (they may be hostile), so a block with a `key:` line counts as a mapping.
    """
    match = _FRONT_MATTER.match(text)
    if match is None or not _MAPPING.search(match.group(1)):
        return text
    return text[match.end() :].lstrip("\n")


def split_sections(text: str) -> list[Section]:
    """The h2 and h3 sections of a page's Markdown (front matter already removed), in order.

    Headings are found as Python-Markdown finds them: `#` at the start of a line, or a line
    underlined with `=` or `-`, outside fenced code and HTML comments. A heading indented (in a
    list, a quote or an admonition) is part of the section around it.
    """
    lines = text.splitlines()
    visible = dict(visible_lines(text))
    headings: list[tuple[int, int, int, str]] = []
    """(level, line index where the heading starts, index of its last line, heading text)."""
    previous: int | None = None
    """The index of the line before, if it could be an underlined heading's text."""
    for number in range(len(lines)):
        line = visible.get(number + 1)
        if line is None:  # inside a fence
            previous = None
            continue
        if line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")), 6)
            headings.append((level, number, number, _atx_text(lines[number], level)))
            previous = None
        elif previous is not None and _SETEXT.fullmatch(line):
            headings.append((1 if line[0] == "=" else 2, previous, number, lines[previous].strip()))
            previous = None
        else:
            indented = line.startswith(("    ", "\t"))
            previous = None if indented or not line.strip() else number
    sections: list[Section] = []
    ends = _ends(headings)
    for (level, _, last, heading), end in zip(headings, ends, strict=True):
        if level not in LEVELS:
            continue
        body = "\n".join(lines[last + 1 : end])
        blocks = tuple(dict.fromkeys(t.name for t in scan(body) if not t.is_reference and t.alone))
        # Each word once in memory, however many sections and versions repeat it: a page's history holds
        # the words of every version it had.
        words = tuple(map(sys.intern, body.split()))
        sections.append(Section(level, heading, last + 1, heading_key(heading), words, blocks))
    return sections


def _atx_text(line: str, level: int) -> str:
    """A `## Heading ##` line's text, as Python-Markdown reads it: the closing hashes dropped."""
    return line[level:].strip().rstrip("#").strip()


def _ends(headings: list[tuple[int, int, int, str]]) -> list[int | None]:
    """Where each heading's section ends: where the next heading of its level or above starts (None: the end)."""
    ends: list[int | None] = [None] * len(headings)
    following: list[int | None] = [None] * 7
    """The start of the nearest heading below, at each level."""
    for position in range(len(headings) - 1, -1, -1):
        level, start, _, _ = headings[position]
        ends[position] = min((n for n in following[1 : level + 1] if n is not None), default=None)
        following[level] = start
    return ends


def plain_heading(heading: str) -> str:
    """A heading's words without Markdown: links as their text, no emphasis, code marks or {: attributes}."""
    text = _LINK.sub(r"\1", _ATTRIBUTES.sub("", heading[:HEADING_CHARACTERS]))
    return " ".join(text.replace("`", "").replace("*", "").replace("__", "").split())


def heading_key(heading: str) -> str:
    """What two headings must share to be the same section's: their words, lower case, no punctuation."""
    return " ".join(_NOT_WORD.sub(" ", plain_heading(heading).casefold()).split())


def match_sections(old: Sequence[Section], new: Sequence[Section]) -> dict[int, int]:
    """Which section of the old version each section of the new one continues: old index by new index.

    The same heading first (where a heading repeats, the one with the same words, else in
    order); then the same words under a new heading; then, among the rest, the most alike: a
    heading changed a little, or a heading and words both changed a little.
    """
    old_by_key: dict[str, list[int]] = {}
    for index, section in enumerate(old):
        old_by_key.setdefault(section.key, []).append(index)
    new_by_key: dict[str, list[int]] = {}
    for index, section in enumerate(new):
        new_by_key.setdefault(section.key, []).append(index)
    pairs: dict[int, int] = {}
    rest: list[int] = []
    left: list[int] = []
    for key, olds in old_by_key.items():
        news = new_by_key.get(key, [])
        paired = _pair_by_words(olds, news, old, new)
        pairs.update(paired)
        unpaired = [index for index in news if index not in paired]
        remaining = [index for index in olds if index not in paired.values()]
        pairs.update(zip(unpaired, remaining, strict=False))
        left += remaining[len(unpaired) :]
    rest = sorted(index for index in range(len(new)) if index not in pairs)
    left.sort()
    renamed = _pair_by_words(left, rest, old, new)  # the same words under a new heading
    pairs.update(renamed)
    rest = [index for index in rest if index not in renamed]
    left = [index for index in left if index not in renamed.values()]
    if len(rest) * len(left) > PAIRS_COMPARED:
        return pairs
    scored = [
        (score, new_index, old_index)
        for new_index in rest
        for old_index in left
        if (score := _likeness(old[old_index], new[new_index])) > 0
    ]
    taken: set[int] = set()
    for _, new_index, old_index in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
        if new_index not in pairs and old_index not in taken:
            pairs[new_index] = old_index
            taken.add(old_index)
    return pairs


def _pair_by_words(olds: list[int], news: list[int], old: Sequence[Section], new: Sequence[Section]) -> dict[int, int]:
    """Pairs of sections (new index to old) whose words are the same and not empty, in order."""
    by_words: dict[tuple[str, ...], deque[int]] = {}
    for index in olds:
        if old[index].words:
            by_words.setdefault(old[index].words, deque()).append(index)
    pairs: dict[int, int] = {}
    for index in news:
        if same := by_words.get(new[index].words):
            pairs[index] = same.popleft()
    return pairs


def _likeness(old: Section, new: Section) -> float:
    """How sure it is that a new section continues an old one under another heading; 0 when it does not.

    A heading changed a little (a typo, a word), or a heading and words both changed a little.
    """
    headings = difflib.SequenceMatcher(None, old.key, new.key, autojunk=False)
    if headings.real_quick_ratio() < SIMILAR_SECTION or headings.quick_ratio() < SIMILAR_SECTION:
        return 0.0
    heading = headings.ratio()
    if heading >= SIMILAR_HEADING:
        return 1.0 + heading
    if heading < SIMILAR_SECTION or not old.words or not new.words:
        return 0.0
    words = difflib.SequenceMatcher(None, old.words[:WORDS_COMPARED], new.words[:WORDS_COMPARED], autojunk=False)
    if words.real_quick_ratio() < WORDS_ALIKE or words.quick_ratio() < WORDS_ALIKE:
        return 0.0
    alike = words.ratio()
    return heading * alike if alike >= WORDS_ALIKE else 0.0


@dataclass(frozen=True, slots=True)
class Version:
    """One publication of a page: the event, and its sections (None when the page was deleted)."""

    stamp: Stamp
    major: bool
    sections: list[Section] | None


def follow(versions: Sequence[Version]) -> list[SectionHistory]:
    """The history of each section of the last version, from the versions oldest first."""
    histories: list[SectionHistory] = []
    sections: list[Section] = []
    first = True
    for version in versions:
        if version.sections is None:  # deleted: added again later, its sections start afresh
            histories, sections, first = [], [], False
            continue
        pairs = match_sections(sections, version.sections)
        following: list[SectionHistory] = []
        for index, section in enumerate(version.sections):
            before = pairs.get(index)
            if before is None:
                changed = version.stamp if version.major and not first else None
                following.append(SectionHistory(section, version.stamp, first, changed, minor_edits=False))
                continue
            history = histories[before]
            if sections[before].same_text(section):
                following.append(SectionHistory(section, history.added, history.with_page, history.changed,
                                                history.minor_edits))  # fmt: skip
            elif version.major:
                following.append(SectionHistory(section, history.added, history.with_page, version.stamp, False))
            else:
                following.append(SectionHistory(section, history.added, history.with_page, history.changed, True))
        histories, sections, first = following, version.sections, False
    return histories


class ProvenanceReader:
    """Works out each page's section provenance: first what it must read, then, once read, the provenance."""

    def __init__(self, files: dict[str, list[Event]], pages: Sequence[str], cache: DiskCache) -> None:
        """`files`: each file's events, newest first, by path relative to the plan directory (ChangeLog.files)."""
        self.pages = list(pages)
        self.cache = cache
        self._done: dict[str, PageProvenance] = {}
        self._todo: dict[str, tuple[str, list[tuple[Event, str]]]] = {}
        for page in self.pages:
            events = files.get(page, [])
            if not events:
                continue
            versions = [(event, blob_after(event)) for event in reversed(events)]
            key = content_key(
                json.dumps(
                    [page, [(e.commit.sha, e.commit.date.isoformat(), e.notes, e.major, blob) for e, blob in versions]]
                ).encode()
            )
            cached = cache.get("provenance", key)
            if cached is not None:
                self._done[page] = cached
            else:
                self._todo[page] = (key, versions)

    @property
    def versions_to_read(self) -> int:
        """How many page versions `read` has to follow (those a build cached are not counted)."""
        return sum(len(versions) for _, versions in self._todo.values())

    def read(self, past: PastReader) -> dict[str, PageProvenance]:
        """Each page's provenance, by page in the order given; the versions not cached read a batch of pages at a time.

        A page's versions are split into sections as that page is followed, and let go after it:
        the sections, or the text, of every version of every page at once would hold the whole
        history in memory.
        """
        pages: dict[str, dict[str, list[Section]]] = {}
        """The pages of the batch, each with its versions' sections as split before."""
        blobs: dict[str, None] = {}
        for page, (_, versions) in self._todo.items():
            kept = pages[page] = self.cache.get(SECTIONS, _sections_key(page)) or {}
            blobs.update((blob, None) for _, blob in versions if blob != NO_BLOB and blob not in kept)
            if len(blobs) >= past.BATCH:
                self._follow(pages, past.contents(blobs, keep=False), past)
                pages, blobs = {}, {}
        self._follow(pages, past.contents(blobs, keep=False) if blobs else {}, past)
        self._todo = {}
        return {page: self._done[page] for page in self.pages if page in self._done}

    def _follow(self, pages: dict[str, dict[str, list[Section]]], found: dict[str, bytes], past: PastReader) -> None:
        """Work out these pages' provenance from their versions: split before (by page), or read in `found`."""
        for page, kept in pages.items():
            key, versions = self._todo[page]
            split: dict[str, list[Section] | None] = {}
            for _, blob in versions:
                if blob == NO_BLOB or blob in split:
                    continue
                split[blob] = kept.get(blob)
                if split[blob] is None and blob in found:
                    split[blob] = split_sections(strip_front_matter(_as_read(found[blob])))
            now = {blob: sections for blob, sections in split.items() if sections is not None}
            if now.keys() != kept.keys():  # one entry per page, its versions' sections: one file, not one a version
                self.cache.put(SECTIONS, _sections_key(page), now)
            provenance = _page_provenance(page, versions, split, past)
            if provenance is not None:
                self._done[page] = provenance
                # Not when a version was missing: a later fetch may bring it.
                if all(sections is not None for sections in split.values()):
                    self.cache.put("provenance", key, provenance)


SECTIONS = "page-sections"
"""The cache's kind for each page's versions split into sections (a build reads each page's once)."""
remember_at_most(SECTIONS, 0)  # a page's every version: not held in memory as well
read_once_a_build("provenance")  # each page's: the build holds what it makes of them


def _sections_key(page: str) -> str:
    """The cache key of a page's versions' sections: by path (the versions inside are by blob)."""
    return content_key(f"sections\0{page}".encode())


def read_provenance(
    past: PastReader, files: dict[str, list[Event]], pages: Sequence[str], cache: DiskCache
) -> dict[str, PageProvenance]:
    """Each page's section provenance from its own file's events (newest first), by page."""
    return ProvenanceReader(files, pages, cache).read(past)


def _as_read(data: bytes) -> str:
    """A page's bytes as MkDocs reads the file: UTF-8 (a byte order mark dropped), universal newlines."""
    return data.decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")


def _page_provenance(
    page: str,
    versions: list[tuple[Event, str]],
    split: dict[str, list[Section] | None],
    past: PastReader,
) -> PageProvenance | None:
    """Follow one page's sections through its versions; None when its latest version cannot be read."""
    followed: list[Version] = []
    for event, blob in versions:
        sections = None if blob == NO_BLOB else split.get(blob)
        if blob != NO_BLOB and sections is None:
            past.notes.append(
                HistoryNote(event.commit.sha, event.path, 0, "this version of the page is not in the "
                            "repository; its sections' history is followed from the versions around it")
            )  # fmt: skip
            continue
        followed.append(Version(Stamp(event.commit.sha, event.commit.date, event.notes), event.major, sections))
    last_blob = versions[-1][1]
    if not followed or last_blob == NO_BLOB or split.get(last_blob) is None:
        return None
    return PageProvenance(page, last_blob, followed[0].stamp, tuple(follow(followed)))
