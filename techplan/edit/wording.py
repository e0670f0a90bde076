"""What an edit changed, in plain English as the site's history words it, and the commit to suggest."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date

from techplan.compare.datadiff import DataChange, diff_measure, diff_milestone
from techplan.plan.formatting import format_month
from techplan.plan.model import THEME_LABELS, Measure, Plan

MINOR_KINDS = frozenset({"summary", "description", "spacing"})
"""Changes that are usually corrections (a typo in a summary): a change note is optional."""


@dataclass(frozen=True, slots=True)
class CommitSuggestion:
    """How to commit an edit: the command, the change-note option, and whether a note is optional."""

    command: str
    """The git command with its subject, like `git commit -am "Mark M1.2 as done"`."""
    note: str
    """The change-note option to add, like `-m "Change-note: ... <say why>"`."""
    minor: bool
    """Whether the change is usually minor, so the change note is optional."""


def suggest_commit(changes: list[DataChange], record_id: str, display: str, created: bool) -> CommitSuggestion:
    """The commit to suggest for an edit of one file; `created` when the edit created the file (not yet tracked)."""
    sentence = " ".join(change.text for change in changes)
    subject = commit_subject(changes, record_id)
    # A new file is not yet tracked, so `commit -a` would leave it out.
    start = f"git add {shlex.quote(display)} && git commit -m" if created else "git commit -am"
    return CommitSuggestion(
        command=f"{start} {_shell_quote(subject)}",
        note=f"-m {_shell_quote(f'Change-note: {sentence} <say why>')}",
        minor=all(change.kind in MINOR_KINDS for change in changes),
    )


def describe_changes(
    old: Plan, new: Plan, noun: str, record_id: str, fields: list[str], added: bool
) -> list[DataChange]:
    """What changed in words, as the site's history words it."""
    if noun == "milestone":
        before_m = next((m for m in old.milestones if m.id == record_id), None)
        after_m = next((m for m in new.milestones if m.id == record_id), None)
        if after_m is not None and (before_m is not None or added):
            return diff_milestone(before_m, after_m) or [_spacing(record_id, fields)]
    else:
        before_k = next((m for m in old.measures if m.id == record_id), None)
        after_k = next((m for m in new.measures if m.id == record_id), None)
        if before_k is not None and after_k is not None:
            changes = diff_measure(before_k, after_k) + _measure_extras(before_k, after_k)
            return changes or [_spacing(record_id, fields)]
    # The record had a problem before the edit, so there is no whole record to compare with.
    return [DataChange(record_id, "fields", f"{record_id} {join_words(fields)} changed.")]


def _measure_extras(old: Measure, new: Measure) -> list[DataChange]:
    """Changes to a measure the site's history does not list: description, source, theme."""
    changes = []
    if old.theme != new.theme:
        before, after = THEME_LABELS[old.theme].lower(), THEME_LABELS[new.theme].lower()
        changes.append(DataChange(new.id, "theme", f"{new.id} theme changed from {before} to {after}.", before, after))
    if old.source != new.source:
        text = f"{new.id} source changed from {old.source} to {new.source}."
        changes.append(DataChange(new.id, "source", text, old.source, new.source))
    if old.description.split() != new.description.split():
        text = f"{new.id} description reworded."
        changes.append(DataChange(new.id, "description", text, old.description, new.description))
    return changes


def _spacing(record_id: str, fields: list[str]) -> DataChange:
    """An edit readers would not see: only spacing or line breaks changed."""
    return DataChange(record_id, "spacing", f"{record_id} {join_words(fields)} respaced; readers see no difference.")


def commit_subject(changes: list[DataChange], record_id: str) -> str:
    """A commit subject for the changes, in the imperative as the plan's history writes them."""
    if len(changes) != 1:
        return f"Update {record_id}"
    change = changes[0]
    if change.kind == "due" and change.after:
        return f"Move {record_id} to {format_month(date.fromisoformat(change.after))}"
    if change.kind == "status":
        return f"Mark {record_id} as {change.after}"
    if change.kind == "actual-added":
        month = re.search(r"for (\S+ [0-9]{4})\.$", change.text)
        return f"Add the {month.group(1)} actual for {record_id}" if month else f"Add an actual for {record_id}"
    return {
        "added": f"Add milestone {record_id}",
        "retitled": f"Retitle {record_id}",
        "owner": f"Change the owner of {record_id}",
        "depends": f"Change what {record_id} depends on",
        "summary": f"Reword the summary of {record_id}",
        "description": f"Reword the description of {record_id}",
        "baseline": f"Change the baseline of {record_id}",
        "target": f"Change the target of {record_id}",
        "unit": f"Change the unit of {record_id}",
        "theme": f"Change the theme of {record_id}",
        "source": f"Change the source of {record_id}",
    }.get(change.kind, f"Update {record_id}")


def _shell_quote(text: str) -> str:
    """Text as one shell word: in double quotes when that is safe, as the editors' guide writes commands."""
    if not any(c in text for c in '"$`\\!\n'):
        return f'"{text}"'
    return shlex.quote(text)


def join_words(words: list[str]) -> str:
    """a, b and c."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
