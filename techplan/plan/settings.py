"""Site-wide plan settings: `extra.plan` in mkdocs.yml, checked like the plan's own data."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from techplan.plan.spec import HISTORY_MODES, SITE_OPTIONS
from techplan.plan.validate import RecordChecker
from techplan.plan.yamlsource import Entry, YamlNode
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
    allowed_signers: str | None = None
    """The SSH allowed-signers file revision tags are checked against, relative to the root."""
    signing_keys: str | None = None
    """The OpenPGP public keys revision tags are checked against, relative to the root."""

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


def plan_settings(
    options: Mapping[str, Any] | None,
    *,
    config_file: Path,
    plan_dir: Path,
    site_name: str | None = None,
    written: YamlNode | None = None,
) -> tuple[PlanConfig, list[Problem]]:
    """The plan settings from `extra.plan` as MkDocs loaded it (`!ENV`, `INHERIT` and all); any problems with them.

    `written` is mkdocs.yml as written (techplan.plan.yamlsource), for the lines problems point at;
    a value that came from elsewhere (an inherited file, the environment) points at its key, or line 1.
    """
    root = config_file.parent.resolve()
    display = config_file.name
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if options is not None:
        node = node_of(options, find(written, "extra", "plan"), 1)
        checker = RecordChecker(display)
        checked = checker.check_record(node, SITE_OPTIONS, prefix="extra.plan.")
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
        for name in ("allowed_signers", "signing_keys"):
            if name in values and not _is_repository_file(root, values[name]):
                checker.problem(
                    checked.line_of(name),
                    f"extra.plan.{name}",
                    f'"{values.pop(name)}" is not a file in the repository; give the path of one relative to '
                    f"{display}, like {SITE_OPTIONS.field(name).example}",  # type: ignore[union-attr]
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
    today = values.get("today")
    config = PlanConfig(
        root=root,
        plan_dir=plan_dir.resolve(),
        today=today if isinstance(today, date) else build_date(),
        feedback=values.get("feedback"),
        history=history,
        authors=values.get("authors", "none"),
        teams=values.get("teams", {}),
        publisher=values.get("publisher") or site_name,
        timezone=values.get("timezone", "Europe/London"),
        revisions=values.get("revisions", "v*"),
        licence=values.get("licence", DEFAULT_LICENCE),
        licence_url=values.get("licence_url", DEFAULT_LICENCE_URL),
        allowed_signers=values.get("allowed_signers"),
        signing_keys=values.get("signing_keys"),
    )
    return config, problems


def _is_repository_file(root: Path, name: str) -> bool:
    """Whether a path relative to the root names a file inside it (a build elsewhere sees the same file)."""
    path = (root / name).resolve()
    return path.is_file() and path.is_relative_to(root)


def node_of(value: object, written: YamlNode | None, line: int) -> YamlNode:
    """A loaded value as a line-numbered node for the checker: lines from the file as written where it has the key."""
    line = written.line if written is not None else line
    if isinstance(value, Mapping):
        entries = []
        for key, item in value.items():
            entry = next((e for e in written.entries if e.key == str(key)), None) if written is not None else None
            entry_line = entry.line if entry is not None else line
            entries.append(Entry(str(key), entry_line, node_of(item, entry.value if entry else None, entry_line)))
        return YamlNode("map", line, entries=tuple(entries))
    if isinstance(value, list | tuple):
        hints = written.items if written is not None and written.kind == "seq" else ()
        items = tuple(node_of(item, hints[n] if n < len(hints) else None, line) for n, item in enumerate(value))
        return YamlNode("seq", line, items=items)
    if value is None:
        return YamlNode("scalar", line, tag="null")
    if isinstance(value, bool):
        return YamlNode("scalar", line, tag="bool", text="true" if value else "false")
    if isinstance(value, int | float):
        text = written.text if written is not None and written.kind == "scalar" else str(value)
        return YamlNode("scalar", line, tag="int" if isinstance(value, int) else "float", text=text)
    if isinstance(value, date):
        return YamlNode("scalar", line, tag="timestamp", text=value.isoformat())
    return YamlNode("scalar", line, tag="str", text=str(value))


def find(node: YamlNode | None, *keys: str) -> YamlNode | None:
    """The value at a path of keys in a mapping, or None."""
    for key in keys:
        if node is None or node.kind != "map":
            return None
        node = next((entry.value for entry in node.entries if entry.key == key), None)
    return node
