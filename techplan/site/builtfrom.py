"""Where a build came from: the commit, the revision it belongs to, the as-at date, and what was not committed.

Every page names it in its footer (partials/plan-built-from.html) and the manifest records it
(techplan.site.manifest), so that `techplan verify` can build the same site again.

A build *belongs to* the newest revision whose tagged commit is on the published branch's
first-parent line at or before the commit built: that revision is the plan as last published,
and the commits after it on the line are what has been published since. Only those that changed
a file of the plan count as changes to it; a commit that changed only the engine or the site's
settings leaves the plan reading as the revision did.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from techplan.history.git import GitError, Repository
from techplan.history.log import Commit, RepoState
from techplan.history.revisions import Revision

_PREFIX = "refs/tags/"
_TAG_FIELDS = 7


@dataclass(frozen=True, slots=True)
class BuildSource:
    """The commit a build reads, and the revision it belongs to; None fields when there is no history."""

    commit: str | None = None
    """HEAD's full sha."""
    date: datetime | None = None
    """When HEAD was committed."""
    revision: str | None = None
    """The revision the commit belongs to: the newest on the first-parent line at or before it."""
    revision_title: str = ""
    revision_commit: str = ""
    commits_since: int = 0
    """First-parent commits after the revision's."""
    changes_since: int = 0
    """Of those, the commits that changed a file of the plan."""
    tags: tuple[tuple[str, str], ...] = ()
    """(refname, object sha) of every tag the revision pattern matches: the build read them all."""
    shallow: bool = False
    """Whether the clone's history was cut short."""

    @property
    def is_revision(self) -> bool:
        """Whether the commit built is the revision's own."""
        return self.revision is not None and self.commits_since == 0


def build_source(
    state: RepoState, chain: tuple[Commit, ...], revisions: list[Revision], prefix: str, pattern: str
) -> BuildSource:
    """What a build reads: HEAD, the revision it belongs to (see the module's docstring), the tags it read."""
    head = state.head
    tags = tag_refs(state.tags, pattern)
    if head is None:
        return BuildSource(tags=tags)
    position = {commit.sha: n for n, commit in enumerate(chain)}
    on_line = [(position[r.commit], n, r) for n, r in enumerate(revisions) if r.commit in position]
    when = chain[0].date if chain and chain[0].sha == head else None
    if not on_line:
        return BuildSource(head, when, tags=tags, shallow=state.shallow)
    # The nearest tagged commit; of two tags on one commit, the later revision (revisions are oldest first).
    at, _, revision = min(on_line, key=lambda item: (item[0], -item[1]))
    changes = sum(
        1 for commit in chain[:at] if any(_touches(change.path, change.old_path, prefix) for change in commit.changes)
    )
    return BuildSource(head, when, revision.name, revision.title, revision.commit, at, changes, tags, state.shallow)


def _touches(path: str, old_path: str, prefix: str) -> bool:
    """Whether a file change is in the plan's folder."""
    return path.startswith(prefix) or old_path.startswith(prefix)


def tag_refs(tag_list: str, pattern: str) -> tuple[tuple[str, str], ...]:
    """(refname, object sha) of each tag in `git for-each-ref` output (revisions.TAG_FORMAT) the pattern matches."""
    fields = tag_list.split("\0")
    refs = []
    for start in range(0, len(fields) - _TAG_FIELDS + 1, _TAG_FIELDS):
        refname = fields[start].lstrip("\n")
        if refname.startswith(_PREFIX) and fnmatch.fnmatchcase(refname.removeprefix(_PREFIX), pattern):
            refs.append((refname, fields[start + 2]))
    return tuple(sorted(refs))


@dataclass(frozen=True, slots=True)
class BuiltFrom:
    """Everything the footer and the manifest say about a build."""

    as_at: date
    """The date the plan is shown as at."""
    history: str
    """full, partial or off: how the build read the history."""
    source: BuildSource = field(default_factory=BuildSource)
    uncommitted: tuple[str, ...] = ()
    """Paths (relative to the repository) with edits not committed when the site was built."""
    shallow: bool = False
    """Whether the clone's history was cut short."""
    config: str = "mkdocs.yml"
    """The site's config file, relative to the repository's root."""
    commit_url: str | None = None
    """The commit on the git host, when the site names its repository."""
    revision_url: str | None = None
    """The revision's page in the site."""

    @property
    def commit(self) -> str | None:
        """The commit built, if the build read one."""
        return self.source.commit

    @property
    def verifiable(self) -> bool:
        """Whether a build from the repository can give the same files: a clean commit, fully read."""
        return self.commit is not None and not self.uncommitted and not self.shallow and self.history != "off"


def uncommitted_paths(repo: Repository, leave_out: list[Path]) -> tuple[str, ...]:
    """Paths anywhere in the repository with edits not committed, new files included; the built site and cache left out.

    A new folder is one path (git's own `normal` listing), so a site folder that git does not
    ignore costs one line, not one per file.
    """
    excluded = []
    for path in leave_out:
        relative = os.path.relpath(os.path.abspath(path), repo.root)
        if not relative.startswith(".."):
            excluded.append(f":(top,exclude){Path(relative).as_posix()}")
    try:
        output = repo.run_bytes("status", "--porcelain=v1", "-z", "--untracked-files=normal", "--", ":/", *excluded)
    except GitError:
        return ("(git status failed)",)
    paths: list[str] = []
    tokens = iter(output.split(b"\0"))
    for token in tokens:
        if len(token) < 4:
            continue
        paths.append(os.fsdecode(token[3:]))
        if token[:1] in (b"R", b"C"):
            next(tokens, None)  # the name before the rename
    return tuple(sorted(set(paths)))
