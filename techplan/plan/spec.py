"""The plan's data formats, declared once: the validator and the JSON Schema files both read them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

MILESTONE_STATUSES = ("planned", "in-progress", "at-risk", "delayed", "done", "dropped")
"""Milestone statuses, in the order a milestone usually moves through them."""

PHASE_STATUSES = ("planned", "draft", "consultation", "published", "revising")
"""Where a phase of the plan stands."""

MEASURE_THEMES = ("digital-maturity", "patients", "staff")
"""What a measure shows progress on."""

MEASURE_UNITS = ("percent", "count", "days", "hours", "minutes", "score")
"""Units a measure's values are in."""

HISTORY_MODES = ("full", "partial", "off")
"""How much git history a build needs."""

AUTHOR_MODES = ("none", "names", "teams")
"""What the site says about who made a change."""

MILESTONE_ID = r"^M[0-9]+\.[0-9]+$"
MEASURE_ID = r"^K[0-9]+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
LINK_PATTERN = r"^(https://|mailto:)"
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029\\ufffe\\uffff]*$"
"""Text without control characters or line separators (techplan.plan.characters.REFUSED, less surrogates,
which JSON Schema cannot name)."""

NUMBER_LIMIT = 10**15
"""Numbers in the plan lie between minus and plus this: a thousand million million, so every whole
number is exact in JSON, CSV and a spreadsheet, and no sum of values overflows."""
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
"""Dates in the plan lie between these: wide enough for any plan, narrow enough to catch 9999-12-31."""
SMALLEST_NUMBER = 0.000001
"""A number other than 0 is at least this far from 0: anything closer is a typing mistake or rounds to 0."""


@dataclass(frozen=True, slots=True)
class Field:
    """One field staff can write in a record."""

    name: str
    """The key as written in YAML."""
    kind: str
    """text, markdown, date, number, choice, id, ids, link, mapping, record or records."""
    description: str
    """What the field means, shown in editors and in the contributor guide."""
    example: str
    """A right value written as YAML, used in messages and as the schema example."""
    required: bool = True
    """Whether every record must have it."""
    choices: tuple[str, ...] = ()
    """For choice fields, the allowed values."""
    id_pattern: str = ""
    """For id and ids fields, the pattern ids follow."""
    id_noun: str = ""
    """For id and ids fields, what the ids name ("milestone")."""
    record: RecordSpec | None = None
    """For record and records fields, the nested record."""
    flat: bool = False
    """For records fields, name the items' fields on their own (`due`, not `milestones.due`)."""


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """A kind of record: a milestone, a measure, a phase, a dated value."""

    noun: str
    """What one record is called in messages ("milestone")."""
    description: str
    fields: tuple[Field, ...] = field(default=())

    def field(self, name: str) -> Field | None:
        """The field with this name, or None."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Field names in the order staff usually write them."""
        return tuple(f.name for f in self.fields)


POINT = RecordSpec(
    "dated value",
    "A value measured (or aimed for) on a date.",
    (
        Field("date", "date", "The date the value applies to, written YYYY-MM-DD.", "2021-03-31"),
        Field("value", "number", "The value, a number without units or % sign.", "83"),
    ),
)

CONSULTATION = RecordSpec(
    "consultation",
    "When the public can give feedback on this phase, and where feedback goes.",
    (
        Field("opens", "date", "The first day of the consultation, YYYY-MM-DD.", "2020-07-01"),
        Field("closes", "date", "The last day of the consultation, YYYY-MM-DD.", "2020-09-30"),
        Field(
            "feedback",
            "link",
            "Where feedback goes: an https:// address (a form or issue tracker) or a "
            "mailto: address of a team mailbox. Defaults to the site-wide setting.",
            "mailto:techplan-feedback@example.org",
            required=False,
        ),
    ),
)

PHASE = RecordSpec(
    "phase",
    "A phase of the Tech Plan: its title, summary, status and consultation.",
    (
        Field("title", "text", "The phase's short name.", "Vision"),
        Field(
            "summary",
            "markdown",
            "One or two sentences saying what the phase covers (Markdown).",
            "What the plan wants to achieve and why technology matters.",
        ),
        Field(
            "status",
            "choice",
            "Where the phase stands.",
            "published",
            choices=PHASE_STATUSES,
        ),
        Field(
            "consultation",
            "record",
            "The public consultation on this phase.",
            "{opens: 2020-07-01, closes: 2020-09-30}",
            required=False,
            record=CONSULTATION,
        ),
    ),
)

MILESTONE = RecordSpec(
    "milestone",
    "Something the plan commits to deliver by a date.",
    (
        Field(
            "id",
            "id",
            "A stable id: M, the phase number, a dot and a number. Never reused.",
            "M2.1",
            id_pattern=MILESTONE_ID,
            id_noun="milestone",
        ),
        Field(
            "title",
            "text",
            "What will be delivered, in one line of plain text.",
            "Every trust has an electronic patient record",
        ),
        Field("owner", "text", "The organisation or team responsible (never a person).", "NHSX"),
        Field("due", "date", "When it is due, written YYYY-MM-DD.", "2024-03-31"),
        Field(
            "status",
            "choice",
            "Where the milestone stands.",
            "in-progress",
            choices=MILESTONE_STATUSES,
        ),
        Field(
            "depends_on",
            "ids",
            "Milestones that must be delivered first.",
            "[M3.2]",
            required=False,
            id_pattern=MILESTONE_ID,
            id_noun="milestone",
        ),
        Field(
            "summary",
            "markdown",
            "One to three sentences on what and why (Markdown; [[M1.1]] refers to a milestone).",
            "All trusts move off paper records.",
        ),
    ),
)

MEASURE = RecordSpec(
    "measure",
    "A way the plan measures success, with its baseline, target and actual values.",
    (
        Field(
            "id",
            "id",
            "A stable id: K and a number. Never reused.",
            "K1",
            id_pattern=MEASURE_ID,
            id_noun="measure",
        ),
        Field("title", "text", "What is measured, in one line.", "Trusts with an electronic patient record"),
        Field("theme", "choice", "What the measure shows progress on.", "digital-maturity", choices=MEASURE_THEMES),
        Field("unit", "choice", "The unit of the values.", "percent", choices=MEASURE_UNITS),
        Field(
            "description",
            "markdown",
            "What the measure means and why it matters (Markdown).",
            "The share of NHS trusts with an electronic patient record.",
            required=False,
        ),
        Field("baseline", "record", "The value when the plan started.", "{date: 2020-03-31, value: 78}", record=POINT),
        Field(
            "target",
            "record",
            "The value the plan aims for, and by when.",
            "{date: 2024-03-31, value: 100}",
            record=POINT,
        ),
        Field(
            "actuals",
            "records",
            "Values measured since the baseline, one per date.",
            "[{date: 2021-03-31, value: 83}]",
            required=False,
            record=POINT,
        ),
        Field("source", "text", "Where the numbers come from.", "Digital maturity assessment"),
    ),
)

MILESTONES_FILE = RecordSpec(
    "milestones file",
    "The milestones of one phase of the Tech Plan.",
    (Field("milestones", "records", "The phase's milestones.", "- id: M2.1", record=MILESTONE, flat=True),),
)

MEASURES_FILE = RecordSpec(
    "measures file",
    "How the Tech Plan measures success.",
    (Field("measures", "records", "The plan's measures.", "- id: K1", record=MEASURE, flat=True),),
)

SITE_OPTIONS = RecordSpec(
    "plan settings block (extra.plan in mkdocs.yml)",
    "Site-wide settings of the plan.",
    (
        Field(
            "today",
            "date",
            "Show the plan as at this date: what is open, overdue or coming due. Defaults to the day the site is "
            "built (the day of SOURCE_DATE_EPOCH when that is set).",
            "2024-04-30",
            required=False,
        ),
        Field(
            "feedback",
            "link",
            "Where feedback goes when a phase does not say: an https:// or mailto: address.",
            "mailto:techplan-feedback@example.org",
            required=False,
        ),
        Field(
            "history",
            "choice",
            "How much git history the build needs: full (the default; refuse a shallow clone), partial (mark "
            "histories incomplete in a shallow clone) or off (no history; for a downloaded archive). "
            "The TECHPLAN_HISTORY environment variable overrides it.",
            "full",
            required=False,
            choices=HISTORY_MODES,
        ),
        Field(
            "authors",
            "choice",
            "Who the site says made each change: none (the default: the organisation publishes), "
            "names (git author names, after .mailmap) or teams (names mapped through teams).",
            "none",
            required=False,
            choices=AUTHOR_MODES,
        ),
        Field(
            "teams",
            "mapping",
            "For authors: teams, the team of each git author, by name or email address.",
            "{Sam Example: Digital policy team}",
            required=False,
        ),
        Field(
            "publisher",
            "text",
            "The organisation that publishes the plan; named as the author of the feeds. Defaults to the site name.",
            "NHSX",
            required=False,
        ),
        Field(
            "revisions",
            "text",
            "Which annotated git tags are plan revisions: a pattern like v* (the default) or plan-*.",
            "v*",
            required=False,
        ),
        Field(
            "allowed_signers",
            "text",
            "A file in the repository, relative to mkdocs.yml, listing the SSH keys that may sign revision tags, in "
            "git's allowed-signers format: one key a line, its name (shown on the revision's page; not an email "
            'address) first, like: plan-team namespaces="git" ssh-ed25519 AAAA... A signed tag is checked against '
            "these keys alone; one that does not verify stops a strict build.",
            ".github/allowed_signers",
            required=False,
        ),
        Field(
            "signing_keys",
            "text",
            "A file in the repository, relative to mkdocs.yml, holding the OpenPGP public keys that may sign revision "
            "tags, ASCII-armored (gpg --armor --export KEY). The name of each key's user id is shown on the "
            "revision's page. A signed tag is checked against these keys alone; one that does not verify stops a "
            "strict build.",
            ".github/signing-keys.asc",
            required=False,
        ),
        Field(
            "licence",
            "text",
            "The licence the plan's text and data are published under. Defaults to the Open Government Licence v3.0.",
            "Open Government Licence v3.0",
            required=False,
        ),
        Field(
            "licence_url",
            "link",
            "Where the licence can be read. Defaults to the Open Government Licence's page.",
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            required=False,
        ),
        Field(
            "timezone",
            "text",
            "The time zone dates are shown in, by its name, like Europe/London (the default).",
            "Europe/London",
            required=False,
        ),
    ),
)

FILES: dict[str, RecordSpec] = {
    "phase.yml": PHASE,
    "milestones.yml": MILESTONES_FILE,
    "measures.yml": MEASURES_FILE,
}
"""The data files a phase folder may hold, by file name."""

SCHEMA_NAMES: dict[str, str] = {
    "phase.yml": "phase.schema.json",
    "milestones.yml": "milestones.schema.json",
    "measures.yml": "measures.schema.json",
}
"""The JSON Schema file for each data file."""

SCHEMA_BASE_URL = "https://techplan.example.org/schemas/"
"""Where the schemas are published; used as their `$id`."""


def json_schema(file_name: str) -> dict[str, Any]:
    """Build the JSON Schema (draft 2020-12) for one kind of data file."""
    spec = FILES[file_name]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE_URL + SCHEMA_NAMES[file_name],
        "title": f"Tech Plan {spec.noun}",
        **_record_schema(spec),
    }
    return schema


def _record_schema(spec: RecordSpec) -> dict[str, Any]:
    """The schema of one record: its fields, which are required, and nothing else allowed."""
    return {
        "description": spec.description,
        "type": "object",
        "properties": {f.name: _field_schema(f) for f in spec.fields},
        "required": [f.name for f in spec.fields if f.required],
        "additionalProperties": False,
    }


def _field_schema(f: Field) -> dict[str, Any]:
    """The schema of one field's value."""
    described: dict[str, Any] = {"description": f.description}
    if f.kind in ("text", "markdown"):
        return described | {"type": "string", "minLength": 1, "pattern": TEXT_PATTERN}
    if f.kind == "date":
        return described | {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    if f.kind == "number":
        return described | {"type": "number", "minimum": -NUMBER_LIMIT, "maximum": NUMBER_LIMIT}
    if f.kind == "choice":
        return described | {"enum": list(f.choices)}
    if f.kind == "id":
        return described | {"type": "string", "pattern": f.id_pattern}
    if f.kind == "ids":
        items = {"type": "string", "pattern": f.id_pattern}
        return described | {"type": "array", "items": items, "uniqueItems": True}
    if f.kind == "link":
        return described | {"type": "string", "pattern": LINK_PATTERN}
    if f.kind == "mapping":
        return described | {"type": "object", "additionalProperties": {"type": "string"}}
    assert f.record is not None, f"{f.name} has kind {f.kind} but no record"
    if f.kind == "record":
        return described | _record_schema(f.record) | {"description": f.description}
    return described | {"type": "array", "items": _record_schema(f.record)}


def render_schema(file_name: str) -> str:
    """The schema as the JSON text shipped with the package."""
    return json.dumps(json_schema(file_name), indent=2, ensure_ascii=False) + "\n"


def shipped_schema(schema_name: str) -> str:
    """The text of a schema file shipped in the package."""
    return resources.files("techplan.plan").joinpath("schemas", schema_name).read_text("utf-8")
