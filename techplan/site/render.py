"""Render references and plan blocks to HTML through the theme's Jinja templates."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from techplan.cache import DiskCache, content_key
from techplan.compare.datadiff import describe_shift
from techplan.history.schedule import dependency_slips
from techplan.history.slippage import DueHistory
from techplan.plan import formatting
from techplan.plan.characters import UNPUBLISHABLE, publishable
from techplan.plan.model import MILESTONE_STATUS_LABELS, THEME_LABELS, Measure, Milestone, Phase, Plan
from techplan.plan.prose import Token, expand
from techplan.plan.schedule import Conflict, conflicts_by_milestone
from techplan.site.charts import layout_trend
from techplan.site.opendata import DOWNLOADS, OPEN_DATA_PAGE
from techplan.site.safehtml import fill_placeholders, placeholder, sanitise_html
from techplan.site.timeline import layout_timeline
from techplan.site.urls import relative_url

TEMPLATES = {
    "milestones": "partials/plan-milestones.html",
    "measures": "partials/plan-measures.html",
    "roadmap": "partials/plan-roadmap.html",
    "phases": "partials/plan-phases.html",
    "coming-due": "partials/plan-coming-due.html",
}
REFERENCE_TEMPLATE = "partials/plan-reference.html"
PARTIALS = (*TEMPLATES.values(), REFERENCE_TEMPLATE, "partials/plan-macros.html", "partials/plan-marker.html")
"""The partials a plan's blocks and references are rendered with."""

COMING_DUE_DAYS = 183
"""How far ahead the home page looks for milestones coming due: about six months."""


THEME = Path(__file__).resolve().parents[1] / "theme"
"""The engine's templates and assets: on the theme's search path after a site's own custom_dir."""


def standalone_environment(custom_dir: Path | None = None) -> jinja2.Environment:
    """The engine's templates outside MkDocs (`techplan diff --format html`), a site's custom_dir first."""
    folders = [str(custom_dir)] if custom_dir is not None else []
    return template_environment(jinja2.Environment(loader=jinja2.FileSystemLoader([*folders, str(THEME)])))


def template_environment(theme_env: jinja2.Environment, compiled: Path | None = None) -> jinja2.Environment:
    """The theme's environment (so sites can override templates) with autoescaping on.

    `compiled` is a folder where compiled templates are kept between builds.
    """
    bytecode = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(compiled))
        except OSError:
            pass  # a read-only checkout still builds, compiling as it goes
    env = theme_env.overlay(
        autoescape=True, trim_blocks=True, lstrip_blocks=True, bytecode_cache=bytecode, finalize=publishable_value
    )
    env.filters.update(
        plan_date=formatting.format_date,
        plan_month=formatting.format_month,
        plan_value=formatting.format_value,
        plan_change=formatting.format_change,
        plan_number=formatting.format_number,
        plan_shift=describe_shift,
    )
    return env


def publishable_value(value: object) -> object:
    """A value a template prints, with characters no page or feed may hold replaced (Markup stays Markup).

    The check keeps them out of the plan's data; commit messages, tag messages and author names
    are read from git as they are, and reach the same templates.
    """
    if isinstance(value, str) and UNPUBLISHABLE.search(value):
        cleaned = publishable(value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def as_block(html: str) -> str:
    """Make rendered HTML safe to drop into Markdown as one raw block: no blank lines, no indent."""
    lines = (line.strip() for line in html.splitlines())
    return "\n\n" + "\n".join(line for line in lines if line) + "\n\n"


class Slots:
    """HTML kept out of a page's Markdown and put back after conversion.

    Python-Markdown and MkDocs would otherwise parse every generated table, reference and
    history list as raw HTML, which costs more than rendering them. A block waits in an HTML
    comment and an inline reference in a word, both of which pass through untouched.
    """

    _SLOT = re.compile(r"<!--techplan-slot-([0-9]+)-->|techplanslot([0-9]+)x")

    def __init__(self, html: tuple[str, ...] = ()) -> None:
        self.html: list[str] = list(html)

    def hold(self, html: str) -> str:
        """Keep a block of HTML; the Markdown placeholder to put on its own where it goes."""
        self.html.append(html)
        return f"\n\n<!--techplan-slot-{len(self.html) - 1}-->\n\n"

    def hold_inline(self, html: str) -> str:
        """Keep a piece of inline HTML; the placeholder to put in the text where it goes."""
        self.html.append(html)
        return f"techplanslot{len(self.html) - 1}x"

    def fill(self, content: str) -> str:
        """Put every kept piece back into converted HTML."""
        return self._SLOT.sub(self._piece, content)

    def fill_text(self, content: str) -> str:
        """Put kept pieces back as plain text, for places that take no markup (a heading in the TOC)."""
        return self._SLOT.sub(lambda match: _TAG.sub("", self._piece(match)), content)

    def _piece(self, match: re.Match[str]) -> str:
        number = int(match.group(1) or match.group(2))
        return self.html[number] if number < len(self.html) else match.group(0)

    @staticmethod
    def as_written(text: str) -> str:
        """An author's text with anything shaped like a placeholder made inert, before the engine adds its own.

        A page that says `techplanslot0x` or `<!--techplan-slot-0-->` (a past revision, which no
        check read, or a page about this engine) would otherwise be filled with the engine's
        block 0. A word joiner (U+2060, which shows as nothing) after "techplan" keeps the words
        as they read and no longer a placeholder.
        """
        return _LOOKS_LIKE_SLOT.sub("techplan\u2060", text) if "techplan" in text else text

    def anchors(self) -> set[str]:
        """The ids the kept HTML defines, so links to them count as valid."""
        return {anchor for html in self.html for anchor in _ID.findall(html)}


_LOOKS_LIKE_SLOT = re.compile(r"techplan(?=slot[0-9]+x|-slot-[0-9]+-->)")
_ID = re.compile(r'\sid="([^"]+)"')
_TAG = re.compile(r"<[^>]*>")
_H2 = re.compile(r"<h2\b([^>]*)>(.*?)</h2>(?:\s*<(details|p) class=\"tp-provenance\b[^>]*>.*?</\3>)?", re.DOTALL)
"""A section heading, with the provenance line under it (techplan.site.sections) if there is one."""
_PERMALINK = re.compile(r"<a\b[^>]*\bclass=\"headerlink\"[^>]*>.*?</a>", re.DOTALL)


def heading_text(html_text: str) -> str:
    """A heading's words as a reader reads them: no permalink, no tags, entities decoded (`&amp;` is `&`)."""
    text = html.unescape(_TAG.sub("", _PERMALINK.sub("", html_text)))
    # The toc extension's permalink sign, in case a site gives its links another class.
    return " ".join(text.replace("¶", "").split())


def feedback_link(target: str, title: str, url: str, section: str | None = None) -> str:
    """Where a "Give feedback" link goes, with the page (and section) filled in.

    A target may name {title}, {url} and {section} (an issue tracker's "new issue" address, say);
    a mailto: address gets a subject and a first line; any other address is used as it is.
    """
    about = f"{title}: {section}" if section else title
    if "{" in target:
        values = {"title": about, "url": url, "section": section or ""}
        return re.sub(r"\{(title|url|section)\}", lambda m: quote(values[m.group(1)], safe=""), target)
    if target.startswith("mailto:") and "?" not in target:
        return f"{target}?subject={quote('Feedback on ' + about)}&body={quote('Page: ' + url)}"
    return target


_HREF = "\ue000href\ue000"
"""Stands in for a reference's link while its rendered HTML is shared between pages."""


class Renderer:
    """Renders the plan's blocks and references for the page being built."""

    def __init__(
        self,
        plan: Plan,
        env: jinja2.Environment,
        page_urls: dict[str, str],
        today: date,
        markdown: Callable[[str], str],
        cache: DiskCache | None = None,
        markdown_key: str = "",
        site_url: str = "",
    ) -> None:
        self.plan = plan
        self.env = env
        self.page_urls = page_urls
        """Site URL of each page, by path relative to the plan directory."""
        self.today = today
        self.markdown = markdown
        """Converts Markdown from YAML with the same extensions as the pages and raw HTML escaped
        (safehtml.field_markdown); render_field_markdown sanitises what it makes."""
        self._references: dict[tuple[str, str | None], str] = {}
        self.cache = cache or DiskCache(None)
        self.revision_data: str | None = None
        """In a point-in-time page, the revision's data file, which replaces today's downloads."""
        self.licence: dict[str, str] = {}
        """The licence's name and URL, shown beside the downloads."""
        self.slippage: dict[str, DueHistory] = {}
        """How each milestone's due date has moved, when the build reads history."""
        self.site_url = site_url
        """Where the site is published (site_url), so feedback can name the page it is about."""
        self._markdown_key = markdown_key
        self._fingerprint: str | None = None
        self.record_links: dict[str, tuple[str, str]] = {}
        """Each record's own page (a site path) and title, by id: milestones and measures ever published."""

    def set_record_links(self, links: dict[str, tuple[str, str]]) -> None:
        """Link ids to the records' own pages from now on (and key the rendered blocks by them)."""
        self.record_links = links
        self._fingerprint = None

    @property
    def fingerprint(self) -> str:
        """A key for everything a block's HTML depends on besides the page it is on."""
        if self._fingerprint is None:
            self._fingerprint = self._compute_fingerprint(self._markdown_key)
        return self._fingerprint

    def absolute_url(self, url: str) -> str:
        """A site URL as readers see it, site_url in front, for feedback that says which page it is about."""
        return (self.site_url or "/").rstrip("/") + "/" + url

    def phase_feedback(self, phase: Phase) -> str:
        """Where the phases table's "Give feedback" link for a phase goes: about the phase's own page."""
        assert phase.consultation is not None
        title = self.plan.titles.get(phase.index_page) or phase.name
        return feedback_link(phase.consultation.feedback, title, self.absolute_url(self.url_of(phase)))

    def render_consultation(self, phase: Phase, title: str, page_url: str, absolute_url: str) -> str:
        """A phase page's consultation box: dates, a banner while open, and where feedback goes."""
        if phase.consultation is None:
            return ""
        feedback = feedback_link(phase.consultation.feedback, title, absolute_url)
        return self.render("partials/plan-consultation.html", page_url, phase=phase, title=title, feedback=feedback)

    def add_section_feedback(self, html: str, phase: Phase, title: str, absolute_url: str) -> str:
        """While a phase is out for consultation, a feedback link under each of a page's sections."""
        consultation = phase.consultation
        if consultation is None or consultation.state(self.today) != "open":
            return html
        template = self.env.get_template("partials/plan-section-feedback.html")

        def add(match: re.Match[str]) -> str:
            section = heading_text(match.group(2))
            link = feedback_link(consultation.feedback, title, absolute_url, section)
            return match.group(0) + template.render(feedback=link, section=section)

        return _H2.sub(add, html)

    def _compute_fingerprint(self, markdown_key: str) -> str:
        """Hash the plan's records, the date, the pages' URLs, the templates and the Markdown setup."""
        loader = self.env.loader
        assert loader is not None
        parts = [
            repr(self.plan.phases), repr(self.plan.milestones), repr(self.plan.measures), self.today.isoformat(),
            sorted(self.page_urls.items()), [loader.get_source(self.env, name)[0] for name in PARTIALS], markdown_key,
            repr(sorted(self.slippage.items())), repr(self.licence), self.site_url, sorted(self.record_links.items()),
        ]  # fmt: skip
        return content_key(repr(parts).encode())

    def url_of(self, record: Milestone | Measure | Phase) -> str:
        """The site URL where a record is shown: its phase's page, at its anchor."""
        if isinstance(record, Phase):
            return self.page_urls.get(record.index_page, "")
        phase = self.plan.phase(record.phase)
        page = self.page_urls.get(phase.index_page if phase else "", "")
        return f"{page}#{record.id}"

    def expand(self, text: str, page_url: str, slots: Slots, phase: Phase | None = None) -> str:
        """Replace every reference in a page's Markdown with its HTML, and every block with a slot."""

        def render(token: Token) -> str:
            if token.is_reference:
                return slots.hold_inline(self.render_reference(token, page_url))
            return slots.hold(self.render_block(token.name, page_url, phase))

        return expand(text, render)

    def render_reference(self, token: Token, page_url: str) -> str:
        """An inline link to a milestone or measure, with its status or latest value."""
        record = self.plan.record(token.name)
        if record is None:  # the check has reported it; show the text rather than fail here
            return token.source
        key = (record.id, token.text)
        if key not in self._references:
            # The same reference reads the same on every page but for its link: render it once.
            cache_key = f"{self.fingerprint}:{record.id}:{token.text}"
            cached = self.cache.get("reference", cache_key)
            if cached is None:
                kind = "milestone" if isinstance(record, Milestone) else "measure"
                rendered = self.env.get_template(REFERENCE_TEMPLATE).render(
                    record=record, kind=kind, text=token.text, href=lambda _: _HREF
                )
                cached = " ".join(rendered.split())
                self.cache.put("reference", cache_key, cached)
            self._references[key] = cached
        link = relative_url(self.url_of(record), page_url)
        return self._references[key].replace(_HREF, html.escape(link))

    def render_block(self, name: str, page_url: str, phase: Phase | None = None) -> str:
        """A block drawn from the data, rendered once for its inputs and then reused from the cache."""
        key = f"{self.fingerprint}:{name}:{page_url}:{phase.number if phase else ''}"
        html = self.cache.get("block", key)
        if html is None:
            html = self._render_block(name, page_url, phase)
            self.cache.put("block", key, html)
        return str(html)

    def _render_block(self, name: str, page_url: str, phase: Phase | None = None) -> str:
        """A block drawn from the data: milestone table, measures, roadmap, phases or coming due."""
        context: dict[str, object] = {}
        conflicts: dict[str, tuple[Conflict, ...]] = {}
        if name in ("milestones", "roadmap"):
            # Read by the schedule macro in plan-macros.html: conflicts with dependencies, dependencies that slipped.
            conflicts = conflicts_by_milestone(self.plan.milestones)
            context = {"conflicts": conflicts, "slips": dependency_slips(self.plan.milestones, self.slippage)}
        if name == "milestones" and phase is not None:
            context |= {"phase": phase, "milestones": self.plan.milestones_of(phase.number)}
        elif name == "measures" and phase is not None:
            measures = self.plan.measures_of(phase.number)
            context = {
                "themes": [
                    (theme, label, [m for m in measures if m.theme == theme])
                    for theme, label in THEME_LABELS.items()
                    if any(m.theme == theme for m in measures)
                ],
                "charts": {m.id: layout_trend(m) for m in measures},
            }
        elif name == "roadmap":
            moved = {i: h for i, h in self.slippage.items() if h.reforecasts and self.plan.record(i) is not None}
            first_due = {i: h.original for i, h in moved.items()}
            context |= {
                "timeline": layout_timeline(self.plan.phases, self.plan.milestones, self.today, first_due, conflicts),
                "milestones": sorted(self.plan.milestones, key=lambda m: (m.due, m.id)),
                "moved": sorted(moved.values(), key=lambda h: (-abs(h.days), h.id)),
            }
        elif name == "phases":
            context = {
                "counts": {p.number: self._status_counts(p) for p in self.plan.phases},
                "feedback": {p.number: self.phase_feedback(p) for p in self.plan.phases if p.consultation},
            }
        elif name == "coming-due":
            context = self._coming_due()
        return self.render(TEMPLATES[name], page_url, **context)

    def render(self, template: str, page_url: str, **context: object) -> str:
        """Render a template with the helpers every plan partial can use."""
        return self.env.get_template(template).render(
            plan=self.plan,
            today=self.today,
            statuses=MILESTONE_STATUS_LABELS,
            href=lambda record: relative_url(self.url_of(record), page_url),
            slippage=self.slippage,
            download=lambda name: relative_url(DOWNLOADS[name], page_url),
            open_data=relative_url(self.page_urls[OPEN_DATA_PAGE], page_url)
            if OPEN_DATA_PAGE in self.page_urls
            else None,
            revision_data=relative_url(self.revision_data, page_url) if self.revision_data else None,
            licence=self.licence,
            md=lambda text: self.render_field_markdown(text, page_url),
            record_page=lambda record_id: self._record_page(record_id, page_url),
            **context,
        )

    def _record_page(self, record_id: str, page_url: str) -> str | None:
        """A link to a record's own page from the page being built, or None if it has none."""
        found = self.record_links.get(record_id)
        return relative_url(found[0], page_url) if found else None

    def render_field_markdown(self, text: str, page_url: str) -> Markup:
        """Markdown from a data field as HTML that is safe to publish, its references rendered by the engine.

        The one path from a summary or description to a page: phase pages, the roadmap, the home
        page, the print page and the archive all render data fields through here.
        """
        references: list[str] = []

        def hold(token: Token) -> str:
            if not token.is_reference:
                return token.source  # blocks are only for pages: the check has said so
            references.append(self.render_reference(token, page_url))
            return placeholder(len(references) - 1)

        # The check keeps unpublishable characters out of today's data; an old revision may still hold them.
        html = sanitise_html(self.markdown(expand(publishable(text), hold)))
        return Markup(fill_placeholders(html, references))

    def _status_counts(self, phase: Phase) -> list[tuple[str, str, int]]:
        """How many of a phase's milestones have each status: (status, label, count)."""
        counts = Counter(m.status for m in self.plan.milestones_of(phase.number))
        return [(s, label, counts[s]) for s, label in MILESTONE_STATUS_LABELS.items() if counts[s]]

    def _coming_due(self) -> dict[str, object]:
        """Open milestones that are overdue, and those due in the coming months."""
        open_milestones = sorted((m for m in self.plan.milestones if m.is_open), key=lambda m: (m.due, m.id))
        overdue = [m for m in open_milestones if m.due < self.today]
        upcoming = [m for m in open_milestones if 0 <= (m.due - self.today).days <= COMING_DUE_DAYS]
        later = [m for m in open_milestones if (m.due - self.today).days > COMING_DUE_DAYS]
        return {
            "overdue": overdue,
            "upcoming": upcoming,
            "next_later": later[:3] if not upcoming else [],
            "horizon": COMING_DUE_DAYS,
        }
