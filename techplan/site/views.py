"""The history as readers see it: page dates and updates, What's changed, Atom feeds, changes.json."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from techplan.cache import DiskCache, content_key, read_once_a_build
from techplan.history.changes import ChangeLog, PageHistory, Update, load_changelog, open_repository
from techplan.history.lives import LifeReader, RecordLife, lives_without_history
from techplan.history.log import Commit, RepoState
from techplan.history.notes import HistoryNote
from techplan.history.past import PastReader
from techplan.history.provenance import PageProvenance, ProvenanceReader
from techplan.history.revisions import Revision, read_revisions, sign_revisions
from techplan.history.signatures import Signers, signers_of
from techplan.history.slippage import DueHistory, read_slippage
from techplan.jobs import jobs_available
from techplan.plan.characters import encodable, publishable
from techplan.plan.formatting import format_month
from techplan.plan.model import Plan
from techplan.plan.prose import find_title
from techplan.plan.settings import PlanConfig
from techplan.plan.spec import SCHEMA_NAMES
from techplan.problems import Problem
from techplan.site.archive import ArchiveIndex, index_archive
from techplan.site.builtfrom import BuildSource, build_source
from techplan.site.forked import Forked, ForkFailed
from techplan.site.opendata import MEASURE_COLUMNS, MILESTONE_COLUMNS
from techplan.site.printview import PLACEHOLDER
from techplan.site.records import REGISTER_COLUMNS, REGISTER_CSV, REGISTER_JSON, REGISTER_PAGE, register_url
from techplan.site.render import Renderer, Slots
from techplan.site.sections import PROVENANCE_JSON, SiteSections, section_lines
from techplan.site.sections import TEMPLATE as SECTION_TEMPLATE
from techplan.site.urls import relative_url

CHANGES_PAGE = "whats-changed.md"
"""The generated What's changed page, relative to the plan directory."""
HISTORY_TEMPLATES = (
    "partials/plan-page-meta.html",
    "partials/plan-page-history.html",
    "partials/plan-update.html",
    "partials/plan-changes.html",
    "partials/plan-macros.html",
    "partials/plan-feed.xml",
    SECTION_TEMPLATE,
)
"""The templates the rendered history comes from: part of its cache key."""
REVISIONS_PAGE = "revisions.md"
"""The generated list of revisions."""
COMPARE_PAGE = "compare-revisions.md"
"""The generated page that compares any two revisions, in the browser."""
PRINT_PAGE = "print.md"
"""The generated page with the whole plan on it, for printing."""
PRINT_MARKDOWN = (
    "---\nsearch:\n  exclude: true\n---\n\n# The whole plan\n\n"
    "Every page of the plan, with its milestones and measures, on one page: print it or save it as PDF "
    "from your browser's print menu. Each page's updates and the plan's history are on the site.\n\n"
    f"{PLACEHOLDER}\n"
)
"""The generated page that compares any two revisions, in the browser."""
COMPARE_SCRIPT = "assets/javascripts/techplan-compare.js"
"""The script that compares revisions in the browser, loaded by the compare page only."""
CHANGES_JSON = "changes.json"
FEED = "feed.xml"
FEED_ENTRIES = 50
"""How many updates a feed holds, newest first."""
UPDATES_HEADING = "Updates to this page"
UPDATES_ID = "updates-to-this-page"

read_once_a_build("published")  # a build holds what its pages need of it


@dataclass(frozen=True, slots=True)
class Published:
    """Everything the history adds to a build, rendered once and reused while its inputs stand."""

    changes_page: str
    """The What's changed page's Markdown, with slot placeholders."""
    changes_slots: tuple[str, ...]
    """The HTML for those slots."""
    files: dict[str, str]
    """Generated files by site path: changes.json and the feeds."""
    meta: dict[str, str]
    """What goes under each page's title, by page."""
    history: dict[str, str]
    """The list of updates that ends each page, by page."""
    feeds: dict[str, list[tuple[str, str]]]
    """(title, site path) of the feeds each page's head links, by page."""
    revisions: list[Revision] = field(default_factory=list)
    """The plan's revisions, oldest first, with their files."""
    archive: ArchiveIndex = field(default_factory=ArchiveIndex)
    """The point-in-time views the revisions make."""
    slippage: dict[str, DueHistory] = field(default_factory=dict)
    """How each milestone's due date moved, by id."""
    notes: tuple[HistoryNote, ...] = ()
    """What the history holds that could not be read; listed in the build's output, never fatal."""
    problems: tuple[Problem, ...] = ()
    """What must be fixed before the history can be published (two tags with one address), and warnings
    (a revision's signature that does not verify)."""
    sections: SiteSections | None = None
    """The provenance line under each section heading of each page; None when the build has no history."""
    source: BuildSource = field(default_factory=BuildSource)
    """The commit built and the revision it belongs to, for every page's footer and the manifest."""
    lives: dict[str, RecordLife] = field(default_factory=dict)
    """Every milestone and measure ever published (or in the plan today), with every change to it, by id."""
    commits: dict[str, Commit] = field(default_factory=dict)
    """The first-parent commits that changed a record, by sha: what a record's feed entries need."""
    chain: tuple[str, ...] = ()
    """The first-parent line's shas, newest first."""

    def for_pages(self) -> Published:
        """What the pages need, once the files made from the rest are made and another process writes the archive.

        Without the archive's page versions (its revisions stay: the footer names them), the
        revisions' files, the records' lives, their commits, the first-parent line, the What's
        changed page (its page is made by now) or the generated files (already written into the
        site): a build at 1,000 pages then holds 20 MB less while it renders the pages.
        """
        return replace(
            self,
            changes_page="",
            changes_slots=(),
            files={},
            revisions=[replace(revision, files={}) for revision in self.revisions],
            archive=ArchiveIndex(revisions=self.archive.revisions, order=self.archive.order),
            lives={},
            commits={},
            chain=(),
        )


def publish_history(
    settings: PlanConfig,
    plan: Plan,
    sources: list[str],
    renderer: Renderer,
    site: SiteInfo,
    cache: DiskCache,
    changes_url: str,
    archive_ready: Callable[[list[Revision], ArchiveIndex], None] | None = None,
) -> Published:
    """Render the plan's history for every page and generated file, or reuse the last rendering.

    `sources` are every file under the plan directory. The rendering is cached under a key made
    of everything it depends on, so an unchanged repository and plan cost a lookup. When it is
    not, `archive_ready` is given the revisions and the archive's index as soon as they are
    known, before the rest of the history is read.
    """
    if settings.history == "off":
        return replace(
            HistoryViews(renderer, None, settings, site).publish(changes_url), lives=lives_without_history(plan)
        )
    repo, state, prefix = open_repository(settings)
    try:
        key = _fingerprint(settings, plan, sources, renderer, site, state)
        published: Published | None = cache.get("published", key)
        # What is shown beside each page's history, whatever the commit: a key for the parts made per page.
        beside = _fingerprint(settings, plan, sources, renderer, site, replace(state, head=None, tags=""))
        if published is None:
            changelog = load_changelog(settings, plan, repo, state, prefix, sources, cache)
            chain = changelog.history.chain
            revisions, tag_notes, problems = read_revisions(repo, state.tags, settings.revisions, prefix, chain)
            revisions, signature_problems = sign_revisions(repo, revisions, _signers(settings), cache)
            past = PastReader(repo.blobs, cache, repo.blob_batches)
            sections = ProvenanceReader(changelog.files, list(plan.pages), cache)
            # Started before the others ask for blobs: it reads pages only, perhaps in another process.
            provenance_read = read_provenance_aside(sections, past)
            lives = LifeReader(changelog.history, prefix, cache)
            # Read with the versions the archive or the due dates need: one git call. (Past pages are read
            # a batch at a time, by the archive's index and then by the sections: not all kept at once.)
            past.want(lives.wanted)
            past.make_records_with_dues(lives.unread)  # a milestones file's versions parsed once for both
            archive = index_archive(settings, revisions, past, cache, list(plan.pages))
            if archive_ready is not None:
                archive_ready(revisions, archive)
            milestone_files = [prefix + path for path in plan.data_files if path.endswith("/milestones.yml")]
            slippage = read_slippage(past, changelog.history, milestone_files)
            record_lives = lives.read(past, plan)
            provenance = provenance_read()
            changed = {event.commit for life in record_lives.values() for event in life.events}
            kept = Kept(cache, beside)
            views = HistoryViews(renderer, changelog, settings, site, kept)
            published = replace(
                views.publish(changes_url),
                revisions=revisions,
                archive=archive,
                slippage=slippage,
                notes=tuple(sorted({*changelog.history.notes, *tag_notes, *past.notes})),
                sections=views.sections(provenance, archive),
                problems=tuple(problems + signature_problems),
                source=build_source(state, chain, revisions, prefix, settings.revisions),
                lives=record_lives,
                commits={commit.sha: commit for commit in chain if commit.sha in changed},
                chain=tuple(commit.sha for commit in chain),
            )
            kept.forget_unused()
            cache.put_later("published", key, published)  # large: written aside (see DiskCache.put_later)
        return published
    finally:
        repo.close()


PROVENANCE_ASIDE_FROM = 400
"""Page versions to follow from which the sections' provenance is read in a process of its own."""


def read_provenance_aside(sections: ProvenanceReader, past: PastReader) -> Callable[[], dict[str, PageProvenance]]:
    """Start reading the sections' provenance; what waits for it, its notes added to past's.

    A first build follows every past version of every page, a few seconds of a long history.
    With a core to spare, a forked copy of the build does that while the build reads what the
    archive, the due dates and the records need. A build after a merge follows a version or two:
    that, or a build with no core to spare (`mkdocs serve`), reads them when asked.
    """
    if sections.versions_to_read < PROVENANCE_ASIDE_FROM or jobs_available() < 2:
        return lambda: sections.read(past)
    before = len(past.notes)
    try:
        job = Forked(lambda: (sections.read(past), past.notes[before:]), "reading the sections' provenance")
    except OSError:  # no process to be had: read here, when asked
        return lambda: sections.read(past)

    def result() -> dict[str, PageProvenance]:
        try:
            provenance, notes = job.result()
        except ForkFailed:  # the process was killed (out of memory?): read here instead, as without a spare core
            return sections.read(past)
        past.notes += notes
        return provenance

    return result


def revisions_markdown(
    renderer: Renderer, published: Published, settings: PlanConfig, page_url: str
) -> tuple[str, Slots]:
    """The Revisions page: every revision, newest first, with links to read and compare it."""
    slots = Slots()
    html = renderer.render(
        "partials/plan-revisions.html",
        page_url,
        revisions=published.archive.revisions,
        pattern=settings.revisions,
        link=lambda url: relative_url(url, page_url),
    )
    text = (
        "# Revisions\n\n"
        "Each revision is the plan as published on a date, with a title and a summary of what it changed. "
        "Read any revision as it stood, see exactly what changed in it, or "
        f"[compare any two revisions]({COMPARE_PAGE}).\n" + slots.hold(html)
    )
    return text, slots


def compare_markdown(renderer: Renderer, published: Published, page_url: str) -> tuple[str, Slots]:
    """The page that compares any two revisions in the browser, with links to each redline without scripts."""
    slots = Slots()
    html = renderer.render(
        "partials/plan-compare.html",
        page_url,
        revisions=published.archive.revisions,
        index=relative_url("revisions/index.json", page_url),
        script=relative_url(COMPARE_SCRIPT, page_url),
        link=lambda url: relative_url(url, page_url),
    )
    return "# Compare revisions\n" + slots.hold(html), slots


def open_data_markdown(renderer: Renderer, published: Published, page_url: str) -> tuple[str, Slots]:
    """The Open data page: every download, feed and schema, its format and licence, how CSV cells are neutralised."""
    slots = Slots()
    feeds = []
    if FEED in published.files:
        feeds.append(("feed.xml", relative_url(FEED, page_url), "Every major change to the plan"))
    for phase in renderer.plan.phases:
        if f"{phase.folder}/{FEED}" in published.files:
            url = relative_url(f"{phase.folder}/{FEED}", page_url)
            feeds.append((f"{phase.folder}/feed.xml", url, f"Every major change to {phase.name}"))
    html = renderer.render(
        "partials/plan-open-data.html",
        page_url,
        columns={"milestones": MILESTONE_COLUMNS, "measures": MEASURE_COLUMNS},
        feeds=feeds,
        feed_entries=FEED_ENTRIES,
        changes_json=relative_url(CHANGES_JSON, page_url) if CHANGES_JSON in published.files else None,
        provenance_json=relative_url(PROVENANCE_JSON, page_url) if published.sections is not None else None,
        schemas=[(name, relative_url(f"schemas/{name}", page_url)) for name in SCHEMA_NAMES.values()],
        register={
            "csv": relative_url(REGISTER_CSV, page_url),
            "json": relative_url(REGISTER_JSON, page_url),
            "page": relative_url(renderer.page_urls.get(REGISTER_PAGE, register_url()), page_url),
            "columns": REGISTER_COLUMNS,
        },
        record_feeds=bool(published.commits),
    )
    return "# Open data\n" + slots.hold(html), slots


def insert_after_title(markdown: str, html: str, slots: Slots) -> str:
    """Put a block of HTML right under a page's first heading (or at the top if it has none)."""
    title = find_title(markdown)
    lines = markdown.splitlines(keepends=True)
    at = title[0] if title else 0
    return "".join(lines[:at]) + slots.hold(html) + "".join(lines[at:])


def _fingerprint(
    settings: PlanConfig, plan: Plan, sources: list[str], renderer: Renderer, site: SiteInfo, state: RepoState
) -> str:
    """A key for the rendered history: the repository's state and everything shown beside it."""
    loader = renderer.env.loader
    assert loader is not None
    templates = [loader.get_source(renderer.env, name)[0] for name in HISTORY_TEMPLATES]
    # Every field: a record's own page shows them all, and today's may be edited but not committed.
    records = [repr(plan.milestones), repr(plan.measures)]
    parts = [
        state.head, state.shallow, sorted(state.unpublished), state.mailmap,
        settings.authors, settings.teams, settings.publisher, settings.timezone, settings.history,
        site.name, site.url, site.repo_url, settings.revisions, state.tags,
        sorted(sources), plan.pages, plan.titles, plan.blocks, plan.data_files, records,
        [(p.number, p.folder, p.title) for p in plan.phases], renderer.page_urls, templates,
        _signers(settings).fingerprint(),
    ]  # fmt: skip
    return content_key(json.dumps(parts, sort_keys=True, default=str).encode())


def _signers(settings: PlanConfig) -> Signers:
    """The keys revision tags are checked against, from the files mkdocs.yml names."""
    return signers_of(settings.root, settings.allowed_signers, settings.signing_keys)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What the views need to know about the site beyond the plan."""

    name: str
    url: str | None
    """site_url, for absolute links in feeds."""
    repo_url: str | None
    """repo_url, for links to each commit on the git host."""


class Kept:
    """Rendered parts of the history, kept in the cache under what they show: a new commit renders only what it changed.

    A part's key is what it is made from (a page's history, a month's updates) and `beside`: a key
    for everything else the history's templates show (the settings, the plan's titles and records,
    the templates themselves), which a new commit or tag does not change.
    """

    def __init__(self, cache: DiskCache | None, beside: str) -> None:
        self.cache = cache
        self.beside = beside
        self.used: set[str] = set()
        """The keys of the parts this build has shown."""

    def get(self, kind: str, made_from: object, render: Callable[[], str]) -> str:
        """The part rendered from `made_from` (anything with a faithful repr), from the cache or rendered now."""
        if self.cache is None:
            return render()
        key = content_key(repr((self.beside, kind, made_from)).encode())
        self.used.add(key)
        found: str | None = self.cache.get("history-parts", key)
        if found is None:
            found = render()
            self.cache.put("history-parts", key, found)
        return found

    def forget_unused(self) -> None:
        """Delete the parts this build did not show: each merge replaces some, and they would pile up.

        Call it once every part of the history is rendered (`HistoryViews.publish` renders them all).
        """
        if self.cache is not None and self.used:
            self.cache.forget_all_but("history-parts", self.used)


class HistoryViews:
    """Renders the change history onto pages and into the site's generated files."""

    def __init__(
        self,
        renderer: Renderer,
        changelog: ChangeLog | None,
        settings: PlanConfig,
        site: SiteInfo,
        kept: Kept | None = None,
    ) -> None:
        self.kept = kept or Kept(None, "")
        self.renderer = renderer
        self.changelog = changelog
        """None when the build has no history (extra.plan.history: off)."""
        self.settings = settings
        self.site = site

    def publish(self, changes_url: str) -> Published:
        """Render everything the history adds to the site."""
        slots = Slots()
        changes_page = self.changes_page(changes_url, slots)
        urls = self.renderer.page_urls
        pages = self.renderer.plan.pages
        files: dict[str, str] = {}
        history: dict[str, str] = {}
        if self.changelog is not None:
            files = {CHANGES_JSON: encodable(self.changelog.to_json()), **self.feeds()}
            history = {page: self.page_history(page, urls.get(page, "")) or "" for page in pages}
        return Published(
            changes_page=changes_page,
            changes_slots=tuple(slots.html),
            files=files,
            meta={page: self.page_meta(page, urls.get(page, "")) for page in pages},
            history=history,
            feeds={page: self.feed_links(page) for page in pages},
        )

    def page_meta(self, page: str, page_url: str) -> str:
        """What goes under a page's title: when it was last updated, and any unpublished edits."""
        history = self.changelog.page(page) if self.changelog else None
        return self.kept.get(
            "page-meta",
            (page_url, self._made_from(history)),
            lambda: self._render("partials/plan-page-meta.html", page_url, history=history),
        )

    def _made_from(self, history: PageHistory | None) -> object:
        """What a page's history shows that a commit can change: its updates, and the pages each changed.

        A commit is named by its sha: its author and date cannot change without the sha changing
        (what .mailmap makes of the author is part of the key beside).
        """
        if history is None or self.changelog is None:
            return None
        return (
            history.page,
            history.unpublished,
            history.incomplete,
            [_update_key(update, self.changelog) for update in history.updates],
        )

    def page_history(self, page: str, page_url: str) -> str | None:
        """The list of a page's updates that ends it, or None when the build has no history.

        The page template places it after the content (Material's source-file spot), so it is
        neither parsed as Markdown nor indexed for search: search finds the plan, not its log.
        """
        if self.changelog is None:
            return None
        history = self.changelog.page(page)
        return self.kept.get(
            "page-history",
            (page_url, self._made_from(history)),
            lambda: self._render("partials/plan-page-history.html", page_url, history=history, heading=UPDATES_HEADING),
        )

    def sections(self, provenance: dict[str, PageProvenance], archive: ArchiveIndex) -> SiteSections:
        """The line under each section heading of every page, from the pages' section provenance."""
        assert self.changelog is not None
        history = self.changelog.history
        lines = section_lines(
            provenance,
            archive,
            history.chain,
            self.renderer.page_urls,
            self.renderer.page_urls.get(CHANGES_PAGE),
            history.shallow,
            self._render,
            self._commit_url,
        )
        return SiteSections(history.head, history.shallow, lines)

    def changes_page(self, page_url: str, slots: Slots) -> str:
        """The Markdown of the What's changed page: every major update, by month."""
        if self.changelog is None:
            return "# What's changed\n\nChange history is not available in this build.\n"
        lines = [
            # Search is for what the plan says; its log is browsed here and followed in the feeds.
            "---",
            "search:",
            "  exclude: true",
            "---",
            "",
            "# What's changed",
            "",
            # Markdown links are relative to this page's source file, which sits at the top.
            "Every change to the plan that came with a change note, newest first. Subscribe to the "
            f"[Atom feed of all changes]({FEED}) or to a phase's own feed (linked from its pages). "
            f"Every change, minor ones included, is in [changes.json]({CHANGES_JSON}).",
            "",
        ]
        updates = self.changelog.plan_updates()
        if not updates:
            lines.append("No change has a change note yet.")
        changelog = self.changelog
        for month, entries in _months(updates, changelog):
            html = self.kept.get(
                "changes",
                (page_url, [_update_key(update, changelog) for update in entries]),
                partial(self._render, "partials/plan-changes.html", page_url, updates=entries),
            )
            lines += [f"## {month}", slots.hold(html)]
        return "\n".join(lines)

    def feed(self, folder: str | None = None) -> str:
        """An Atom feed of major updates, to the whole plan or to one phase folder."""
        assert self.changelog is not None
        changelog = self.changelog
        path = f"{folder}/{FEED}" if folder else FEED
        updates = changelog.plan_updates(folder)[:FEED_ENTRIES]
        phase = next((p for p in changelog.plan.phases if p.folder == folder), None)
        title = f"{self.site.name}: {phase.name}" if phase else f"{self.site.name}: all changes"
        newest = updates[0].commit.date if updates else _head_date(changelog)
        changes_url = self._absolute(CHANGES_PAGE.removesuffix(".md") + "/")

        def entry_html(update: Update) -> str:
            pages = changelog.pages_of(update)
            parts = [f"<p>{html.escape(note)}</p>" for note in update.notes]
            links = ", ".join(
                f'<a href="{html.escape(self._absolute(self.renderer.page_urls.get(page, "")))}">'
                f"{html.escape(changelog.plan.titles.get(page, page))}</a>"
                for page in pages
            )
            if links:
                parts.append(f"<p>Pages: {links}</p>")
            own = self.renderer.record_links
            named = ", ".join(
                f'<a href="{html.escape(self._absolute(own[i][0]))}">{html.escape(i)}: {html.escape(own[i][1])}</a>'
                for i in update.records
                if i in own
            )
            if named:
                parts.append(f"<p>Milestones and measures: {named}</p>")
            return "".join(parts)

        publisher = self.settings.publisher or self.site.name
        # A merge changes the feeds of the phases it touched (and the plan's): the others are kept as they were.
        return self.kept.get(
            "feed",
            (path, title, newest.isoformat(), changes_url, publisher, [_update_key(u, changelog) for u in updates]),
            # Commit messages reach the feed as git has them: replace what XML 1.0 cannot hold.
            lambda: publishable(
                self._render(
                    "partials/plan-feed.xml",
                    "",
                    feed_id=self._absolute(path),
                    title=title,
                    updated=newest.isoformat(),
                    self_url=self._absolute(path),
                    changes_url=changes_url,
                    publisher=publisher,
                    updates=updates,
                    entry_id=self._entry_id,
                    entry_title=_entry_title,
                    entry_html=entry_html,
                )
            ),
        )

    def feeds(self) -> dict[str, str]:
        """Every feed the site publishes: the plan's, then each phase's, by path."""
        assert self.changelog is not None
        paths = {FEED: None} | {f"{p.folder}/{FEED}": p.folder for p in self.changelog.plan.phases}
        return {path: self.feed(folder) for path, folder in paths.items()}

    def feed_links(self, page: str) -> list[tuple[str, str]]:
        """(title, site URL) of the feeds a page's head should link: the plan's and its phase's."""
        if self.changelog is None:
            return []
        links = [(f"{self.site.name}: all changes", FEED)]
        folder = page.split("/", 1)[0]
        phase = next((p for p in self.changelog.plan.phases if p.folder == folder and "/" in page), None)
        if phase is not None:
            links.append((f"{self.site.name}: {phase.name}", f"{phase.folder}/{FEED}"))
        return links

    def _render(self, template: str, page_url: str, **context: object) -> str:
        """Render with the history helpers on top of the renderer's own."""
        changelog = self.changelog
        return self.renderer.render(
            template,
            page_url,
            local_date=changelog.local_date if changelog else None,
            author_of=self._author_of,
            commit_url=self._commit_url,
            records_of=lambda u: [r for r in map(self.renderer.plan.record, u.records) if r is not None],
            pages_of=changelog.pages_of if changelog else None,
            page_href=lambda page: relative_url(self.renderer.page_urls.get(page, ""), page_url),
            changes_json=relative_url(CHANGES_JSON, page_url),
            **context,
        )

    def _author_of(self, commit: Commit) -> str | None:
        """What the site says about who made a change."""
        return self.settings.author_of(commit.author, commit.email)

    def _commit_url(self, sha: str) -> str | None:
        """The commit on the git host, if the site names its repository."""
        return f"{self.site.repo_url.rstrip('/')}/commit/{sha}" if self.site.repo_url else None

    def _absolute(self, path: str) -> str:
        """A site path as an absolute URL when site_url is set, for feed readers."""
        return (self.site.url.rstrip("/") + "/" + path) if self.site.url else path

    def _entry_id(self, update: Update) -> str:
        """A feed entry's permanent id: a tag URI naming the site and the commit."""
        host = urlsplit(self.site.url).hostname if self.site.url else None
        if host:
            return f"tag:{host},{update.commit.date.date().isoformat()}:commit/{update.sha}"
        return f"urn:git:commit:{update.sha}"


def _update_key(update: Update, changelog: ChangeLog) -> tuple[object, ...]:
    """What an update shows, for the keys of the parts it is rendered into: see HistoryViews._made_from."""
    return (update.sha, update.notes, update.major, update.files, update.records, changelog.pages_of(update))


def _months(updates: list[Update], changelog: ChangeLog) -> list[tuple[str, list[Update]]]:
    """Updates in publication order, grouped by the month of their dates, never reordered.

    Commit dates can run backwards (a commit dated before its parent); publication order is
    the order of the first-parent line, so such a commit starts a group of its own month.
    """
    groups: list[tuple[str, list[Update]]] = []
    for update in updates:
        month = format_month(changelog.local_date(update.commit))
        if groups and groups[-1][0] == month:
            groups[-1][1].append(update)
        else:
            groups.append((month, [update]))
    return groups


def _entry_title(update: Update) -> str:
    """A feed entry's title: the first line of its first note."""
    first = update.notes[0].splitlines()[0] if update.notes else "Update"
    return first if len(first) <= 100 else first[:99].rsplit(" ", 1)[0] + "…"


def _head_date(changelog: ChangeLog) -> datetime:
    """The newest commit's date, for a feed with no entries yet."""
    chain = changelog.history.chain
    return chain[0].date if chain else datetime.now(UTC).replace(microsecond=0)
