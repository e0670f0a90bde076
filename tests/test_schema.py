"""The JSON Schema files: generated from the declared formats, shipped, and in step with the checker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from plansite import REPO
from ruamel.yaml import YAML

from techplan.plan.spec import SCHEMA_NAMES, render_schema, shipped_schema


def load_as_editors_do(text: str) -> object:
    """Load YAML as an editor's schema checker sees it: dates stay text (YAML 1.2 core schema)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.constructor.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(text)


def validator(file_name: str) -> Draft202012Validator:
    schema = json.loads(shipped_schema(SCHEMA_NAMES[file_name]))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("file_name", list(SCHEMA_NAMES))
def test_shipped_schema_is_the_generated_one(file_name: str) -> None:
    # Regenerate with: techplan schema --write techplan/plan/schemas
    assert shipped_schema(SCHEMA_NAMES[file_name]) == render_schema(file_name)


@pytest.mark.parametrize("path", sorted((REPO / "plan").rglob("*.yml")), ids=lambda p: p.parent.name + "/" + p.name)
def test_every_plan_data_file_passes_its_schema_and_names_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    errors = list(validator(path.name).iter_errors(load_as_editors_do(text)))
    assert errors == []
    schema = f"../../techplan/plan/schemas/{SCHEMA_NAMES[path.name]}"
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema}"


MILESTONE = """\
milestones:
  - id: M1.1
    title: Publish the vision
    owner: NHSX
    due: 2020-09-30
    status: done
    summary: Text.
"""


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("status: done", "status: complete", "'complete' is not one of"),
        ("status: done", "statuss: done", "Additional properties are not allowed ('statuss' was unexpected)"),
        ("    owner: NHSX\n", "", "'owner' is a required property"),
        ("due: 2020-09-30", "due: 30/09/2020", "'30/09/2020' does not match"),
        ("due: 2020-09-30", "due: 2021-02-30", "'2021-02-30' is not a 'date'"),
        ("id: M1.1", "id: X1.1", "'X1.1' does not match"),
        ("title: Publish the vision", "title: [a, b]", "['a', 'b'] is not of type 'string'"),
    ],
)
def test_schema_flags_what_the_checker_flags(old: str, new: str, complaint: str) -> None:
    data = load_as_editors_do(MILESTONE.replace(old, new))
    errors = [error.message for error in validator("milestones.yml").iter_errors(data)]
    assert errors, "the schema let it through"
    assert any(complaint in error for error in errors), errors


def test_schema_describes_every_field_for_editors() -> None:
    schema = json.loads(shipped_schema("milestones.schema.json"))
    fields = schema["properties"]["milestones"]["items"]["properties"]
    assert list(fields) == ["id", "title", "owner", "due", "status", "depends_on", "summary"]
    assert all(field["description"] for field in fields.values())
    assert fields["status"]["enum"] == ["planned", "in-progress", "at-risk", "delayed", "done", "dropped"]
