"""The plan's data for downloads: milestones and measures as JSON, CSV and iCalendar."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from techplan.plan.characters import encodable
from techplan.plan.model import MILESTONE_STATUS_LABELS, Plan
from techplan.plan.prose import expand


def plan_data(plan: Plan) -> dict[str, Any]:
    """Milestones and measures as plain JSON-ready data, in file order."""
    return {
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "phase": m.phase,
                "owner": m.owner,
                "due": m.due.isoformat(),
                "status": m.status,
                "depends_on": list(m.depends_on),
                "summary": m.summary,
            }
            for m in plan.milestones
        ],
        "measures": [
            {
                "id": m.id,
                "title": m.title,
                "theme": m.theme,
                "unit": m.unit,
                "description": m.description,
                "baseline": {"date": m.baseline.date.isoformat(), "value": m.baseline.value},
                "target": {"date": m.target.date.isoformat(), "value": m.target.value},
                "actuals": [{"date": a.date.isoformat(), "value": a.value} for a in m.actuals],
                "source": m.source,
            }
            for m in plan.measures
        ],
    }


MILESTONE_COLUMNS = ("id", "title", "phase", "owner", "due", "status", "depends_on", "summary")
MEASURE_COLUMNS = ("measure", "title", "theme", "unit", "kind", "date", "value", "source")


DOWNLOADS = {
    "milestones_json": "data/milestones.json",
    "milestones_csv": "data/milestones.csv",
    "milestones_ics": "data/milestones.ics",
    "measures_json": "data/measures.json",
    "measures_csv": "data/measures.csv",
}
"""Where the downloads live in the site."""

OPEN_DATA_PAGE = "open-data.md"
"""The generated page that lists every download, feed and schema, relative to the plan directory."""


def downloads(plan: Plan, licence: dict[str, str], site_url: str, stamp: date, urls: dict[str, str]) -> dict[str, str]:
    """Every download's text, by site path."""
    data = plan_data(plan)
    about = {"licence": licence["name"], "licence_url": licence["url"]}
    return {
        DOWNLOADS["milestones_json"]: _json({**about, "milestones": data["milestones"]}),
        DOWNLOADS["measures_json"]: _json({**about, "measures": data["measures"]}),
        DOWNLOADS["milestones_csv"]: milestones_csv(plan),
        DOWNLOADS["measures_csv"]: measures_csv(plan),
        DOWNLOADS["milestones_ics"]: milestones_ics(
            plan, site_url, urlsplit(site_url).hostname or "techplan", stamp, urls
        ),
    }


def _json(data: dict[str, Any]) -> str:
    """Data as readable JSON: every text exactly as the plan has it."""
    return encodable(json.dumps(data, ensure_ascii=False, indent=1)) + "\n"


def plain_text(markdown: str) -> str:
    """Markdown from YAML as plain text for CSV and calendars: references as their words."""
    return expand(markdown, lambda token: token.text or token.name)


def milestones_csv(plan: Plan) -> str:
    """Milestones as CSV: one row each, dependencies separated by spaces."""
    rows: list[list[str | float]] = [
        [
            m.id,
            m.title,
            m.phase,
            m.owner,
            m.due.isoformat(),
            m.status,
            " ".join(m.depends_on),
            plain_text(m.summary),
        ]
        for m in plan.milestones
    ]
    return _csv(list(MILESTONE_COLUMNS), rows)


def measures_csv(plan: Plan) -> str:
    """Measures as CSV in long form: one row per baseline, target and actual."""
    rows: list[list[str | float]] = []
    for m in plan.measures:
        points = [("baseline", m.baseline), *(("actual", a) for a in m.actuals), ("target", m.target)]
        for kind, point in points:
            rows.append([m.id, m.title, m.theme, m.unit, kind, point.date.isoformat(), point.value, m.source])
    return _csv(list(MEASURE_COLUMNS), rows)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What makes a spreadsheet read a cell as a formula: =, +, - and @ (and their full-width forms,
which some spreadsheets read as the same), or a tab or carriage return before one."""


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet will show rather than run: a single quote before anything that starts like a formula.

    Leading spaces count as nothing, since some spreadsheets skip them. The open-data page says so.
    """
    return "'" + text if text.lstrip(" \n").startswith(FORMULA_STARTS) else text


def csv_number(value: float) -> str:
    """A number as CSV writes it: exact, without exponent for the numbers the plan allows (1234567, 83.5)."""
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _csv(header: list[str], rows: list[list[str | float]]) -> str:
    """Rows as CSV text with CRLF line ends (RFC 4180), ready for spreadsheets: text that a spreadsheet
    would run as a formula is neutralised, numbers stay numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [csv_number(cell) if isinstance(cell, (int, float)) else spreadsheet_text(encodable(cell)) for cell in row]
        )
    return buffer.getvalue()


def milestones_ics(plan: Plan, site_url: str, host: str, stamp: date, urls: dict[str, str]) -> str:
    """Milestone due dates as an iCalendar file (RFC 5545): one all-day event each."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//techplan//Tech Plan milestones//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Tech Plan milestones",
    ]
    for m in plan.milestones:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{m.id}@{host}",
            f"DTSTAMP:{_ics_date(stamp)}T000000Z",
            f"DTSTART;VALUE=DATE:{_ics_date(m.due)}",
        ]
        if m.due < date.max:  # without DTEND an all-day event lasts the day (RFC 5545 3.6.1)
            lines.append(f"DTEND;VALUE=DATE:{_ics_date(m.due + timedelta(days=1))}")
        lines += [
            f"SUMMARY:{_ics_text(f'{m.id}: {m.title} ({MILESTONE_STATUS_LABELS[m.status].lower()})')}",
            f"DESCRIPTION:{_ics_text(f'Owner: {m.owner}. {plain_text(m.summary)}')}",
        ]
        if site_url and m.id in urls:
            lines.append(f"URL:{site_url.rstrip('/')}/{urls[m.id]}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _ics_date(day: date) -> str:
    """A DATE value: eight digits, whatever the year (strftime drops leading zeros on some systems)."""
    return day.isoformat().replace("-", "")


def _ics_text(text: str) -> str:
    """Text as an iCalendar TEXT value (RFC 5545 3.3.11): on one line, without control characters,
    with backslashes, semicolons and commas escaped."""
    text = " ".join(_ICS_CONTROL.sub(" ", text).split())
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


_ICS_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
"""What a TEXT value may not hold (CONTROL, and what UTF-8 or a calendar cannot carry): each becomes a space."""


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 requires, never inside a character."""
    parts: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not parts else 74  # continuation lines start with a space
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)
