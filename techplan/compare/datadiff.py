"""What changed in the plan's data between two versions, in plain English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from techplan.cache import pickled_by_fields
from techplan.plan.formatting import format_date, format_month, format_value
from techplan.plan.model import MILESTONE_STATUS_LABELS, PHASE_STATUS_LABELS, Measure, Milestone, Phase, Plan, Point


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DataChange:
    """One change to a milestone, measure or phase, said in a sentence."""

    record: str
    """The milestone or measure id, or the phase's folder."""
    kind: str
    """added, removed, retitled, due, status, owner, depends, summary, baseline, target, actual-added,
    actual-changed, actual-removed, unit, consultation."""
    text: str
    """The change in plain English."""
    before: str | None = None
    after: str | None = None
    days: int | None = None
    """For a due date: how many days it moved (negative: earlier)."""


def diff_plans(old: Plan, new: Plan) -> list[DataChange]:
    """Every change to milestones, measures and phases from one plan to another, by record."""
    changes: list[DataChange] = []
    old_milestones = {m.id: m for m in old.milestones}
    new_milestones = {m.id: m for m in new.milestones}
    for record_id in _ordered(old_milestones, new_milestones):
        changes += diff_milestone(old_milestones.get(record_id), new_milestones.get(record_id))
    old_measures = {m.id: m for m in old.measures}
    new_measures = {m.id: m for m in new.measures}
    for record_id in _ordered(old_measures, new_measures):
        changes += diff_measure(old_measures.get(record_id), new_measures.get(record_id))
    old_phases = {p.folder: p for p in old.phases}
    for phase in new.phases:
        if phase.folder in old_phases:
            changes += diff_phase(old_phases[phase.folder], phase)
        else:
            changes.append(DataChange(phase.folder, "added", f"{phase.name} added ({phase.status_label.lower()})."))
    return changes


def diff_milestone(old: Milestone | None, new: Milestone | None) -> list[DataChange]:
    """How one milestone changed; added and removed milestones are one change each."""
    if old is None and new is not None:
        text = f"{new.id} added: “{new.title}”, due {format_date(new.due)}, owned by {new.owner}."
        return [DataChange(new.id, "added", text, after=new.title)]
    if new is None and old is not None:
        text = f"{old.id} removed: “{old.title}”, which was due {format_date(old.due)}."
        return [DataChange(old.id, "removed", text, before=old.title)]
    assert old is not None and new is not None
    changes = _retitled(new.id, old.title, new.title)
    if old.due != new.due:
        changes.append(due_change(new.id, old.due, new.due))
    if old.status != new.status:
        before, after = MILESTONE_STATUS_LABELS[old.status].lower(), MILESTONE_STATUS_LABELS[new.status].lower()
        changes.append(
            DataChange(new.id, "status", f"{new.id} status changed from {before} to {after}.", before, after)
        )
    if old.owner != new.owner:
        changes.append(
            DataChange(
                new.id, "owner", f"{new.id} owner changed from {old.owner} to {new.owner}.", old.owner, new.owner
            )
        )
    if set(old.depends_on) != set(new.depends_on):
        added = [d for d in new.depends_on if d not in old.depends_on]
        removed = [d for d in old.depends_on if d not in new.depends_on]
        parts = []
        if added:
            parts.append(f"now depends on {_join(added)}")
        if removed:
            parts.append(f"no longer depends on {_join(removed)}")
        changes.append(
            DataChange(
                new.id,
                "depends",
                f"{new.id} {' and '.join(parts)}.",
                ", ".join(old.depends_on),
                ", ".join(new.depends_on),
            )
        )
    if old.summary.split() != new.summary.split():
        changes.append(DataChange(new.id, "summary", f"{new.id} summary reworded.", old.summary, new.summary))
    return changes


def due_change(record_id: str, old: date, new: date) -> DataChange:
    """A milestone's due date moving: from, to, by how long, earlier or later."""
    days = (new - old).days
    direction = "later" if days > 0 else "earlier"
    text = (
        f"{record_id} due date moved from {format_date(old)} to {format_date(new)}: "
        f"{describe_shift(old, new)} {direction}."
    )
    return DataChange(record_id, "due", text, old.isoformat(), new.isoformat(), days)


def describe_shift(old: date, new: date) -> str:
    """How far apart two dates are, in the unit people would use: 3 months, 2 weeks, 10 days."""
    early, late = sorted((old, new))
    months = (late.year - early.year) * 12 + late.month - early.month
    same_place = late.day == early.day or (_is_month_end(early) and _is_month_end(late))
    if months and same_place:
        years, rest = divmod(months, 12)
        parts = [_plural(years, "year")] if years else []
        if rest:
            parts.append(_plural(rest, "month"))
        return " and ".join(parts)
    days = (late - early).days
    if days % 7 == 0:
        return _plural(days // 7, "week")
    if days > 60:
        return f"about {_plural(round(days / 30.44), 'month')}"
    return _plural(days, "day")


def diff_measure(old: Measure | None, new: Measure | None) -> list[DataChange]:
    """How one measure changed: baseline, target, actuals."""
    if old is None and new is not None:
        return [DataChange(new.id, "added", f"{new.id} added: “{new.title}”.", after=new.title)]
    if new is None and old is not None:
        return [DataChange(old.id, "removed", f"{old.id} removed: “{old.title}”.", before=old.title)]
    assert old is not None and new is not None
    changes = _retitled(new.id, old.title, new.title)
    if old.unit != new.unit:
        changes.append(
            DataChange(new.id, "unit", f"{new.id} unit changed from {old.unit} to {new.unit}.", old.unit, new.unit)
        )
    for name, before, after in (("baseline", old.baseline, new.baseline), ("target", old.target, new.target)):
        if before != after:
            was, now = _point(before, old.unit, name), _point(after, new.unit, name)
            changes.append(DataChange(new.id, name, f"{new.id} {name} changed from {was} to {now}.", was, now))
    old_actuals = {p.date: p.value for p in old.actuals}
    new_actuals = {p.date: p.value for p in new.actuals}
    for day in sorted(old_actuals.keys() | new_actuals.keys()):
        if day in old_actuals and day in new_actuals and old_actuals[day] == new_actuals[day]:
            continue
        when = format_month(day)
        if day not in old_actuals:
            value = format_value(new_actuals[day], new.unit)
            changes.append(
                DataChange(new.id, "actual-added", f"{new.id} actual added: {value} for {when}.", None, value)
            )
        elif day not in new_actuals:
            value = format_value(old_actuals[day], old.unit)
            changes.append(
                DataChange(new.id, "actual-removed", f"{new.id} actual for {when} removed (was {value}).", value)
            )
        elif old_actuals[day] != new_actuals[day]:
            was, now = format_value(old_actuals[day], old.unit), format_value(new_actuals[day], new.unit)
            text = f"{new.id} actual for {when} corrected from {was} to {now}."
            changes.append(DataChange(new.id, "actual-changed", text, was, now))
    return changes


def _retitled(record_id: str, old: str, new: str) -> list[DataChange]:
    """A retitling, if the title changed."""
    if old == new:
        return []
    return [DataChange(record_id, "retitled", f"{record_id} retitled from “{old}” to “{new}”.", old, new)]


def diff_phase(old: Phase, new: Phase) -> list[DataChange]:
    """How a phase's status and consultation changed."""
    changes = []
    if old.status != new.status:
        before, after = PHASE_STATUS_LABELS[old.status].lower(), PHASE_STATUS_LABELS[new.status].lower()
        text = f"{new.name} status changed from {before} to {after}."
        changes.append(DataChange(new.folder, "status", text, before, after))
    if old.consultation != new.consultation and new.consultation is not None:
        window = f"{format_date(new.consultation.opens)} to {format_date(new.consultation.closes)}"
        verb = "set" if old.consultation is None else "changed"
        changes.append(
            DataChange(new.folder, "consultation", f"{new.name} consultation {verb}: {window}.", after=window)
        )
    return changes


def _point(point: Point, unit: str, name: str) -> str:
    """A baseline or target in words: 78% in March 2020, 100% by March 2024."""
    word = "by" if name == "target" else "in"
    return f"{format_value(point.value, unit)} {word} {format_month(point.date)}"


def _ordered(old: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    """Ids from both versions in natural order: M1.2 before M1.10."""
    return sorted(old.keys() | new.keys(), key=_natural)


def _natural(record_id: str) -> tuple[object, ...]:
    """A sort key that orders the numbers in ids by value."""
    head = record_id[0]
    numbers = tuple(int(part) if part.isdigit() else 0 for part in record_id[1:].split("."))
    return (head, *numbers)


def _is_month_end(day: date) -> bool:
    """Whether a date is the last day of its month."""
    return date.fromordinal(day.toordinal() + 1).month != day.month


def _plural(count: int, word: str) -> str:
    """1 month, 2 months."""
    return f"{count} {word}{'s' if count != 1 else ''}"


def _join(ids: list[str]) -> str:
    """M1.1, M1.2 and M1.3."""
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
