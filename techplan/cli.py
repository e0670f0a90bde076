"""The `techplan` command: check the plan, and (later) diff and edit it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from techplan.config import load_config
from techplan.load import load_plan
from techplan.problems import render_report
from techplan.spec import SCHEMA_NAMES, render_schema


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="techplan",
        description="Check, compare and edit the Tech Plan kept in this repository.",
    )
    parser.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        help="the site's mkdocs.yml (default: mkdocs.yml in this folder)",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check every page and data file; list every problem",
        description="Check every page and data file of the plan without building the site. "
        "Exits 1 and lists every problem as path:line: field: message, or exits 0 when clean.",
    )
    check.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text (default) or github: annotations that show on a pull request's diff",
    )
    check.set_defaults(run=run_check)

    schema = commands.add_parser(
        "schema",
        help="write the JSON Schema files for the data files",
        description="Write the JSON Schema files editors use to check the YAML data as staff type.",
    )
    schema.add_argument("folder", type=Path, help="where to write the .schema.json files")
    schema.set_defaults(run=run_schema)
    return parser


def run_check(args: argparse.Namespace) -> int:
    """`techplan check`: every problem in the plan, or a one-line all-clear."""
    config_file: Path = args.config_file
    if not config_file.is_file():
        print(
            f"techplan: {config_file}: no such file; run techplan in the folder holding mkdocs.yml "
            "or pass --config-file",
            file=sys.stderr,
        )
        return 2
    settings, problems = load_config(config_file)
    if not settings.plan_dir.is_dir():
        print(
            f"techplan: {settings.display(settings.plan_dir)}: the plan folder (docs_dir) does not exist",
            file=sys.stderr,
        )
        return 2
    plan, plan_problems = load_plan(settings)
    problems = sorted(set(problems + plan_problems), key=lambda p: p.sort_key)
    if problems:
        if args.format == "github":
            print("\n".join(problem.render_github() for problem in problems))
        print(render_report(problems), file=sys.stderr if args.format == "github" else sys.stdout)
        return 1
    print(
        f"The plan is clean: {len(plan.phases)} phases, {len(plan.milestones)} milestones, "
        f"{len(plan.measures)} measures, {len(plan.pages)} pages."
    )
    return 0


def run_schema(args: argparse.Namespace) -> int:
    """`techplan schema DIR`: write the JSON Schema files."""
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, schema_name in SCHEMA_NAMES.items():
        (folder / schema_name).write_text(render_schema(file_name), encoding="utf-8")
        print(f"wrote {folder / schema_name}")
    return 0
