"""A page for every milestone and measure, for its whole life, and the register of every commitment.

Each record ever published gets `milestones/<id>/` or `measures/<id>/`: what it is now, every
change from git newest first with its date, note and links, where the prose cites it, the
revisions it changed in, its own Atom feed and (for milestones) an iCalendar event. The
register lists every milestone ever made, with counts a reader can quote, and the same as
open data. Wherever generated text names a record by id, `link_records` links the id to its
page and shows its title beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markdown.extensions.toc import slugify, unique
from markupsafe import Markup, escape

from techplan.cache import DiskCache, content_key, read_once_a_build
from techplan.history.changes import Update
from techplan.history.lives import LifeEvent, RecordLife
from techplan.history.log import Commit
from techplan.history.schedule import dependency_slips
from techplan.plan.characters import encodable, publishable
from techplan.plan.model import MILESTONE_STATUS_LABELS, Milestone, Plan
from techplan.plan.prose import outside_fences, scan
from techplan.plan.schedule import conflicts_by_milestone
from techplan.site.opendata import _csv, milestones_ics
from techplan.site.render import Renderer, Slots
from techplan.site.urls import relative_url

read_once_a_build("record-page")  # MkDocs holds what each record's shows

FOLDERS = {"M": "milestones", "K": "measures"}
"""Where each kind of record's pages live, by the first letter of its id."""
REGISTER_PAGE = "register.md"
"""The generated register of every commitment, relative to the plan directory."""
REGISTER_CSV = "data/register.csv"
REGISTER_JSON = "data/register.json"
REGISTER_COLUMNS = (
    "id", "title", "phase", "status", "owner", "first_due", "due", "moves", "moves_without_note",
    "dropped", "deleted_on", "deleted_without_dropping", "first_published", "page",
)  # fmt: skip
"""The register's columns, in CSV and JSON alike."""
RECORD_TEMPLATE = "partials/plan-record.html"
REGISTER_TEMPLATE = "partials/plan-register.html"
FEED_TEMPLATE = "partials/plan-feed.xml"
RECORD_FEED = "feed.xml"
RECORD_ICS = "due.ics"
TEMPLATES = (RECORD_TEMPLATE, REGISTER_TEMPLATE, FEED_TEMPLATE, "partials/plan-macros.html")
"""What the record pages are rendered from: part of their cache key."""
_ID = re.compile(r"(?<![\w.])(M[0-9]+\.[0-9]+|K[0-9]+)(?![\w]|\.[0-9])")
_HEADING = re.compile(r"^(#{2,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_HEADING_MARK = re.compile(r"<!--tp-heading:(.*?)-->")
_ATTR_ID = re.compile(r"\s*\{[^}]*#([\w-]+)[^}]*\}\s*$")


def record_source(record_id: str) -> str:
    """A record's generated page, relative to the plan directory: milestones/M2.1.md."""
    return f"{FOLDERS.get(record_id[:1], 'records')}/{record_id}.md"


def record_url(record_id: str, directory_urls: bool = True) -> str:
    """A record's page as MkDocs publishes its source: milestones/M2.1/ (or milestones/M2.1.html)."""
    stem = record_source(record_id).removesuffix(".md")
    return f"{stem}/" if directory_urls else f"{stem}.html"


def register_url(directory_urls: bool = True) -> str:
    """The register page's site URL."""
    return "register/" if directory_urls else "register.html"


def record_folder(record_id: str) -> str:
    """The folder a record's page, feed and calendar file sit in: milestones/M2.1/."""
    return record_source(record_id).removesuffix(".md") + "/"


def link_records(text: str, links: dict[str, tuple[str, str]], url: Callable[[str], str]) -> Markup:
    """Text with each id of a record that has a page linked to it, and the record's title shown beside it.

    `links` gives each id's page (a site path) and title; `url` makes a site path a link from the
    page the text is shown on. Everything else in the text is escaped.
    """
    parts: list[str] = []
    position = 0
    for match in _ID.finditer(text):
        found = links.get(match.group(1))
        if found is None:
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(
            Markup('<a class="tp-record-ref" href="{}">{}</a> <span class="tp-record-ref__title">({})</span>').format(
                url(found[0]), match.group(1), found[1]
            )
        )
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("".join(parts))


def with_headings(html: str, slots: Slots) -> str:
    """Rendered HTML as Markdown: each `<!--tp-heading:Title-->` marker a heading, the HTML between held in slots.

    The headings are the templates' own words, never the plan's; as Markdown headings they make
    the page's table of contents, and with it the theme's skip link.
    """
    parts = _HEADING_MARK.split(html)
    markdown = slots.hold(parts[0]) if parts[0].strip() else ""
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        markdown += f"\n\n## {title}\n" + slots.hold(body)
    return markdown


@dataclass(frozen=True, slots=True)
class Citation:
    """A place in the prose that names a record: a page, and the section it is in."""

    page: str
    """Relative to the plan directory."""
    section: str | None
    """The heading of the section it is in; None before the first section."""
    anchor: str | None


def find_citations(plan_dir: Path, pages: Iterable[str]) -> dict[str, tuple[Citation, ...]]:
    """Every page and section that cites each record, with the prose scanner the check and the build share.

    A page that cannot be read is left out: the check and the build report it themselves.
    """
    found: dict[str, dict[Citation, None]] = {}
    for page in pages:
        try:
            text = (plan_dir / page).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "[[" not in text:
            continue
        sections: list[tuple[int, str, str]] = []
        used: set[str] = set()
        for number, line in outside_fences(text):
            heading = _HEADING.match(line)
            if heading is None:
                continue
            title = heading.group(2)
            attr = _ATTR_ID.search(title)
            words = _ATTR_ID.sub("", title)
            words = re.sub(r"\[\[([^\]|]*)\|?([^\]]*)\]\]", lambda m: m.group(2) or m.group(1), words)
            anchor = attr.group(1) if attr else unique(slugify(words, "-"), used)
            used.add(anchor)
            sections.append((number, " ".join(words.replace("*", "").replace("`", "").split()), anchor))
        for token in scan(text):
            if not token.is_reference:
                continue
            section = next(((t, a) for n, t, a in reversed(sections) if n < token.line), (None, None))
            found.setdefault(token.name.strip(), {})[Citation(page, section[0], section[1])] = None
    return {record_id: tuple(places) for record_id, places in found.items()}


@dataclass(frozen=True, slots=True)
class RegisterCounts:
    """The figures a reader would quote about the plan's milestones, ever."""

    total: int
    delivered_on_first_date: int
    moved: int
    moved_without_note: int
    dropped: int
    deleted: int


@dataclass(frozen=True, slots=True)
class RecordSite:
    """The record pages, their feeds and calendar files, and the register: rendered once while their inputs stand."""

    pages: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Markdown and the HTML of its slots, by page source (milestones/M2.1.md, register.md)."""
    files: dict[str, str] = field(default_factory=dict)
    """Feeds, calendar files and the register's data, by site path."""


def register_rows(lives: dict[str, RecordLife], plan: Plan, directory_urls: bool = True) -> list[dict[str, Any]]:
    """One row per milestone ever published, in id order: the register, as open data."""
    rows = []
    for life in lives.values():
        milestone = life.last
        if not isinstance(milestone, Milestone):
            continue
        first = life.first_published
        deleted = life.deleted
        rows.append(
            {
                "id": life.id,
                "title": milestone.title,
                "phase": milestone.phase,
                "status": milestone.status,
                "owner": milestone.owner,
                "first_due": (life.first_due or milestone.due).isoformat(),
                "due": milestone.due.isoformat(),
                "moves": len(life.moves),
                "moves_without_note": life.moves_without_note,
                "dropped": life.dropped,
                "deleted_on": deleted.date.date().isoformat() if deleted else "",
                "deleted_without_dropping": life.deleted_without_dropping,
                "first_published": first.date.date().isoformat() if first else "",
                "page": record_url(life.id, directory_urls),
            }
        )
    return rows


def register_counts(lives: dict[str, RecordLife]) -> RegisterCounts:
    """How many milestones were ever made, delivered on their first date, moved (without a note), dropped, deleted."""
    milestones = [life for life in lives.values() if isinstance(life.last, Milestone)]
    return RegisterCounts(
        total=len(milestones),
        delivered_on_first_date=sum(1 for life in milestones if life.delivered_on_first_date),
        moved=sum(1 for life in milestones if life.moves),
        moved_without_note=sum(1 for life in milestones if life.moves_without_note),
        dropped=sum(1 for life in milestones if life.dropped),
        deleted=sum(1 for life in milestones if life.deleted is not None),
    )


def register_csv(rows: list[dict[str, Any]]) -> str:
    """The register as CSV, through the open data's formula-neutralising writer."""
    table: list[list[str | float]] = [
        [
            str(value).lower() if isinstance(value, bool) else value
            for value in (row[column] for column in REGISTER_COLUMNS)
        ]
        for row in rows
    ]
    return _csv(list(REGISTER_COLUMNS), table)


def register_json(rows: list[dict[str, Any]], counts: RegisterCounts, licence: dict[str, str]) -> str:
    """The register as JSON: the counts and every row."""
    data = {
        "licence": licence.get("name", ""),
        "licence_url": licence.get("url", ""),
        "counts": {
            "milestones": counts.total,
            "delivered_on_first_date": counts.delivered_on_first_date,
            "moved": counts.moved,
            "moved_without_note": counts.moved_without_note,
            "dropped": counts.dropped,
            "deleted": counts.deleted,
        },
        "milestones": rows,
    }
    return encodable(json.dumps(data, ensure_ascii=False, indent=1)) + "\n"


@dataclass(frozen=True, slots=True)
class RecordInputs:
    """What the record pages show besides the plan and the lives: the history around them."""

    commits: dict[str, Commit]
    """First-parent commits by sha, for feed entries."""
    revisions: list[Any]
    """The archive's revision views, oldest first."""
    chain: tuple[str, ...]
    """The first-parent line's shas, newest first."""
    repo_url: str | None
    site_name: str
    site_url: str | None
    publisher: str
    author_of: Callable[[Commit], str | None]


class RecordPages:
    """Renders every record's page, feed and calendar file, and the register."""

    def __init__(
        self,
        renderer: Renderer,
        lives: dict[str, RecordLife],
        citations: dict[str, tuple[Citation, ...]],
        inputs: RecordInputs,
        directory_urls: bool = True,
    ) -> None:
        self.renderer = renderer
        self.lives = lives
        self.citations = citations
        self.inputs = inputs
        self.directory_urls = directory_urls
        position = {sha: n for n, sha in enumerate(inputs.chain)}
        self._revision_at: dict[str, int] = {
            view.name: position[view.commit] for view in inputs.revisions if view.commit in position
        }
        self._position = position

    def key(self) -> str:
        """A cache key for what every record page depends on alike (each adds its own life: `_record_key`)."""
        loader = self.renderer.env.loader
        assert loader is not None
        templates = [loader.get_source(self.renderer.env, name)[0] for name in TEMPLATES]
        inputs = self.inputs
        parts = [
            self.renderer.fingerprint, repr(sorted(self.citations.items())), templates, bool(inputs.commits),
            inputs.repo_url, inputs.site_name, inputs.site_url, inputs.publisher, self.directory_urls,
        ]  # fmt: skip
        return content_key(repr(parts).encode())

    def _record_key(self, common: str, life: RecordLife) -> str:
        """A record's page, feed and calendar depend on its own life, and on where its changes are redlined."""
        commits = self.inputs.commits
        shown = [
            (e.commit, getattr(self._revision_of(e, life.id), "name", None), self.inputs.author_of(commits[e.commit]))
            if e.commit in commits
            else (e.commit, None, None)
            for e in life.events
        ]
        # A feed with no entries is dated by the newest commit.
        undated = not any(e.commit in commits for e in life.events)
        newest = next(iter(commits.values())).date.isoformat() if undated and commits else None
        # The revisions that changed it, not every revision: a new tag leaves the others' pages alone.
        revisions = [
            (v.name, v.title, v.date, v.redline_url) for v in self.inputs.revisions
            if any(c.record == life.id for c in v.changes)
        ]  # fmt: skip
        return content_key(repr([common, repr(life), shown, newest, revisions]).encode())

    def render(self, cache: DiskCache | None = None) -> RecordSite:
        """Every record page and file; each record's from the cache when nothing it shows has changed."""
        cache = cache or DiskCache(None)
        common = self.key()
        site = RecordSite()
        for life in self.lives.values():
            source = record_source(life.id)
            folder = record_folder(life.id)
            key = self._record_key(common, life)
            kept: tuple[tuple[str, tuple[str, ...]], str | None, str | None] | None = cache.get("record-page", key)
            if kept is None:
                feed = self.feed(life) if self.inputs.commits else None
                calendar = self.calendar(life.last) if isinstance(life.last, Milestone) and life.current else None
                kept = (self.page(life), feed, calendar)
                cache.put("record-page", key, kept)
            site.pages[source], feed, calendar = kept
            if feed is not None:
                site.files[folder + RECORD_FEED] = feed
            if calendar is not None:
                site.files[folder + RECORD_ICS] = calendar
        rows = register_rows(self.lives, self.renderer.plan, self.directory_urls)
        counts = register_counts(self.lives)
        key = content_key(repr([common, repr(self.lives)]).encode())
        register: RecordSite | None = cache.get("record-register", key)
        if register is None:
            register = RecordSite()
            register.pages[REGISTER_PAGE] = self.register_page(rows, counts)
            register.files[REGISTER_CSV] = register_csv(rows)
            register.files[REGISTER_JSON] = register_json(rows, counts, self.renderer.licence)
            cache.put("record-register", key, register)
        site.pages.update(register.pages)
        site.files.update(register.files)
        return site

    def page(self, life: RecordLife) -> tuple[str, tuple[str, ...]]:
        """A record's page: its Markdown and its slots."""
        page_url = record_url(life.id, self.directory_urls)
        slots = Slots()
        record = life.last
        plan = self.renderer.plan
        needed_by = [m for m in plan.milestones if life.id in m.depends_on] if isinstance(record, Milestone) else []
        events = [(event, self._revision_of(event, life.id)) for event in life.events]
        revisions = [v for v in self.inputs.revisions if any(c.record == life.id for c in v.changes)]
        others = {i: found for i, found in self.renderer.record_links.items() if i != life.id}  # not to itself
        html = self.renderer.render(
            RECORD_TEMPLATE,
            page_url,
            life=life,
            record=record,
            kind=life.kind,
            needed_by=needed_by,
            events=events,
            revisions=revisions,
            citations=self.citations.get(life.id, ()),
            has_history=bool(self.inputs.commits),
            commit_url=self._commit_url,
            link=lambda target: relative_url(target, page_url),
            page_href=lambda page: relative_url(self.renderer.page_urls.get(page, ""), page_url),
            page_title=lambda page: plan.titles.get(page, page),
            record_text=lambda text: link_records(text, others, lambda t: relative_url(t, page_url)),
            feed=RECORD_FEED if self.inputs.commits else None,
            calendar=RECORD_ICS if isinstance(record, Milestone) and life.current else None,
            phase=plan.phase(record.phase),
            register=relative_url(register_url(self.directory_urls), page_url),
            # Read by the schedule macro, as on the roadmap: conflicts with dependencies, dependencies that slipped.
            conflicts=conflicts_by_milestone(plan.milestones),
            slips=dependency_slips(plan.milestones, self.renderer.slippage),
        )
        # No heading in the Markdown: the theme writes the title as the page's h1 and <title>, as it is
        # (MkDocs' templates do not escape it), so it is escaped here.
        title = str(escape(f"{life.id}: {publishable(record.title)}"))
        markdown = (
            f"---\nsearch:\n  exclude: true\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n"
            + with_headings(html, slots)
        )
        return markdown, tuple(slots.html)

    def register_page(self, rows: list[dict[str, Any]], counts: RegisterCounts) -> tuple[str, tuple[str, ...]]:
        """The register: every milestone ever made, the figures to quote, and the table to filter."""
        page_url = register_url(self.directory_urls)
        slots = Slots()
        plan = self.renderer.plan
        html = self.renderer.render(
            REGISTER_TEMPLATE,
            page_url,
            rows=rows,
            counts=counts,
            lives=self.lives,
            phase_name=lambda number: plan.phase(number).name if plan.phase(number) else f"Phase {number}",  # type: ignore[union-attr]
            status_label=lambda status: MILESTONE_STATUS_LABELS.get(status, status),
            link=lambda target: relative_url(target, page_url),
            csv_url=relative_url(REGISTER_CSV, page_url),
            json_url=relative_url(REGISTER_JSON, page_url),
            has_history=bool(self.inputs.commits),
        )
        return "# Register of commitments\n" + with_headings(html, slots), tuple(slots.html)

    def feed(self, life: RecordLife) -> str:
        """The record's own Atom feed: every change to it, newest first, through the site's feed template."""
        inputs = self.inputs
        folder = record_folder(life.id)
        page = self._absolute(record_url(life.id, self.directory_urls))
        updates = [
            Update(inputs.commits[e.commit], e.notes, bool(e.notes), (), (life.id,))
            for e in life.events
            if e.commit in inputs.commits
        ]
        by_sha = {e.commit: e for e in life.events}
        newest = updates[0].commit.date if updates else next(iter(inputs.commits.values())).date
        host = urlsplit(inputs.site_url).hostname if inputs.site_url else None

        def entry_id(update: Update) -> str:
            if host:
                return f"tag:{host},{update.commit.date.date().isoformat()}:{life.id}/{update.sha}"
            return f"urn:git:commit:{update.sha}:{life.id}"

        def entry_title(update: Update) -> str:
            changes = by_sha[update.sha].changes
            return changes[0].text if len(changes) == 1 else f"{changes[0].text} (and {len(changes) - 1} more)"

        def entry_html(update: Update) -> str:
            event = by_sha[update.sha]
            links = {i: (self._absolute(u), t) for i, (u, t) in self.renderer.record_links.items() if i != life.id}
            items = "".join(f"<li>{link_records(c.text, links, lambda t: t)}</li>" for c in event.changes)
            notes = "".join(f"<p>{escape(note)}</p>" for note in event.notes) or "<p>No change note was published.</p>"
            return f"<ul>{items}</ul>{notes}"

        return publishable(
            self.renderer.render(
                FEED_TEMPLATE,
                "",
                feed_id=self._absolute(folder + RECORD_FEED),
                title=f"{inputs.site_name}: {life.id}, {life.last.title}",
                subtitle=f"Every change to {life.id}, each with its change note if it has one.",
                updated=newest.isoformat(),
                self_url=self._absolute(folder + RECORD_FEED),
                changes_url=page,
                publisher=inputs.publisher,
                updates=updates,
                entry_id=entry_id,
                entry_title=entry_title,
                entry_html=entry_html,
                author_of=inputs.author_of,
            )
        )

    def calendar(self, milestone: Milestone) -> str:
        """The milestone's due date as an iCalendar event, through the site's calendar writer."""
        site_url = self.inputs.site_url or ""
        urls = {milestone.id: record_url(milestone.id, self.directory_urls)}
        host = urlsplit(site_url).hostname or "techplan"
        one = Plan(phases=(), milestones=(milestone,), measures=())
        return milestones_ics(one, site_url, host, self.renderer.today, urls)

    def _revision_of(self, event: LifeEvent, record_id: str) -> Any:
        """The revision whose redline shows this change: the first revision at or after it that changed the record."""
        at = self._position.get(event.commit)
        if at is None:
            return None
        after = [v for v in self.inputs.revisions if v.name in self._revision_at and self._revision_at[v.name] <= at]
        if not after:
            return None
        view = min(after, key=lambda v: at - self._revision_at[v.name])
        return view if any(c.record == record_id for c in view.changes) else None

    def _commit_url(self, sha: str) -> str | None:
        """The commit on the git host, if the site names its repository."""
        return f"{self.inputs.repo_url.rstrip('/')}/commit/{sha}" if self.inputs.repo_url else None

    def _absolute(self, path: str) -> str:
        """A site path as an absolute URL when site_url is set, for feed readers."""
        return (self.inputs.site_url.rstrip("/") + "/" + path) if self.inputs.site_url else path
