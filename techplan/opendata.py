"""The plan's data for downloads: milestones and measures as JSON, CSV and iCalendar."""

from __future__ import annotations

from typing import Any

from techplan.model import Plan


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
