"""Check data files against the published JSON Schema, as editors and pre-commit do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from techplan.plan.spec import SCHEMA_NAMES, shipped_schema
from techplan.plan.yamlsource import YamlNode, read_yaml
from techplan.problems import Problem


def schema_problems(path: Path, display: str) -> list[Problem]:
    """Every way a data file breaks its JSON Schema, at the line of the offending value."""
    if path.name not in SCHEMA_NAMES:
        return []
    node, problems = read_yaml(path, display)
    if node is None:
        return problems
    data = _as_editors_see_it(node)
    schema = json.loads(shipped_schema(SCHEMA_NAMES[path.name]))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = [str(part) for part in error.absolute_path]
        field = next((part for part in reversed(where) if not part.isdigit()), "file")
        found.append(Problem(display, _line(node, list(error.absolute_path)), field, f"schema: {error.message}"))
    return found


def _as_editors_see_it(node: YamlNode) -> Any:
    """A node as plain values, the way a YAML 1.2 editor sees them: dates are text; nothing is constructed."""
    if node.kind == "map":
        return {entry.key: _as_editors_see_it(entry.value) for entry in node.entries}
    if node.kind == "seq":
        return [_as_editors_see_it(item) for item in node.items]
    if node.tag == "null":
        return None
    if node.tag == "bool":
        return node.text.lower() in ("true", "yes", "on")
    for kind in (int, float):
        if node.tag == kind.__name__:
            try:
                return kind(node.text.replace("_", ""))
            except ValueError:
                return node.text
    return node.text


def _line(node: YamlNode, path: list[str | int]) -> int:
    """The line of the value at a JSON path, or of the nearest parent that exists."""
    line = node.line
    for part in path:
        if node.kind == "map":
            entry = next((e for e in node.entries if e.key == part), None)
            if entry is None:
                break
            line, node = entry.line, entry.value
        elif node.kind == "seq" and isinstance(part, int) and part < len(node.items):
            node = node.items[part]
            line = node.line
        else:
            break
    return line
