"""The `techplan` MkDocs plugin: `plugins: [techplan]` in a plan's mkdocs.yml builds it with this engine.

Each build (each config MkDocs loads, so each `mkdocs serve` rebuild too) gets an engine of its
own; every event hands off to it. This repository wires the same plugin through
hooks/techplan_hooks.py.
"""

from __future__ import annotations

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from techplan.jobs import exit_soon
from techplan.site.adapter import PlanSite


class TechPlanPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Publishes a plan: checks it, renders its blocks and history, writes its revisions."""

    def __init__(self) -> None:
        self.engine = PlanSite()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.engine = PlanSite()
        return self.engine.on_config(config)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.engine.on_pre_build(config)

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        return self.engine.on_files(files, config)

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        return self.engine.on_nav(nav)

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        return self.engine.on_env(env, files)

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.engine.on_page_markdown(markdown, page)

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.engine.on_page_content(html, page)

    def _page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        return self.engine.on_page_context(context, page)

    # After every other plugin's: a page is kept by all its context holds.
    @event_priority(-1000)
    def _kept_page(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        return self.engine.look_up_page(context, page)

    on_page_context = CombinedEvent(_page_context, _kept_page)

    # Before every other plugin's: what is kept is the theme's output, as the next build's template writes it.
    @event_priority(1000)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return self.engine.on_post_page(output, page)

    def on_template_context(
        self, context: TemplateContext, /, *, template_name: str, config: MkDocsConfig
    ) -> TemplateContext:
        return self.engine.on_template_context(context, template_name, config)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        return self.engine.on_post_template(output_content, template_name)

    def on_build_error(self, *, error: Exception) -> None:
        self.engine.on_build_error()

    # Last of all plugins: the manifest lists every file the others wrote (search's index among them).
    @event_priority(-1000)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.engine.on_post_build(config)

    # Last of all plugins: MkDocs exits next.
    @event_priority(-1000)
    def on_shutdown(self) -> None:
        exit_soon()
