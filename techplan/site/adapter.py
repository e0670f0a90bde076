"""The one place MkDocs meets the engine: each hook event hands off to PlanSite."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
import mkdocs
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils.templates import TemplateContext, url_filter

from techplan.cache import DiskCache, cache_folder, finish_packs, forget_read_once
from techplan.history.changes import HistoryUnavailable
from techplan.history.git import Repository
from techplan.history.log import start_cold_log
from techplan.history.notes import history_report
from techplan.history.revisions import Revision
from techplan.jobs import after_forks, jobs_available
from techplan.plan.load import PHASE_FOLDER, load_plan
from techplan.plan.markup import TOO_DEEP, deepest_line
from techplan.plan.model import Measure, Milestone, Phase, Plan
from techplan.plan.prose import scan
from techplan.plan.settings import PlanConfig, plan_settings
from techplan.plan.spec import FILES, SCHEMA_NAMES, shipped_schema
from techplan.plan.yamlsource import read_yaml
from techplan.problems import Problem, render_report
from techplan.site.archive import ArchiveIndex, ArchiveWriter, remove_aside, set_aside
from techplan.site.builtfrom import BuiltFrom, uncommitted_paths
from techplan.site.converted import ConvertedPages
from techplan.site.forked import Forked, write_aside
from techplan.site.manifest import versions, write_manifest
from techplan.site.markup import without_orphan_toc_label, without_toggle_autocomplete
from techplan.site.navparts import NavParts
from techplan.site.opendata import OPEN_DATA_PAGE, downloads
from techplan.site.pagecache import BUILT_FROM_PLACEHOLDER, PageOutputs, fill_built_from
from techplan.site.printview import PrintedPage, write_whole_plan
from techplan.site.records import (
    RECORD_FEED,
    REGISTER_PAGE,
    RecordInputs,
    RecordPages,
    find_citations,
    link_records,
    record_folder,
    record_source,
    record_url,
)
from techplan.site.render import THEME, Renderer, Slots, template_environment
from techplan.site.safehtml import field_markdown
from techplan.site.searchcache import IndexedPages
from techplan.site.sections import PROVENANCE_JSON, PlacedLines, page_entries, place_lines, provenance_json
from techplan.site.urls import relative_url
from techplan.site.views import (
    CHANGES_PAGE,
    COMPARE_PAGE,
    PRINT_MARKDOWN,
    PRINT_PAGE,
    REVISIONS_PAGE,
    UPDATES_HEADING,
    UPDATES_ID,
    Published,
    SiteInfo,
    compare_markdown,
    insert_after_title,
    open_data_markdown,
    publish_history,
    revisions_markdown,
)

log = logging.getLogger("mkdocs.plugins.techplan")


class PlanSite:
    """Holds the plan for one build and answers MkDocs' events."""

    def __init__(self) -> None:
        self.settings: PlanConfig | None = None
        self.plan: Plan | None = None
        self.renderer: Renderer | None = None
        self.published: Published | None = None
        self.problems: list[Problem] = []
        self._markdown: Callable[[str], str] | None = None
        self._mkdocs: MkDocsConfig | None = None
        self._slots: dict[str, Slots] = {}
        self._reading_order: list[Page] = []
        self._placed: dict[str, PlacedLines] = {}
        self._sections: dict[str, list[dict[str, object]]] = {}
        """provenance.json's sections of each page converted so far."""
        self.built_from: BuiltFrom | None = None
        self._record_feeds: dict[str, list[tuple[str, str]]] = {}
        """(title, site path) of the feed each record page's head links, by page."""
        self._archive: Forked[dict[str, str]] | None = None
        """The point-in-time views being written in another process, while MkDocs renders the pages."""
        self._printed: File | None = None
        """The whole-plan page, filled in once written (printview.write_whole_plan)."""
        self._site_dir: Path | None = None
        """The site being built, once MkDocs is about to empty it (`on_pre_build`)."""
        self._cache_written: Callable[[], None] = lambda: None
        """Waits for the cache's largest entries, written in another process while MkDocs renders the pages."""
        self._outputs: PageOutputs | None = None
        """Pages as the theme rendered them in earlier builds, by everything they show."""
        self._converted: ConvertedPages | None = None
        """Pages' Markdown as converted in earlier builds, by all the conversion reads."""
        self._indexed: IndexedPages | None = None
        """Pages' search index entries as made in earlier builds, by all the search plugin reads."""
        self._footers: list[tuple[dict[str, str], Markup | None]] = []
        """The footer's "built from" as rendered for earlier pages, with the links it made (site path: link)."""
        self._feed_links: dict[tuple[tuple[str, str], ...], str] = {}
        """The head's links to a page's feeds, by (title, link) of each: pages alike share one rendering."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Put the engine's templates and assets on the theme's path, keep fonts local, read the plan settings."""
        self._mkdocs = config
        add_theme(config)
        keep_fonts_local(config)
        self._markdown = None
        config_file = Path(config.config_file_path or "mkdocs.yml")
        written, _ = read_yaml(config_file, config_file.name) if config_file.is_file() else (None, [])
        self.settings, self.problems = plan_settings(
            config.extra.get("plan"),
            config_file=config_file,
            plan_dir=Path(config.docs_dir),
            site_name=config.site_name,
            written=written,
        )
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Load and check the plan and its history before any page is built; stop on any problem."""
        assert self.settings is not None
        cache = DiskCache(cache_folder(self.settings.root))
        if self.settings.history == "full":
            start_cold_log(self.settings.plan_dir, cache)  # git reads a cold cache's log while the plan loads
        pages = [file.src_uri for file in files.documentation_pages()]
        self.plan, problems = load_plan(self.settings, pages, cache)
        problems = self.problems + problems
        if any(problem.is_error for problem in problems):
            raise PluginError(render_report(problems))
        for warning in sorted(problems):
            # A MkDocs warning: a strict build stops on it, as on any other (see techplan check --help),
            # unless the site shows it to readers anyway.
            (log.info if warning.shown else log.warning)(warning.render())
        docs = os.path.join(os.path.abspath(config.docs_dir), "")
        sources = [f.src_uri for f in files if f.abs_src_path and f.abs_src_path.startswith(docs)]
        for file in list(files):
            if _is_data(file) or file.src_uri.startswith("partials/plan-"):
                # Data is published as downloads, not as the YAML editors work on; feed templates stay templates.
                files.remove(file)
        for schema in SCHEMA_NAMES.values():
            files.append(_written(config, f"schemas/{schema}", shipped_schema(schema)))
        changes_page = File.generated(config, CHANGES_PAGE, content="")
        revisions_page = File.generated(config, REVISIONS_PAGE, content="")
        compare_page = File.generated(config, COMPARE_PAGE, content="")
        open_data_page = File.generated(config, OPEN_DATA_PAGE, content="")
        files.append(open_data_page)
        # A site's nav may list the register (this one does); one that does not is not warned about it.
        files.append(File.generated(config, REGISTER_PAGE, content="", inclusion=InclusionLevel.NOT_IN_NAV))
        files.append(changes_page)
        files.append(revisions_page)
        files.append(compare_page)
        files.append(File.generated(config, PRINT_PAGE, content=PRINT_MARKDOWN))
        self._stylesheets = [
            f.src_uri for f in files if f.src_uri.startswith("assets/stylesheets/") and f.src_uri.endswith(".css")
        ]
        # Pages are rendered before MkDocs hands its environment to on_env, so take the theme's
        # own: the same loader, so a site's overrides/ can change any plan partial.
        folder = cache_folder(self.settings.root)
        self.renderer = Renderer(
            self.plan,
            template_environment(config.theme.get_env(), folder / "jinja" if folder else None),
            {file.src_uri: file.url.removeprefix("./") for file in files.documentation_pages()},
            self.settings.today,
            self.render_markdown,
            cache,
            repr((config.markdown_extensions, config.mdx_configs)),
            site_url=config.site_url or "",
        )
        self.renderer.licence = {"name": self.settings.licence, "url": self.settings.licence_url}
        urls = {m.id: self.renderer.url_of(m) for m in self.plan.milestones}
        for path, text in downloads(
            self.plan, self.renderer.licence, config.site_url or "", self.settings.today, urls
        ).items():
            files.append(_written(config, path, text))
        site = SiteInfo(config.site_name, config.site_url, config.repo_url)
        # Today's records link to their own pages from the history too (every deleted one is added after).
        today: list[Milestone | Measure] = [*self.plan.milestones, *self.plan.measures]
        directory_urls = config.use_directory_urls
        self.renderer.set_record_links({r.id: (record_url(r.id, directory_urls), r.title) for r in today})
        try:
            self.published = publish_history(
                self.settings,
                self.plan,
                sources,
                self.renderer,
                site,
                cache,
                changes_page.url,
                archive_ready=partial(self._start_archive, config),
            )
        except HistoryUnavailable as error:
            raise PluginError(f"The plan's history cannot be published: {error}") from None
        if any(problem.is_error for problem in self.published.problems):
            raise PluginError(render_report(list(self.published.problems)))
        for warning in sorted(self.published.problems):
            log.warning(warning.render())  # a revision's signature that does not verify: strict builds stop
        if self.published.notes:
            log.info(history_report(self.published.notes))
        self.renderer.slippage = self.published.slippage
        self._add_record_pages(files, config, cache)
        changes_page.content_string = self.published.changes_page
        self._slots[CHANGES_PAGE] = Slots(self.published.changes_slots)
        for page, (markdown, slots) in {
            REVISIONS_PAGE: revisions_markdown(self.renderer, self.published, self.settings, revisions_page.url),
            COMPARE_PAGE: compare_markdown(self.renderer, self.published, compare_page.url),
            OPEN_DATA_PAGE: open_data_markdown(self.renderer, self.published, open_data_page.url),
        }.items():
            files.get_file_from_path(page).content_string = markdown  # type: ignore[union-attr]
            self._slots[page] = slots
        for path, content in self.published.files.items():
            files.append(_written(config, path, content))
        self._placed, self._sections = {}, {}
        if self.published.sections is not None:  # written in on_env, once every page's anchors are known
            files.append(File.generated(config, PROVENANCE_JSON, content=""))
        self.built_from = self._built_from(config)
        self._footers, self._feed_links = [], {}
        self._outputs = PageOutputs(cache, config)
        self._converted = ConvertedPages(cache, config)
        self._indexed = IndexedPages(cache, config)
        if self._archive is not None:  # writing the page versions since the index was known: now the rest
            self._archive.send(self.renderer.record_links)
        elif self.published.revisions and jobs_available() > 1:
            # The views need nothing MkDocs does from here on: another core writes them while it renders the pages.
            self._archive = Forked(partial(self._write_archive, config))
        if self._archive is not None:  # its copy of the history has what it needs: keep only what the pages do
            # And what it read once (mkdocs serve, whose threads keep it from forking, keeps that for its next build).
            self.published = self.published.for_pages()
            forget_read_once()
        # Each page's own parts are let go once used: copies, as serve keeps the history for its next build.
        self.published = replace(self.published, meta=dict(self.published.meta), history=dict(self.published.history))
        self._cache_written = write_aside(cache)
        return files

    def _start_archive(self, config: MkDocsConfig, revisions: list[Revision], index: ArchiveIndex) -> None:
        """With a core to spare, start writing the page versions as soon as the archive's index is known.

        They show nothing the rest of the history adds (due dates, records, sections), so another
        core writes them while this one reads that; the process then waits for every record's page
        (sent at the end of on_files), which the revisions' own files link to, and writes those.
        """
        if revisions and jobs_available() > 1:
            try:
                self._archive = Forked(partial(self._write_archive, config, (revisions, index)), awaits=True)
            except OSError as error:  # no process or temporary file to be had: forked later, as a warm build does
                log.debug("techplan: the point-in-time views start after the history instead: %s", error)

    def _add_record_pages(self, files: Files, config: MkDocsConfig, cache: DiskCache) -> None:
        """A page for every milestone and measure ever published, their feeds and calendar files, and the register."""
        assert self.settings is not None and self.published is not None and self.renderer is not None
        assert self.plan is not None
        published, settings = self.published, self.settings
        directory_urls = config.use_directory_urls
        self._use_record_links(
            {i: (record_url(i, directory_urls), life.last.title) for i, life in published.lives.items()}
        )
        inputs = RecordInputs(
            commits=published.commits,
            revisions=published.archive.revisions,
            chain=published.chain,
            repo_url=config.repo_url,
            site_name=config.site_name,
            site_url=config.site_url,
            publisher=settings.publisher or config.site_name,
            author_of=lambda commit: settings.author_of(commit.author, commit.email),
        )
        citations = find_citations(settings.plan_dir, self.plan.pages)
        rendered = RecordPages(self.renderer, published.lives, citations, inputs, directory_urls).render(cache)
        self._record_feeds = {}
        for source, (markdown, slots) in rendered.pages.items():
            if source == REGISTER_PAGE:
                files.get_file_from_path(source).content_string = markdown  # type: ignore[union-attr]
            else:
                # Reached from the tables, the register and every mention: not one nav entry each.
                files.append(File.generated(config, source, content=markdown, inclusion=InclusionLevel.NOT_IN_NAV))
            self._slots[source] = Slots(slots)
        for record_id, life in published.lives.items():
            feed = record_folder(record_id) + RECORD_FEED
            if feed in rendered.files:
                self._record_feeds[record_source(record_id)] = [
                    (f"{config.site_name}: {record_id}, {life.last.title}", feed)
                ]
        for path, text in rendered.files.items():
            files.append(_written(config, path, text))

    def _use_record_links(self, links: dict[str, tuple[str, str]]) -> None:
        """Link every mention of a record (id: (URL, title)) to its page."""
        assert self.renderer is not None
        self.renderer.set_record_links(links)
        # Every data change the build lists (redlines, the compare page) names records through this.
        self.renderer.env.globals["plan_record_text"] = lambda text, url=(lambda target: target): link_records(
            text, links, url
        )

    def _built_from(self, config: MkDocsConfig) -> BuiltFrom:
        """What this build reads: the commit and revision (from the history), and what is not committed."""
        assert self.settings is not None and self.published is not None
        settings, source = self.settings, self.published.source
        config_file = Path(config.config_file_path or "mkdocs.yml").resolve()
        uncommitted: tuple[str, ...] = ()
        config_name = config_file.name
        if settings.history != "off" and source.commit is not None:
            repo = Repository(settings.plan_dir)
            try:
                leave_out = [Path(config.site_dir), *filter(None, [cache_folder(settings.root)])]
                uncommitted = uncommitted_paths(repo, leave_out)
                config_name = Path(os.path.relpath(config_file, repo.root)).as_posix()
            finally:
                repo.close()
        views = {view.name: view.url for view in self.published.archive.revisions}
        repo_url = (config.repo_url or "").rstrip("/")
        return BuiltFrom(
            as_at=settings.today,
            history=settings.history,
            source=source,
            uncommitted=uncommitted,
            shallow=source.shallow,
            config=config_name,
            commit_url=f"{repo_url}/commit/{source.commit}" if repo_url and source.commit else None,
            revision_url=views.get(source.revision) if source.revision else None,
        )

    def render_built_from(self, link: Callable[[str], str]) -> Markup | None:
        """The footer's account of what the site was built from, its links made by `link` from site paths."""
        if self.built_from is None or self.renderer is None or self.settings is None:
            return None
        when = self.built_from.source.date
        html = self.renderer.render(
            "partials/plan-built-from.html",
            "",
            built_from=self.built_from,
            commit_day=when.astimezone(ZoneInfo(self.settings.timezone)).date() if when else None,
            revision_url=self.built_from.revision_url,
            changes_url=self.renderer.page_urls.get(CHANGES_PAGE, ""),
            link=link,
        )
        return Markup(html)

    def on_nav(self, nav: Navigation) -> Navigation:
        """Note the pages in reading order, for the whole-plan page."""
        # Pages about the site rather than the plan (the accessibility statement) say `print: false`.
        self._reading_order = [p for p in nav.pages if p.file.generated_by is None]
        return nav

    def on_env(self, env: jinja2.Environment, files: Files) -> jinja2.Environment:
        """Every page is converted by now: note the whole-plan page, to fill in once it is written.

        The theme's templates are compiled once and kept in the cache, as the plan's own are, and
        the navigation's items are each rendered once for the pages that get the same HTML
        (`NavParts`).
        """
        folder = cache_folder(self.settings.root) if self.settings is not None else None
        if folder is not None and env.bytecode_cache is None:
            # A folder of its own: the plan's environment compiles the same names with other settings.
            compiled = folder / f"jinja-theme-{mkdocs.__version__}"
            try:
                compiled.mkdir(parents=True, exist_ok=True)
                env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
            except OSError:
                pass  # a read-only checkout still builds, compiling as it goes
        if self.settings is not None:
            # MkDocs dates every page (the sitemap's lastmod, the .gz's time) by the clock; the as-at date
            # is the build's one date, so the same commit gives the same sitemap on any day.
            for file in files.documentation_pages():
                if file.page is not None:
                    file.page.update_date = self.settings.today.isoformat()
        if env.filters.get("url") is url_filter:  # links written as MkDocs writes them: NavParts relies on it
            env.globals["plan_nav_item"] = NavParts()
        if self._outputs is not None:
            self._outputs.use_environment(env)
        self._printed = files.get_file_from_path(PRINT_PAGE)
        provenance = files.get_file_from_path(PROVENANCE_JSON)
        sections = self.published.sections if self.published is not None else None
        if provenance is not None and sections is not None:
            entries = {page: (sections.pages[page].first, found) for page, found in self._sections.items()}
            provenance.content_string = provenance_json(sections.head, sections.shallow, entries)
        self._sections = {}
        if self.published is not None and sections is not None:  # every page has its lines now
            self.published = replace(self.published, sections=replace(sections, pages={}))
        return env

    def on_page_markdown(self, markdown: str, page: Page) -> str:
        """Expand references and plan blocks; say under the title when the page was updated."""
        assert self.renderer is not None and self.plan is not None and self.published is not None
        if self._converted is not None:
            self._converted.take_over(page)
        if page.file.generated_by is not None:
            return markdown
        assert self.settings is not None
        _stop_on_too_deep(page, markdown, self.settings.display(Path(page.file.abs_src_path or page.file.src_uri)))
        phase = self._phase_of(page.file.src_uri)
        markdown = Slots.as_written(markdown)  # the author's words, before the engine's placeholders join them
        slots = self._slots[page.file.src_uri] = Slots()
        sections = self.published.sections
        lines = sections.pages.get(page.file.src_uri) if sections is not None else None
        markdown, self._placed[page.file.src_uri] = place_lines(markdown, lines, slots)
        if phase is not None and page.file.src_uri == phase.index_page:
            markdown = self._add_missing_blocks(markdown, phase)
        markdown = self.renderer.expand(markdown, page.url, slots, phase)
        meta = self.published.meta.pop(page.file.src_uri, "")
        if phase is not None:
            title = self.plan.titles.get(page.file.src_uri, page.file.src_uri)
            meta += self.renderer.render_consultation(phase, title, page.url, self._absolute(page.url))
        return insert_after_title(markdown, meta, slots)

    def on_page_content(self, html: str, page: Page) -> str:
        """Put the plan's blocks into the converted page, and tell MkDocs their anchors exist."""
        slots = self._slots.pop(page.file.src_uri, None)
        if slots is None:
            return html
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= slots.anchors()
        for item in _walk(page.toc):
            item.title = slots.fill_text(item.title)
        placed = self._placed.pop(page.file.src_uri, None)
        sections = self.published.sections if self.published is not None else None
        if placed is not None and sections is not None and page.file.src_uri in sections.pages:
            self._sections[page.file.src_uri] = page_entries(html, placed, slots)
        html = slots.fill(html)
        phase = self._phase_of(page.file.src_uri)
        if phase is not None and self.renderer is not None and self.plan is not None:
            title = self.plan.titles.get(page.file.src_uri, page.file.src_uri)
            html = self.renderer.add_section_feedback(html, phase, title, self._absolute(page.url))
        return html

    def _absolute(self, url: str) -> str:
        """A page's address as readers see it, for feedback that says which page it is about."""
        assert self.renderer is not None
        return self.renderer.absolute_url(url)

    def on_page_context(self, context: TemplateContext, page: Page) -> TemplateContext:
        """Give the page template its updates (listed in the TOC too) and a place for its footer's "built from"."""
        assert self.published is not None
        if self.built_from is not None:
            # Filled in on_post_page: it names the commit, so a page kept from an earlier build holds a placeholder.
            context["plan_built_from"] = BUILT_FROM_PLACEHOLDER  # type: ignore[typeddict-unknown-key]
        history = self.published.history.pop(page.file.src_uri, None)
        if history:
            context["plan_history"] = Markup(history)  # type: ignore[typeddict-unknown-key]
            # Material lists the children of a page's one h1; the updates are an h2 beside its others.
            items = page.toc.items
            parent = items[0].children if len(items) == 1 and items[0].level == 1 else items
            parent.append(AnchorLink(UPDATES_HEADING, UPDATES_ID, 2))
        return context

    def look_up_page(self, context: TemplateContext, page: Page) -> TemplateContext:
        """After every plugin's context: give the template the page's output if an earlier build kept it."""
        return self._outputs.look_up(context, page) if self._outputs is not None else context

    def on_post_page(self, output: str, page: Page) -> str:
        """Make Material's own markup valid and keep it; fill in the footer; link the page's feeds from its head."""
        assert self.published is not None and self.renderer is not None
        if self._outputs is None or not self._outputs.was_kept(page, output):
            output = without_orphan_toc_label(without_toggle_autocomplete(output))
            if self._outputs is not None:
                self._outputs.keep(page, output)
        built_from = self._footer(page.url)
        if built_from is not None:
            output = fill_built_from(output, built_from)
        own = self.published.feeds.get(page.file.src_uri) or self._record_feeds.get(page.file.src_uri, [])
        feeds = tuple((title, relative_url(path, page.url)) for title, path in own)
        if not feeds:
            return output
        links = self._feed_links.get(feeds)
        if links is None:
            links = self._feed_links[feeds] = self.renderer.env.get_template("partials/plan-feed-links.html").render(
                feeds=feeds
            )
        head_end = output.find("</head>")
        return output if head_end < 0 else output[:head_end] + links + output[head_end:]

    def _footer(self, page_url: str) -> Markup | None:
        """The footer's "built from" for a page: rendered again only where its links read differently from here."""
        for links, footer in self._footers:
            if all(relative_url(target, page_url) == link for target, link in links.items()):
                return footer
        links = {}

        def link(target: str) -> str:
            links[target] = relative_url(target, page_url)
            return links[target]

        footer = self.render_built_from(link)
        self._footers.append((links, footer))
        return footer

    def on_template_context(
        self, context: TemplateContext, template_name: str, config: MkDocsConfig
    ) -> TemplateContext:
        """Give pages built from a template alone (404.html) the footer's "built from", linked from the site's root."""
        # Such a page is served at any depth, so its links start at the site's root, as MkDocs makes them.
        root = urlsplit(config.site_url or "/").path or "/"
        root = root if root.endswith("/") else root + "/"
        built_from = self.render_built_from(lambda target: root + target)
        if built_from is not None:
            context["plan_built_from"] = built_from  # type: ignore[typeddict-unknown-key]
        return context

    def on_post_template(self, output: str, template_name: str) -> str:
        """Make Material's own markup valid on pages built from a template alone (404.html)."""
        return without_toggle_autocomplete(output) if template_name.endswith(".html") else output

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Before MkDocs empties the site: set the last build's archive aside, to keep what still holds of it."""
        self._site_dir = Path(config.site_dir)
        set_aside(self._site_dir)

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the point-in-time views, then the manifest of every file the site holds."""
        assert self.settings is not None and self.published is not None and self.renderer is not None
        if self._printed is not None and self._printed.page is not None:
            pages = [
                PrintedPage(p.file.src_uri, p.url, p.content or "")
                for p in self._reading_order
                if p.meta.get("print", True) is not False
            ]
            cache = DiskCache(cache_folder(self.settings.root))
            write_whole_plan(Path(self._printed.abs_dest_path), pages, self._printed.url, cache)
        if self._archive is not None:  # written meanwhile, in another process
            archive_hashes, self._archive = self._archive.result(), None
        else:
            archive_hashes = self._write_archive(config) if self.published.revisions else {}
        remove_aside(Path(config.site_dir))  # a site with no revisions now, or none that was kept
        if self.built_from is not None:
            site_dir = Path(config.site_dir)
            builder = "ProperDocs" if mkdocs.__name__ == "properdocs" else "MkDocs"
            built_by = versions(builder, mkdocs.__version__)
            write_manifest(site_dir, self.built_from, built_by, config.site_url or "", archive_hashes)
        if self._outputs is not None:
            self._outputs.forget_unused()
        if self._converted is not None:
            self._converted.finish()
        if self._indexed is not None:
            self._indexed.finish()
        self._cache_written()
        finish_packs()  # each build's own, for `mkdocs serve`'s next
        after_forks()  # what the forks shared is this build's: collected again from here

    def on_build_error(self) -> None:
        """Stop writing the point-in-time views: the build failed."""
        if self._archive is not None:
            self._archive.cancel()
            self._archive = None
        if self._site_dir is not None:
            remove_aside(self._site_dir)
        self._cache_written()  # what it writes holds whatever went wrong after
        finish_packs()
        after_forks()

    def _write_archive(
        self,
        config: MkDocsConfig,
        early: tuple[list[Revision], ArchiveIndex] | None = None,
        records: Callable[[], dict[str, tuple[str, str]]] | None = None,
    ) -> dict[str, str]:
        """Write the point-in-time views: each page version once, linked from the cache when it can be; their hashes.

        `early`: the revisions and index, before the rest of the history is read (`_start_archive`);
        the page versions are written, then `records` waits for every record's page and the rest is.
        """
        assert self.settings is not None and self.renderer is not None
        if early is None:
            assert self.published is not None
            revisions, index = self.published.revisions, self.published.archive
        else:
            revisions, index = early
        repository: list[Repository] = []

        def git() -> Repository:
            if not repository:  # only a cache miss needs git at all
                repository.append(Repository(self.settings.plan_dir))  # type: ignore[union-attr]
            return repository[0]

        def fetch(shas: list[str]) -> dict[str, bytes]:
            return git().blobs(shas)

        def fetch_batches(shas: list[str], size: int) -> Iterator[dict[str, bytes]]:
            # Read first: the views' processes take their time over each batch, and git need not wait on them.
            return git().blob_batches(shas, size, read_first=True)

        site = {
            "name": config.site_name,
            "url": config.site_url or "",
            "stylesheets": self._stylesheets,
            "favicon": config.theme.get("favicon") or "",
            "pages": {page: url for page, url in self.renderer.page_urls.items()},
            "revisions": self.renderer.page_urls.get(REVISIONS_PAGE, ""),
            "compare": self.renderer.page_urls.get(COMPARE_PAGE, ""),
            "repo_url": config.repo_url or "",
        }
        if early is None:
            site["records"] = sorted(self.renderer.record_links.items())
        writer = ArchiveWriter(
            self.settings,
            index,
            revisions,
            self.renderer,
            (config.markdown_extensions, config.mdx_configs or {}),
            DiskCache(cache_folder(self.settings.root)),
            fetch,
            site,
            fetch_batches,
        )
        try:
            if records is not None:
                writer.write(Path(config.site_dir), jobs_available(), versions_only=True)
                links = records()
                self._use_record_links(links)
                writer.use_records(sorted(links.items()))
            writer.write(Path(config.site_dir), jobs_available())
            return writer.hashes
        finally:
            for repo in repository:
                repo.close()

    def render_markdown(self, text: str) -> str:
        """Convert Markdown from YAML with the same extensions as the pages, raw HTML escaped."""
        if self._markdown is None:
            assert self._mkdocs is not None
            self._markdown = field_markdown(self._mkdocs.markdown_extensions, self._mkdocs.mdx_configs or {})
        return self._markdown(text)

    def _phase_of(self, src_uri: str) -> Phase | None:
        """The phase a page belongs to, from its folder."""
        assert self.plan is not None
        folder = src_uri.split("/")[0]
        match = PHASE_FOLDER.fullmatch(folder)
        return self.plan.phase(int(match.group(1))) if match and "/" in src_uri else None

    def _add_missing_blocks(self, markdown: str, phase: Phase) -> str:
        """Append the phase's measures and milestones if its page does not place them itself."""
        assert self.plan is not None
        placed = {token.name for token in scan(markdown)}
        if self.plan.measures_of(phase.number) and "measures" not in placed:
            markdown += "\n\n## Measures\n\n[[measures]]\n"
        if self.plan.milestones_of(phase.number) and "milestones" not in placed:
            markdown += "\n\n## Milestones\n\n[[milestones]]\n"
        return markdown


STYLESHEET = "assets/stylesheets/techplan.css"
SCRIPT = "assets/javascripts/techplan.js"


def add_theme(config: MkDocsConfig) -> None:
    """Put the engine's templates on the theme's search path, where a site's custom_dir still overrides them.

    The stylesheet and script are added as extra_css and extra_javascript, so a site that
    overrides main.html keeps them.
    """
    dirs = config.theme.dirs
    if str(THEME) not in dirs:
        custom = config.theme.custom_dir
        dirs.insert(1 if custom and dirs and os.path.abspath(dirs[0]) == os.path.abspath(custom) else 0, str(THEME))
    if STYLESHEET not in config.extra_css:
        config.extra_css.append(STYLESHEET)
    if SCRIPT not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(SCRIPT)


MATERIAL_WEB_FONT = {"text": "Roboto", "code": "Roboto Mono"}
"""The font Material fetches from Google Fonts when a site names none."""


def keep_fonts_local(config: MkDocsConfig) -> None:
    """Turn off Material's web fonts unless the site names a font: a plan site asks no other host for anything.

    `theme: material` alone would load Roboto from Google Fonts on every page. A site that names
    another font keeps it; naming Roboto itself reads the same as naming none.
    """
    if config.theme.name == "material" and config.theme.get("font") == MATERIAL_WEB_FONT:
        config.theme["font"] = False


def _walk(toc: TableOfContents | list[AnchorLink]) -> Iterator[AnchorLink]:
    """Every entry of a table of contents, depth first."""
    for item in toc:
        yield item
        yield from _walk(item.children)


def _written(config: MkDocsConfig, path: str, content: str | bytes) -> File:
    """A file the plan makes (a feed, a calendar, open data), written into the site now, not held for MkDocs to write.

    MkDocs has emptied the site before on_files, and copies no file onto itself (so a plugin
    may write into the site): the build then holds none of their text while it renders the
    pages, 9.5 MB at 1,000 pages. Never a page: a page's file is not where its source is.
    """
    target = os.path.normpath(os.path.join(config.site_dir, path))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as output:
        output.write(content.encode("utf-8") if isinstance(content, str) else content)
    return File.generated(config, path, abs_src_path=target)


def _is_data(file: File) -> bool:
    """Whether a file is one of the plan's YAML data files."""
    folder, _, name = file.src_uri.rpartition("/")
    return name in FILES and PHASE_FOLDER.fullmatch(folder) is not None


def _stop_on_too_deep(page: Page, source: str, path: str) -> None:
    """Make a page nested too deeply to convert stop the build at its file and line, not with a traceback."""
    render = page.render

    def render_or_stop(config: MkDocsConfig, files: Files) -> None:
        try:
            render(config, files)
        except RecursionError:
            raise PluginError(render_report([Problem(path, deepest_line(source), "page", TOO_DEEP)])) from None
        finally:
            del page.render  # the page's own again: its source is not held for the rest of the build

    page.render = render_or_stop  # type: ignore[method-assign]
