"""Point-in-time views: the plan as it stood at each revision, redlines between revisions.

Work grows with the number of distinct page versions, not revisions × pages. A page version is
a page's Markdown blob (and, for pages that draw tables from data, the data's blobs). Each
version is rendered once and published once, under the revision that introduced it; a later
revision in which the page did not change links to that copy. Rendered files are kept in the
disk cache under a key of everything they show, so a rebuild only links them into the site.

The compare page redlines any two revisions in the browser from what is published here: the
index (revisions/index.json), each page version's blocks of text beside it, and for each
revision its data changes to every other revision, already worded (compare.json).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import markdown as markdown_lib

from techplan.cache import DiskCache, content_key, pickled_by_fields, read_once_a_build, remember_at_most
from techplan.compare.datadiff import DataChange, diff_plans
from techplan.compare.redline import Block, extract_blocks, redline
from techplan.history.changes import sources_of
from techplan.history.notes import HistoryNote
from techplan.history.past import PastReader
from techplan.history.revisions import Revision
from techplan.history.signatures import Signature
from techplan.jobs import before_fork, in_pool_process
from techplan.plan.formatting import format_date
from techplan.plan.markup import as_written, converted_in_time
from techplan.plan.model import Measure, Milestone, Phase, Plan
from techplan.plan.paragraphs import Paragraphs
from techplan.plan.prose import Token, expand, find_title, scan
from techplan.plan.settings import PlanConfig
from techplan.site.mdlinks import PageLinks
from techplan.site.mdtables import BoxedTables
from techplan.site.opendata import plan_data
from techplan.site.render import PARTIALS, Renderer, Slots
from techplan.site.safehtml import field_markdown, sanitise_page
from techplan.site.urls import relative_url

log = logging.getLogger("mkdocs.plugins.techplan")

FOLDER = "revisions"
"""Where point-in-time views live in the site."""

Fetch = Callable[[list[str]], dict[str, bytes]]
FetchBatches = Callable[[list[str], int], Iterator[dict[str, bytes]]]
ChangeFields = tuple[str, str, str, str | None, str | None, int | None]
"""A DataChange's fields, in order: how the data changes between revisions are cached."""
Content = tuple[str, tuple[Block, ...]]
"""A page version's rendered HTML and its blocks of text."""
CONTENTS = "archive-content"
"""The cache's kind for the content of each page's versions, one entry a page."""
remember_at_most(CONTENTS, 0)  # the writer holds the page it is working on; a build reads each page's once
read_once_a_build("archive-index")  # held by whatever writes the archive


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageInfo:
    """What the archive needs to know about one version of a page's Markdown."""

    title: str
    blocks: tuple[str, ...]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Version:
    """A distinct version of a page: its Markdown and the data it shows."""

    key: str
    page: str
    blob: str
    data: tuple[tuple[str, str], ...]
    """(data file, blob) for each data file the page's blocks draw on."""
    revision: str
    """The revision that introduced it; the version is published under that revision's folder."""
    url: str
    title: str
    until: str = ""
    """The last revision in which the page still read like this."""

    @property
    def blocks_url(self) -> str:
        """Where the version's blocks of text are published, beside it, for the compare page."""
        return self.url.removesuffix(".html") + ".blocks.json"


@dataclass(frozen=True, slots=True)
class RevisionView:
    """One revision as the site shows it."""

    name: str
    slug: str
    title: str
    summary: str
    date: datetime
    commit: str
    url: str
    redline_url: str
    data_url: str
    compare_url: str
    """Its data changes to every other revision, for the compare page."""
    previous: str | None
    pages: dict[str, str]
    """The version key of each page, by page."""
    data_files: dict[str, str]
    """Blob of each data file, by path."""
    pages_changed: tuple[str, ...]
    """Pages added or changed since the previous revision."""
    pages_removed: tuple[str, ...]
    changes: tuple[DataChange, ...]
    """Data changes since the previous revision, in plain English."""
    unread: tuple[str, ...] = ()
    """What of the revision could not be read (invalid data, missing pages): said on its page."""
    signature: Signature | None = None
    """Who signed the revision's tag, as checked at build time; None when the tag is not signed."""

    @property
    def about(self) -> tuple[object, ...]:
        """What every page of the revision shows of it, for the cache keys of those pages."""
        return (self.name, self.title, self.summary, self.date.isoformat(), self.commit, self.signature)

    @property
    def milestones_changed(self) -> int:
        """How many milestones changed since the previous revision."""
        return len({c.record for c in self.changes if c.record.startswith("M")})

    @property
    def measures_changed(self) -> int:
        """How many measures changed since the previous revision."""
        return len({c.record for c in self.changes if c.record.startswith("K")})


@dataclass(slots=True)
class ArchiveIndex:
    """Which page versions exist, where each lives, and what each revision holds."""

    revisions: list[RevisionView] = field(default_factory=list)
    versions: dict[str, Version] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    """Pages in reading order: the site's order, then pages since removed."""


def index_archive(
    settings: PlanConfig,
    revisions: list[Revision],
    past: PastReader,
    cache: DiskCache,
    page_order: list[str],
) -> ArchiveIndex:
    """Work out the archive from the revisions' trees; reads only Markdown the cache has not seen.

    Kept in the cache under everything it is worked out from (the settings, each revision with
    its files, the site's page order), with the notes it made: a commit that is not a new revision
    changes none of it, so such a build reads no past version of the plan to get it.
    """
    key = content_key(repr((settings, revisions, page_order)).encode())
    cached: tuple[ArchiveIndex, list[HistoryNote]] | None = cache.get("archive-index", key)
    if cached is not None:
        past.notes.extend(cached[1])
        return cached[0]
    notes_before = len(past.notes)
    index = _index_archive(settings, revisions, past, cache, page_order)
    cache.put("archive-index", key, (index, past.notes[notes_before:]))
    return index


def _index_archive(
    settings: PlanConfig,
    revisions: list[Revision],
    past: PastReader,
    cache: DiskCache,
    page_order: list[str],
) -> ArchiveIndex:
    """index_archive without the cache of whole indexes."""
    infos: dict[str, PageInfo] = dict(cache.get("archive", "page-info") or {})
    wanted = sorted({blob for r in revisions for path, blob in r.files.items() if path.endswith(".md")} - infos.keys())
    if wanted:
        for found in past.batches(wanted):
            for blob, raw in found.items():
                text = raw.decode("utf-8", "replace")
                heading = find_title(text)
                infos[blob] = PageInfo(
                    heading[1] if heading else "", tuple(t.name for t in scan(text) if not t.is_reference)
                )
        cache.put("archive", "page-info", infos)
    index = ArchiveIndex()
    previous: tuple[Plan, RevisionView] | None = None
    for revision in revisions:
        plan, unread = past.plan_at(settings, revision.files, revision.commit, f"revision {revision.name}")
        pages: dict[str, str] = {}
        changed: list[str] = []
        for page in sorted(p for p in revision.files if p.endswith(".md")):
            blob = revision.files[page]
            info = infos.get(blob)
            if info is None:
                display = settings.display(settings.plan_dir / page)
                past.notes.append(HistoryNote(revision.commit, display, 0, "the page is not in the repository"))
                unread.append(f"{display}: the page is not in the repository; it shows as could not be read")
                info = PageInfo("", ())
            sources = sources_of(plan, page, info.blocks)
            shown = tuple((f, revision.files[f]) for f in sources if f != page and f in revision.files)
            key = content_key(json.dumps([page, blob, shown]).encode())[:24]
            pages[page] = key
            if key not in index.versions:
                url = archive_url(revision, page)
                title = info.title or page.rsplit("/", 1)[-1].removesuffix(".md")
                index.versions[key] = Version(key, page, blob, shown, revision.name, url, title)
            if previous is None or previous[1].pages.get(page) != key:
                changed.append(page)
            index.versions[key] = _replace_until(index.versions[key], revision.name)
        removed = tuple(sorted(set(previous[1].pages) - set(pages))) if previous else ()
        data_changes = tuple(diff_plans(previous[0], plan)) if previous else ()
        slug = revision.slug
        view = RevisionView(
            name=revision.name,
            slug=slug,
            title=revision.title,
            summary=revision.summary,
            date=revision.date,
            commit=revision.commit,
            url=f"{FOLDER}/{slug}/",
            redline_url=f"{FOLDER}/{slug}/changes/",
            data_url=f"{FOLDER}/{slug}/data.json",
            compare_url=f"{FOLDER}/{slug}/compare.json",
            previous=previous[1].name if previous else None,
            pages=pages,
            data_files={p: b for p, b in revision.files.items() if p.endswith(".yml")},
            pages_changed=tuple(changed),
            pages_removed=removed,
            changes=data_changes,
            unread=tuple(unread),
            signature=revision.signature,
        )
        index.revisions.append(view)
        previous = (plan, view)
    known = [p for p in page_order if any(p in r.pages for r in index.revisions)]
    index.order = known + sorted({p for r in index.revisions for p in r.pages} - set(known))
    return index


def _named(value: object) -> str:
    """A Markdown setting that is a Python object (an extension, a function) by its name: the same in every process."""
    return str(getattr(value, "__qualname__", None) or type(value).__qualname__)


def _site_path(url: str) -> str:
    """The path of an archive file in the site, for an address that may end in a folder."""
    return url + "index.html" if url.endswith("/") else url


def _replace_until(version: Version, revision: str) -> Version:
    """The version, still current at a later revision."""
    return Version(
        version.key, version.page, version.blob, version.data, version.revision, version.url, version.title, revision
    )


UNCONVERTED = (
    "This version of the page has text Markdown cannot format (nested too deeply, or thousands of unclosed "
    "brackets), so here it is as written."
)
"""What a point-in-time page says above text it shows unformatted."""


ASIDE = ".techplan-archive"
"""Where the last build's archive waits while MkDocs empties the site, which leaves names starting with a dot."""


def set_aside(site_dir: Path) -> None:
    """Before MkDocs empties the site: move the last build's archive aside, for this build to keep what still holds.

    Its files are links to the cache's: emptying the site and linking them all again, with the
    folders they are in, is most of what a rebuild spends beyond plain MkDocs on some file
    systems. The writer moves back the folders of the revisions it still publishes, keeps each
    file there that is still the cache's own, and deletes the rest (`ArchiveWriter._restore`);
    nothing set aside is published (`remove_aside`).
    """
    remove_aside(site_dir)  # from a build that stopped part way
    archive = site_dir / FOLDER
    if archive.is_dir() and not archive.is_symlink():
        with contextlib.suppress(OSError):
            os.rename(archive, site_dir / ASIDE)


def remove_aside(site_dir: Path) -> None:
    """Delete whatever of the last build's archive this one has not taken back."""
    shutil.rmtree(site_dir / ASIDE, ignore_errors=True)


def archive_url(revision: Revision, page: str) -> str:
    """Where a page version introduced by a revision lives: under the revision's pages/, one file each.

    Files, not folders with an index.html each: a site with thousands of versions then has half
    as many entries to write, clean and upload.
    """
    return f"{FOLDER}/{revision.slug}/pages/{page.removesuffix('.md')}.html"


def redline_anchor(page: str) -> str:
    """The id of a page's part of a redline, so a link can go straight to it (section provenance does)."""
    return "page--" + re.sub(r"[^A-Za-z0-9]+", "-", page.removesuffix(".md")).strip("-")


def load_revision_plan(settings: PlanConfig, revision: Revision, past: PastReader) -> Plan:
    """The plan's data as a revision had it: what passes today's checks (the rest is noted, never fatal)."""
    plan, _ = past.plan_at(settings, revision.files, revision.commit, f"revision {revision.name}")
    return plan


class ArchiveWriter:
    """Renders and writes the archive into a built site, reusing whatever the cache holds."""

    def __init__(
        self,
        settings: PlanConfig,
        index: ArchiveIndex,
        revisions: list[Revision],
        renderer: Renderer,
        markdown_config: tuple[list[Any], dict[str, Any]],
        cache: DiskCache,
        fetch: Fetch,
        site: dict[str, Any],
        fetch_batches: FetchBatches | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.revisions = {r.name: r for r in revisions}
        self.renderer = renderer
        self.cache = cache
        self.files = cache.folder / "archive-files" if cache.folder else None
        """Rendered files by key; the engine's own version is part of the folder's name."""
        self.fetch = fetch
        self.fetch_batches = fetch_batches
        """Reads blobs as git gives them, a batch at a time (Repository.blob_batches); None: `fetch` reads them all."""
        self.site = site
        """Site name, current page URLs, stylesheets: what every archive page shows besides the plan."""
        self._links = PageLinks()
        extensions, configs = markdown_config
        self._markdown = markdown_lib.Markdown(
            extensions=[*extensions, self._links, BoxedTables()], extension_configs=configs
        )
        self._paragraphs = Paragraphs(self._markdown)
        """The versions of a page share the conversion of the paragraphs they have in common."""
        self._plans: dict[str, Plan] = {}
        self._page_urls: dict[str, dict[str, str]] = {}
        self._past = PastReader(fetch, cache)
        self._blobs: dict[str, bytes | None] = {}
        """Markdown of page versions, read from git in one batch (None: git does not have it)."""
        self._views = {view.name: view for view in index.revisions}
        self._map_keys = {
            view.name: content_key(json.dumps(sorted(view.pages.items())).encode()) for view in index.revisions
        }
        """A key for each revision's map of pages to versions: links in its pages depend on it."""
        self._data_keys = {
            view.name: content_key(json.dumps(sorted(view.data_files.items())).encode()) for view in index.revisions
        }
        """A key for each revision's data files: what its data changes depend on."""
        self._change_items: dict[ChangeFields, str] | None = None
        """Data changes as the compare page lists them, each rendered once: read from the cache on first use."""
        self._change_items_read = 0
        """Data changes as the compare page lists them, rendered once."""
        self._record_fields: dict[str, dict[tuple[str, str], tuple[object, ...]] | None] = {}
        """Each revision's records by kind and id, as their fields but where they are written."""
        self._markdown_config = markdown_config
        self._site_key = self._versions_key = ""
        self._use_site(site)
        self._stamps_before: dict[str, tuple[int, int, str]] | None = None
        """The cached files' stamps as the build found them; None until the first `write` reads them."""
        self._done: dict[str, str] = {}
        """The key of every file written or linked into the site so far, by URL."""
        extensions, configs = markdown_config
        self._yaml_markdown = field_markdown(extensions, configs)
        self.hashes: dict[str, str] = {}
        """SHA-256 of every file written or linked into the site, by its path there: for the manifest."""
        self._stamps: dict[str, tuple[int, int, str]] = {}
        """(size, modification time, SHA-256) of each cached file as written, by key."""
        self._folders: set[str] = set()
        """Folders of the site and the cache this process has made (or found)."""
        self._site_dir: Path | None = None
        """The site being written: files made from the page versions read the versions' blocks there."""
        self._device: int | None = None
        """The site's file system, once asked (`_site_device`)."""
        self._present: dict[str, int] = {}
        """Files of the last build's archive moved back into the site (path: inode), until this build claims them."""
        self._contents: tuple[str, dict[str, Content]] | None = None
        """One page's versions' rendered content by key: the last page worked on."""
        self._contents_changed = False
        """Whether that page's content has gained a version since it was read."""
        self._versions_of: dict[str, list[Version]] | None = None
        """The versions of each page, made on first use."""
        self._version_files: tuple[str, list[Output]] | None = None
        """The page versions' files, and the key of the site they were keyed by: the same for `write`'s second call."""

    def _use_site(self, site: dict[str, Any]) -> None:
        """Key the files by the site around them: every file by all of it, page versions by all but its records.

        The Markdown settings too: a commit that changes them must not reuse pages rendered with
        others. A page version shows no record of today's site (only its revision's), so its files
        can be written before the build knows every record ever published (`use_records`).
        """
        self.site = site

        def key(shown: dict[str, Any]) -> str:
            templates = [self._template(n) for n in TEMPLATES]
            parts = [shown, self.renderer.licence, templates, list(self._markdown_config)]
            return content_key(json.dumps(parts, sort_keys=True, default=_named).encode())

        self._site_key = key(site)
        self._versions_key = key({k: v for k, v in site.items() if k != "records"})

    def use_records(self, records: list[tuple[str, tuple[str, str]]]) -> None:
        """Every record's page (id: (URL, title)), once known: what the data changes link to."""
        self._use_site({**self.site, "records": records})

    def write(self, site_dir: Path, jobs: int = 1, versions_only: bool = False) -> int:
        """Write every archive file into the site, rendering what the cache lacks in `jobs` processes; how many.

        With `versions_only`, only the page versions and their blocks: a build writes those as
        soon as it has the archive's index, and the rest (which name today's records) once it
        knows every record, with a second call that does not write them again.
        """
        if self._site_dir is None:
            self._restore(site_dir)
        self._site_dir = site_dir
        outputs = self._version_outputs()
        if not versions_only:
            # The last call: let the versions' list go before the files are rendered (the processes
            # that render them are forked from this one, and each peaked up to 14 MB higher with it).
            self._version_files = None
            outputs = outputs + self._revision_outputs()
        outputs = [output for output in outputs if output[0] not in self._done]
        # Link what the cache holds, then render the rest: a warm build does the first for every
        # page version, so it is plain os calls; a cold one reads all the Markdown it needs at once.
        if self._stamps_before is None:
            self._stamps = dict(self.cache.get("archive", "file-stamps") or {}) if self.files is not None else {}
            self._stamps_before = dict(self._stamps)
        missing = [output for output in outputs if not self._link(site_dir, output[0], output[1], self._folders)]
        if missing and log.isEnabledFor(logging.DEBUG):
            kinds = Counter(getattr(_method(render), "__name__", "other").strip("_") for _, _, render in missing)
            rendered = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
            log.debug(
                "techplan: point-in-time views: rendered %s; %d kept from earlier builds",
                rendered,
                len(outputs) - len(missing),
            )
        self._render_files(site_dir, missing, jobs)
        self._done.update((url, key) for url, key, _ in outputs)
        if versions_only:
            return len(outputs)
        self._keep_change_items()
        self._delete_unclaimed()
        used = set(self._done.values())
        self._forget_unused(used)
        self.cache.forget_all_but(CONTENTS, {self._contents_key(page) for page in self._versions_by_page()})
        self._stamps = {key: stamp for key, stamp in self._stamps.items() if key in used}
        if self.files is not None and self._stamps != self._stamps_before:
            self.cache.put("archive", "file-stamps", self._stamps)
        return len(self._done)

    def _restore(self, site_dir: Path) -> None:
        """Move back the last build's folders of the revisions this build publishes (see `set_aside`).

        Each file in them is claimed as this build links (`_link`) or renders (`_record`) it; what
        is not claimed by the end is deleted (`_delete_unclaimed`).
        """
        aside = os.path.join(site_dir, ASIDE)
        if not os.path.isdir(aside):
            return
        slugs = {view.slug for view in self.index.revisions}
        with contextlib.suppress(OSError):
            for entry in os.scandir(aside):
                if entry.name not in slugs or not entry.is_dir(follow_symlinks=False):
                    continue
                target = os.path.join(site_dir, FOLDER, entry.name)
                try:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    os.rename(entry.path, target)
                except OSError:
                    continue  # left aside, and deleted with the rest
                self._take_stock(target)
        remove_aside(site_dir)

    def _take_stock(self, folder: str) -> None:
        """Note every file and folder under a folder moved back into the site."""
        self._folders.add(folder)
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    self._take_stock(entry.path)
                else:
                    self._present[entry.path] = entry.inode()

    def _delete_unclaimed(self) -> None:
        """Delete the files moved back that this build did not claim, and the folders that leaves empty."""
        for path in self._present:
            with contextlib.suppress(OSError):
                os.unlink(path)
            folder = os.path.dirname(path)
            while folder in self._folders:
                try:
                    os.rmdir(folder)  # only if empty
                except OSError:
                    break
                self._folders.discard(folder)
                folder = os.path.dirname(folder)
        self._present.clear()

    def _version_outputs(self) -> list[Output]:
        """Every page version's page and blocks (keyed once for both of a first build's calls to `write`)."""
        if self._version_files is not None and self._version_files[0] == self._versions_key:
            return self._version_files[1]
        outputs: list[Output] = []
        shown_in: dict[str, list[str]] = {}
        for view in self.index.revisions:
            for key in view.pages.values():
                shown_in.setdefault(key, []).append(view.name)
        # Which revisions show a version the page says only as `_standing` does: a new revision
        # rewrites only the pages it changes, not every one still current.
        described = [f.name for f in fields(Version) if f.name != "until"]
        for version in self.index.versions.values():
            current = self.site["pages"].get(version.page)
            about = [getattr(version, name) for name in described]
            view = self._view(version.revision)
            standing = self._standing(version, shown_in.get(version.key, []))
            key = self._key("page", about, view.about, self._map_keys[version.revision], standing, current, site=False)
            outputs.append((version.url, key, partial(self._page, version)))
            key = self._key("blocks", version.key, version.revision, self._map_keys[version.revision], site=False)
            outputs.append((version.blocks_url, key, partial(self._blocks, version)))
        self._version_files = (self._versions_key, outputs)
        return outputs

    def _revision_outputs(self) -> list[Output]:
        """Each revision's own files, and the index of them all."""
        outputs: list[Output] = []
        for view in self.index.revisions:
            key = self._key("revision", view.about, view.pages, [
                (self.index.versions[k].url, self.index.versions[k].title) for k in view.pages.values()
            ], view.pages_changed, view.changes, view.unread)  # fmt: skip
            outputs.append((view.url, key, partial(self._revision_page, view)))
            previous = self._view(view.previous) if view.previous else None
            key = self._key("redline", view.about, previous.about if previous else None,
                            previous.pages if previous else None, view.pages, view.changes)  # fmt: skip
            outputs.append((view.redline_url, key, partial(self._redline_page, view)))
            # The data names its revision too: two revisions with the same data files are two files.
            key = self._key("data", view.name, view.title, view.date.isoformat(), view.data_files)
            outputs.append((view.data_url, key, partial(self._data, view)))
            others = [(other.name, self._data_keys[other.name]) for other in self.index.revisions]
            key = self._key("compare", view.name, others, self.site.get("compare"))
            outputs.append((view.compare_url, key, partial(self._compare, view)))
        outputs.append((f"{FOLDER}/index.json", self._key("json", self.index.order, [
            (v.url, v.title, v.date, v.pages) for v in self.index.revisions
        ], [(v.url, v.title) for v in self.index.versions.values()]), self._json))  # fmt: skip
        return outputs

    def _forget_unused(self, used: set[str]) -> None:
        """Delete rendered files this build did not use, so the cache does not grow with every edit."""
        if self.files is None or not self.files.is_dir():
            return
        for folder in self.files.iterdir():
            for entry in folder.iterdir() if folder.is_dir() else ():
                if entry.name not in used and not entry.name.endswith(".tmp"):
                    entry.unlink(missing_ok=True)

    def _prefetch(self, missing: set[str]) -> None:
        """Read, in one git call, the Markdown of every version the files still to render need."""
        # Redlines need none: they read the versions' blocks from the site.
        needed = {v.blob for v in self.index.versions.values() if v.url in missing or v.blocks_url in missing}
        wanted = sorted(needed - self._blobs.keys())
        if wanted:
            found = self.fetch(wanted)
            self._blobs.update((blob, found.get(blob)) for blob in wanted)

    def _with_markdown(self, tasks: list[list[Output]]) -> Iterator[tuple[int, dict[str, bytes | None]]]:
        """Each task of page versions by number, with the Markdown of its versions, read from one git process.

        Read as the tasks go out to the processes that render them, each sent only its own: the
        build holds about a batch of page versions at a time, where it held every one (56 MB at
        1,000 pages) in the process the renderers are forked from.
        """
        assert self.fetch_batches is not None
        needs = [sorted({_version_of(render).blob for _, _, render in task}) for task in tasks]
        uses = Counter(blob for blobs in needs for blob in blobs)  # in the order the tasks first need them
        order = {blob: n for n, blob in enumerate(blob for blob in uses if blob not in self._blobs)}
        batches = self.fetch_batches(list(order), PastReader.BATCH)
        read: dict[str, bytes | None] = {}
        reached = -1  # how far along the order git has given blobs: one before that it did not give, it lacks
        for number, blobs in enumerate(needs):
            while any(order.get(blob, -1) > reached for blob in blobs):
                batch = next(batches, None)
                if batch is None:
                    reached = len(order)
                    break
                read.update(batch)
                reached = order[next(reversed(batch))]
            given = {}
            for blob in blobs:
                given[blob] = read.get(blob) if blob in order else self._blobs[blob]
                uses[blob] -= 1
                if not uses[blob]:
                    read.pop(blob, None)
            yield number, given

    @staticmethod
    def _path(site_dir: Path, url: str) -> str:
        """Where a file goes in the site."""
        return os.path.join(site_dir, url + "index.html" if url.endswith("/") else url)

    @classmethod
    def _target(cls, site_dir: Path, url: str, folders: set[str]) -> str:
        """Where a file goes in the site, its folder made."""
        target = cls._path(site_dir, url)
        folder = os.path.dirname(target)
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        return target

    def _link(self, site_dir: Path, url: str, key: str, folders: set[str]) -> bool:
        """Put a file the cache holds into the site (linked, or copied across file systems); False if it has none.

        A cached file is used only if it is the size and age it was written with: a site's file is
        the cache's own (a hard link), so a tool that edits the published file in place edits the
        cache too, and that edit must not reach the next build. Such a file is rendered again.
        """
        if self.files is None:
            return False
        stamp = self._stamps.get(key)
        if stamp is None:
            return False  # not rendered yet (a first build asks this of every file)
        cached = os.path.join(self.files, key[:2], key)
        try:
            info = os.stat(cached)
        except OSError:
            return False  # deleted since
        if (info.st_size, info.st_mtime_ns) != stamp[:2]:
            return False
        target = self._target(site_dir, url, folders)
        if self._present.pop(target, None) == info.st_ino and info.st_dev == self._site_device():
            self.hashes[_site_path(url)] = stamp[2]
            return True  # the last build's link to this very file, moved back with its folder
        try:
            os.link(cached, target)
        except FileExistsError:
            os.unlink(target)
            os.link(cached, target)
        except OSError:
            shutil.copyfile(cached, target)  # another file system, or one without links
        self.hashes[_site_path(url)] = stamp[2]
        return True

    def _render_files(self, site_dir: Path, missing: list[Output], jobs: int) -> None:
        """Render the files the cache lacks: here, or shared among `jobs` processes forked from this one.

        Each file is rendered from the same inputs wherever it is rendered, so the bytes are the
        same either way. Page versions go first, all at once; then the files made from them
        (redlines, compare data), which then find the versions' content in the disk cache.
        """
        # Each page's versions are one task: their pages and blocks are made from the versions'
        # content, which the cache keeps in one entry a page (written once, at the end of the task).
        versions: dict[str, list[Output]] = {}
        made_from_them: list[list[Output]] = []
        for output in missing:
            render = output[2]
            if _method(render) in (self._page, self._blocks):
                assert isinstance(render, partial)
                versions.setdefault(render.args[0].page, []).append(output)
            else:
                made_from_them.append([output])
        if jobs <= 1 or len(missing) < PARALLEL_FROM or self.fetch_batches is None:
            self._prefetch({url for url, _, _ in missing})
        if jobs <= 1 or len(missing) < PARALLEL_FROM:
            for task in [*versions.values(), *made_from_them]:
                for url, key, render in task:
                    self._render_file(site_dir, url, key, render)
                self._save_contents()
            return
        # The slowest first (a redline compares every changed page), so no process is left with one at the end.
        made_from_them.sort(key=lambda task: _method(task[0][2]) != self._redline_page)
        for name in (*TEMPLATES, *PARTIALS):  # compiled once here, not once in each process
            self.renderer.env.get_template(name)
        global _WORK
        context = multiprocessing.get_context("fork")
        # The versions' Markdown goes out with their tasks; what is made from them reads them in the site.
        for part, with_markdown in ((list(versions.values()), self.fetch_batches is not None), (made_from_them, False)):
            if not part:
                continue
            before_fork()
            _WORK = (self, site_dir, part)  # forked with the processes, so the tasks are not pickled
            tasks: Iterator[Task] = self._with_markdown(part) if with_markdown else iter(range(len(part)))
            try:
                with context.Pool(min(jobs, len(part)), initializer=in_pool_process) as pool:
                    for results in pool.imap_unordered(_render_task, tasks, chunksize=1):
                        for url, key, digest, stamp in results:
                            self._record(url, key, digest, stamp)
            finally:
                _WORK = None

    def _render_file(self, site_dir: Path, url: str, key: str, render: Callable[[], str]) -> None:
        """Render a file into the site and keep it in the cache for the next build."""
        self._record(url, key, *self._write_rendered(site_dir, url, key, render))

    def _record(self, url: str, key: str, digest: str, stamp: tuple[int, int, str] | None) -> None:
        """Note a rendered file's hash for the manifest, and its cached copy's stamp."""
        if self._site_dir is not None:
            self._present.pop(self._path(self._site_dir, url), None)  # written anew, wherever it was rendered
        self.hashes[_site_path(url)] = digest
        if stamp is not None:
            self._stamps[key] = stamp

    def _site_device(self) -> int:
        """The device of the site's file system: a file there is the cache's own only on the same one."""
        if self._device is None:
            self._device = os.stat(self._site_dir).st_dev if self._site_dir is not None else -1
        return self._device

    def _write_rendered(
        self, site_dir: Path, url: str, key: str, render: Callable[[], str]
    ) -> tuple[str, tuple[int, int, str] | None]:
        """Render a file into the site and the cache: its SHA-256, and the cached copy's stamp (None if not cached)."""
        target = self._target(site_dir, url, self._folders)
        data = render().encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)  # a link to a cached file from an earlier build: never write through it
        with open(target, "xb") as handle:
            handle.write(data)
            handle.flush()
            info = os.fstat(handle.fileno())
        if self.files is None:
            return digest, None
        stamp = self._keep_file(key, data, target, info)
        return digest, None if stamp is None else (*stamp, digest)

    def _keep_file(self, key: str, data: bytes, target: str, info: os.stat_result) -> tuple[int, int] | None:
        """Keep a file just written into the site in the cache too: the cached copy's size and modified time, or None.

        The site's file itself is linked into the cache, as a later build links it back: making a
        file costs far more than naming it again on some file systems, and the site takes no more
        room than the cache. A link appears whole or not at all, so a build running beside this one
        never finds a cached file half written. Where the cache cannot link to the site (another
        file system), it gets a copy of its own, written aside and renamed into place.
        """
        assert self.files is not None
        cached = os.path.join(self.files, key[:2], key)
        folder = os.path.dirname(cached)
        # A name no other build writes to at the same time, for what must replace a file already there.
        temporary = f"{cached}.{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            try:
                os.link(target, cached)
            except FileExistsError:  # an older copy (edited, or cut short): replaced in one step
                os.link(target, temporary)
                os.replace(temporary, cached)
            except OSError:  # another file system, or one without links
                Path(temporary).write_bytes(data)
                info = os.stat(temporary)
                os.replace(temporary, cached)
            return info.st_size, info.st_mtime_ns
        except OSError:  # a read-only or vanished cache: the site still has its file
            self._folders.discard(folder)
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return None

    def _key(self, *parts: object, site: bool = True) -> str:
        """A cache key for a file: what it shows, the site around it (or all of it but its records), the templates."""
        around = self._site_key if site else self._versions_key
        return content_key(json.dumps([around, *parts], sort_keys=True, default=str).encode())

    def _view(self, name: str) -> RevisionView:
        """A revision by name."""
        return self._views[name]

    def _urls(self, view: RevisionView) -> dict[str, str]:
        """Where each page of a revision is, as it stood then: made once a revision, not once a page."""
        if view.name not in self._page_urls:
            self._page_urls[view.name] = {page: self.index.versions[key].url for page, key in view.pages.items()}
        return self._page_urls[view.name]

    def _plan(self, name: str) -> Plan:
        """A revision's data, loaded once."""
        if name not in self._plans:
            self._plans[name] = load_revision_plan(self.settings, self.revisions[name], self._past)
        return self._plans[name]

    def _content(self, version: Version) -> Content:
        """A version's rendered content and its blocks of text."""
        view = self._view(version.revision)
        key = self._content_key(version)
        contents = self._page_contents(version.page)
        if key not in contents:
            contents[key] = self._render_content(version, view)
            self._contents_changed = True
        return contents[key]

    def _content_key(self, version: Version) -> str:
        """What a version's content depends on: the site's pages, the version, its revision's map of pages."""
        return content_key(
            json.dumps([self._versions_key, version.key, version.revision, self._map_keys[version.revision]]).encode()
        )

    @staticmethod
    def _contents_key(page: str) -> str:
        """The cache entry of a page's versions' content."""
        return content_key(json.dumps([CONTENTS, page]).encode())

    def _versions_by_page(self) -> dict[str, list[Version]]:
        """Each page's versions in the archive."""
        if self._versions_of is None:
            self._versions_of = {}
            for version in self.index.versions.values():
                self._versions_of.setdefault(version.page, []).append(version)
        return self._versions_of

    def _page_contents(self, page: str) -> dict[str, Content]:
        """The content of a page's versions so far: one cache entry a page, not one a version.

        A first build makes a file for every entry, and making files is slow on some file
        systems (14,929 versions at 1,000 pages, against 1,000 pages). Only the last page's is
        held: the files of a page's versions are made together.
        """
        if self._contents is not None and self._contents[0] == page:
            return self._contents[1]
        self._save_contents()
        stored = self.cache.get(CONTENTS, self._contents_key(page))
        self._contents = (page, dict(stored) if isinstance(stored, dict) else {})
        return self._contents[1]

    def _save_contents(self) -> None:
        """Write the page's content entry if it gained a version, keeping only the versions the archive still has."""
        if self._contents is None or not self._contents_changed:
            return
        page, contents = self._contents
        wanted = {self._content_key(version) for version in self._versions_by_page().get(page, [])}
        kept = {key: content for key, content in contents.items() if key in wanted}
        self.cache.write(CONTENTS, self._contents_key(page), kept)
        self._contents = (page, kept)
        self._contents_changed = False

    def _blocks_of(self, version: Version) -> list[Block]:
        """A version's blocks of text, read from its blocks file: every version's is in the site before any redline."""
        if self._site_dir is not None:
            try:
                data = json.loads(Path(self._path(self._site_dir, version.blocks_url)).read_bytes())
                return [Block(kind, text) for kind, text in data["blocks"]]
            except (OSError, ValueError, KeyError, TypeError):
                pass  # not written (a build that failed part way): render it
        return list(self._content(version)[1])

    def _render_content(self, version: Version, view: RevisionView) -> Content:
        """Render a version's Markdown with the data, links and references of its revision."""
        if version.blob not in self._blobs:
            self._blobs.update(self.fetch([version.blob]))
        raw = self._blobs.get(version.blob)
        text = (
            raw.decode("utf-8", "replace")
            if raw is not None
            else f"# {version.title}\n\nThis version of the page could not be read from the repository.\n"
        )
        plan = self._plan(view.name)
        urls = self._urls(view)
        renderer = Renderer(
            plan,
            self.renderer.env,
            urls,
            view.date.date(),
            self._convert_inline,
            markdown_key="archive",
            site_url=self.renderer.site_url,
        )
        renderer.licence = self.renderer.licence  # the downloads beside its tables name the licence too
        renderer.revision_data = view.data_url
        slots = Slots()
        phase = next((p for p in plan.phases if p.index_page == version.page), None)

        def render(token: Token) -> str:
            if token.is_reference:
                return slots.hold_inline(self._reference(token, plan, urls, version.url))
            return slots.hold(renderer._render_block(token.name, version.url, phase))

        self._links.page = version.page
        self._links.resolve = lambda target: relative_url(urls[target], version.url) if target in urls else None
        self._links.site_root = relative_url("", version.url)

        def convert(text: str) -> str:
            expanded = expand(Slots.as_written(text), render)
            return slots.fill(sanitise_page(self._paragraphs.convert(expanded, version.page, (version.url, view.name))))

        html = converted_in_time(convert, text)
        if html is None:  # a past revision cannot be corrected: its text, as written
            html = f"<p>{UNCONVERTED}</p>\n{as_written(text)}"
        return html, tuple(extract_blocks(html))

    def _convert_inline(self, text: str) -> str:
        """Markdown from YAML, for blocks in point-in-time pages, with the site's extensions, raw HTML escaped."""
        return self._yaml_markdown(text)

    def _reference(self, token: Token, plan: Plan, urls: dict[str, str], page_url: str) -> str:
        """A reference in a point-in-time page: a link to the record as that revision had it."""
        record = plan.record(token.name)
        phase = plan.phase(record.phase) if record is not None else None
        href = None
        if record is not None and phase is not None and phase.index_page in urls:
            href = relative_url(f"{urls[phase.index_page]}#{record.id}", page_url)
        return self.renderer.env.get_template(ARCHIVE_REFERENCE).render(
            href=href, label=token.text or token.name, record=record
        )

    def _template(self, name: str) -> str:
        loader = self.renderer.env.loader
        assert loader is not None
        return loader.get_source(self.renderer.env, name)[0]

    def _render(self, template: str, page_url: str, **context: object) -> str:
        return self.renderer.env.get_template(template).render(
            root=relative_url("", page_url),
            site=self.site,
            revisions=self.index.revisions,
            versions=self.index.versions,
            url=lambda target: relative_url(target, page_url),
            **context,
        )

    def _standing(self, version: Version, shown_in: list[str]) -> tuple[bool, str | None]:
        """What a page version's banner says of the revisions after its own.

        (True, None) if every one since shows it; (False, the last of them that does) if it
        changed later; (False, None) if the next revision changed it or there is none. A page
        changed and changed back is unchanged only until the first change.
        """
        names = [view.name for view in self.index.revisions]
        after = names[names.index(version.revision) + 1 :] if version.revision in names else []
        shown = set(shown_in)
        run = 0
        while run < len(after) and after[run] in shown:
            run += 1
        if run == 0:
            return False, None
        return (True, None) if run == len(after) else (False, after[run - 1])

    def _page(self, version: Version) -> str:
        """A page as it stood at the revision that introduced this version."""
        content, _ = self._content(version)
        view = self._view(version.revision)
        shown_in = [v.name for v in self.index.revisions if v.pages.get(version.page) == version.key]
        still, until = self._standing(version, shown_in)
        current = self.site["pages"].get(version.page)
        return self._render(
            ARCHIVE_PAGE,
            version.url,
            title=version.title,
            revision=view,
            still=still,
            until=until,
            current=current,
            content=content,
            version=version,
        )

    def _revision_page(self, view: RevisionView) -> str:
        """A revision's table of contents: its pages, what changed, where to go next."""
        pages = [(p, self.index.versions[view.pages[p]]) for p in self.index.order if p in view.pages]
        return self._render(REVISION_PAGE, view.url, revision=view, pages=pages)

    def _redline_page(self, view: RevisionView) -> str:
        """What changed in a revision: every changed page, word by word, and the data in plain English."""
        previous = self._view(view.previous) if view.previous else None
        pages = []
        for page in [p for p in self.index.order if p in view.pages_changed or p in view.pages_removed]:
            new_key, old_key = view.pages.get(page), previous.pages.get(page) if previous else None
            new = self.index.versions[new_key] if new_key else None
            old = self.index.versions[old_key] if old_key else None
            old_blocks = self._blocks_of(old) if old else []
            new_blocks = self._blocks_of(new) if new else []
            segments = redline(old_blocks, new_blocks) if previous else []
            pages.append({"page": page, "old": old, "new": new, "segments": segments, "anchor": redline_anchor(page)})
        return self._render(REDLINE_PAGE, view.redline_url, revision=view, previous=previous, pages=pages)

    def _data(self, view: RevisionView) -> str:
        """The revision's milestones and measures as JSON."""
        data = plan_data(self._plan(view.name))
        data["revision"] = {"name": view.name, "title": view.title, "date": view.date.isoformat()}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def _blocks(self, version: Version) -> str:
        """A page version's blocks of text, [kind, text] each, for the compare page to redline."""
        _, blocks = self._content(version)
        data = {"blocks": [[b.kind, b.text] for b in blocks]}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"

    def _compare(self, view: RevisionView) -> str:
        """A revision's data changes to every other revision, for the compare page: one file per revision compared from.

        Each distinct change is listed once ("changes", as the compare page shows it) and each
        other revision ("to") names its changes, in datadiff's order, by their place in that list.
        """
        distinct, targets = self._data_changes(view)
        items: dict[str, int] = {}
        places: dict[int, int] = {}  # a change's number here -> its place in the file's list
        for numbers in targets.values():
            for n in numbers:
                if n not in places:
                    places[n] = items.setdefault(self._change_item(distinct[n]), len(items))
        data = {
            "revision": view.name,
            "changes": list(items),
            "to": {name: [places[n] for n in numbers] for name, numbers in targets.items()},
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"

    def _data_changes(self, old: RevisionView) -> tuple[list[ChangeFields], dict[str, list[int]]]:
        """What changed in the data from one revision to each other one: the distinct changes, and each one's by number.

        Kept in the cache as one entry per revision compared from, holding its changes to the data
        of each revision compared to: a new revision adds one comparison to each entry, not a file
        per pair. Changes are kept as tuples of their fields, quick to read and write.
        """
        key = self._data_keys[old.name]
        stored: tuple[list[ChangeFields], dict[str, list[int]]] | None = self.cache.get("data-changes", key)
        cached, by_data = stored or ([], {})
        number = {change: n for n, change in enumerate(cached)}
        missing = {
            self._data_keys[new.name]: new.name
            for new in self.index.revisions
            if new.name != old.name and new.previous != old.name and self._data_keys[new.name] not in by_data
        }
        if missing:
            by_data = dict(by_data)
            for data_key, name in missing.items():
                changes = self._diff_data(old, self._view(name))
                by_data[data_key] = [number.setdefault(_fields(c), len(number)) for c in changes]
            self.cache.put("data-changes", key, (list(number), by_data))
        targets = {}
        for new in self.index.revisions:
            if new.previous == old.name:
                targets[new.name] = [number.setdefault(_fields(c), len(number)) for c in new.changes]
            elif new.name != old.name:
                targets[new.name] = by_data[self._data_keys[new.name]]
        return list(number), targets

    def _diff_data(self, old: RevisionView, new: RevisionView) -> list[DataChange]:
        """diff_plans between two revisions, given only the records that differ: the same changes, sooner.

        A record whose every field but its place in the file is the same in both cannot read as
        changed. With a repeated id (invalid data in the past) which record counts is diff_plans'
        choice, so then the whole plans are compared.
        """
        old_plan, new_plan = self._plan(old.name), self._plan(new.name)
        old_records, new_records = self._records(old.name), self._records(new.name)
        if old_records is None or new_records is None:
            return diff_plans(old_plan, new_plan)
        same = {key for key, content in old_records.items() if new_records.get(key) == content}
        return diff_plans(_without(old_plan, same), _without(new_plan, same))

    def _records(self, name: str) -> dict[tuple[str, str], tuple[object, ...]] | None:
        """A revision's milestones, measures and phases by kind and id, as their fields but where they are written.

        None if an id is there twice.
        """
        if name not in self._record_fields:
            plan = self._plan(name)
            records: list[tuple[str, str, Milestone | Measure | Phase]] = [("M", m.id, m) for m in plan.milestones]
            records += [("K", m.id, m) for m in plan.measures]
            records += [("P", p.folder, p) for p in plan.phases]
            fields_of = {
                (kind, record_id): tuple(getattr(r, f.name) for f in fields(r) if f.name != "location")
                for kind, record_id, r in records
            }
            self._record_fields[name] = fields_of if len(fields_of) == len(records) else None
        return self._record_fields[name]

    def _change_items_key(self) -> str:
        """What every rendered data change depends on (the site key: templates, record links, the compare page)."""
        return f"change-items:{self._site_key}"

    def _change_item(self, change: ChangeFields) -> str:
        """A data change as the compare page lists it: the same partial as a revision's changes page.

        Kept between builds: a new tag rewrites every revision's compare data, made of changes
        mostly listed before.
        """
        if self._change_items is None:
            self._change_items = dict(self.cache.get("archive", self._change_items_key()) or {})
            self._change_items_read = len(self._change_items)
        if change not in self._change_items:
            page_url = self.site.get("compare") or ""
            self._change_items[change] = self.renderer.env.get_template(DATA_CHANGE).render(
                change=DataChange(*change),
                root=relative_url("", page_url),
                url=lambda target: relative_url(target, page_url),
            )
        return self._change_items[change]

    def _keep_change_items(self) -> None:
        """Keep the data changes rendered this build for the next, if there are new ones."""
        if self._change_items is not None and len(self._change_items) > self._change_items_read:
            self.cache.put("archive", self._change_items_key(), self._change_items)
            self._change_items_read = len(self._change_items)

    def _json(self) -> str:
        """The index the compare page reads: revisions, pages and the version each revision has."""
        versions = list(self.index.versions.values())
        number = {v.key: n for n, v in enumerate(versions)}
        data = {
            "revisions": [
                {"name": v.name, "title": v.title, "date": v.date.isoformat(), "published": format_date(v.date),
                 "url": v.url, "redline": v.redline_url, "changes": v.compare_url}
                for v in self.index.revisions
            ],
            "pages": self.index.order,
            "versions": [{"url": v.url, "title": v.title, "page": v.page, "blocks": v.blocks_url} for v in versions],
            "table": [[number.get(v.pages.get(p, ""), -1) for p in self.index.order] for v in self.index.revisions],
        }  # fmt: skip
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


Output = tuple[str, str, Callable[[], str]]
"""A file of the archive: its site URL, its cache key, and what renders it."""
PARALLEL_FROM = 64
"""How many files there must be to render before sharing them among processes pays for forking."""
_WORK: tuple[ArchiveWriter, Path, list[list[Output]]] | None = None
"""The writer, site and tasks (files rendered together) a pool of forked processes renders (each has its copy)."""


Task = int | tuple[int, dict[str, bytes | None]]
"""A task of _WORK by number, with the Markdown of the page versions it renders when the build read it for it."""


def _render_task(task: Task) -> list[tuple[str, str, str, tuple[int, int, str] | None]]:
    """In a forked process: render the files of one task of _WORK; each one's URL, key, hash and cached copy's stamp."""
    assert _WORK is not None
    writer, site_dir, tasks = _WORK
    number = task if isinstance(task, int) else task[0]
    if not isinstance(task, int):
        writer._blobs = task[1]
    results = [(url, key, *writer._write_rendered(site_dir, url, key, render)) for url, key, render in tasks[number]]
    writer._save_contents()
    return results


def _version_of(render: Callable[[], str]) -> Version:
    """The page version a page version's file (its page, its blocks) is rendered from."""
    assert isinstance(render, partial)
    version = render.args[0]
    assert isinstance(version, Version)
    return version


def _method(render: Callable[[], str]) -> object:
    """The method a file's render function calls (a partial of it, or itself)."""
    return render.func if isinstance(render, partial) else render


def _without(plan: Plan, same: set[tuple[str, str]]) -> Plan:
    """The plan without the given milestones (M, id), measures (K, id) and phases (P, folder)."""
    return replace(
        plan,
        milestones=tuple(m for m in plan.milestones if ("M", m.id) not in same),
        measures=tuple(m for m in plan.measures if ("K", m.id) not in same),
        phases=tuple(p for p in plan.phases if ("P", p.folder) not in same),
    )


def _fields(change: DataChange) -> ChangeFields:
    """A data change as the tuple of its fields."""
    return (change.record, change.kind, change.text, change.before, change.after, change.days)


ARCHIVE_PAGE = "partials/plan-archive-page.html"
ARCHIVE_REFERENCE = "partials/plan-archive-reference.html"
REVISION_PAGE = "partials/plan-archive-revision.html"
REDLINE_PAGE = "partials/plan-archive-redline.html"
DATA_CHANGES = "partials/plan-data-changes.html"
DATA_CHANGE = "partials/plan-data-change.html"
"""One data change in plain English, on a revision's changes page and in the compare page's results."""
TEMPLATES = (
    ARCHIVE_PAGE,
    ARCHIVE_REFERENCE,
    REVISION_PAGE,
    REDLINE_PAGE,
    DATA_CHANGES,
    DATA_CHANGE,
    "partials/plan-archive-base.html",
)
