"""What changed, per page and across the plan: the views readers get of the history."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from techplan.cache import DiskCache
from techplan.errors import TechplanError
from techplan.history.git import GitError, GitUnavailable, NotARepository, Repository, UntrustedRepository
from techplan.history.log import Commit, Event, History, RepoState, read_history, repo_state
from techplan.plan.model import Plan
from techplan.plan.settings import PlanConfig


class HistoryUnavailable(TechplanError):
    """The build cannot show a truthful history; the message says why and what to do."""


def open_repository(settings: PlanConfig) -> tuple[Repository, RepoState, str]:
    """The repository holding the plan, its state, and the plan's folder in it (`plan/`).

    Raises HistoryUnavailable, saying what to do, where the history would mislead.
    """
    try:
        repo = Repository(settings.plan_dir)
    except GitUnavailable as error:
        raise HistoryUnavailable(error.message) from None
    except NotARepository:
        raise HistoryUnavailable(
            f"{settings.display(settings.plan_dir)} is not in a git repository (a downloaded archive?), "
            "so the site cannot show when and why the plan changed. Build from a clone of the repository, "
            "or build without history: TECHPLAN_HISTORY=off (or extra.plan.history: off in mkdocs.yml)."
        ) from None
    prefix = settings.plan_dir.relative_to(repo.root).as_posix() + "/"
    try:
        state = repo_state(repo, prefix)
    except UntrustedRepository as error:
        repo.close()
        raise HistoryUnavailable(error.message) from None
    except GitError as error:
        repo.close()
        raise HistoryUnavailable(f"reading the plan's history from git failed: {error}") from error
    if state.shallow and settings.history != "partial":
        repo.close()
        raise HistoryUnavailable(
            "this is a shallow clone: git history was cut short (CI checkouts fetch one commit by "
            "default), so pages would show wrong 'last updated' dates and miss earlier changes. "
            "Fetch the full history and build again: in GitHub Actions give actions/checkout "
            "'fetch-depth: 0'; elsewhere run 'git fetch --unshallow'. To build anyway with every "
            "history marked incomplete, set TECHPLAN_HISTORY=partial (or extra.plan.history: partial)."
        )
    return repo, state, prefix


def load_changelog(
    settings: PlanConfig,
    plan: Plan,
    repo: Repository,
    state: RepoState,
    prefix: str,
    files: list[str],
    cache: DiskCache | None = None,
) -> ChangeLog:
    """The plan's change history from git; `files` are every source file, relative to the plan directory."""
    try:
        history = read_history(repo, state, [prefix + path for path in files], cache)
    except GitError as error:
        raise HistoryUnavailable(f"reading the plan's history from git failed: {error}") from error
    return ChangeLog(plan, history, prefix, settings.timezone)


@dataclass(frozen=True, slots=True)
class Update:
    """One commit's change to a page (or to the whole plan): the files it changed and why."""

    commit: Commit
    notes: tuple[str, ...]
    major: bool
    files: tuple[str, ...]
    """The files changed, relative to the plan directory."""
    records: tuple[str, ...]
    """Ids of milestones and measures whose entries changed."""

    @property
    def sha(self) -> str:
        """The commit's full sha."""
        return self.commit.sha


@dataclass(frozen=True, slots=True)
class PageHistory:
    """A page's updates, newest first, and what the preview knows beyond them."""

    page: str
    updates: tuple[Update, ...]
    unpublished: bool
    """Whether the page or the data it shows has edits not yet committed."""
    incomplete: bool
    """Whether earlier history is missing (a shallow clone)."""

    @property
    def majors(self) -> tuple[Update, ...]:
        """The updates readers are told about: those with a change note."""
        return tuple(u for u in self.updates if u.major)

    @property
    def last_updated(self) -> Update | None:
        """The latest major update."""
        return next(iter(self.majors), None)

    @property
    def first_published(self) -> Update | None:
        """The oldest update: when the page first appeared."""
        return self.updates[-1] if self.updates else None


class ChangeLog:
    """The plan's history as the site shows it: per file, per page and plan-wide."""

    def __init__(self, plan: Plan, history: History, plan_prefix: str, timezone: str) -> None:
        self.plan = plan
        self.history = history
        self.prefix = plan_prefix
        """The plan directory relative to the repository root, with a trailing slash (`plan/`)."""
        self.zone = ZoneInfo(timezone)
        self.files = {
            path[len(plan_prefix) :]: events for path, events in history.files.items() if path.startswith(plan_prefix)
        }
        """Events by file, relative to the plan directory."""
        self._pages: dict[str, PageHistory] = {}
        self._order = {commit.sha: position for position, commit in enumerate(history.chain)}
        self.sources = {page: sources_of(plan, page, plan.blocks.get(page, ())) for page in plan.pages}
        """The files each page shows: its own, and the data its blocks draw from."""
        self._site_order = {page: position for position, page in enumerate(plan.pages)}
        self._shown_on: dict[str, list[str]] = {}
        for page, sources in self.sources.items():
            for source in sources:
                self._shown_on.setdefault(source, []).append(page)

    def local_date(self, commit: Commit) -> date:
        """The day a commit landed, in the site's time zone."""
        return commit.date.astimezone(self.zone).date()

    def page(self, page: str) -> PageHistory:
        """The history of one page, combining its own file's and its data's."""
        if page not in self._pages:
            sources = self.sources.get(page, [page])
            updates = self._combine((source, event) for source in sources for event in self.files.get(source, []))
            unpublished = any(self.prefix + source in self.history.unpublished for source in sources)
            self._pages[page] = PageHistory(page, tuple(updates), unpublished, self.history.shallow)
        return self._pages[page]

    def plan_updates(self, folder: str | None = None) -> list[Update]:
        """Major updates to the whole plan, or to one phase folder, newest first."""
        pairs = (
            (path, event)
            for path, events in self.files.items()
            if folder is None or path.startswith(folder + "/")
            for event in events
            if event.major
        )
        return self._combine(pairs)

    def _combine(self, pairs: Iterable[tuple[str, Event]]) -> list[Update]:
        """Merge file events into one update per commit, newest first along the published line."""
        by_commit: dict[str, tuple[Commit, list[str], list[str], list[str], bool]] = {}
        for path, event in pairs:
            entry = by_commit.setdefault(event.commit.sha, (event.commit, [], [], [], False))
            commit, files, notes, records, major = entry
            files.append(path)
            notes.extend(n for n in event.notes if n not in notes)
            records.extend(r for r in event.records if r not in records)
            by_commit[event.commit.sha] = (commit, files, notes, records, major or event.major)
        updates = [
            Update(commit, tuple(notes), major, tuple(files), tuple(records))
            for commit, files, notes, records, major in by_commit.values()
        ]
        updates.sort(key=lambda u: self._order.get(u.sha, 0))
        return updates

    def pages_of(self, update: Update) -> list[str]:
        """The pages an update changed: those whose own file or shown data it touched, in site order."""
        pages = {page for path in update.files for page in self._shown_on.get(path, ())}
        return sorted(pages, key=self._site_order.__getitem__)

    def to_json(self) -> str:
        """changes.json: every file's publication events, and each page's combined view."""
        data: dict[str, Any] = {
            "commit": self.history.head,
            "shallow": self.history.shallow,
            "files": {path: [_event_json(e) for e in events] for path, events in sorted(self.files.items())},
            "pages": {
                page: [
                    {
                        "commit": u.sha,
                        "date": u.commit.date.isoformat(),
                        "note": "\n\n".join(u.notes) if u.notes else None,
                        "major": u.major,
                        "files": list(u.files),
                    }
                    for u in self.page(page).updates
                ]
                for page in self.plan.pages
            },
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def sources_of(plan: Plan, page: str, placed: tuple[str, ...]) -> list[str]:
    """The files a page shows: its own, and the data the blocks it places draw from."""
    blocks = set(placed)
    phase = next((p for p in plan.phases if p.index_page == page), None)
    files = [page]
    if phase is not None:
        blocks |= {"milestones", "measures"}
        files += [f for f in plan.data_files if posixpath.dirname(f) == phase.folder]
    if blocks & {"roadmap", "phases", "coming-due"}:
        files += [f for f in plan.data_files if f.endswith("/milestones.yml")]
    if blocks & {"roadmap", "phases"}:
        files += [f for f in plan.data_files if f.endswith("/phase.yml")]
    return list(dict.fromkeys(files))


def _event_json(event: Event) -> dict[str, Any]:
    """One file event as changes.json lists it."""
    return {
        "commit": event.commit.sha,
        "date": event.commit.date.isoformat(),
        "note": event.note,
        "major": event.major,
    }
