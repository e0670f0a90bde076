"""Change history from a real git repository: what readers see on pages, What's changed, feeds and changes.json."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import feedparser
import pytest
from gitrepo import GitRepo
from plansite import build, page, techplan, text_of, write_site

from techplan.history.git import Repository
from techplan.history.log import read_log

INDEX1 = "plan/phase1-vision/index.md"
M1 = "plan/phase1-vision/milestones.yml"


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A plan's first months: edits, a data change, a rename, a merged pull request, a late merge."""
    root = tmp_path_factory.mktemp("story")
    repo = GitRepo(root)
    write_site(root, commit=False)
    repo.write("plan/phase1-vision/values.md", "# Our values\n\nOpen by default.\n")
    repo.write("plan/phase2-measures/extra.md", "# Extra\n\nMore.\n")
    shas = {"c1": repo.commit("Publish the plan", "First publication of the plan.", "2020-07-01T09:00:00+01:00")}
    repo.replace(INDEX1, "We start with", "The vision comes first. We start with")
    shas["c2"] = repo.commit("Explain", "Explained why the vision comes first.", "2020-07-15T10:00:00+01:00")
    repo.git("branch", "old-proposal")
    repo.replace(INDEX1, "comes first.", "comes first!")
    shas["c3"] = repo.commit("Fix punctuation", None, "2020-07-20T10:00:00+01:00")
    repo.replace(M1, "due: 2021-06-30", "due: 2021-09-30")
    shas["c4"] = repo.commit("Move M1.2", "Moved M1.2 to September 2021.", "2020-08-03T10:00:00+01:00")
    repo.replace(INDEX1, "## Milestones", "\n## Milestones")
    shas["c5"] = repo.commit("Spacing", "Reformatted the page.", "2020-08-10T10:00:00+01:00")
    repo.git("checkout", "-q", "-b", "pr-1")
    repo.replace("plan/phase2-measures/index.md", "See [[K1]].", "See [[K1]] for the headline measure.")
    shas["p1"] = repo.commit("Overview", "Added the measures overview.", "2020-08-12T10:00:00+01:00")
    repo.replace("plan/roadmap.md", "# Roadmap", "# Roadmap\n\nEvery milestone.")
    shas["p2"] = repo.commit("Intro", None, "2020-08-13T10:00:00+01:00")
    repo.git("checkout", "-q", "main")
    repo.git("mv", "plan/phase1-vision/values.md", "plan/phase1-vision/our-values.md")
    shas["c6"] = repo.commit("Rename values", "Renamed the values page.", "2020-09-01T10:00:00+01:00")
    shas["m1"] = repo.merge("pr-1", "Merge pull request #1", date="2020-10-14T23:30:00-05:00")
    repo.git("rm", "-q", "plan/phase2-measures/extra.md")
    shas["c7"] = repo.commit("Remove extra", "Removed the extra page.", "2020-11-02T10:00:00+00:00")
    repo.write("plan/phase2-measures/extra.md", "# Extra\n\nMore, again.\n")
    shas["c8"] = repo.commit("Restore extra", "Restored the extra page.", "2020-12-01T10:00:00+00:00")
    repo.write("plan/phase1-vision/über uns.md", "# Über uns\n\nAbout us.\n")
    shas["c9"] = repo.commit("Add about", "Added a page about us.", "2021-01-05T10:00:00+00:00")
    repo.git("checkout", "-q", "old-proposal")
    repo.replace("plan/index.md", "# Mini plan", "# Mini plan\n\nAn old proposal.")
    shas["o1"] = repo.commit("Old proposal", "Explained the plan on the home page.", "2020-07-16T10:00:00+01:00")
    repo.git("checkout", "-q", "main")
    shas["m2"] = repo.merge("old-proposal", "Merge the old proposal", date="2021-02-01T10:00:00+00:00")
    repo.replace("plan/roadmap.md", "Every milestone.", "Every milestone, by date.")
    shas["c10"] = repo.commit(
        "Roadmap <b>intro</b>",
        "<script>alert('x')</script> & clarified the roadmap.",
        "2021-03-01T10:00:00+00:00",
        author="<b>Evil</b> Author",
        email="evil@personal.example",
    )
    result = build(root)
    assert result.returncode == 0, result.stderr
    shas["root"] = str(root)
    return shas


def root_of(story: dict[str, str]) -> Path:
    return Path(story["root"])


def changes(story: dict[str, str]) -> dict:
    return json.loads((root_of(story) / "site/changes.json").read_text(encoding="utf-8"))


def updates(html) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """(date, notes) of each update listed at the end of a page."""
    return [
        (text_of(li.select_one(".tp-update__date")), [text_of(p) for p in li.select(".tp-update__note")])
        for li in html.select(".tp-page-history .tp-updates > li")
    ]


def test_changes_json_lists_exactly_what_git_log_follow_lists(story: dict[str, str]) -> None:
    repo = GitRepo.__new__(GitRepo)
    repo.root = root_of(story)
    data = changes(story)
    assert data["commit"] == story["c10"]
    assert data["shallow"] is False
    files = data["files"]
    assert "phase1-vision/our-values.md" in files and "phase1-vision/values.md" not in files
    assert "phase1-vision/über uns.md" in files
    for path, events in files.items():
        assert [e["commit"] for e in events] == repo.follow("plan/" + path), path
    assert len(files) == 12  # 7 pages and 5 data files


def test_file_events_carry_dates_notes_and_majority(story: dict[str, str]) -> None:
    events = changes(story)["files"]["phase1-vision/index.md"]
    assert [(e["commit"], e["date"], e["note"], e["major"]) for e in events] == [
        (story["c5"], "2020-08-10T10:00:00+01:00", "Reformatted the page.", False),  # whitespace only
        (story["c3"], "2020-07-20T10:00:00+01:00", None, False),
        (story["c2"], "2020-07-15T10:00:00+01:00", "Explained why the vision comes first.", True),
        (story["c1"], "2020-07-01T09:00:00+01:00", "First publication of the plan.", True),
    ]


def test_renamed_page_keeps_its_history(story: dict[str, str]) -> None:
    events = changes(story)["files"]["phase1-vision/our-values.md"]
    assert [e["commit"] for e in events] == [story["c6"], story["c1"]]
    html = page(root_of(story), "phase1-vision/our-values/")
    assert updates(html) == [
        ("1 September 2020", ["Renamed the values page."]),
        ("1 July 2020", ["First publication of the plan."]),
    ]


def test_deleted_and_re_added_page_continues_its_history(story: dict[str, str]) -> None:
    events = changes(story)["files"]["phase2-measures/extra.md"]
    assert [e["commit"] for e in events] == [story["c8"], story["c7"], story["c1"]]


def test_merged_pull_request_is_published_at_its_merge_with_its_notes(story: dict[str, str]) -> None:
    events = changes(story)["files"]["phase2-measures/index.md"]
    assert events[0] == {
        "commit": story["m1"],
        "date": "2020-10-14T23:30:00-05:00",
        "note": "Added the measures overview.",
        "major": True,
    }
    roadmap = changes(story)["files"]["roadmap.md"]
    # The same pull request changed the roadmap in a commit without a note: a minor change.
    assert [(e["commit"], e["major"]) for e in roadmap[:2]] == [(story["c10"], True), (story["m1"], False)]
    all_commits = {e["commit"] for events in changes(story)["files"].values() for e in events}
    assert story["p1"] not in all_commits and story["p2"] not in all_commits


def test_dates_show_in_uk_time_whatever_the_committer_offset(story: dict[str, str]) -> None:
    # 23:30 on 14 October at UTC-5 is 05:30 on 15 October in London (BST).
    html = page(root_of(story), "phase2-measures/")
    assert text_of(html.select_one(".tp-page-meta p")) == "Last updated 15 October 2020 – see all updates"
    assert updates(html)[0] == ("15 October 2020", ["Added the measures overview."])


def test_old_branch_merged_late_is_dated_at_the_merge(story: dict[str, str]) -> None:
    events = changes(story)["files"]["index.md"]
    assert (events[0]["commit"], events[0]["date"]) == (story["m2"], "2021-02-01T10:00:00+00:00")
    assert text_of(page(root_of(story), "").select_one(".tp-page-meta p")).startswith("Last updated 1 February 2021")


def test_page_shows_last_major_update_and_all_updates(story: dict[str, str]) -> None:
    html = page(root_of(story), "phase1-vision/")
    meta = html.select_one(".tp-page-meta p")
    assert text_of(meta) == "Last updated 3 August 2020 – see all updates"
    assert meta.time["datetime"] == "2020-08-03"
    assert meta.a["href"] == "#updates-to-this-page"
    assert html.find(id="updates-to-this-page").name == "h2"
    # The milestone moved in milestones.yml is an update of the phase page, with its note;
    # the typo fix and the whitespace change are minor and only counted.
    assert updates(html) == [
        ("3 August 2020", ["Moved M1.2 to September 2021."]),
        ("15 July 2020", ["Explained why the vision comes first."]),
        ("1 July 2020", ["First publication of the plan."]),
    ]
    first = html.select_one(".tp-page-history .tp-updates > li")
    assert text_of(first.select_one(".tp-update__records")) == "Milestones and measures: M1.2: Agree the values"
    assert text_of(html.select_one(".tp-minor")) == (
        "2 minor changes (typos, formatting and other edits without a change note) are listed in changes.json ."
    )
    link = first.select_one(".tp-update__link a")
    assert link["href"] == f"https://git.example.org/team/plan/commit/{story['c4']}"


def test_data_change_updates_the_roadmap_but_not_other_phases(story: dict[str, str]) -> None:
    roadmap = updates(page(root_of(story), "roadmap/"))
    assert [date for date, _ in roadmap] == ["1 March 2021", "3 August 2020", "1 July 2020"]
    phase2 = changes(story)["pages"]["phase2-measures/index.md"]
    assert story["c4"] not in [u["commit"] for u in phase2]
    assert story["c4"] in [u["commit"] for u in changes(story)["pages"]["roadmap.md"]]


def test_whats_changed_lists_major_changes_by_month(story: dict[str, str]) -> None:
    html = page(root_of(story), "whats-changed/")
    months = [text_of(h) for h in html.select("article h2")]
    assert months == [
        "March 2021 ¶",
        "February 2021 ¶",
        "January 2021 ¶",
        "December 2020 ¶",
        "November 2020 ¶",
        "October 2020 ¶",
        "September 2020 ¶",
        "August 2020 ¶",
        "July 2020 ¶",
    ]
    entries = html.select(".tp-changes > li")
    assert [e["id"] for e in entries] == [
        f"change-{story[c][:12]}" for c in ("c10", "m2", "c9", "c8", "c7", "m1", "c6", "c4", "c2", "c1")
    ]
    moved = html.find(id=f"change-{story['c4'][:12]}")
    assert text_of(moved.select_one(".tp-update__pages")) == "Pages: Mini plan , Roadmap , Phase 1: Vision"
    assert moved.select_one(".tp-update__records a")["href"] == "../milestones/M1.2/"  # its own page
    renamed = html.find(id=f"change-{story['c6'][:12]}")
    assert text_of(renamed.select_one(".tp-update__pages")) == "Pages: Our values"


def test_feeds_are_valid_atom_with_stable_ids(story: dict[str, str]) -> None:
    root = root_of(story)
    feed = feedparser.parse((root / "site/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Mini plan: all changes"
    assert len(feed.entries) == 10
    newest = feed.entries[0]
    assert newest.id == f"tag:plan.example.org,2021-03-01:commit/{story['c10']}"
    assert newest.updated == "2021-03-01T10:00:00+00:00"
    assert newest.link == f"https://plan.example.org/whats-changed/#change-{story['c10'][:12]}"
    assert newest.title == "<script>alert('x')</script> & clarified the roadmap."
    phase1 = feedparser.parse((root / "site/phase1-vision/feed.xml").read_bytes())
    assert not phase1.bozo
    assert [e.id.rsplit("/", 1)[1] for e in phase1.entries] == [story[c] for c in ("c9", "c6", "c4", "c2", "c1")]
    phase2 = feedparser.parse((root / "site/phase2-measures/feed.xml").read_bytes())
    assert [e.id.rsplit("/", 1)[1] for e in phase2.entries] == [story[c] for c in ("c8", "c7", "m1", "c1")]
    first_ids = [e.id for e in feed.entries]
    assert build(root).returncode == 0
    assert [e.id for e in feedparser.parse((root / "site/feed.xml").read_bytes()).entries] == first_ids


def test_every_page_links_its_feeds_from_its_head(story: dict[str, str]) -> None:
    phase_page = page(root_of(story), "phase1-vision/our-values/")
    links = [(link["title"], link["href"]) for link in phase_page.select("head link[type='application/atom+xml']")]
    assert links == [("Mini plan: all changes", "../../feed.xml"), ("Mini plan: Phase 1: Vision", "../feed.xml")]
    home = page(root_of(story), "")
    assert [link["href"] for link in home.select("head link[type='application/atom+xml']")] == ["feed.xml"]


def test_html_in_commit_messages_and_names_is_escaped(story: dict[str, str]) -> None:
    root = root_of(story)
    for path in (root / "site").rglob("*.html"):
        raw = path.read_text(encoding="utf-8")
        assert "<script>alert('x')" not in raw, path
        assert "<b>Evil</b>" not in raw, path
    note = page(root, "roadmap/").select_one(".tp-update__note")
    assert text_of(note) == "<script>alert('x')</script> & clarified the roadmap."
    assert changes(story)["files"]["roadmap.md"][0]["note"] == "<script>alert('x')</script> & clarified the roadmap."


def test_no_author_or_email_is_published_by_default(story: dict[str, str]) -> None:
    for path in (root_of(story) / "site").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "personal.example" not in text, path
            assert "Policy Editor" not in text and "Evil" not in text, path


def test_unicode_and_space_in_paths(story: dict[str, str]) -> None:
    html = page(root_of(story), "phase1-vision/über uns/")
    assert updates(html) == [("5 January 2021", ["Added a page about us."])]


def test_a_build_after_new_commits_reads_only_them_and_agrees_with_a_fresh_read(tmp_path: Path) -> None:
    """The cached log is extended with `git log NEW ^OLD`; a force-push makes it read the whole log again."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    cache = {"TECHPLAN_CACHE": str(tmp_path / "cache")}
    assert build(tmp_path, **cache).returncode == 0
    repo.git("switch", "-q", "-c", "side")
    repo.replace("plan/phase1-vision/index.md", "We start with", "First we start with")
    repo.commit("On a branch", "Reworded on a branch.", "2021-01-05T09:00:00+00:00")
    repo.git("switch", "-q", "main")
    repo.replace("plan/roadmap.md", "# Roadmap", "# The roadmap")
    repo.commit("On main", "Retitled the roadmap.", "2021-01-06T09:00:00+00:00")
    repo.merge("side", "Merge pull request #1", date="2021-01-07T09:00:00+00:00")
    for round_number in range(2):
        result = build(tmp_path, **cache)
        assert result.returncode == 0, result.stderr
        extended = (tmp_path / "site/changes.json").read_text(encoding="utf-8")
        assert build(tmp_path, TECHPLAN_CACHE="off").returncode == 0
        assert (tmp_path / "site/changes.json").read_text(encoding="utf-8") == extended
        files = json.loads(extended)["files"]
        if round_number == 1:
            assert files["roadmap.md"][0]["note"] == "Retitled the roadmap again."
            assert files["phase1-vision/index.md"][0]["note"] == "First publication."
        else:
            assert files["phase1-vision/index.md"][0]["note"] == "Reworded on a branch."
            # Then rewrite history: the HEAD the cache read last is no longer an ancestor.
            repo.git("reset", "-q", "--hard", "HEAD~1")
            repo.replace("plan/roadmap.md", "# The roadmap", "# Roadmap of the plan")
            repo.commit("Rewritten", "Retitled the roadmap again.", "2021-01-08T09:00:00+00:00")


def test_a_rename_is_news_even_where_the_same_two_versions_were_a_whitespace_only_edit(tmp_path: Path) -> None:
    """Found by the changes.json property test: a pair of versions read once as a whitespace-only edit made a rename
    between the same two versions minor too, in the same history or, through the cache, in any later one."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    words = "Open by default.\nAnd safe.\n"
    repo.write("plan/phase1-vision/values.md", "# Values\n\n" + words)
    repo.write("plan/phase1-vision/principles.md", "# Values\n\n" + words)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    spaced = "# Values\n\n" + words.replace(" by", "  by") + "\n"
    repo.write("plan/phase1-vision/values.md", spaced)
    repo.commit("Spacing", "Respaced the values.", "2021-01-05T09:00:00+00:00")
    repo.git("rm", "-q", "plan/phase1-vision/principles.md")
    repo.write("plan/phase1-vision/our-principles.md", spaced)  # git sees a rename, with the same two blobs
    repo.commit("Rename", "Renamed the principles page.", "2021-01-06T09:00:00+00:00")
    cache = {"TECHPLAN_CACHE": str(tmp_path / "cache")}
    for _ in range(2):  # read afresh, then from the cache
        result = build(tmp_path, **cache)
        assert result.returncode == 0, result.stderr
        files = json.loads((tmp_path / "site/changes.json").read_text(encoding="utf-8"))["files"]
        assert [(e["note"], e["major"]) for e in files["phase1-vision/values.md"][:1]] == [
            ("Respaced the values.", False)
        ]
        assert [(e["note"], e["major"]) for e in files["phase1-vision/our-principles.md"][:1]] == [
            ("Renamed the principles page.", True)
        ]


def test_the_parsed_log_holds_each_sha_path_blob_and_name_once(tmp_path: Path) -> None:
    """A commit's parent is the parent's own sha, a file's path and blobs are shared by the commits that touch it.

    Kept in the cache and read back whole after every merge: at 20,000 commits, this makes it a
    third smaller in memory. Pickling keeps what is shared shared.
    """
    repo = GitRepo(tmp_path)
    repo.write("plan/index.md", "# Plan\n\nFirst.\n")
    repo.commit("One", None, "2021-01-04T09:00:00+00:00")
    repo.replace("plan/index.md", "First.", "Second.")
    repo.commit("Two", None, "2021-01-05T09:00:00+00:00")
    repo.replace("plan/index.md", "Second.", "Third.")
    repo.commit("Three", None, "2021-01-06T09:00:00+00:00")
    commits, _ = read_log(Repository(tmp_path), "HEAD")
    for third, second, first in (commits, pickle.loads(pickle.dumps(commits))):
        assert third.parents[0] is second.sha and second.parents[0] is first.sha
        assert third.changes[0].path is second.changes[0].path is first.changes[0].path
        assert third.changes[0].old_blob is second.changes[0].new_blob
        assert third.author is first.author and third.email is first.email


def test_a_diff_takes_a_long_range_from_the_log_the_build_read_and_says_the_same(
    story: dict[str, str], tmp_path: Path
) -> None:
    """After a build, `techplan diff` over most of the history reads no log from git: the same commits and notes."""
    root = Path(story["root"])

    def diff(base: str, head: str, cache: str) -> tuple[dict[str, object], list[str]]:
        trace = tmp_path / f"trace-{len(list(tmp_path.glob('trace-*')))}"
        more = {"GIT_TRACE": str(trace), **({"TECHPLAN_CACHE": cache} if cache else {})}
        result = techplan(root, "diff", base, head, "--format", "json", **more)
        assert result.returncode == 0, result.stderr
        commands = [line.split("git ", 1)[1] for line in trace.read_text().splitlines() if "built-in: git " in line]
        return json.loads(result.stdout), commands

    for base, head, long_range in [
        (story["c2"], story["c10"], True),  # 10 of the line's 12 commits, across both merges
        (story["c5"], story["m2"], True),
        (story["c9"], story["c10"], False),  # 2 of 12: git reads so short a range faster
        (story["o1"], story["c10"], False),  # not on the first-parent line: only git knows the range
    ]:
        built, commands = diff(base, head, "")
        fresh, fresh_commands = diff(base, head, str(tmp_path / f"fresh-{base}"))
        assert any(c.startswith("log ") for c in fresh_commands)
        assert built == fresh
        assert any(c.startswith("log ") for c in commands) is not long_range, commands
    everything, _ = diff(story["c1"], story["c10"], "")
    notes = {n["commit"]: n["notes"] for n in everything["notes"]}  # type: ignore[index, union-attr]
    # A merge publishes the notes of what it merged, the old proposal's too.
    assert "Added the measures overview." in notes[story["m1"]]
    assert "Explained the plan on the home page." in notes[story["m2"]]
