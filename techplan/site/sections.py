"""Section provenance on the site: a quiet line under each section heading, and provenance.json.

The lines are rendered once per build from the history (and cached with the rest of it); a
page's Markdown gets a slot after each h2 and h3 heading, filled after conversion, so the lines
are neither headings (the table of contents does not list them) nor indexed by search
(`data-search-exclude`). provenance.json is written when the pages are converted, because
the anchor of each heading is what the Markdown converter made of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from techplan.cache import pickled_by_fields
from techplan.history.log import Commit
from techplan.history.provenance import (
    PageProvenance,
    Section,
    SectionHistory,
    Stamp,
    match_sections,
    split_sections,
)
from techplan.site.archive import ArchiveIndex, RevisionView, redline_anchor
from techplan.site.render import Slots, heading_text
from techplan.site.urls import relative_url

PROVENANCE_JSON = "provenance.json"
"""Where the site publishes every section's provenance."""
TEMPLATE = "partials/plan-section-provenance.html"
BLOCK_WORDS = {
    "milestones": "milestones table",
    "measures": "measures",
    "roadmap": "timeline and table of milestones",
    "phases": "table of phases",
    "coming-due": "milestones coming due",
}
"""What a reader calls each plan block, for saying that its data has a history of its own."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SectionLine:
    """One section's provenance line, rendered, and the same as data."""

    section: Section
    html: str
    data: dict[str, Any]
    """Its entry in provenance.json, but for the heading and anchor, which come from the converted page."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageLines:
    """The provenance lines of a page's latest published version."""

    page: str
    first: dict[str, str]
    """When the page was first published: commit and date."""
    lines: tuple[SectionLine, ...]
    unpublished_html: str
    """The line for a section edited (or added) in a preview and not committed yet."""


@dataclass(frozen=True, slots=True)
class SiteSections:
    """Every page's section lines, and what provenance.json says about the history they come from."""

    head: str | None
    shallow: bool
    pages: dict[str, PageLines]


@dataclass(frozen=True, slots=True)
class Link:
    """Where a section's line sends a reader to see its change."""

    kind: str
    """`redline` (a revision's redline), `version` (the page as the first revision had it) or `changes`."""
    href: str
    revision: str | None


def section_lines(
    provenance: dict[str, PageProvenance],
    revisions: ArchiveIndex,
    chain: tuple[Commit, ...],
    page_urls: dict[str, str],
    changes_page_url: str | None,
    incomplete: bool,
    render: Callable[..., str],
    commit_url: Callable[[str], str | None],
) -> dict[str, PageLines]:
    """Every page's section lines: rendered with `render` (template, page URL, context) and as data."""
    order = {commit.sha: position for position, commit in enumerate(chain)}
    pages: dict[str, PageLines] = {}
    for page, history in provenance.items():
        url = page_urls.get(page, "")
        lines = []
        for section in history.sections:
            link = _link(section.changed, page, revisions, order, changes_page_url) if section.changed else None
            html = render(
                TEMPLATE,
                url,
                state="changed" if section.changed else "unchanged",
                history=section,
                title=section.section.title,
                link=_relative(link, url),
                commit=commit_url(section.changed.commit) if section.changed else None,
                incomplete=incomplete,
                data=[BLOCK_WORDS[b] for b in section.section.blocks if b in BLOCK_WORDS],
            )
            lines.append(SectionLine(section.section, _one_block(html), section_data(section, link)))
        unpublished = render(TEMPLATE, url, state="unpublished", history=None, title="", link=None, commit=None,
                             incomplete=incomplete, data=[])  # fmt: skip
        first = {"commit": history.first.commit, "date": history.first.date.isoformat()}
        pages[page] = PageLines(page, first, tuple(lines), _one_block(unpublished))
    return pages


def _link(
    change: Stamp, page: str, index: ArchiveIndex, order: dict[str, int], changes_page_url: str | None
) -> Link | None:
    """Where to see a change: the redline of the first revision that published it, at the page.

    A revision holds a change when its commit is the change's or a later one on the first-parent
    line (a tag off that line holds nothing for sure). The first revision has no redline, so its
    own copy of the page is the place; a change in no revision yet is on What's changed.
    """
    at = order.get(change.commit)
    first: RevisionView | None = None
    if at is not None:
        holding = [v for v in index.revisions if v.commit in order and order[v.commit] <= at]
        first = max(holding, key=lambda v: order[v.commit], default=None)
    if first is None:
        return Link("changes", changes_page_url, None) if changes_page_url is not None else None
    if first.previous is None:
        key = first.pages.get(page)
        version = index.versions.get(key) if key else None
        if version is not None:
            return Link("version", version.url, first.name)
    anchor = f"#{redline_anchor(page)}" if page in first.pages_changed else ""
    return Link("redline", first.redline_url + anchor, first.name)


def _relative(link: Link | None, page_url: str) -> Link | None:
    """A link as the page at page_url writes it."""
    return Link(link.kind, relative_url(link.href, page_url), link.revision) if link else None


def _one_block(html: str) -> str:
    """Rendered HTML without its blank lines and indents, to drop into a converted page."""
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


def section_data(history: SectionHistory, link: Link | None) -> dict[str, Any]:
    """A section's entry in provenance.json (heading and anchor are added from the converted page)."""
    changed = history.changed
    return {
        "level": history.section.level,
        "added": {"commit": history.added.commit, "date": history.added.date.isoformat()},
        "with_page": history.with_page,
        "last_change": {
            "commit": changed.commit,
            "date": changed.date.isoformat(),
            "note": changed.note,
            "revision": link.revision if link else None,
        }
        if changed
        else None,
        "minor_edits": history.minor_edits,
    }


@dataclass(slots=True)
class PlacedLines:
    """The lines placed on one page as it is built: which slot holds which section's line."""

    slots: dict[int, dict[str, Any]] = field(default_factory=dict)
    """provenance.json's entry for the section whose line is in each slot."""


def place_lines(markdown: str, lines: PageLines | None, slots: Slots) -> tuple[str, PlacedLines]:
    """Put a slot for each section's line right after its heading in the page's Markdown.

    The Markdown is the page as it is being built: when it differs from the latest published
    version (a preview with edits not committed yet), each section is matched to the published
    ones and a section that reads differently says it is not published yet.
    """
    placed = PlacedLines()
    if lines is None:
        return markdown, placed
    sections = split_sections(markdown)
    published = [line.section for line in lines.lines]
    if sections == published:
        chosen: list[SectionLine | None] = list(lines.lines)
    else:
        pairs = match_sections(published, sections)
        chosen = [
            lines.lines[pairs[index]] if index in pairs and published[pairs[index]].same_text(section) else None
            for index, section in enumerate(sections)
        ]
    text = markdown.splitlines(keepends=True)
    holds: list[tuple[int, str]] = []
    for section, line in zip(sections, chosen, strict=True):
        holds.append((section.line, slots.hold(line.html if line is not None else lines.unpublished_html)))
        placed.slots[len(slots.html) - 1] = (
            {**line.data, "unpublished": False} if line is not None else {"level": section.level, "unpublished": True}
        )
    for at, hold in reversed(holds):  # from the end, so the line numbers before stay right
        text[at:at] = [hold if text[at - 1].endswith(("\n", "\r")) else "\n" + hold]
    return "".join(text), placed


_SLOT = re.compile(r"<!--techplan-slot-([0-9]+)-->")
_CLOSING = re.compile(r"</h([1-6])>\s*$")
_ID = re.compile(r'\sid="([^"]*)"')


def page_entries(html: str, placed: PlacedLines, slots: Slots) -> list[dict[str, Any]]:
    """provenance.json's sections for a converted page whose slots are not filled yet: each heading's text and anchor.

    The heading is the one the line's slot follows; what its text holds in other slots (a
    reference to a milestone) is put back as text.
    """
    found: dict[int, tuple[str, str | None]] = {}
    for match in _SLOT.finditer(html):
        number = int(match.group(1))
        if number not in placed.slots:
            continue
        before = html[max(0, match.start() - 200) : match.start()]
        closing = _CLOSING.search(before)
        if closing is None:
            continue  # not right after a heading (a heading in raw HTML): no text or anchor to give
        end = match.start() - len(before) + closing.start()
        start = html.rfind(f"<h{closing.group(1)}", 0, end)
        opening = html.find(">", start, end)
        if start < 0 or opening < 0:
            continue
        named = _ID.search(html, start, opening)
        found[number] = (heading_text(slots.fill_text(html[opening + 1 : end])), named.group(1) if named else None)
    entries = []
    for number in sorted(placed.slots):
        heading, anchor = found.get(number, ("", None))
        entries.append({"heading": heading, "id": anchor, **placed.slots[number]})
    return entries


def provenance_json(
    head: str | None, shallow: bool, pages: dict[str, tuple[dict[str, str], list[dict[str, Any]]]]
) -> str:
    """provenance.json: for every page, when it was first published and each section's provenance, in page order."""
    data = {
        "commit": head,
        "shallow": shallow,
        "pages": {
            page: {"first_published": first, "sections": sections} for page, (first, sections) in sorted(pages.items())
        },
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
