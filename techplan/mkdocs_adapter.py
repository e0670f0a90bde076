"""The one place MkDocs meets the engine: each hook event hands off to PlanSite."""

from __future__ import annotations

from pathlib import Path

import markdown as markdown_lib
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from techplan.config import PlanConfig, load_config
from techplan.load import PHASE_FOLDER, load_plan
from techplan.model import Phase, Plan
from techplan.problems import Problem, render_report
from techplan.prose import scan
from techplan.render import Renderer, template_environment
from techplan.spec import FILES, SCHEMA_NAMES, shipped_schema


class PlanSite:
    """Holds the plan for one build and answers MkDocs' events."""

    def __init__(self) -> None:
        self.settings: PlanConfig | None = None
        self.plan: Plan | None = None
        self.renderer: Renderer | None = None
        self.problems: list[Problem] = []
        self._markdown: markdown_lib.Markdown | None = None
        self._mkdocs: MkDocsConfig | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Read the plan settings from extra.plan."""
        self._mkdocs = config
        self._markdown = None
        self.settings, self.problems = load_config(Path(config.config_file_path), Path(config.docs_dir))
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Load and check the whole plan before any page is built; stop the build on any problem."""
        assert self.settings is not None
        pages = [file.src_uri for file in files.documentation_pages()]
        self.plan, problems = load_plan(self.settings, pages)
        problems = self.problems + problems
        if problems:
            raise PluginError(render_report(sorted(set(problems), key=lambda p: p.sort_key)))
        for file in list(files):
            # Data files are published as proper downloads, not as the raw YAML editors work on.
            if file.src_uri.rsplit("/", 1)[-1] in FILES and PHASE_FOLDER.fullmatch(file.src_uri.split("/")[0]):
                files.remove(file)
        for schema in SCHEMA_NAMES.values():
            files.append(File.generated(config, f"schemas/{schema}", content=shipped_schema(schema)))
        # Pages are rendered before MkDocs hands its environment to on_env, so take the theme's
        # own: the same loader, so a site's overrides/ can change any plan partial.
        self.renderer = Renderer(
            self.plan,
            template_environment(config.theme.get_env()),
            {file.src_uri: file.url for file in files.documentation_pages()},
            self.settings.today,
            self.render_markdown,
        )
        return files

    def on_page_markdown(self, markdown: str, page: Page) -> str:
        """Expand references and plan blocks in a page; phase pages get their tables."""
        assert self.renderer is not None and self.plan is not None
        phase = self._phase_of(page.file.src_uri)
        if phase is not None and page.file.src_uri == phase.index_page:
            markdown = self._add_missing_blocks(markdown, phase)
        return self.renderer.expand(markdown, page.url, phase)

    def render_markdown(self, text: str) -> str:
        """Render Markdown from YAML with the same extensions as the pages."""
        if self._markdown is None:
            assert self._mkdocs is not None
            self._markdown = markdown_lib.Markdown(
                extensions=self._mkdocs.markdown_extensions,
                extension_configs=self._mkdocs.mdx_configs or {},
            )
        html = self._markdown.reset().convert(text)
        return html

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
