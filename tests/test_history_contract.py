"""changes.json keeps its documented contract on any history: checked against plain git commands.

Hypothesis writes random histories into real repositories: edits (some only whitespace),
renames and copies on either side of merges, deletions and re-additions, branches merged late,
commits dated before their parents, notes holding odd bytes. For every file, the engine's
publication events must equal what the contract (REFERENCE.md, "What changes.json says") gives when
worked out independently, commit by commit, with `git rev-list`, `git diff-tree` and
`git cat-file`, and git's own reading of the Change-note trailers (`%(trailers)`).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from gitrepo import GitRepo
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from techplan.history.changes import ChangeLog
from techplan.history.git import Repository
from techplan.history.log import EMPTY_BLOBS, read_history, repo_state
from techplan.plan.model import Plan

pytestmark = pytest.mark.slow

NAMES = ["plan/a.md", "plan/b.md", "plan/c.md", "plan/sub/d.md", "plan/sub/e.md"]
WORDS = "plan data care staff trust record digital record patients measure roadmap vision".split()
NOTES = [
    "A plain note.",
    "Separators \x1c\x1d\x1e\x1f inside.",
    "Ünïcödé — and “quotes”.",
    "Folded over\n  two lines.",
    "A plain note.",  # the same note again, from another commit
]
NO_BLOB = "0" * 40
KINDS = ["edit", "edit", "edit", "space", "rename", "rename", "copy", "swap", "swap", "delete", "add", "add"]
"""What a step does, weighted towards edits and renames, where histories get interesting."""


def text(seed: int) -> str:
    """A page of eight lines, different enough from other seeds for git to tell pages apart."""
    return "".join(f"{WORDS[(seed * 7 + n * 3) % len(WORDS)]} line {seed}-{n}\n" for n in range(8))


@dataclass
class Story:
    """A random history as it is written: the repository and what was done, for failure reports."""

    repo: GitRepo
    steps: list[str] = field(default_factory=list)
    day: int = 0
    on_branch: bool = False

    def date(self, back: bool) -> str:
        self.day += -3 if back else 2
        return f"2021-03-{10 + self.day:02d}T09:00:00+01:00" if -9 <= self.day <= 20 else "2021-04-01T09:00:00+01:00"

    def files(self) -> list[str]:
        return sorted(self.repo.git("ls-files", "plan").split())

    def commit(self, what: str, note: str | None, back: bool) -> None:
        self.steps.append(f"{'branch' if self.on_branch else 'main'}: {what} note={note!r}")
        kind = " ".join(what.split()[: 2 if what.startswith("add empty") else 1])
        event(f"{kind} on {'a branch' if self.on_branch else 'main'}")
        self.repo.commit(what, note, self.date(back))


def write_history(data: st.DataObject, root: Path) -> Story:
    """Draw and write a random history: steps on main, and pull requests merged (some late) with merge commits."""
    repo = GitRepo(root)
    story = Story(repo)
    for name in NAMES[:3]:
        repo.write(name, text(NAMES.index(name)))
    if data.draw(st.booleans(), label="an empty page from the start"):
        repo.write(NAMES[3], "")  # empty files: git pairs any two as a rename, the contract never does
    story.commit("start", "Started.", back=False)
    for _ in range(data.draw(st.integers(2, 8), label="steps")):
        if data.draw(st.booleans(), label="pull request"):
            pull_request(data, story)
        else:
            step(data, story)
    return story


def pull_request(data: st.DataObject, story: Story) -> None:
    """A branch with a few commits, main moving on meanwhile, then a merge with a merge commit."""
    repo = story.repo
    branch = f"pr{len(story.steps)}"
    repo.git("switch", "-q", "-c", branch)
    story.on_branch = True
    for _ in range(data.draw(st.integers(1, 3), label="branch steps")):
        step(data, story)
    repo.git("switch", "-q", "main")
    story.on_branch = False
    for _ in range(data.draw(st.integers(0, 4), label="main steps meanwhile")):
        step(data, story)
    note = data.draw(st.none() | st.sampled_from(NOTES), label="merge note")
    clean = _merges(repo, branch)
    if clean:
        repo.merge(branch, f"Merge {branch}", note, story.date(data.draw(st.booleans())), "-X", "theirs")
        event("merge")
    else:
        event("merge left out: conflict")
    story.steps.append(f"merge {branch} note={note!r} {'ok' if clean else 'skipped: conflict'}")
    repo.git("branch", "-q", "-D", branch)


def step(data: st.DataObject, story: Story) -> None:
    """One commit on the current branch: an edit, a rename, a copy, a deletion, an addition or a swap."""
    repo, root = story.repo, story.repo.root
    files = story.files()
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    note = data.draw(st.none() | st.sampled_from(NOTES), label="note")
    back = data.draw(st.booleans(), label="dated back")
    free = [n for n in NAMES if n not in files]
    if (not files and kind != "add") or (not free and kind in ("rename", "copy", "add", "swap")):
        return
    target = data.draw(st.sampled_from(files), label="file") if files else ""
    destination = data.draw(st.sampled_from(free), label="to") if free else ""
    if kind in ("edit", "space"):
        old = (root / target).read_text(encoding="utf-8")
        if kind == "space":
            new = old.replace(" line", "  line", 1) + "\n"
        else:
            lines = old.splitlines(keepends=True)
            index = data.draw(st.integers(0, max(len(lines) - 1, 0)), label="line")
            lines[index : index + 1] = [f"changed {len(story.steps)}\n"]
            new = "".join(lines)
        repo.write(target, new)
        story.commit(f"{kind} {target}", note, back)
    elif kind == "rename":
        (root / destination).parent.mkdir(parents=True, exist_ok=True)
        repo.git("mv", target, destination)
        story.commit(f"rename {target} to {destination}", note, back)
    elif kind in ("copy", "swap"):
        repo.write(destination, (root / target).read_text(encoding="utf-8"))
        if kind == "swap":  # deleted and added again under another name in one commit: git sees a rename
            (root / target).unlink()
        story.commit(f"{kind} {target} to {destination}", note, back)
    elif kind == "delete":
        (root / target).unlink()
        story.commit(f"delete {target}", note, back)
    elif kind == "add":
        seed = data.draw(st.sampled_from([0, 1, 2, 3, 4, 99]), label="content")
        repo.write(destination, "" if seed == 99 else text(seed))
        story.commit(f"{'add empty' if seed == 99 else 'add'} {destination}", note, back)


def _merges(repo: GitRepo, branch: str) -> bool:
    """Whether the branch merges cleanly into main (a conflicting merge is left out of the story)."""
    import subprocess

    done = subprocess.run(
        ["git", "merge", "--no-commit", "--no-ff", "-X", "theirs", branch],
        cwd=repo.root, capture_output=True, env=_env(), check=False,
    )  # fmt: skip
    subprocess.run(["git", "merge", "--abort"], cwd=repo.root, capture_output=True, env=_env(), check=False)
    return done.returncode == 0


def _env() -> dict[str, str]:
    import os

    from gitrepo import HERMETIC

    return {**os.environ, **HERMETIC, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "A",
            "GIT_COMMITTER_EMAIL": "a@b"}  # fmt: skip


# ---- The contract, worked out with plain git commands --------------------------------------------------------------


def diff_tree(repo: GitRepo, parent: str | None, commit: str) -> list[tuple[str, str, str, str, str]]:
    """(status, old path, new path, old blob, new blob) of a commit against a parent (or of a root commit).

    As the contract says: git's rename detection (-M); a rename of an empty file is a deletion
    and an addition; copies are additions (plain -M never reports them).
    """
    args = ["diff-tree", "-r", "-M", "--raw", "-z", "--no-abbrev"]
    args += [parent, commit] if parent else ["--root", commit]
    tokens = repo.git_bytes(*args).split(b"\0")
    entries: list[tuple[str, str, str, str, str]] = []
    position = 1 if parent is None else 0  # a root commit's diff starts with its own sha
    while position < len(tokens):
        token = tokens[position].lstrip(b"\n")
        if not token.startswith(b":"):
            position += 1
            continue
        _, _, old_blob, new_blob, status = token[1:].decode().split(" ")
        if status[0] == "R":
            old, new = tokens[position + 1].decode(), tokens[position + 2].decode()
            position += 3
            if old_blob in EMPTY_BLOBS or new_blob in EMPTY_BLOBS:
                entries += [("D", old, old, old_blob, NO_BLOB), ("A", new, new, NO_BLOB, new_blob)]
            else:
                entries.append(("R", old, new, old_blob, new_blob))
        else:
            path = tokens[position + 1].decode()
            position += 2
            entries.append((status[0], path, path, old_blob, new_blob))
    return entries


def git_notes(repo: GitRepo, commit: str) -> list[str]:
    """The commit's Change-note trailers as git itself reads them, each once, empty ones left out."""
    output = repo.git_bytes(
        "log", "-1", "--format=%(trailers:key=Change-note,valueonly,unfold,separator=%x00)", commit
    ).decode()
    return list(dict.fromkeys(v for v in output.rstrip("\n").split("\0") if v))


def expected_events(repo: GitRepo, path: str) -> list[dict[str, object]]:
    """The contract for one file: its first-parent events, newest first."""
    chain = repo.git("rev-list", "--first-parent", "HEAD").split()
    events = []
    current = path
    for commit in chain:
        parents = repo.git("rev-list", "--parents", "-n", "1", commit).split()[1:]
        entries = diff_tree(repo, parents[0] if parents else None, commit)
        mine = [e for e in entries if current in (e[1], e[2])]
        if not mine:
            continue
        status, old_path, new_path, old_blob, new_blob = next((e for e in mine if e[2] == current), mine[0])
        notes = git_notes(repo, commit)
        if len(parents) > 1:
            names = {old_path, new_path}
            merged = repo.git("rev-list", "--reverse", "--topo-order", f"{parents[0]}..{commit}").split()[:-1]
            moves = [(e[1], e[2]) for side in merged for e in _first_parent_diff(repo, side) if e[0] == "R"]
            # And the renames on the first-parent line since the merged side left it.
            base = repo.git("merge-base", parents[0], *parents[1:]).strip()
            for main in repo.git("rev-list", "--first-parent", f"{base}..{parents[0]}").split():
                moves += [(e[1], e[2]) for e in _first_parent_diff(repo, main) if e[0] == "R"]
            grew = True
            while grew:
                grew = False
                for old, new in moves:
                    if new in names and old not in names:
                        names.add(old)
                        grew = True
            for side in merged:
                if any(names & {e[1], e[2]} for e in _first_parent_diff(repo, side)):
                    notes += [n for n in git_notes(repo, side) if n not in notes]
        whitespace_only = status == "M" and _blob(repo, old_blob).split() == _blob(repo, new_blob).split()
        events.append(
            {
                "commit": commit,
                "date": repo.git("log", "-1", "--format=%cI", commit).strip(),
                "note": "\n\n".join(notes) if notes else None,
                "major": bool(notes) and not whitespace_only,
            }
        )
        if status == "R" and new_path == current:
            current = old_path
    return events


def _first_parent_diff(repo: GitRepo, commit: str) -> list[tuple[str, str, str, str, str]]:
    parents = repo.git("rev-list", "--parents", "-n", "1", commit).split()[1:]
    return diff_tree(repo, parents[0] if parents else None, commit)


def _blob(repo: GitRepo, sha: str) -> str:
    return "" if sha == NO_BLOB else repo.git_bytes("cat-file", "blob", sha).decode("utf-8", "replace")


# ---- The property -------------------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_changes_json_files_follow_the_contract_on_any_history(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        story = write_history(data, root)
        repo = Repository(root)
        try:
            state = repo_state(repo, "plan/")
            paths = story.files()
            history = read_history(repo, state, paths)
        finally:
            repo.close()
        files = json.loads(ChangeLog(Plan((), (), ()), history, "plan/", "UTC").to_json())["files"]
        for path in paths:
            expected = expected_events(story.repo, path)
            assert files[path.removeprefix("plan/")] == expected, "\n".join(story.steps)
