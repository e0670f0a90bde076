"""The edit commands' command line: `techplan milestone add|set` and `techplan measure add-actual|set`.

Arguments are read here, the edit is made by techplan.edit.session.make_edit, and its Outcome
is printed here: what changed and how to commit it on standard output, refusals and problems
on standard error. A refusal (EditError) reaches techplan.cli.main, which prints it as one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import partial

from techplan.edit import EditError
from techplan.edit.records import (
    MEASURE_FIELDS,
    MILESTONE_FIELDS,
    add_actual,
    add_milestone,
    set_measure,
    set_milestone,
)
from techplan.edit.session import Draft, Outcome, Session, make_edit
from techplan.edit.wording import join_words
from techplan.plan.spec import MEASURE, MILESTONE
from techplan.plan.validate import suggest


def add_edit_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the edit commands to the techplan command line."""
    milestone = commands.add_parser(
        "milestone",
        help="add a milestone, or change one (status, due date, owner, ...)",
        description="Add a milestone to a phase, or change one. The file is changed in place: comments, "
        "quoting and layout stay as they are. Nothing is written if the plan would have a problem.",
    )
    milestone.set_defaults(run=_usage(milestone))
    milestone_actions = milestone.add_subparsers(title="actions", metavar="ACTION")

    add = milestone_actions.add_parser(
        "add",
        help="add a milestone to a phase",
        description="Add a milestone at the end of a phase's milestones.yml (created if the phase has none).",
    )
    add.add_argument("--phase", type=int, required=True, metavar="N", help="the phase number, like 2")
    add.add_argument("--id", help="the new id, like M2.7 (default: the next free id in the phase)")
    add.add_argument("--title", required=True, help="what will be delivered, in one line")
    add.add_argument("--owner", required=True, help="the organisation or team responsible")
    add.add_argument("--due", required=True, metavar="YYYY-MM-DD", help="when it is due, like 2024-03-31")
    add.add_argument("--status", default="planned", help="planned (default), in-progress, at-risk, delayed, ...")
    add.add_argument("--depends-on", default="", metavar="IDS", help="milestones needed first, like M3.2,M1.1")
    add.add_argument("--summary", required=True, help="one to three sentences on what and why")
    add.set_defaults(run=run_milestone_add)

    milestone_set = milestone_actions.add_parser(
        "set",
        help="change fields of a milestone",
        description="Change fields of a milestone, like: techplan milestone set M2.1 status=done due=2025-03-31. "
        f"Fields: {', '.join(MILESTONE_FIELDS)}. depends_on takes ids separated by commas; "
        "depends_on= with nothing clears it.",
    )
    milestone_set.add_argument("id", metavar="ID", help="the milestone, like M2.1")
    milestone_set.add_argument("changes", nargs="+", metavar="FIELD=VALUE", help="like status=done")
    milestone_set.set_defaults(run=run_milestone_set)

    measure = commands.add_parser(
        "measure",
        help="add a measure's actual value, or change a measure",
        description="Add an actual value to a measure, or change a measure. The file is changed in place: "
        "comments, quoting and layout stay as they are. Nothing is written if the plan would have a problem.",
    )
    measure.set_defaults(run=_usage(measure))
    measure_actions = measure.add_subparsers(title="actions", metavar="ACTION")

    add_actual = measure_actions.add_parser(
        "add-actual",
        help="add a measured value",
        description="Add a measured value to a measure's actuals, in date order.",
    )
    add_actual.add_argument("id", metavar="ID", help="the measure, like K1")
    add_actual.add_argument("date", metavar="DATE", help="when it was measured, like 2024-03-31")
    add_actual.add_argument("value", metavar="VALUE", help="the value, a number without units or % sign")
    add_actual.set_defaults(run=run_measure_add_actual)

    measure_set = measure_actions.add_parser(
        "set",
        help="change fields of a measure",
        description="Change fields of a measure, like: techplan measure set K1 target.value=95 target.date=2025-03-31. "
        f"Fields: {', '.join(MEASURE_FIELDS)}.",
    )
    measure_set.add_argument("id", metavar="ID", help="the measure, like K1")
    measure_set.add_argument("changes", nargs="+", metavar="FIELD=VALUE", help="like target.value=95")
    measure_set.set_defaults(run=run_measure_set)


def _usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """A command that only prints its parser's help: `techplan milestone` without an action."""

    def run(args: argparse.Namespace) -> int:
        """Print the help and fail as a usage error does."""
        parser.print_help(sys.stderr)
        return 2

    return run


def run_milestone_set(args: argparse.Namespace) -> int:
    """`techplan milestone set ID field=value ...`."""
    changes = _assignments(args.changes, MILESTONE_FIELDS, MILESTONE.noun)
    return _edit(args, partial(set_milestone, record_id=args.id, changes=changes))


def run_milestone_add(args: argparse.Namespace) -> int:
    """`techplan milestone add --phase N ...`."""
    fields = {
        "title": _text(args.title, "--title"),
        "owner": _text(args.owner, "--owner"),
        "due": _text(args.due, "--due"),
        "status": _text(args.status, "--status"),
        "depends_on": _text(args.depends_on, "--depends-on"),
        "summary": _text(args.summary, "--summary"),
    }
    record_id = args.id.strip() if args.id else None
    draft = partial(add_milestone, phase=args.phase, record_id=record_id, fields=fields)
    return _edit(args, draft)


def run_measure_set(args: argparse.Namespace) -> int:
    """`techplan measure set ID field=value ...`."""
    changes = _assignments(args.changes, MEASURE_FIELDS, MEASURE.noun)
    return _edit(args, partial(set_measure, record_id=args.id, changes=changes))


def run_measure_add_actual(args: argparse.Namespace) -> int:
    """`techplan measure add-actual ID DATE VALUE`."""
    when, value = _text(args.date, "DATE"), _text(args.value, "VALUE")
    draft = partial(add_actual, record_id=args.id, when=when, value=value)
    return _edit(args, draft)


def _edit(args: argparse.Namespace, draft: Callable[[Session], Draft]) -> int:
    """Make an edit, saying so while it waits for another edit of the same file; the exit status."""
    return show(make_edit(args.config_file, draft, waiting=_say_waiting))


def _say_waiting(name: str) -> None:
    """Tell staff why the command has not finished yet."""
    print(f"techplan: waiting for another edit of {name} to finish…", file=sys.stderr, flush=True)


def show(outcome: Outcome) -> int:
    """Print what an edit did, or why it was refused; the exit status."""
    for note in outcome.notes:
        print(note)
    if outcome.caused:
        count = len(outcome.caused)
        print(
            f"techplan: nothing was written: the edit would give the plan {count} problem{'s' if count != 1 else ''}:",
            file=sys.stderr,
        )
        for problem in outcome.caused:
            print(problem.render(), file=sys.stderr)
    elif not outcome.files:
        print(f"Nothing to change: {outcome.record_id} already has {join_words(list(outcome.fields))} as given.")
    else:
        sentence = " ".join(change.text for change in outcome.changes)
        print(f"Changed {outcome.files[0]}: {sentence}")
        commit = outcome.commit
        assert commit is not None, "a written edit always has a commit to suggest"
        if commit.minor:
            print("A change like this is usually minor, so a change note is optional. Commit it, for example:")
            print(f"  {commit.command}")
            print(f"If readers should be told about it, add a change note: {commit.note}")
        else:
            print("This change should be public. Commit it with a change note, for example:")
            print(f"  {commit.command} {commit.note}")
    if outcome.already:
        # Said so the problems do not surprise anyone later, and so no one thinks this edit caused them.
        print(
            f"Note: the plan already had {outcome.already} problem{'s' if outcome.already != 1 else ''} "
            "this edit did not cause; techplan check lists them.",
            file=sys.stderr,
        )
    return outcome.status


def _assignments(words: Sequence[str], allowed: dict[str, str], noun: str) -> dict[str, str]:
    """Read `field=value` words; an unknown field or a field given twice is refused."""
    changes: dict[str, str] = {}
    for word in words:
        name, equals, value = word.partition("=")
        name = name.strip()
        if not equals:
            raise EditError(f'"{word}" is not FIELD=VALUE; write it like status=done (quote values with spaces)')
        if name not in allowed:
            hint = suggest(name, list(allowed))
            extra = "; ids never change" if name == "id" else ""
            raise EditError(
                f'"{name}" is not a {noun} field you can set{hint}{extra}; set one of: {", ".join(allowed)}', 1
            )
        if name in changes:
            raise EditError(f"{name} is given twice; give each field once")
        changes[name] = _text(value, name)
    return changes


def _text(value: str, name: str) -> str:
    """A value as given, without the spaces around it; refused if it is not text (bytes that are not UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Python keeps bytes that are not UTF-8 in arguments as lone surrogates; they cannot be written.
        raise EditError(f"the value of {name} is not UTF-8 text; type it again, or paste it as plain text", 2) from None
    return value.strip()
