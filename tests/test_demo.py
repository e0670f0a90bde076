"""The demo replay: a real repository whose history ends with exactly this plan, checked through git itself."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import tarfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from demorepo import REPO, STORY, Demo

from techplan.demo.model import StoryError
from techplan.demo.replay import main, replay
from techplan.demo.siteconfig import demo_mkdocs
from techplan.plan.load import load_plan
from techplan.plan.model import Plan
from techplan.site.config import load_site

LONDON = ZoneInfo("Europe/London")
TODAY = date(2024, 3, 31)
"""The day the demo is shown as at (demo/story.yml's today)."""


def has_note(message: str) -> bool:
    """Whether a commit message ends with a Change-note trailer."""
    return re.search(r"^Change-note: \S", message.strip().split("\n\n")[-1], re.M) is not None


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def load_at(demo: Demo, rev: str, into: Path) -> tuple[Plan, list[str]]:
    """The plan at a revision, extracted with `git archive` (mkdocs.yml included), and its problems."""
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=demo.root, capture_output=True, check=True)
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    site = load_site(into / "mkdocs.yml")
    config, problems = site.settings, site.problems
    plan, more = load_plan(config)
    return plan, [str(p) for p in problems + more]


def test_the_story_ends_with_exactly_this_plan(demo: Demo) -> None:
    assert demo.git("status", "--porcelain") == ""
    assert files_under(demo.root / "plan") == files_under(REPO / "plan")
    assert demo.git("ls-files", "plan").split() == [f"plan/{p}" for p in files_under(REPO / "plan")]


def test_mkdocs_yml_points_at_the_project_and_fixes_today(demo: Demo) -> None:
    text = (demo.root / "mkdocs.yml").read_text("utf-8")
    assert text == demo_mkdocs(REPO, TODAY)
    ours, theirs = yaml.safe_load(text), yaml.safe_load((REPO / "mkdocs.yml").read_text("utf-8"))
    assert [Path(h) for h in ours["hooks"]] == [REPO / h for h in theirs["hooks"]]
    assert all(Path(h).is_absolute() and Path(h).is_file() for h in ours["hooks"])
    assert ours["extra"]["plan"].pop("today") == date(2024, 3, 31)
    # Apart from those two settings (and the nav, equal once every page exists) it is the project's file.
    for settings in (ours, theirs):
        del settings["hooks"]
    assert ours == theirs
    site = load_site(demo.root / "mkdocs.yml")
    config, problems = site.settings, site.problems
    assert problems == [] and config.today == date(2024, 3, 31)
    first = demo.git("rev-list", "--max-parents=0", "HEAD").split()
    assert len(first) == 1
    assert {"mkdocs.yml", ".gitignore"} <= set(demo.git("ls-tree", "--name-only", first[0]).split())
    assert demo.git("show", "HEAD:.gitignore").split() == ["site/", ".cache/"]


def test_tags_are_annotated_revisions_in_date_order(demo: Demo) -> None:
    refs = demo.git(
        "for-each-ref",
        "--sort=taggerdate",
        "refs/tags",
        "--format=%(refname:short)%00%(objecttype)%00%(taggerdate:iso-strict)%00%(*objectname)%00%(contents)%1e",
    )
    tags = [entry.strip("\n").split("\0") for entry in refs.split("\x1e") if entry.strip()]
    assert 8 <= len(tags) <= 10
    assert tuple(name for name, *_ in tags) == demo.summary.tags
    first_parents = set(demo.git("rev-list", "--first-parent", "HEAD").split())
    dates = []
    for name, kind, when, target, contents in tags:
        assert kind == "tag", f"{name} is a lightweight tag"
        assert target in first_parents, f"{name} is not on main's first-parent line"
        title, blank, summary, *rest = contents.rstrip("\n").split("\n")
        assert title and blank == "" and summary and rest == [], f"{name}: {contents!r}"
        assert 1 <= len(re.findall(r"[.!?](?:\s|$)", summary)) <= 3, summary
        dates.append(datetime.fromisoformat(when))
        committed = datetime.fromisoformat(demo.git("log", "-1", "--format=%cI", target).strip())
        assert committed <= dates[-1]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert dates[0].date() == date(2020, 7, 1) and dates[-1].date() <= date(2024, 3, 31)
    assert demo.git("cat-file", "-p", demo.summary.tags[0]).count("tagger Plan editorial team <") == 1


def test_every_tag_loads_without_problems(demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TECHPLAN_CACHE", "off")
    for number, tag in enumerate(demo.summary.tags, start=1):
        plan, problems = load_at(demo, tag, tmp_path / tag)
        assert problems == [], f"{tag}: {problems}"
        statuses = {phase.number: phase.status for phase in plan.phases}
        if number <= 5:
            # v1..v5 publish phase N for consultation; later phases do not exist yet.
            assert sorted(statuses) == list(range(1, number + 1)) and statuses[number] == "consultation", tag
    assert statuses == {1: "published", 2: "published", 3: "published", 4: "published", 5: "revising"}


def test_every_commit_on_every_branch_loads_without_problems(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TECHPLAN_CACHE", "off")
    shas = demo.git("rev-list", "--all").split()
    assert len(shas) == demo.summary.commits
    for sha in shas:
        _, problems = load_at(demo, sha, tmp_path / sha)
        assert problems == [], f"{sha}: {problems}"


def test_pull_requests_are_merged_with_merge_commits(demo: Demo) -> None:
    merges = demo.git("rev-list", "--first-parent", "--merges", "HEAD").split()
    assert len(merges) >= 5 and len(merges) == demo.summary.merges
    late = []
    for merge in merges:
        subject = demo.git("log", "-1", "--format=%s", merge).strip()
        assert re.fullmatch(r"Merge pull request #\d+ from [\w.-]+/[\w.-]+", subject), subject
        merged_at = int(demo.git("log", "-1", "--format=%ct", merge))
        branch = [int(t) for t in demo.git("log", "--format=%ct", f"{merge}^1..{merge}^2").split()]
        assert 1 <= len(branch) <= 3 and max(branch) < merged_at
        if min(branch) < merged_at - 14 * 86400:
            late.append(subject)
    assert late, "no branch authored weeks before it was merged"
    assert demo.git("branch", "--format=%(refname:short)").split() == ["main"]


def test_commits_are_dated_in_uk_office_hours_by_fictional_people(demo: Demo) -> None:
    log = demo.git("log", "--all", "--format=%aI%x00%cI%x00%an%x00%ae%x00%cn%x00%ce")
    people = set()
    for line in log.splitlines():
        authored, committed, name, email, committer, committer_email = line.split("\0")
        assert authored == committed and (name, email) == (committer, committer_email)
        moment = datetime.fromisoformat(authored)
        assert moment.utcoffset() == moment.astimezone(LONDON).utcoffset(), f"{authored} is not UK time"
        assert moment.weekday() < 5 and 9 <= moment.hour < 18, authored
        assert date(2020, 6, 1) <= moment.date() <= date(2024, 3, 31)
        assert email.endswith("@example.org")
        people.add(name)
    assert 3 <= len(people) <= 8


def test_some_due_dates_move_without_a_change_note(demo: Demo) -> None:
    quiet = []
    for sha in demo.git("log", "--no-merges", "--format=%H", "-G^    due: ", "--", "plan").split():
        diff = demo.git("show", "--format=", "-U0", sha, "--", "plan")
        moved = re.search(r"^-    due: ", diff, re.M) and re.search(r"^\+    due: ", diff, re.M)
        if moved and not has_note(demo.message(sha)):
            quiet.append(sha)
    assert len(quiet) >= 2


def test_minor_commits_and_a_whitespace_only_change_with_a_note(demo: Demo) -> None:
    shas = demo.git("rev-list", "--min-parents=1", "--max-parents=1", "HEAD").split()
    assert any(not has_note(demo.message(sha)) for sha in shas)
    whitespace_only = []
    for sha in shas:
        if not has_note(demo.message(sha)):
            continue
        changes = [line.split("\t") for line in demo.git("diff", "--name-status", f"{sha}^", sha).splitlines()]
        if any(status != "M" for status, *_ in changes):
            continue
        paths = [path for _, path in changes]
        old = [demo.git("show", f"{sha}^:{p}") for p in paths]
        new = [demo.git("show", f"{sha}:{p}") for p in paths]
        if paths and all(a != b and a.split() == b.split() for a, b in zip(old, new, strict=True)):
            whitespace_only.append(sha)
    assert whitespace_only


def test_a_page_was_renamed_into_its_current_name(demo: Demo) -> None:
    renames = re.findall(r"^R\d+\tplan/(\S+)\tplan/(\S+)$", demo.git("log", "-M", "--name-status", "--format="), re.M)
    final = set(files_under(REPO / "plan"))
    assert any(src not in final and dst in final for src, dst in renames), renames
    src, dst = next((s, d) for s, d in renames if d in final)
    followed = demo.git("log", "--first-parent", "--follow", "--name-only", "--format=", "--", f"plan/{dst}").split()
    assert f"plan/{src}" in followed


def test_measure_actuals_arrive_one_at_a_time_in_date_order(demo: Demo) -> None:
    path = "plan/phase5-measures/measures.yml"
    shas = demo.git("log", "--all", "--no-merges", "--date-order", "--reverse", "--format=%H", "--", path).split()
    latest: date | None = None
    added_in_all = 0
    for sha in shas:
        parent = demo.git("rev-list", "--parents", "-n", "1", sha).split()[1]
        before = _actuals(demo, parent, path)
        after = _actuals(demo, sha, path)
        assert before <= after, f"{sha} removed an actual"
        added = after - before
        if _exists(demo, parent, path):  # only the commit creating the file brings several at once
            assert len(added) <= 1, f"{sha} added {sorted(added)}"
        for _, when in sorted(added, key=lambda added: added[1]):
            assert latest is None or when >= latest
            latest = when
        added_in_all += len(added)
    assert added_in_all >= 20


def _exists(demo: Demo, rev: str, path: str) -> bool:
    """Whether a file exists at a revision."""
    return path in demo.git("ls-tree", "-r", "--name-only", rev).split()


def _actuals(demo: Demo, rev: str, path: str) -> set[tuple[str, date]]:
    """Every (measure, date) with an actual value at a revision."""
    if not _exists(demo, rev, path):
        return set()
    data = yaml.safe_load(demo.git("show", f"{rev}:{path}"))
    return {(m["id"], a["date"]) for m in data["measures"] for a in m.get("actuals", [])}


def test_summary_matches_the_repository(demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = demo.summary
    assert 60 <= summary.commits <= 120
    assert summary.commits == int(demo.git("rev-list", "--count", "HEAD"))
    assert summary.head == demo.git("rev-parse", "HEAD").strip()
    monkeypatch.setenv("TECHPLAN_CACHE", "off")
    plan, _ = load_at(demo, "HEAD", tmp_path / "head")
    due = {m.id: m.due for m in plan.milestones}
    assert len(summary.reforecasts) >= 5
    for record, dues in summary.reforecasts:
        assert len(dues) >= 2 and all(a != b for a, b in itertools.pairwise(dues))
        assert dues[-1] == due[record]
        log = demo.git("log", "-p", "--format=", "--", "plan")
        assert all(f"    due: {d.isoformat()}" in log for d in dues), record
    assert any(dues[1] < dues[0] for _, dues in summary.reforecasts), "no milestone moved earlier"
    assert sum(dues[-1] > dues[0] for _, dues in summary.reforecasts) >= 3
    statuses = {m.status for m in plan.milestones}
    assert {"done", "dropped", "at-risk", "delayed", "in-progress", "planned"} <= statuses


def test_replay_is_deterministic_and_has_a_command_line(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = tmp_path / "again"
    assert main([str(STORY), str(again), "--project", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert f"{demo.summary.commits} commits" in out and demo.summary.head[:12] in out
    assert Demo(again, demo.summary).git("rev-parse", "HEAD").strip() == demo.summary.head
    assert Demo(again, demo.summary).git("tag").split() == sorted(demo.summary.tags)


def test_replay_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "something.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(StoryError, match="empty"):
        replay(tmp_path, REPO, STORY)
    assert main([str(STORY), str(tmp_path), "--project", str(REPO)]) == 1
