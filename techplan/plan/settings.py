"""Site-wide plan settings, read from `extra.plan` in mkdocs.yml."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from techplan.cache import DiskCache, cache_folder
from techplan.plan.spec import HISTORY_MODES, SITE_OPTIONS
from techplan.plan.validate import RecordChecker
from techplan.plan.yamlsource import YamlNode, read_yaml
from techplan.problems import Problem

DEFAULT_LICENCE = "Open Government Licence v3.0"
DEFAULT_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True, slots=True)
class PlanConfig:
    """Where the plan lives and how the site presents it."""

    root: Path
    """The repository root: the folder holding mkdocs.yml."""
    plan_dir: Path
    """The folder of Markdown pages and YAML data (MkDocs' docs_dir)."""
    today: date
    """The date the plan is shown as at: what is open, overdue or coming due."""
    feedback: str | None = None
    """Where feedback goes when a phase does not say."""
    history: str = "full"
    """full, partial or off: how much git history the build needs."""
    authors: str = "none"
    """none, names or teams: what the site says about who made a change."""
    teams: dict[str, str] = field(default_factory=dict)
    """Team of each git author, by name or email."""
    publisher: str | None = None
    """The organisation publishing the plan."""
    timezone: str = "Europe/London"
    """The time zone dates are shown in."""
    revisions: str = "v*"
    """The pattern of annotated tags that are plan revisions."""
    licence: str = DEFAULT_LICENCE
    """The licence the plan and its data are published under."""
    licence_url: str = DEFAULT_LICENCE_URL

    def author_of(self, name: str, email: str) -> str | None:
        """What the site says about who made a change, or None; never an email address."""
        if self.authors == "names":
            return None if "@" in name else name
        if self.authors == "teams":
            return self.teams.get(name) or self.teams.get(email) or self.publisher
        return None

    def display(self, path: Path) -> str:
        """A path as problems show it: relative to the repository root, with forward slashes."""
        relative = os.path.relpath(os.path.abspath(path), self.root)
        return Path(relative).as_posix() if not relative.startswith("..") else path.as_posix()


def build_date() -> date:
    """The day of the build; SOURCE_DATE_EPOCH (reproducible builds) wins if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def load_config(config_file: Path, docs_dir: Path | None = None) -> tuple[PlanConfig, list[Problem]]:
    """Read the plan settings from mkdocs.yml; the settings and any problems with them."""
    root = config_file.parent.resolve()
    display = config_file.name
    node, problems = read_yaml(config_file, display, DiskCache(cache_folder(root)))
    options = _find(node, "extra", "plan")
    values: dict[str, Any] = {}
    if options is not None:
        checker = RecordChecker(display)
        checked = checker.check_record(options, SITE_OPTIONS, prefix="extra.plan.")
        values = checked.values
        if "timezone" in values:
            try:
                ZoneInfo(values["timezone"])
            except (ZoneInfoNotFoundError, ValueError):
                checker.problem(
                    checked.line_of("timezone"),
                    "extra.plan.timezone",
                    f'unknown time zone "{values.pop("timezone")}"; use a name like Europe/London',
                )
        problems += checker.problems
    history = os.environ.get("TECHPLAN_HISTORY", "").strip() or values.get("history", "full")
    if history not in HISTORY_MODES:
        problems.append(
            Problem(
                "TECHPLAN_HISTORY",
                1,
                "environment",
                f'"{history}" is not a history setting; use one of: {", ".join(HISTORY_MODES)}',
            )
        )
        history = "full"
    if docs_dir is None:
        docs = _find(node, "docs_dir")
        docs_dir = root / (docs.text if docs is not None and docs.kind == "scalar" else "docs")
    today = values.get("today")
    config = PlanConfig(
        root=root,
        plan_dir=docs_dir.resolve(),
        today=today if isinstance(today, date) else build_date(),
        feedback=values.get("feedback"),
        history=history,
        authors=values.get("authors", "none"),
        teams=values.get("teams", {}),
        publisher=values.get("publisher") or _site_name(node),
        timezone=values.get("timezone", "Europe/London"),
        revisions=values.get("revisions", "v*"),
        licence=values.get("licence", DEFAULT_LICENCE),
        licence_url=values.get("licence_url", DEFAULT_LICENCE_URL),
    )
    return config, problems


def site_settings(config_file: Path) -> dict[str, Any]:
    """What tools outside MkDocs need from mkdocs.yml: the site name, theme folder and Markdown setup.

    Extension settings that name Python objects (`!!python/name:...`) are left out: only MkDocs
    can load those, and the text they affect (emoji, say) does not change what a diff says.
    """
    node, _ = read_yaml(config_file, config_file.name)
    extensions: list[str] = []
    configs: dict[str, Any] = {}
    listed = _find(node, "markdown_extensions")
    for item in listed.items if listed is not None and listed.kind == "seq" else ():
        if item.kind == "scalar":
            extensions.append(item.text)
        elif item.kind == "map" and len(item.entries) == 1:
            entry = item.entries[0]
            extensions.append(entry.key)
            value = _plain(entry.value)
            if isinstance(value, dict):
                configs[entry.key] = value
    custom_dir = _find(node, "theme", "custom_dir")
    name = _site_name(node)
    return {
        "site_name": name or "The plan",
        "custom_dir": config_file.parent / custom_dir.text if custom_dir is not None else None,
        "markdown_extensions": extensions,
        "mdx_configs": configs,
    }


def _plain(node: YamlNode) -> Any:
    """A node as plain Python values, or None if it holds anything but text, numbers and yes/no."""
    if node.kind == "map":
        values = {entry.key: _plain(entry.value) for entry in node.entries}
        return None if any(v is None for v in values.values()) else values
    if node.kind == "seq":
        items = [_plain(item) for item in node.items]
        return None if any(i is None for i in items) else items
    if node.tag == "bool":
        return node.text.lower() in ("true", "yes", "on")
    if node.tag == "int":
        return int(node.text)
    if node.tag in ("str", "float"):
        return node.text if node.tag == "str" else float(node.text)
    return None


def _site_name(node: YamlNode | None) -> str | None:
    """The site's name from mkdocs.yml, the publisher unless the plan names one."""
    name = _find(node, "site_name")
    return name.text if name is not None and name.kind == "scalar" else None


def _find(node: YamlNode | None, *keys: str) -> YamlNode | None:
    """The value at a path of keys in a mapping, or None."""
    for key in keys:
        if node is None or node.kind != "map":
            return None
        node = next((entry.value for entry in node.entries if entry.key == key), None)
    return node
