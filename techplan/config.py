"""Site-wide plan settings, read from `extra.plan` in mkdocs.yml."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from techplan.problems import Problem
from techplan.spec import SITE_OPTIONS
from techplan.validate import RecordChecker
from techplan.yamlsource import YamlNode, read_yaml


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

    def display(self, path: Path) -> str:
        """A path as problems show it: relative to the repository root, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


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
    node, problems = read_yaml(config_file, display)
    options = _find(node, "extra", "plan")
    values: dict[str, object] = {}
    if options is not None:
        checker = RecordChecker(display)
        values = checker.check_record(options, SITE_OPTIONS, prefix="extra.plan.").values
        problems += checker.problems
    if docs_dir is None:
        docs = _find(node, "docs_dir")
        docs_dir = root / (docs.text if docs is not None and docs.kind == "scalar" else "docs")
    today = values.get("today")
    config = PlanConfig(
        root=root,
        plan_dir=docs_dir.resolve(),
        today=today if isinstance(today, date) else build_date(),
        feedback=str(values["feedback"]) if "feedback" in values else None,
    )
    return config, problems


def _find(node: YamlNode | None, *keys: str) -> YamlNode | None:
    """The value at a path of keys in a mapping, or None."""
    for key in keys:
        if node is None or node.kind != "map":
            return None
        node = next((entry.value for entry in node.entries if entry.key == key), None)
    return node
