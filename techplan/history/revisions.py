"""Plan revisions: annotated tags, and the plan's files as each of them had it."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from techplan.history.git import Repository
from techplan.history.log import Commit

DEFAULT_PATTERN = "v*"
"""Tags that name plan revisions unless extra.plan.revisions says otherwise."""


@dataclass(frozen=True, slots=True)
class Revision:
    """A published revision of the plan: an annotated tag."""

    name: str
    """The tag (`v2`)."""
    title: str
    """The tag message's first line."""
    summary: str
    """The rest of the tag message."""
    date: datetime
    """When the revision was tagged, with the tagger's offset."""
    commit: str
    """The tagged commit's full sha."""
    files: dict[str, str]
    """Blob sha of every file in the plan directory, by path relative to it."""

    @property
    def slug(self) -> str:
        """The revision's name as a URL path segment."""
        return "".join(c if c.isalnum() or c in "-_." else "-" for c in self.name)


def read_revisions(
    repo: Repository, tag_list: str, pattern: str, prefix: str, chain: tuple[Commit, ...]
) -> list[Revision]:
    """Every annotated tag matching the pattern, oldest first, with the plan's files at each.

    `tag_list` is what `git for-each-ref --format=TAG_FORMAT refs/tags` printed. The files at a
    tagged commit come from replaying the first-parent history already read (one `git ls-tree`
    only for a tag off that line).
    """
    tags = []
    for record in tag_list.split("\x1e"):
        fields = record.strip("\n").split("\x1f")
        if len(fields) != 5:
            continue
        kind, name, commit, tagged, message = fields
        if kind != "tag" or not commit or not fnmatch.fnmatchcase(name, pattern):
            continue  # lightweight tags have no message, date or author: they are not revisions
        title, _, summary = message.strip().partition("\n")
        tags.append((datetime.fromisoformat(tagged), name, commit, title.strip(), _strip_signature(summary)))
    tags.sort(key=lambda tag: (tag[0], tag[1]))
    trees = trees_at(chain, prefix, {commit for _, _, commit, _, _ in tags})
    revisions = []
    for date, name, commit, title, summary in tags:
        files = trees.get(commit)
        if files is None:
            files = _ls_tree(repo, commit, prefix)
        revisions.append(Revision(name, title, summary, date, commit, files))
    return revisions


def trees_at(chain: tuple[Commit, ...], prefix: str, wanted: Iterable[str]) -> dict[str, dict[str, str]]:
    """The plan's files (path relative to the plan directory → blob) at each wanted commit on the chain."""
    wanted = set(wanted)
    tree: dict[str, str] = {}
    trees: dict[str, dict[str, str]] = {}
    for commit in reversed(chain):  # oldest first: each first-parent diff applies to the tree before it
        for change in commit.changes:
            if (change.old_path != change.path or change.status == "D") and change.old_path.startswith(prefix):
                tree.pop(change.old_path.removeprefix(prefix), None)
            if change.status != "D" and change.path.startswith(prefix):
                tree[change.path.removeprefix(prefix)] = change.new_blob
        if commit.sha in wanted:
            trees[commit.sha] = dict(tree)
    return trees


def _ls_tree(repo: Repository, commit: str, prefix: str) -> dict[str, str]:
    """The plan's files at a commit off the first-parent line, from `git ls-tree`."""
    output = repo.run("ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix)
    files = {}
    for entry in output.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        _, kind, sha = meta.split()
        if kind == "blob":
            files[path.removeprefix(prefix)] = sha
    return files


def _strip_signature(summary: str) -> str:
    """A tag message's summary without a PGP or SSH signature block."""
    for marker in ("-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----"):
        summary = summary.split(marker, 1)[0]
    return summary.strip()
