"""`techplan check --history`: everything in the repository's past that the site cannot read.

The build reads only what it shows (each revision's data, each version of the milestone files
for slippage) and notes what it cannot read. The audit reads more: every version of every data
file ever published on the first-parent line, every tag, every commit's date and notes, so
maintainers can see at once what the permanent record holds.
"""

from __future__ import annotations

import posixpath

from techplan.cache import DiskCache
from techplan.history.changes import open_repository
from techplan.history.log import build_index, read_log
from techplan.history.notes import HistoryNote
from techplan.history.past import PastReader
from techplan.history.revisions import read_revisions
from techplan.plan.load import PHASE_FOLDER
from techplan.plan.settings import PlanConfig
from techplan.plan.spec import FILES
from techplan.problems import Problem


def audit_history(settings: PlanConfig, cache: DiskCache) -> tuple[list[HistoryNote], list[Problem]]:
    """History notes on every past commit, tag and data file version, and problems that must be fixed.

    Raises HistoryUnavailable when there is no history to read (no git, not a repository, shallow).
    """
    repo, state, prefix = open_repository(settings)
    try:
        if state.head is None:
            return [], []
        commits, notes = read_log(repo, state.head)
        index = build_index(commits, state.head, frozenset(), notes)
        past = PastReader(repo.blobs, cache)
        versions: dict[str, tuple[str, str]] = {}
        for commit in reversed(index.chain):
            for change in commit.changes:
                folder, name = posixpath.split(change.path.removeprefix(prefix))
                if (
                    change.status != "D"
                    and change.path.startswith(prefix)
                    and name in FILES
                    and PHASE_FOLDER.fullmatch(folder)
                ):
                    versions.setdefault(change.new_blob, (commit.sha, change.path))
        past.check_versions(versions)
        revisions, tag_notes, problems = read_revisions(repo, state.tags, settings.revisions, prefix, index.chain)
        for revision in revisions:
            past.plan_at(settings, revision.files, revision.commit, f"revision {revision.name}")
        return sorted({*index.notes, *tag_notes, *past.notes}), problems
    finally:
        repo.close()
