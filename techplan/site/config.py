"""mkdocs.yml as MkDocs reads it, for the command line: one reading for `techplan` and the build alike.

MkDocs resolves `!ENV` values and `INHERIT:` files, validates every setting and sets up the
Markdown extensions; the plan's settings are then read from its `extra.plan`, exactly as the
build reads them. What is wrong is said as problems with the line in mkdocs.yml.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError

from techplan.errors import TechplanError
from techplan.plan.settings import PlanConfig, find, plan_settings
from techplan.plan.yamlsource import YamlNode, read_yaml
from techplan.problems import WARNING, Problem


class SiteConfigError(TechplanError):
    """mkdocs.yml cannot be read or is not valid; the message lists its problems, each with its line."""

    status = 1


@dataclass(frozen=True, slots=True)
class Site:
    """A site's settings as the build would have them."""

    settings: PlanConfig
    problems: list[Problem]
    """Problems with the plan settings, and MkDocs' own warnings about mkdocs.yml."""
    mkdocs: MkDocsConfig

    @property
    def name(self) -> str:
        """The site's name."""
        return str(self.mkdocs.site_name or "The plan")

    @property
    def custom_dir(self) -> Path | None:
        """The site's own theme folder, if it has one."""
        custom = self.mkdocs.theme.custom_dir
        return Path(custom) if custom else None

    def markdown_setup(self, leave_out: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, Any]]:
        """The Markdown extensions and their settings the pages are converted with, less some by name."""
        extensions = [e for e in self.mkdocs.markdown_extensions if not isinstance(e, str) or e not in leave_out]
        configs = {k: v for k, v in (self.mkdocs.mdx_configs or {}).items() if k not in leave_out}
        return extensions, configs


def load_site(config_file: Path) -> Site:
    """Read mkdocs.yml as MkDocs does; SiteConfigError (with path:line problems) if MkDocs could not use it."""
    display = config_file.name
    if not config_file.is_file():
        raise SiteConfigError(
            f"{config_file}: no such file; run techplan in the folder holding mkdocs.yml or pass --config-file", 2
        )
    written, problems = read_yaml(config_file, display)
    if written is None:
        raise SiteConfigError(_report(display, problems))
    config = MkDocsConfig(config_file_path=str(config_file))
    mkdocs_log = logging.getLogger("mkdocs")
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.ERROR)  # what MkDocs would log is said below, as problems with lines
    try:
        with config_file.open("rb") as stream:
            config.load_file(stream)
        errors, warnings = config.validate()
    except ConfigurationError as error:
        raise SiteConfigError(_report(display, [Problem(display, 1, "mkdocs.yml", str(error))])) from None
    finally:
        mkdocs_log.setLevel(level)
    if errors:
        raise SiteConfigError(_report(display, [_problem(display, written, key, error) for key, error in errors]))
    problems = [_problem(display, written, key, warning, WARNING) for key, warning in warnings]
    extra = config.extra.get("plan") if isinstance(config.extra, dict) or hasattr(config.extra, "get") else None
    settings, settings_problems = plan_settings(
        extra,
        config_file=config_file,
        plan_dir=Path(config.docs_dir),
        site_name=config.site_name,
        written=written,
    )
    return Site(settings, problems + settings_problems, config)


def _report(display: str, problems: list[Problem]) -> str:
    """What stops MkDocs (and so techplan) using mkdocs.yml, one problem a line."""
    return "\n".join([f"{display} cannot be used, so nothing was checked or built:", *(p.render() for p in problems)])


def _problem(display: str, written: YamlNode, key: str, error: object, severity: str = "error") -> Problem:
    """One of MkDocs' own complaints about a setting, at the setting's line."""
    node = find(written, *key.split("."))
    return Problem(display, node.line if node is not None else 1, key, str(error), severity)
