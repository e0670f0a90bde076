"""Render references and plan blocks to HTML through the theme's Jinja templates."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date

import jinja2
from markupsafe import Markup

from techplan import formatting
from techplan.charts import layout_trend
from techplan.model import MILESTONE_STATUS_LABELS, THEME_LABELS, Measure, Milestone, Phase, Plan
from techplan.prose import Token, expand
from techplan.timeline import layout_timeline

TEMPLATES = {
    "milestones": "partials/plan-milestones.html",
    "measures": "partials/plan-measures.html",
    "roadmap": "partials/plan-roadmap.html",
    "phases": "partials/plan-phases.html",
    "coming-due": "partials/plan-coming-due.html",
}
REFERENCE_TEMPLATE = "partials/plan-reference.html"

COMING_DUE_DAYS = 183
"""How far ahead the home page looks for milestones coming due: about six months."""

_MARKDOWN_INLINE = re.compile(r"(<[^>]*>|&#?[a-zA-Z0-9]+;)|([\\`*_\[\]{}~^=+!:#|])")


def template_environment(theme_env: jinja2.Environment) -> jinja2.Environment:
    """The theme's environment (so sites can override templates) with autoescaping on."""
    env = theme_env.overlay(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(
        plan_date=formatting.format_date,
        plan_month=formatting.format_month,
        plan_value=formatting.format_value,
        plan_change=formatting.format_change,
        plan_number=formatting.format_number,
    )
    return env


def protect_inline(html: str) -> str:
    """Keep Markdown from reading characters in inline HTML text (`*`, `_`, `:`) as markup."""
    return _MARKDOWN_INLINE.sub(lambda m: m.group(1) or f"&#{ord(m.group(2))};", html)


def as_block(html: str) -> str:
    """Make rendered HTML safe to drop into Markdown as one raw block: no blank lines, no indent."""
    lines = (line.strip() for line in html.splitlines())
    return "\n\n" + "\n".join(line for line in lines if line) + "\n\n"


class Renderer:
    """Renders the plan's blocks and references for the page being built."""

    def __init__(
        self,
        plan: Plan,
        env: jinja2.Environment,
        page_urls: dict[str, str],
        today: date,
        markdown: Callable[[str], str],
    ) -> None:
        self.plan = plan
        self.env = env
        self.page_urls = page_urls
        """Site URL of each page, by path relative to the plan directory."""
        self.today = today
        self.markdown = markdown
        """Renders Markdown from YAML with the same extensions as the pages."""

    def url_of(self, record: Milestone | Measure | Phase) -> str:
        """The site URL where a record is shown: its phase's page, at its anchor."""
        if isinstance(record, Phase):
            return self.page_urls.get(record.index_page, "")
        phase = self.plan.phase(record.phase)
        page = self.page_urls.get(phase.index_page if phase else "", "")
        return f"{page}#{record.id}"

    def expand(self, text: str, page_url: str, phase: Phase | None = None) -> str:
        """Replace every reference and block in a page's Markdown with its HTML."""
        return expand(text, lambda token: self.render_token(token, page_url, phase))

    def render_token(self, token: Token, page_url: str, phase: Phase | None = None) -> str:
        """The HTML for one `[[...]]`: a reference inline, or a block on its own."""
        if token.is_reference:
            return self.render_reference(token, page_url)
        return as_block(self.render_block(token.name, page_url, phase))

    def render_reference(self, token: Token, page_url: str) -> str:
        """An inline link to a milestone or measure, with its status or latest value."""
        record = self.plan.record(token.name)
        if record is None:  # the check has reported it; show the text rather than fail here
            return token.source
        kind = "milestone" if isinstance(record, Milestone) else "measure"
        html = self.render(REFERENCE_TEMPLATE, page_url, record=record, kind=kind, text=token.text)
        return protect_inline(" ".join(html.split()))

    def render_block(self, name: str, page_url: str, phase: Phase | None = None) -> str:
        """A block drawn from the data: milestone table, measures, roadmap, phases or coming due."""
        context: dict[str, object] = {}
        if name == "milestones" and phase is not None:
            context = {"phase": phase, "milestones": self.plan.milestones_of(phase.number)}
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
            context = {
                "timeline": layout_timeline(self.plan.phases, self.plan.milestones, self.today),
                "milestones": sorted(self.plan.milestones, key=lambda m: (m.due, m.id)),
            }
        elif name == "phases":
            context = {"counts": {p.number: self._status_counts(p) for p in self.plan.phases}}
        elif name == "coming-due":
            context = self._coming_due()
        return self.render(TEMPLATES[name], page_url, **context)

    def render(self, template: str, page_url: str, **context: object) -> str:
        """Render a template with the helpers every plan partial can use."""
        return self.env.get_template(template).render(
            plan=self.plan,
            today=self.today,
            statuses=MILESTONE_STATUS_LABELS,
            href=lambda record: formatting.relative_url(self.url_of(record), page_url),
            md=lambda text: Markup(self.markdown(self._expand_references(text, page_url))),
            **context,
        )

    def _expand_references(self, text: str, page_url: str) -> str:
        """Replace references in Markdown from YAML; blocks are only for pages."""
        return expand(text, lambda t: self.render_reference(t, page_url) if t.is_reference else t.source)

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
