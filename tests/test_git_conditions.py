"""Git as CI and editors really have it: shallow clones, archives, uncommitted edits, detached HEAD."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from gitrepo import GitRepo
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from plansite import build, edit, page, text_of, write_site

from techplan.history.git import GitError, Repository
from techplan.history.past import PastReader

INDEX1 = "plan/phase1-vision/index.md"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """The small plan with three commits, each with a change note."""
    repo = GitRepo(tmp_path / "repo")
    write_site(repo.root, commit=False)
    repo.commit("Publish", "First publication.", "2020-07-01T09:00:00+01:00")
    repo.replace(INDEX1, "We start with", "First, we start with")
    repo.commit("Edit", "Reworded the opening.", "2020-08-01T09:00:00+01:00")
    repo.replace("plan/roadmap.md", "# Roadmap", "# Roadmap\n\nAll milestones.")
    repo.commit("Roadmap", "Introduced the roadmap.", "2020-09-01T09:00:00+01:00")
    return repo


def meta(root: Path, url: str) -> list[str]:
    return [text_of(p) for p in page(root, url).select(".tp-page-meta p")]


def test_shallow_clone_is_refused_with_the_fix(repo: GitRepo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    result = build(clone)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert (
        "The plan's history cannot be published: this is a shallow clone: git history was cut short "
        "(CI checkouts fetch one commit by default), so pages would show wrong 'last updated' dates and "
        "miss earlier changes. Fetch the full history and build again: in GitHub Actions give "
        "actions/checkout 'fetch-depth: 0'; elsewhere run 'git fetch --unshallow'. To build anyway with "
        "every history marked incomplete, set TECHPLAN_HISTORY=partial (or extra.plan.history: partial)."
    ) in result.stderr
    assert not (clone / "site/index.html").exists()


def test_shallow_clone_builds_marked_incomplete_when_allowed(repo: GitRepo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone))
    result = build(clone, TECHPLAN_HISTORY="partial")
    assert result.returncode == 0, result.stderr
    data = json.loads((clone / "site/changes.json").read_text())
    assert data["shallow"] is True
    # Depth 2 holds the last commit and its parent; the parent is the cut, where every file
    # looks newly added, so only the last commit's change is real.
    assert [e["note"] for e in data["files"]["roadmap.md"]] == ["Introduced the roadmap."]
    assert data["files"]["phase1-vision/index.md"] == []
    assert meta(clone, "roadmap/")[0] == "Last updated 1 September 2020 – see all updates"
    assert meta(clone, "roadmap/")[1].startswith("Incomplete history. This site was built from part of")
    assert meta(clone, "phase1-vision/")[0] == "History not available in this build"


def test_not_a_repository_is_refused_with_the_switch(repo: GitRepo, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(repo.root, archive, ignore=shutil.ignore_patterns(".git"))
    result = build(archive)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert (
        "The plan's history cannot be published: plan is not in a git repository (a downloaded archive?), "
        "so the site cannot show when and why the plan changed. Build from a clone of the repository, "
        "or build without history: TECHPLAN_HISTORY=off (or extra.plan.history: off in mkdocs.yml)."
    ) in result.stderr


def test_history_off_builds_an_archive_without_dates(repo: GitRepo, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(repo.root, archive, ignore=shutil.ignore_patterns(".git"))
    edit(archive, "mkdocs.yml", "    today: 2021-04-15", '    today: 2021-04-15\n    history: "off"')
    result = build(archive)
    assert result.returncode == 0, result.stderr
    assert meta(archive, "phase1-vision/") == ["Change history is not available in this build."]
    assert not (archive / "site/changes.json").exists()
    assert text_of(page(archive, "whats-changed/").article.p) == "Change history is not available in this build."


def test_unknown_history_setting_is_a_problem(repo: GitRepo) -> None:
    result = build(repo.root, TECHPLAN_HISTORY="some")
    assert result.returncode == 1
    assert (
        'TECHPLAN_HISTORY:1: environment: "some" is not a history setting; use one of: full, partial, off'
        in result.stderr
    )


def test_uncommitted_edits_show_as_unpublished_changes(repo: GitRepo) -> None:
    repo.replace(INDEX1, "First, we start", "To begin, we start")
    repo.write("plan/phase1-vision/draft.md", "# Draft\n\nNot yet.\n")
    result = build(repo.root)
    assert result.returncode == 0, result.stderr
    assert meta(repo.root, "phase1-vision/") == [
        "Last updated 1 August 2020 – see all updates",
        "Unpublished changes. This preview includes edits to this page, or to the data it shows, that are "
        "not committed yet. They are not part of the published plan.",
    ]
    assert meta(repo.root, "phase1-vision/draft/")[0] == "Not published yet"
    assert meta(repo.root, "phase1-vision/draft/")[1].startswith("Unpublished changes.")
    assert meta(repo.root, "roadmap/") == ["Last updated 1 September 2020 – see all updates"]


def test_uncommitted_data_edit_marks_the_pages_that_show_it(repo: GitRepo) -> None:
    repo.replace("plan/phase2-measures/milestones.yml", "status: delayed", "status: done")
    assert build(repo.root).returncode == 0
    for url in ("phase2-measures/", "roadmap/", ""):
        assert meta(repo.root, url)[-1].startswith("Unpublished changes."), url
    assert len(meta(repo.root, "phase1-vision/")) == 1


def test_detached_head_builds_its_own_history(repo: GitRepo) -> None:
    previous = repo.git("rev-parse", "HEAD~1").strip()
    repo.git("checkout", "-q", "--detach", previous)
    result = build(repo.root)
    assert result.returncode == 0, result.stderr
    data = json.loads((repo.root / "site/changes.json").read_text())
    assert data["commit"] == previous
    assert meta(repo.root, "phase1-vision/")[0] == "Last updated 1 August 2020 – see all updates"


@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        ("", None),
        ("    authors: names\n", "by Policy Editor"),
        ("    authors: teams\n    teams:\n      Policy Editor: Digital policy team\n", "by Digital policy team"),
        ("    authors: teams\n    teams:\n      someone@example.org: Other team\n", "by Mini plan"),
    ],
    ids=["none by default", "names", "teams by name", "publisher for authors with no team"],
)
def test_author_display_follows_the_setting(repo: GitRepo, setting: str, shown: str | None) -> None:
    edit(repo.root, "mkdocs.yml", "    today: 2021-04-15\n", "    today: 2021-04-15\n" + setting)
    assert build(repo.root).returncode == 0
    authors = [text_of(a) for a in page(repo.root, "roadmap/").select(".tp-update__author")]
    assert authors == ([shown] * 2 if shown else [])
    for path in (repo.root / "site").rglob("*.html"):
        assert "personal.example" not in path.read_text(encoding="utf-8")


def test_one_git_log_per_build_and_none_when_head_is_unchanged(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    real_run = Repository.run_bytes

    def counting_run(self: Repository, *args: str, stdin: bytes | None = None) -> bytes:
        calls.append(args)
        return real_run(self, *args, stdin=stdin)

    real_start = Repository._start

    def counting_start(self: Repository, args: tuple[str, ...], *files: Any) -> Any:
        calls.append(args)  # git started writing to a file: blobs
        return real_start(self, args, *files)

    monkeypatch.setattr(Repository, "run_bytes", counting_run)
    monkeypatch.setattr(Repository, "_start", counting_start)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")

    def build_in_process() -> list[str]:
        calls.clear()
        mkdocs_build(load_config(str(repo.root / "mkdocs.yml"), site_dir=str(repo.root / "site")))
        return [next(a for a in args if not a.startswith("-") and "=" not in a) for args in calls]

    for number in range(20):  # many pages: still one log, and no call per page
        repo.write(f"plan/phase1-vision/page{number}.md", f"# Page {number}\n")
    repo.commit("Many pages", "Added pages.", "2020-10-01T09:00:00+01:00")
    cold = build_in_process()
    assert cold.count("log") == 1
    # HEAD, shallow or not, uncommitted edits (the plan's, then the whole repository's for the footer), tags;
    # blobs in batches: the pages at each revision, the pages' past versions, data and due dates.
    assert set(cold) == {"rev-parse", "log", "status", "for-each-ref", "cat-file"}
    assert cold.count("cat-file") <= 4
    assert len(cold) <= 8
    # Same state: nothing read again.
    assert sorted(build_in_process()) == ["for-each-ref", "rev-parse", "status", "status"]
    before = repo.head()
    repo.replace(INDEX1, "First,", "First of all,")
    repo.commit("Again", None, "2020-10-02T09:00:00+01:00")
    after_commit = build_in_process()
    assert after_commit.count("log") == 1
    # Only the new commit is read: the log is asked for HEAD and not what the last build read.
    log = next(args for args in calls if "log" in args)
    assert log[-3:] == (repo.head(), f"^{before}", "--")
    assert "merge-base" in after_commit


def test_a_started_git_command_gives_what_it_would_have_run_or_gits_own_error(repo: GitRepo) -> None:
    """`techplan diff` starts `git log` early and reads it late: the same output, and git's error when it fails."""
    git = Repository(repo.root)
    try:
        started = git.start_bytes("log", "-z", "--format=%H%x00%s", "HEAD")
        assert started() == git.run_bytes("log", "-z", "--format=%H%x00%s", "HEAD")
        assert started().count(b"\0") == 6  # three commits, two fields each; read again, still whole
        failing = git.start_bytes("log", "no-such-branch", "--")
        with pytest.raises(GitError, match="no-such-branch"):
            failing()
    finally:
        git.close()


def test_blobs_are_read_whole_in_one_call_and_what_git_lacks_is_left_out(repo: GitRepo) -> None:
    """Any bytes, of any size, in the order asked; a sha git does not have is skipped, not an error."""
    contents = [b"", b"\n", b"line\nwith 12 34\n", bytes(range(256)) * 300, b"no newline at the end"]
    shas = [repo.write_object("blob", content) for content in contents]
    missing = "0123456789abcdef0123456789abcdef01234567"
    git = Repository(repo.root)
    try:
        found = git.blobs([shas[3], missing, *shas, "not-a-sha", shas[0]])
    finally:
        git.close()
    assert found == dict(zip(shas, contents, strict=True))
    assert next(iter(found)) == shas[3]  # in the order asked


def test_blobs_in_batches_come_from_one_git_process_that_stops_with_its_reader(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same bytes as `blobs`, at most `size` a batch, one `git cat-file`; a reader that stops early stops git."""
    contents = [b"", b"\n", b"line\nwith 12 34\n", bytes(range(256)) * 300, b"no newline at the end"]
    shas = [repo.write_object("blob", content) for content in contents]
    missing = "0123456789abcdef0123456789abcdef01234567"
    started: list[Any] = []
    real_start = Repository._start

    def counting_start(self: Repository, args: tuple[str, ...], *files: Any) -> Any:
        started.append(real_start(self, args, *files))
        return started[-1]

    monkeypatch.setattr(Repository, "_start", counting_start)
    git = Repository(repo.root)
    try:
        asked = [shas[3], missing, *shas, "not-a-sha", shas[0]]
        batches = list(git.blob_batches(asked, 2))
        assert len(started) == 1
        assert [len(batch) for batch in batches] == [2, 2, 1]
        assert {sha: data for batch in batches for sha, data in batch.items()} == git.blobs(asked)
        assert next(iter(batches[0])) == shas[3]  # in the order asked
        assert list(git.blob_batches([], 2)) == []
        reading = git.blob_batches(shas * 2000, 1)  # far more than a pipe holds: git waits on its reader
        assert next(reading) == {shas[0]: contents[0]}
        reading.close()
        assert started[-1].returncode is not None  # git ended with the reading
        # Read first: the same batches, and git has ended before the first is given.
        reading = git.blob_batches(asked, 2, read_first=True)
        assert next(reading) == batches[0] and started[-1].returncode == 0
        assert [batches[0], *reading] == batches
    finally:
        git.close()


def test_past_pages_read_a_batch_at_a_time_bring_the_blobs_wanted_before_with_them(repo: GitRepo) -> None:
    """One git process for a batch read and what another reader asked for; only the batch's blobs are given."""
    pages = [repo.write_object("blob", f"# Page {n}\n".encode()) for n in range(5)]
    data = repo.write_object("blob", b"milestones: []\n")
    git = Repository(repo.root)
    calls: list[list[str]] = []

    def fetch(shas: list[str]) -> dict[str, bytes]:
        calls.append(shas)
        return git.blobs(shas)

    try:
        past = PastReader(fetch, fetch_batches=git.blob_batches)
        past.BATCH = 2
        past.want([data])
        first = past.contents([pages[0]])  # read now, and kept
        assert first == {pages[0]: b"# Page 0\n"} and calls == [[pages[0], data]]
        past.want([pages[4]])
        given = list(past.batches(pages))
        assert given[0] == {pages[0]: b"# Page 0\n"}  # what was read before comes first, not read again
        assert {sha: text for batch in given for sha, text in batch.items()} == {
            sha: f"# Page {n}\n".encode() for n, sha in enumerate(pages)
        }
        assert all(len(batch) <= 2 for batch in given)
        assert len(calls) == 1  # the rest came from one stream
        assert past.contents([data, pages[4]]) == {data: b"milestones: []\n", pages[4]: b"# Page 4\n"}
        assert len(calls) == 1  # kept: the data from the first read, the page wanted before from the batches
    finally:
        git.close()
