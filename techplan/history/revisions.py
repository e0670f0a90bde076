"""Plan revisions: annotated tags, and the plan's files as each of them had it.

Tags are read by their full names (refs/tags/...), so a branch of the same name never stands in
for one. Only an annotated tag that leads to a commit is a revision: a lightweight tag, or a tag
of a file or folder, is noted and left out. A tag with no tagger line is dated by its commit.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from techplan.cache import DiskCache
from techplan.history.git import GitError, Repository
from techplan.history.log import Commit, parse_raw_date
from techplan.history.notes import HistoryNote
from techplan.history.signatures import Signature, Signers, verify_tags
from techplan.problems import Problem

DEFAULT_PATTERN = "v*"
"""Tags that name plan revisions unless extra.plan.revisions says otherwise."""
TAG_FORMAT = (
    "%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(taggerdate:raw)%00%(contents)%00"
)
"""What `git for-each-ref` says of each tag, every field ended by a NUL byte no tag message can hold."""
_TAG_FIELDS = 7
_PREFIX = "refs/tags/"


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
    tag: str = ""
    """The tag object's sha: what a signature signs, and what its check is cached by."""
    signed: str = ""
    """The kind of signature the tag message carries (SSH, OpenPGP or X.509), or "" for none."""
    signature: Signature | None = None
    """The signature's check, once made: who signed it, verified or not."""

    @property
    def slug(self) -> str:
        """The revision's name as a URL path segment."""
        return slug(self.name)


def slug(name: str) -> str:
    """A tag's name as a URL path segment: letters, digits, `-`, `_` and `.` kept, anything else a dash."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in name)


def list_tags(repo: Repository) -> str:
    """Every tag as `git for-each-ref --format=TAG_FORMAT` lists it."""
    return repo.run_bytes("for-each-ref", f"--format={TAG_FORMAT}", "refs/tags").decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str
    commit: str
    date: datetime | None
    title: str
    summary: str
    tag: str = ""
    signed: str = ""


def read_revisions(
    repo: Repository, tag_list: str, pattern: str, prefix: str, chain: tuple[Commit, ...]
) -> tuple[list[Revision], list[HistoryNote], list[Problem]]:
    """Every annotated tag matching the pattern, oldest first, with the plan's files at each.

    `tag_list` is what list_tags gave. The files at a tagged commit come from replaying the
    first-parent history already read (one `git ls-tree` only for a tag off that line). Returns
    the revisions, notes on tags that are not revisions, and problems: two tags that would be
    published at the same address.
    """
    notes: list[HistoryNote] = []
    tags: list[_Tag] = []
    nested: list[tuple[str, str, str]] = []
    fields = tag_list.split("\0")
    for start in range(0, len(fields) - _TAG_FIELDS + 1, _TAG_FIELDS):
        refname, kind, tag_sha, target_kind, target, tagged, message = fields[start : start + _TAG_FIELDS]
        refname = refname.lstrip("\n")
        name = refname.removeprefix(_PREFIX)
        if not refname.startswith(_PREFIX) or not fnmatch.fnmatchcase(name, pattern):
            continue
        if kind != "tag":
            notes.append(
                HistoryNote(target if kind == "commit" else "", refname, 0, "a lightweight tag has no message or "
                            "date, so it is not a revision; revisions are annotated tags (git tag -a)")
            )  # fmt: skip
            continue
        when, problem = parse_raw_date(tagged.encode()) if tagged else (None, "")
        title, _, summary = _strip_signature(message).partition("\n")
        tag = _Tag(name, target, when, title.strip(), summary.strip(), tag_sha, signature_kind(message))
        if problem:
            notes.append(HistoryNote(target, refname, 0, problem.replace("commit's", "tag's")))
        if target_kind == "commit":
            tags.append(tag)
        elif target_kind == "tag":
            nested.append((refname, message, name))
            tags.append(tag)
        else:
            notes.append(
                HistoryNote("", refname, 0, f"the tag points at a {target_kind or 'missing object'}, not at a "
                            "commit, so it is not a revision")
            )  # fmt: skip
    if nested:
        peeled = _peel(repo, [refname for refname, _, _ in nested])
        for refname, _, name in nested:
            commit = peeled.get(refname)
            index = next(i for i, t in enumerate(tags) if t.name == name)
            if commit is None:
                notes.append(HistoryNote("", refname, 0, "the tag does not lead to a commit, so it is not a revision"))
                del tags[index]
            else:
                tags[index] = replace(tags[index], commit=commit)
    dates = {c.sha: c.date for c in chain}
    undated = [t.commit for t in tags if t.date is None and t.commit not in dates]
    dates.update(_commit_dates(repo, undated))
    revisions_by_tag = []
    for tag in tags:
        when = tag.date
        if when is None:
            when = dates.get(tag.commit)
            notes.append(
                HistoryNote(tag.commit, _PREFIX + tag.name, 0, "the tag has no tagger line, so the revision is "
                            "dated by its commit")
            )  # fmt: skip
        if when is None:
            notes.append(HistoryNote(tag.commit, _PREFIX + tag.name, 0, "the tagged commit cannot be read"))
            continue
        revisions_by_tag.append((when, tag))
    revisions_by_tag.sort(key=lambda pair: (pair[0], pair[1].name))
    problems = _slug_problems([tag.name for _, tag in revisions_by_tag])
    trees = trees_at(chain, prefix, {tag.commit for _, tag in revisions_by_tag})
    revisions = []
    for when, tag in revisions_by_tag:
        files = trees.get(tag.commit)
        if files is None:
            try:
                files = repo.tree(tag.commit, prefix)
            except GitError as error:
                message = f"the tagged files cannot be read: {error}"
                notes.append(HistoryNote(tag.commit, _PREFIX + tag.name, 0, message))
                continue
        revisions.append(Revision(tag.name, tag.title, tag.summary, when, tag.commit, files, tag.tag, tag.signed))
    return revisions, notes, problems


def _peel(repo: Repository, refnames: list[str]) -> dict[str, str]:
    """The commit each tag leads to through tags of tags; tags that lead to no commit are left out."""
    wanted = "".join(f"{refname}^{{commit}}\n" for refname in refnames).encode()
    try:
        output = repo.run_bytes("cat-file", "--batch-check", stdin=wanted).decode("utf-8", "replace")
    except GitError:
        return {}
    peeled = {}
    for refname, line in zip(refnames, output.splitlines(), strict=False):
        parts = line.split()
        if len(parts) == 3 and parts[1] == "commit":
            peeled[refname] = parts[0]
    return peeled


def _commit_dates(repo: Repository, shas: list[str]) -> dict[str, datetime]:
    """The committer dates of commits off the first-parent line, in one `git log`."""
    if not shas:
        return {}
    try:
        output = repo.run_bytes("log", "--no-walk=unsorted", "--format=%H %cd", "--date=raw", *shas, "--")
    except GitError:
        return {}
    dates = {}
    for line in output.decode("ascii", "replace").splitlines():
        sha, _, raw = line.partition(" ")
        when, _ = parse_raw_date(raw.encode())
        if when is not None:
            dates[sha] = when
    return dates


def _slug_problems(names: list[str]) -> list[Problem]:
    """A problem for each tag whose address another revision already has."""
    problems = []
    first: dict[str, str] = {}
    for name in names:
        key = slug(name).lower()  # case-insensitive file systems and hosts would merge them too
        if key in first:
            problems.append(
                Problem(
                    _PREFIX + name,
                    1,
                    "revisions",
                    f"the tags {first[key]} and {name} would both be published at revisions/{slug(name)}/; "
                    f"rename one of them, like: git tag {name}-2 {name} && git tag -d {name}",
                )
            )
        else:
            first[key] = name
    return problems


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


SIGNATURE_MARKERS = {
    "-----BEGIN PGP SIGNATURE-----": "OpenPGP",
    "-----BEGIN PGP MESSAGE-----": "OpenPGP",
    "-----BEGIN SSH SIGNATURE-----": "SSH",
    "-----BEGIN SIGNED MESSAGE-----": "X.509",
}
"""The lines git starts a tag's signature with, as git itself looks for them, and the kind each starts."""


def signature_kind(message: str) -> str:
    """The kind of signature a tag message carries (one of git's markers at the start of a line), or ""."""
    for line in message.split("\n"):
        kind = SIGNATURE_MARKERS.get(line.rstrip("\r"))
        if kind:
            return kind
    return ""


def sign_revisions(
    repo: Repository, revisions: list[Revision], signers: Signers, cache: DiskCache
) -> tuple[list[Revision], list[Problem]]:
    """The revisions with their signatures checked (techplan.history.signatures), and a warning for each that fails."""
    signed = [(r.name, r.tag, r.signed) for r in revisions if r.signed and r.tag]
    if not signed:
        return revisions, []
    results, problems = verify_tags(repo, signed, signers, cache)
    return [replace(r, signature=results[r.name]) if r.name in results else r for r in revisions], problems


def _strip_signature(message: str) -> str:
    """A tag message without its PGP, SSH or X.509 signature block."""
    for marker in SIGNATURE_MARKERS:
        message = message.split(marker, 1)[0]
    return message.strip()
