"""The past can never break the site: real repositories holding what git history can hold.

Each case is committed (and often tagged) in a real repository, then later fixed or left, as
happens for real. The build and `techplan diff` must finish, the page or revision must show
what a reader should see, and the history note must name the commit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from gitrepo import GitRepo
from plansite import build, page, techplan, text_of, write_site

pytestmark = pytest.mark.slow

M1 = "plan/phase1-vision/milestones.yml"
INDEX1 = "plan/phase1-vision/index.md"
BOMB = "\n".join(
    [
        "milestones:",
        '  - id: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"  - {n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
)


def start(tmp_path: Path) -> GitRepo:
    """The mini plan, first published on 4 January 2021."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    repo.commit("Publish the plan", "First publication.", "2021-01-04T09:00:00+00:00")
    return repo


def tag(repo: GitRepo, name: str, message: str, date: str = "2021-01-05T09:00:00+00:00", *target: str) -> None:
    repo.git("tag", "-a", name, "-m", message, *target, date=date)


def built(repo: GitRepo) -> str:
    """Build strictly; the build's output (it must succeed)."""
    result = build(repo.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def changes(repo: GitRepo) -> dict:
    return json.loads((repo.root / "site/changes.json").read_text(encoding="utf-8"))


def test_an_impossible_date_committed_then_reverted(tmp_path: Path) -> None:
    repo = start(tmp_path)
    tag(repo, "v1", "First")
    repo.replace(M1, "due: 2021-06-30", "due: 2024-02-30")
    bad = repo.commit("Typo in a date", "Moved M1.2.", "2021-02-01T09:00:00+00:00")
    tag(repo, "v2", "With the typo", "2021-02-01T10:00:00+00:00")
    repo.replace(M1, "due: 2024-02-30", "due: 2021-06-30")
    repo.commit("Fix the date", "Put M1.2 back.", "2021-02-02T09:00:00+00:00")
    tag(repo, "v3", "Fixed", "2021-02-02T10:00:00+00:00")

    output = built(repo)
    note = f"commit {bad[:7]}: {M1}:13: due: 2024-02-30 is not a real date: February 2024 has 29 days"
    assert note in output
    assert output.count(note) == 1  # listed once
    # The revision at the typo says what it could not read, and leaves M1.2 out of its data.
    revision = page(tmp_path, "revisions/v2/")
    assert "Part of this revision could not be read." in text_of(revision.select_one(".tp-unread"))
    assert "2024-02-30 is not a real date" in text_of(revision.select_one(".tp-unread"))
    data = json.loads((tmp_path / "site/revisions/v2/data.json").read_text(encoding="utf-8"))
    assert [m["id"] for m in data["milestones"]] == ["M1.1", "M2.1"]
    # The due date never really moved: the unreadable version is skipped, not read as a slip.
    roadmap = page(tmp_path, "roadmap/")
    assert "How due dates have moved" not in text_of(roadmap)

    for base, head in (("v1", "v2"), ("v2", "v3"), (bad, "HEAD"), ("v1", None)):
        result = techplan(tmp_path, "diff", base, *([head] if head else []), "--format", "json")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        json.loads(result.stdout)
    assert "cannot be read today" in techplan(tmp_path, "diff", bad, "HEAD").stdout

    audit = techplan(tmp_path, "check", "--history")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert note in audit.stdout
    assert techplan(tmp_path, "check", "--history", "--strict").returncode == 1
    assert techplan(tmp_path, "check").returncode == 0  # today's plan is fine


def test_an_alias_bomb_in_a_tagged_commit(tmp_path: Path) -> None:
    repo = start(tmp_path)
    original = (tmp_path / M1).read_text(encoding="utf-8")
    repo.write(M1, BOMB + "\n")
    bad = repo.commit("Nested aliases", None, "2021-02-01T09:00:00+00:00")
    tag(repo, "v1", "The bomb", "2021-02-01T10:00:00+00:00")
    repo.write(M1, original)
    repo.commit("Restore", "Restored the milestones.", "2021-02-02T09:00:00+00:00")
    tag(repo, "v2", "Restored", "2021-02-02T10:00:00+00:00")

    output = built(repo)
    assert (
        f"commit {bad[:7]}: {M1}:7: YAML syntax: with its aliases (*name) expanded the file holds more than" in output
    )
    assert "could not be read" in text_of(page(tmp_path, "revisions/v1/").select_one(".tp-unread"))
    assert "v2" in text_of(page(tmp_path, "revisions/"))
    result = techplan(tmp_path, "diff", "v1", "v2")
    assert result.returncode == 0 and "Traceback" not in result.stderr


SEPARATORS = "\x1c\x1d\x1e\x1f"


def test_separator_characters_in_messages_and_tags(tmp_path: Path) -> None:
    repo = start(tmp_path)
    repo.replace(INDEX1, "We start with", "First, we start with")
    weird = repo.commit(f"Subject {SEPARATORS} end", f"A note {SEPARATORS} inside.", "2021-02-01T09:00:00+00:00")
    tag(repo, "v1", f"Title {SEPARATORS} here\n\nSummary {SEPARATORS} too.", "2021-02-01T10:00:00+00:00")
    repo.replace(INDEX1, "First, we", "First we")
    plain = repo.commit("Plain", "A plain note.", "2021-02-02T09:00:00+00:00")
    tag(repo, "v2", "Second", "2021-02-02T10:00:00+00:00")

    built(repo)
    events = changes(repo)["files"]["phase1-vision/index.md"]
    assert [(e["commit"], e["note"]) for e in events] == [
        (plain, "A plain note."),
        (weird, f"A note {SEPARATORS} inside."),
        (repo.git("rev-list", "--max-parents=0", "HEAD").strip(), "First publication."),
    ]
    revisions = page(tmp_path, "revisions/")
    assert [li["id"] for li in revisions.select(".tp-revision-list > li")] == ["revision-v2", "revision-v1"]
    assert "Title" in text_of(revisions.select_one("#revision-v1"))


def test_odd_tags_are_noted_never_fatal(tmp_path: Path) -> None:
    repo = start(tmp_path)
    first = repo.head()
    tag(repo, "v1", "First")
    repo.replace(INDEX1, "We start with", "To begin, we start with")
    second = repo.commit("Reword", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    blob = repo.git("rev-parse", f"HEAD:{INDEX1}").strip()
    tag(repo, "v-blob", "A tag of a file", "2021-02-01T10:00:00+00:00", blob)
    tag(repo, "v-tree", "A tag of a folder", "2021-02-01T10:00:00+00:00", "HEAD^{tree}")
    untagged = repo.write_object(
        "tag", f"object {second}\ntype commit\ntag v2\n\nNo tagger\n\nNo tagger line.\n".encode()
    )
    repo.git("update-ref", "refs/tags/v2", untagged)
    tag(repo, "v3", "A tag of a tag", "2021-02-02T10:00:00+00:00", "v2")
    repo.git("tag", "v4")  # lightweight
    repo.git("branch", "v1", second)  # a branch named like a tag, pointing elsewhere

    output = built(repo)
    assert "refs/tags/v-blob: the tag points at a blob, not at a commit, so it is not a revision" in output
    assert "refs/tags/v-tree: the tag points at a tree, not at a commit, so it is not a revision" in output
    assert (
        f"commit {second[:7]}: refs/tags/v2: the tag has no tagger line, so the revision is dated by its commit"
        in output
    )
    assert "refs/tags/v4: a lightweight tag has no message or date" in output
    ids = [li["id"] for li in page(tmp_path, "revisions/").select(".tp-revision-list > li")]
    assert sorted(ids) == ["revision-v1", "revision-v2", "revision-v3"]
    # v1 is the tag, not the branch of the same name.
    v1 = page(tmp_path, "revisions/v1/pages/phase1-vision/index.html")
    assert "To begin" not in text_of(v1) and "We start with" in text_of(v1)
    data = json.loads((tmp_path / "site/revisions/v3/data.json").read_text(encoding="utf-8"))
    assert data["revision"]["name"] == "v3"
    # A diff names tags in full: v1 is the tag even with a branch of that name.
    result = techplan(tmp_path, "diff", "v1", "v3", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["base"]["commit"] == first


def test_two_tags_for_one_address_are_a_problem_naming_both(tmp_path: Path) -> None:
    repo = start(tmp_path)
    tag(repo, "v1/0", "Slash")
    tag(repo, "v1-0", "Dash", "2021-01-06T09:00:00+00:00")
    result = build(tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "refs/tags/v1-0:1: revisions: the tags v1/0 and v1-0 would both be published at revisions/v1-0/; "
        "rename one of them, like: git tag v1-0-2 v1-0 && git tag -d v1-0"
    ) in result.stderr


def test_a_merge_carries_notes_across_a_rename_on_main(tmp_path: Path) -> None:
    repo = start(tmp_path)
    repo.write("plan/phase1-vision/old.md", "# Old\n\nOne.\n\nTwo.\n\nThree.\n\nFour.\n")
    repo.commit("Add a page", "Added a page.", "2021-02-01T09:00:00+00:00")
    repo.git("switch", "-q", "-c", "edit")
    repo.replace("plan/phase1-vision/old.md", "Two.", "Two, reworded.")
    repo.commit("Reword the page", "Reworded the second paragraph.", "2021-02-02T09:00:00+00:00")
    repo.git("switch", "-q", "main")
    repo.git("mv", "plan/phase1-vision/old.md", "plan/phase1-vision/new.md")
    repo.commit("Rename the page", None, "2021-02-03T09:00:00+00:00")
    merge = repo.merge("edit", "Merge pull request #1 from edit", date="2021-02-04T09:00:00+00:00")
    # And the other way round: renamed on the branch, edited on main.
    repo.git("switch", "-q", "-c", "move")
    repo.git("mv", "plan/phase1-vision/new.md", "plan/phase1-vision/newer.md")
    repo.commit("Move the page", "Moved the page.", "2021-02-05T09:00:00+00:00")
    repo.git("switch", "-q", "main")
    repo.replace("plan/phase1-vision/new.md", "Four.", "Four, on main.")
    repo.commit("Edit on main", None, "2021-02-06T09:00:00+00:00")
    second = repo.merge("move", "Merge pull request #2 from move", date="2021-02-07T09:00:00+00:00")

    built(repo)
    events = changes(repo)["files"]["phase1-vision/newer.md"]
    by_commit = {e["commit"]: e for e in events}
    assert by_commit[merge]["note"] == "Reworded the second paragraph." and by_commit[merge]["major"]
    assert by_commit[second]["note"] == "Moved the page." and by_commit[second]["major"]


def test_squash_merge_messages(tmp_path: Path) -> None:
    repo = start(tmp_path)
    repo.replace(INDEX1, "We start with", "Now we start with")
    together = repo.commit(
        "Reword the vision (#12)\n\n* Reword the vision\n\n"
        "Change-note: Reworded the opening of the vision.\nCo-authored-by: Sam Example <sam@example.org>\n"
        "Signed-off-by: Policy Editor <policy.editor@personal.example>",
        None,
        "2021-02-01T09:00:00+00:00",
    )
    repo.replace(INDEX1, "Now we start", "Today we start")
    apart = repo.commit(
        "Reword again (#13)\n\n* Reword again\n\nChange-note: Reworded it again.\n\n---------\n\n"
        "Co-authored-by: Sam Example <sam@example.org>",
        None,
        "2021-02-02T09:00:00+00:00",
    )
    repo.replace(INDEX1, "Today we start", "So we start")
    early = repo.commit(
        "Reword once more (#14)\n\nChange-note: Too early to count.\n\n* Reword once more\n\n---------\n\n"
        "Co-authored-by: Sam Example <sam@example.org>",
        None,
        "2021-02-03T09:00:00+00:00",
    )
    output = built(repo)
    events = {e["commit"]: e for e in changes(repo)["files"]["phase1-vision/index.md"]}
    assert events[together]["note"] == "Reworded the opening of the vision." and events[together]["major"]
    # GitHub's layout: the squashed messages, a line of dashes, then its Co-authored-by block.
    assert events[apart]["note"] == "Reworded it again." and events[apart]["major"]
    assert f"commit {apart[:7]}" not in output
    assert events[early]["note"] is None and not events[early]["major"]
    assert f"commit {early[:7]}: a Change-note: line is not in the message's last paragraph of trailers" in output


def test_two_notes_in_one_message_are_two_paragraphs(tmp_path: Path) -> None:
    repo = start(tmp_path)
    repo.replace(INDEX1, "We start with", "Now we start with")
    sha = repo.commit(
        "Two notes\n\nChange-note: The first reason.\nChange-note: The second\n  reason, folded.\n"
        "Change-note: The first reason.",
        None,
        "2021-02-01T09:00:00+00:00",
    )
    built(repo)
    event = next(e for e in changes(repo)["files"]["phase1-vision/index.md"] if e["commit"] == sha)
    assert event["note"] == "The first reason.\n\nThe second reason, folded."
    entry = next(li for li in page(tmp_path, "whats-changed/").select("li") if "The first reason." in text_of(li))
    assert "The second reason, folded." in text_of(entry)


def test_dates_as_git_has_them(tmp_path: Path) -> None:
    repo = start(tmp_path)  # January 2021
    repo.replace(INDEX1, "We start with", "In March we start with")
    march = repo.commit("March", "Changed in March.", "2021-03-01T09:00:00+00:00")
    repo.replace(INDEX1, "In March we", "Back in February we")
    february = repo.commit("Dated before its parent", "Dated February.", "2021-02-01T09:00:00+00:00")
    repo.replace(INDEX1, "Back in February we", "With an odd zone we")
    zone = repo.craft_commit(
        b"Odd zone\n\nChange-note: An offset git calls invalid.\n",
        b"Policy Editor <policy.editor@personal.example> 1617267600 +9999",
    )
    repo.replace(INDEX1, "With an odd zone we", "Far in the future we")
    far = repo.craft_commit(
        b"Far future\n\nChange-note: A date beyond the year 9999.\n",
        b"Policy Editor <policy.editor@personal.example> 99999999999999 +0000",
    )
    output = built(repo)
    assert f"commit {zone[:7]}: the commit's time zone (+9999) is not a real offset; its time is shown in UTC" in output
    assert f"commit {far[:7]}: the commit's date (99999999999999 seconds after 1970) is out of range" in output
    events = changes(repo)["files"]["phase1-vision/index.md"]
    assert [e["commit"] for e in events][:4] == [far, zone, february, march]
    assert events[1]["date"] == "2021-04-01T09:00:00+00:00"  # in UTC
    assert events[0]["date"] == events[1]["date"]  # the parent's date
    months = [text_of(h).removesuffix(" ¶") for h in page(tmp_path, "whats-changed/").select("h2")]
    # Publication order, grouped without reordering: April (twice over), February, March, January.
    assert months == ["April 2021", "February 2021", "March 2021", "January 2021"]


def test_a_copy_starts_its_own_history(tmp_path: Path) -> None:
    repo = start(tmp_path)
    shutil.copy(tmp_path / "plan/roadmap.md", tmp_path / "plan/phase1-vision/copy.md")
    copied = repo.commit("Copy a page", "Copied the roadmap page.", "2021-02-01T09:00:00+00:00")
    repo.write("plan/phase1-vision/empty-a.md", "")
    repo.commit("An empty page", None, "2021-02-02T09:00:00+00:00")
    (tmp_path / "plan/phase1-vision/empty-a.md").unlink()
    repo.write("plan/phase1-vision/empty-b.md", "")
    emptied = repo.commit("Another empty page", None, "2021-02-03T09:00:00+00:00")
    built(repo)
    files = changes(repo)["files"]
    assert [e["commit"] for e in files["phase1-vision/copy.md"]] == [copied]
    assert [e["commit"] for e in files["phase1-vision/empty-b.md"]] == [emptied]
    # Plain git would follow the copy back into the page it was copied from.
    assert len(repo.follow("plan/phase1-vision/copy.md")) == 2


def test_without_git_everything_but_history_works(tmp_path: Path) -> None:
    repo = start(tmp_path)
    bin_dir = tmp_path.parent / f"{tmp_path.name}-bin"
    bin_dir.mkdir()
    for tool in ("sh", "env"):  # what subprocesses may need; never git
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    assert shutil.which("git", path=str(bin_dir)) is None
    env = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "NO_MKDOCS_2_WARNING": "1",
        "TECHPLAN_CACHE": "off",
        "PYTHONWARNINGS": "ignore",
    }

    def run(*args: str, **extra: str) -> tuple[int, str]:
        import subprocess

        done = subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env={**env, **extra}, capture_output=True, text=True, check=False
        )
        return done.returncode, done.stdout + done.stderr

    for args in (
        ("-m", "techplan", "check"),
        ("-m", "techplan", "schema"),
        ("-m", "techplan", "milestone", "set", "M1.2", "status=done"),
    ):
        status, output = run(*args)
        assert status == 0, output
        assert "Traceback" not in output
    status, output = run("-m", "mkdocs", "build", "--strict", TECHPLAN_HISTORY="off")
    assert status == 0, output
    status, output = run("-m", "mkdocs", "build", "--strict")
    assert status == 1
    assert "Traceback" not in output
    assert "git is not installed (or not on PATH)" in output
    assert "TECHPLAN_HISTORY=off" in output
    status, output = run("-m", "techplan", "diff", "HEAD")
    assert status == 2 and "git is not installed (or not on PATH)" in output and "Traceback" not in output
    assert repo.head()  # the repository itself is untouched


def test_an_untrusted_repository_is_named_as_such(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to hand the repository to another user")
    start(tmp_path)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.lchown(path, 12345, 12345)
    result = techplan(tmp_path, "diff", "HEAD")
    assert result.returncode == 2
    assert "git does not trust this repository because it belongs to another user" in result.stderr
    assert "safe.directory" in result.stderr
    assert re.search(r"is not a commit, branch or tag", result.stderr) is None
