"""Replay a story onto a plan: a new git repository whose history ends with exactly the project's plan.

The story (a YAML file, see demo/story.yml) is a list of dated steps: commits, pull-request merges and
tags, each saying how the plan changed. Earlier versions of every file are derived by undoing the steps
from the project's current plan/ (techplan.demo.derive), then written forwards as real commits. Dates,
names and contents are fixed, so the commit shas are too. Every commit's mkdocs.yml lists the pages
that exist at that point, so each one builds with --strict.

    python -m techplan.demo demo/story.yml /tmp/techplan-demo --project .
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from techplan.demo.derive import Change, Derivation, Patch, Rename, Write, derive
from techplan.demo.model import Commit, Due, Merge, Person, Story, StoryError
from techplan.demo.siteconfig import demo_mkdocs, nav_for
from techplan.demo.story import TAG_DELAY, read_story

MAIN = "main"
GITIGNORE = "site/\n.cache/\n"


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """What a replay wrote, for tests and the command line to check against."""

    commits: int
    """Every commit reachable from HEAD, merges and branch commits included."""
    merges: int
    tags: tuple[str, ...]
    """Tag names in the order they were made."""
    head: str
    """The full sha of main's last commit."""
    reforecasts: tuple[tuple[str, tuple[date, ...]], ...]
    """Each re-forecast milestone with its due dates over time, first to last."""


def load_story(story_path: Path, project: Path) -> tuple[Story, Derivation, dict[str, str]]:
    """Read a story and derive it from the project's plan; a StoryError listing every problem if it does not fit."""
    plan = project / "plan"
    if not (project / "mkdocs.yml").is_file() or not plan.is_dir():
        raise StoryError(f"{project} is not a plan project: it needs mkdocs.yml and a plan/ folder")
    story, problems = read_story(story_path)
    if story is None:
        raise StoryError.from_problems(problems)
    final = {p.relative_to(plan).as_posix(): _text(p.read_bytes()) for p in sorted(plan.rglob("*")) if p.is_file()}
    derivation, more = derive(final, story.steps, story.path)
    if derivation is None or problems:
        raise StoryError.from_problems(problems + more)
    return story, derivation, final


def replay(target: Path, project: Path, story_path: Path) -> ReplaySummary:
    """Write a story's history into a new git repository at target, ending with exactly project's plan."""
    project, target = project.resolve(), Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise StoryError(f"{target} must be an empty folder or not exist yet")
    story, derivation, final = load_story(story_path, project)
    replayer = _Replayer(target, project, story, derivation, final)
    head = replayer.run()
    git = replayer.git
    return ReplaySummary(
        commits=int(git("rev-list", "--count", "HEAD").strip()),
        merges=int(git("rev-list", "--count", "--merges", "HEAD").strip()),
        tags=tuple(replayer.tags),
        head=head,
        reforecasts=_reforecasts(story),
    )


class _Git:
    """The git command in one repository, with a hermetic configuration and an identity and date per call."""

    def __init__(self, root: Path, who: Person) -> None:
        self.root = root
        self.who = who
        # Nothing from the user's or the system's git configuration, nor from a git that called us.
        self.base = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
        self.base.update(
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_CONFIG_NOSYSTEM="1",
            GIT_TERMINAL_PROMPT="0",
            GIT_EDITOR="true",
            LC_ALL="C",
            TZ="UTC",
        )

    def __call__(self, *args: str, who: Person | None = None, when: datetime | None = None) -> str:
        """Run git as someone at some moment; its output."""
        env = dict(self.base)
        person = who or self.who
        stamp = (when or datetime(2020, 1, 1, tzinfo=UTC)).isoformat()
        for role in ("AUTHOR", "COMMITTER"):
            env.update({f"GIT_{role}_NAME": person.name, f"GIT_{role}_EMAIL": person.email, f"GIT_{role}_DATE": stamp})
        command = ["git", "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "commit.gpgSign=false", *args]
        result = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise StoryError(f"git {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout


def _message(subject: str, body: str, note: str | None) -> str:
    """A commit message: subject, optional body, and the Change-note trailer as the last paragraph."""
    parts = [subject, body] if body else [subject]
    if note:
        parts.append(f"Change-note: {note}")
    return "\n\n".join(parts) + "\n"


class _Replayer:
    """Writes the story into a new repository, checking the work tree against the derived plan as it goes."""

    def __init__(
        self, target: Path, project: Path, story: Story, derivation: Derivation, final: dict[str, str]
    ) -> None:
        self.target = target
        self.plan = target / "plan"
        self.story = story
        self.derivation = derivation
        self.final = final
        self.mkdocs = demo_mkdocs(project, story.today)
        self.plan_pages = {path for path in final if path.endswith(".md")}
        self.git = _Git(target, story.tagger)
        self.model: dict[str, str] = {}
        """The plan as main has it."""
        self.pending: dict[str, list[Change]] = {}
        """Each open pull request's changes, which reach the model of main when it is merged."""
        self.branch = MAIN
        self.tags: list[str] = []

    def run(self) -> str:
        """Replay every step; the final HEAD."""
        self.target.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", MAIN)
        (self.target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        for step, changes in zip(self.story.steps, self.derivation.changes, strict=True):
            if isinstance(step, Merge):
                self._switch(MAIN)
                message = _message(f"Merge pull request #{step.number} from {step.branch}", step.title, step.note)
                self.git("merge", "-q", "--no-ff", "-m", message, step.branch, who=step.who, when=step.when)
                self.git("branch", "-q", "-d", step.branch)
                for change in self.pending.pop(step.branch):
                    _change_texts(self.model, change)
                self._check_main(f"the merge at line {step.line}")
            else:
                self._switch(step.branch or MAIN)
                for change in changes:
                    self._apply(change)
                    if step.branch is None:
                        _change_texts(self.model, change)
                    else:
                        self.pending.setdefault(step.branch, []).append(change)
                self._write_mkdocs()
                self.git("add", "-A")
                self.git(
                    "commit", "-q", "-m", _message(step.subject, step.body, step.note), who=step.who, when=step.when
                )
                if step.branch is None:
                    self._check_main(f"the commit at line {step.line}")
            if step.tag is not None:
                tag = step.tag
                self.git("tag", "-a", tag.name, "-m", f"{tag.title}\n\n{tag.summary}\n", when=step.when + TAG_DELAY)
                self.tags.append(tag.name)
        if self.model != self.final or self._disk() != self.final:
            raise StoryError("the replay did not end with the current plan")
        return self.git("rev-parse", "HEAD").strip()

    def _switch(self, branch: str) -> None:
        """Check out a branch, creating a pull request's branch from main the first time."""
        if branch == self.branch:
            return
        exists = self.git("branch", "--list", branch).strip()
        self.git("switch", "-q", *(() if exists else ("-c",)), branch, *(() if exists else (MAIN,)))
        self.branch = branch

    def _apply(self, change: Change) -> None:
        """Make one change in the work tree of the current branch."""
        if isinstance(change, Rename):
            self.git("mv", f"plan/{change.src}", f"plan/{change.dst}")
            return
        path = self.plan / change.path
        texts = {change.path: _text(path.read_bytes())} if path.exists() else {}
        try:
            _change_texts(texts, change)
        except StoryError as error:
            raise StoryError(f"on {self.branch}: {error}") from error
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_bytes(texts[change.path]))

    def _write_mkdocs(self) -> None:
        """mkdocs.yml with a nav of the pages in the work tree, so every commit builds."""
        pages = {self.derivation.final_name[p]: p for p in self._disk() if p.endswith(".md")}
        text = nav_for(self.mkdocs, pages, self.plan_pages)
        (self.target / "mkdocs.yml").write_bytes(text.encode("utf-8"))

    def _disk(self) -> dict[str, str]:
        """The plan in the work tree."""
        if not self.plan.exists():
            return {}
        return {
            p.relative_to(self.plan).as_posix(): _text(p.read_bytes())
            for p in sorted(self.plan.rglob("*"))
            if p.is_file()
        }

    def _check_main(self, what: str) -> None:
        """Main's work tree must be the derived plan; a merge that git resolved differently is a story bug."""
        if self._disk() != self.model:
            raise StoryError(f"{self.story.path}: after {what}, main differs from the derived plan")


def _text(data: bytes) -> str:
    """A file's bytes as text; bytes that are not UTF-8 survive the round trip through _bytes."""
    return data.decode("utf-8", "surrogateescape")


def _bytes(text: str) -> bytes:
    """Text back to exactly the bytes it was read from."""
    return text.encode("utf-8", "surrogateescape")


def _change_texts(texts: dict[str, str], change: Change) -> None:
    """Make one change in a set of files held as texts."""
    if isinstance(change, Write):
        if change.path in texts:
            raise StoryError(f"{change.path} already exists")
        texts[change.path] = change.text
    elif isinstance(change, Rename):
        texts[change.dst] = texts.pop(change.src)
    else:
        assert isinstance(change, Patch)
        text = texts.get(change.path, "")
        found = text.find(change.old)
        if found == -1 or found != text.rfind(change.old):
            raise StoryError(f"{change.path}: the text to change is not there once: {change.old!r}")
        texts[change.path] = text.replace(change.old, change.new, 1)


def _reforecasts(story: Story) -> tuple[tuple[str, tuple[date, ...]], ...]:
    """Each re-forecast milestone with its due dates in story order."""
    dues: dict[str, list[date]] = {}
    for step in story.steps:
        for op in step.ops if isinstance(step, Commit) else ():
            if isinstance(op, Due):
                dues.setdefault(op.record, [op.old]).append(op.new)
    return tuple((record, tuple(history)) for record, history in dues.items())


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: replay a story into a folder (or only check it) and say what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m techplan.demo",
        description="Create a git repository whose history tells a plan's life, as a story file tells it.",
    )
    parser.add_argument("story", type=Path, help="the story file, like demo/story.yml")
    parser.add_argument("target", type=Path, nargs="?", help="an empty or new folder for the repository")
    parser.add_argument("--project", type=Path, default=Path(), help="the project whose plan/ the story ends with")
    parser.add_argument("--check", action="store_true", help="only check that the story fits the plan")
    args = parser.parse_args(argv)
    if (args.target is None) != args.check:
        parser.error("give a target folder, or --check alone")
    try:
        if args.check:
            story, _, _ = load_story(args.story, args.project.resolve())
            print(f"{story.path}: {len(story.steps)} steps fit the plan in {args.project}")
            return 0
        summary = replay(args.target, args.project, args.story)
    except StoryError as error:
        print(error.message, file=sys.stderr)
        return error.status
    tags = f" and {len(summary.tags)} tags ({summary.tags[0]}..{summary.tags[-1]})" if summary.tags else ""
    print(
        f"Replayed {summary.commits} commits ({summary.merges} merges){tags} into {args.target}; "
        f"HEAD {summary.head[:12]}"
    )
    return 0
