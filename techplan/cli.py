"""The `techplan` command: check the plan, diff revisions, edit its data and write its schemas."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import markdown as markdown_lib

from techplan.cache import DiskCache, cache_folder, finish_packs
from techplan.compare.diff import DiffError, PlanDiff, diff_plan, render_json, render_markdown
from techplan.edit.cli import add_edit_commands
from techplan.errors import TechplanError
from techplan.files import WriteError, read_if_exists, replace_file, write_output
from techplan.history.audit import audit_history
from techplan.history.lives import check_reused_ids
from techplan.history.notes import HistoryNote, history_report
from techplan.jobs import exit_soon
from techplan.plan.load import load_plan
from techplan.plan.model import Measure, Milestone
from techplan.plan.reference import END, START, reference_markdown, update_reference
from techplan.plan.spec import SCHEMA_NAMES, render_schema
from techplan.problems import render_report
from techplan.site.config import Site, load_site


def run() -> NoReturn:
    """The `techplan` command: `main`, then exit without the collector's last passes over everything (`exit_soon`)."""
    status = main()
    exit_soon()
    raise SystemExit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except TechplanError as error:
        print(f"techplan: {error.message}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    finally:
        finish_packs()  # what the command added to the cache, on disk before it returns


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
        "Exits 1 and lists every problem as path:line: field: message, or exits 0 when clean. "
        "Warnings (path:line: warning: ...), such as a script in a page, are listed but leave the "
        "exit status 0; a strict build (mkdocs build --strict, as make site runs) stops on them, "
        "as it stops on every MkDocs warning.",
    )
    check.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text (default) or github: annotations that show on a pull request's diff",
    )
    check.add_argument(
        "--history",
        action="store_true",
        help="also read the plan's whole git history: every past version of every data file, every tag and "
        "commit, and list what cannot be read (history cannot be changed, so this exits 0 unless --strict)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="with --history: exit 1 if the history holds anything that cannot be read",
    )
    check.set_defaults(run=run_check)

    add_edit_commands(commands)

    diff = commands.add_parser(
        "diff",
        help="what changed in the plan between two git revisions, for reviewers",
        description="Compare the plan at BASE with HEAD (any git revisions: tags, branches, commits). "
        "HEAD defaults to the work tree, uncommitted edits included. Shows the pages changed with "
        "redlines, milestone and measure changes in plain English, the change notes found, and warnings "
        "such as a due date moved without a change note.",
    )
    diff.add_argument("base", metavar="BASE", help="the revision to compare from, like v2 or origin/main")
    diff.add_argument("head", metavar="HEAD", nargs="?", help="the revision to compare to (default: the work tree)")
    diff.add_argument(
        "--format",
        choices=("markdown", "html", "json"),
        default="markdown",
        help="markdown (default: for a pull-request comment), html (a redline page) or json (for bots)",
    )
    diff.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write here instead of standard output: a file (replaced whole, never half written), "
        "a device or pipe (written in place), or - for standard output",
    )
    diff.set_defaults(run=run_diff)

    verify = commands.add_parser(
        "verify",
        help="check a built site, a folder or a URL, by building it again from the repository",
        description="Read the site's manifest.json, build the commit it names again (with its tags and as-at "
        "date, in a temporary clone: your work tree is not touched) and compare every file byte for byte. "
        "Exits 0 when every file is what the commit builds, 1 when any differs, is missing or is extra "
        "(each is listed), 2 when the site cannot be verified (no manifest, a commit or tag this repository "
        "does not have, a site built with uncommitted edits, other versions of techplan, MkDocs or the theme).",
    )
    verify.add_argument("site", metavar="SITE", help="the built site: a folder, or its http:// or https:// address")
    verify.add_argument(
        "--repo",
        type=Path,
        default=Path("."),
        help="the plan's git repository (default: the one holding this folder)",
    )
    verify.add_argument(
        "--cache",
        action="store_true",
        help="reuse the repository's disk cache for the rebuild (faster; by default the rebuild starts from "
        "nothing and trusts no cached file)",
    )
    verify.add_argument(
        "--anyway",
        action="store_true",
        help="rebuild even if other versions of techplan, MkDocs or the theme built the site (differences may "
        "then come from the versions)",
    )
    verify.set_defaults(run=run_verify)

    schema = commands.add_parser(
        "schema",
        help="check data files against the JSON Schema, or write the schema files",
        description="Check data files against the JSON Schema editors use (every phase.yml, "
        "milestones.yml and measures.yml in the plan, or the files named), or with --write DIR "
        "write the schema files.",
    )
    schema.add_argument("files", type=Path, nargs="*", help="data files to check (default: all)")
    schema.add_argument("--write", type=Path, metavar="DIR", help="write the .schema.json files into DIR")
    schema.set_defaults(run=run_schema)

    reference = commands.add_parser(
        "reference",
        help="print the reference of every data field and extra.plan setting, or write it into REFERENCE.md",
        description="Print the reference of every data field and extra.plan setting as Markdown tables, "
        "written from the formats declared in techplan/plan/spec.py, or with --write FILE replace the part "
        f"of FILE between the lines {START} and {END}.",
    )
    reference.add_argument("--write", type=Path, metavar="FILE", help="update the reference in FILE (REFERENCE.md)")
    reference.set_defaults(run=run_reference)
    return parser


def run_check(args: argparse.Namespace) -> int:
    """`techplan check`: every problem in the plan, or a one-line all-clear."""
    site = load_site(args.config_file)
    settings, problems = site.settings, site.problems
    cache = DiskCache(cache_folder(settings.root))
    plan, plan_problems = load_plan(settings, cache=cache)
    reused, not_looked = check_reused_ids(settings, plan, cache)
    plan_problems += reused
    if not_looked is not None:
        print(f"Ids were not checked against the plan's history (an id is never reused): {not_looked}")
    notes: list[HistoryNote] = []
    if args.history:
        history_notes, history_problems = audit_history(settings, cache)
        notes, plan_problems = history_notes, plan_problems + history_problems
    problems = sorted(set(problems + plan_problems))
    errors = [problem for problem in problems if problem.is_error]
    if notes:
        print(history_report(notes), file=sys.stderr if args.format == "github" else sys.stdout)
    if problems:
        if args.format == "github":
            print("\n".join(problem.render_github() for problem in problems))
        print(render_report(problems), file=sys.stderr if args.format == "github" else sys.stdout)
    if errors:
        return 1
    summary = (
        f"{len(plan.phases)} phases, {len(plan.milestones)} milestones, "
        f"{len(plan.measures)} measures, {len(plan.pages)} pages."
        + (" Its history reads cleanly." if args.history and not notes else "")
    )
    print(
        f"The plan has no problems, only the warnings above: {summary}" if problems else f"The plan is clean: {summary}"
    )
    return 1 if notes and args.strict else 0


def run_diff(args: argparse.Namespace) -> int:
    """`techplan diff BASE [HEAD]`: the comparison in the format asked for."""
    site = load_site(args.config_file)
    settings = site.settings
    # The table of contents extension only adds ids and permalinks, which a diff never shows.
    extensions, configs = site.markdown_setup(leave_out=("toc", "markdown.extensions.toc"))

    def markdown() -> markdown_lib.Markdown:
        return markdown_lib.Markdown(extensions=extensions, extension_configs=configs)

    cache = DiskCache(cache_folder(settings.root))
    key = json.dumps([extensions, configs], sort_keys=True, default=_named)
    try:
        result = diff_plan(settings, args.base, args.head, markdown, cache, key)
    except DiffError as error:
        print(f"techplan: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        text = render_json(result)
    elif args.format == "html":
        text = render_html(result, site)
    else:
        text = render_markdown(result)
    if args.output:
        try:
            write_output(args.output, text.encode("utf-8"))
        except WriteError as error:
            print(f"techplan: {error.message}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    return 0


def _named(value: object) -> str:
    """A name for a Markdown setting that is a Python object (an emoji index, say), stable between runs."""
    return str(getattr(value, "__qualname__", None) or type(value).__qualname__)


def render_html(result: PlanDiff, site: Site) -> str:
    """The comparison as a standalone redline page, from the site's templates."""
    from techplan.site.records import link_records, record_url  # imported here: only the html format needs them
    from techplan.site.render import standalone_environment

    env = standalone_environment(site.custom_dir)
    site_url = str(site.mkdocs.site_url or "")
    if site_url:
        # Each id named in the data changes links to its record's page on the published site, title beside it.
        plan, _ = load_plan(site.settings)
        directory_urls = bool(site.mkdocs.use_directory_urls)
        root = site_url.rstrip("/") + "/"
        records: list[Milestone | Measure] = [*plan.milestones, *plan.measures]
        links = {r.id: (root + record_url(r.id, directory_urls), r.title) for r in records}
        env.globals["plan_record_text"] = lambda text: link_records(text, links, lambda target: target)
    return env.get_template("partials/plan-diff.html").render(diff=result, site_name=site.name)


def run_verify(args: argparse.Namespace) -> int:
    """`techplan verify SITE`: 0 verified, 1 differences, 2 could not verify."""
    from techplan.site.verify import verify  # imported here: only this command needs it

    return verify(args.site, args.repo, reuse_cache=args.cache, anyway=args.anyway)


def run_schema(args: argparse.Namespace) -> int:
    """`techplan schema [FILES]`: check data files against the schema; `--write DIR`: write the schema files."""
    from techplan.plan.schemacheck import schema_problems  # imported here: jsonschema is slow to import

    if args.write is not None:
        folder: Path = args.write
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, schema_name in SCHEMA_NAMES.items():
            (folder / schema_name).write_text(render_schema(file_name), encoding="utf-8")
            print(f"wrote {folder / schema_name}")
        return 0
    files: list[Path] = args.files
    if not files:
        plan_dir = load_site(args.config_file).settings.plan_dir
        files = sorted(p for p in plan_dir.rglob("*.yml") if p.name in SCHEMA_NAMES)
    root = args.config_file.resolve().parent
    problems = []
    for path in files:
        display = os.path.relpath(path.resolve(), root).replace(os.sep, "/")
        problems += schema_problems(path, display)
    if problems:
        print(render_report(problems))
        return 1
    count = len(files)
    print(f"{count} data file{'s match' if count != 1 else ' matches'} the JSON Schema.")
    return 0


def run_reference(args: argparse.Namespace) -> int:
    """`techplan reference`: the field and settings reference; `--write FILE`: update it in FILE."""
    if args.write is None:
        sys.stdout.write(reference_markdown())
        return 0
    path: Path = args.write
    old = read_if_exists(path)
    if old is None:
        raise TechplanError(f"{path}: no such file; the reference is written into an existing file, between markers")
    new = update_reference(old.decode("utf-8"), str(path))
    if new.encode("utf-8") == old:
        print(f"{path} is up to date.")
    else:
        replace_file(path, new.encode("utf-8"))
        print(f"wrote the reference into {path}")
    return 0
