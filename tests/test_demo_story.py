"""The story file and the replay engine on a small plan: what a story does, and every mistake as path:line."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from demorepo import Demo
from plansite import write_site

from techplan.demo import StoryError, load_story, read_story, replay
from techplan.demo.derive import Patch, Write, derive
from techplan.demo.model import Add, Commit, Edit, Op, Person
from techplan.demo.replay import main

PEOPLE = """\
today: 2021-04-15
tagger: Plan team
people:
  - name: Priya Example
    email: priya@example.org
  - name: Plan team
    email: plan@example.org
steps:
"""
"""Lines 1 to 8 of every story here; its steps start on line 9."""

STORY = """\
  - when: 2021-01-04 09:30
    who: Priya Example
    subject: Publish the vision
    change-note: Published the vision.
    changes:
      - add: index.md
      - add: roadmap.md
      - add: phase1-vision/phase.yml
      - add: phase1-vision/index.md
      - add: phase1-vision/milestones.yml
  - when: 2021-02-01 10:00
    who: Priya Example
    branch: measures-team/draft
    subject: Draft the measures
    changes:
      - add: phase2-measures/phase.yml
      - add: phase2-measures/index.md
      - add: phase2-measures/milestones.yml
      - add: phase2-measures/measures.yml
  - when: 2021-02-03 11:00
    who: Plan team
    merge: measures-team/draft
    pull request: 2
    title: Draft measures
  - when: 2021-03-01 10:00
    who: Priya Example
    subject: Agree the values later
    body: The staff networks asked for more time.
    changes:
      - milestone: M1.2
        due: 2021-03-31 → 2021-06-30
        status: planned → in-progress
      - in: phase1-vision/index.md
        old: We start with [[M1.1]].
        new: |-
          We start with [[M1.1]] and then [[M1.2|the second step]].
      - measure: K1
        add actual: 2022-03-31
    tag:
      name: v1
      title: First revision
      summary: The vision and the measures.
"""
"""A story of the small plan in tests/plansite.py: four steps, a pull request and a tag."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small plan project (mkdocs.yml and plan/), not a git repository: the story makes the history.

    The tests run in tmp_path, so problems name the story as story.yml.
    """
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "project"
    root.mkdir()
    write_site(root, commit=False)
    return root


def story_file(tmp_path: Path, steps: str) -> Path:
    """A story with the usual people and these steps, as story.yml in tmp_path."""
    path = tmp_path / "story.yml"
    path.write_text(PEOPLE + steps, "utf-8")
    return path


def problems_of(tmp_path: Path, project: Path, steps: str) -> list[str]:
    """Every problem the story has, as the command line prints them."""
    with pytest.raises(StoryError) as raised:
        load_story(story_file(tmp_path, steps), project)
    return [problem.render() for problem in raised.value.problems]


def test_a_story_replays_onto_a_small_plan(tmp_path: Path, project: Path) -> None:
    summary = replay(tmp_path / "repo", project, story_file(tmp_path, STORY))
    assert (summary.commits, summary.merges, summary.tags) == (4, 1, ("v1",))
    assert summary.reforecasts == (("M1.2", (date(2021, 3, 31), date(2021, 6, 30))),)
    demo = Demo(tmp_path / "repo", summary)
    plan = project / "plan"
    for path in plan.rglob("*.*"):
        assert demo.git("show", f"HEAD:plan/{path.relative_to(plan).as_posix()}") == path.read_text("utf-8")
    assert demo.git("log", "--first-parent", "--format=%an|%aI|%s", "HEAD").splitlines() == [
        "Priya Example|2021-03-01T10:00:00+00:00|Agree the values later",
        "Plan team|2021-02-03T11:00:00+00:00|Merge pull request #2 from measures-team/draft",
        "Priya Example|2021-01-04T09:30:00+00:00|Publish the vision",
    ]
    assert demo.message("HEAD").strip() == "Agree the values later\n\nThe staff networks asked for more time."
    assert demo.message("HEAD~1").strip() == "Merge pull request #2 from measures-team/draft\n\nDraft measures"
    assert demo.message("HEAD~2").strip() == "Publish the vision\n\nChange-note: Published the vision."
    # The past is the present with the steps undone: the milestone's old date and status, the page's old
    # sentence, and no actual for 2022 yet.
    before = demo.git("show", "HEAD~1:plan/phase1-vision/milestones.yml")
    assert "    due: 2021-03-31\n    status: planned\n    depends_on: [M1.1]\n" in before
    assert "We start with [[M1.1]].\n" in demo.git("show", "HEAD~1:plan/phase1-vision/index.md")
    assert "2022-03-31" not in demo.git("show", "HEAD~1:plan/phase2-measures/measures.yml")
    assert demo.git("cat-file", "-p", "v1").splitlines()[3:] == [
        "tagger Plan team <plan@example.org> 1614593400 +0000",
        "",
        "First revision",
        "",
        "The vision and the measures.",
    ]
    # The phase 2 files were added on the branch, and reached main with the merge.
    assert demo.git("ls-tree", "--name-only", "HEAD~2", "plan/").split() == [
        "plan/index.md",
        "plan/phase1-vision",
        "plan/roadmap.md",
    ]


def test_a_typo_in_a_field_names_the_line_and_the_right_field(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("    subject: Publish the vision", "    subjet: Publish the vision")
    steps = steps.replace("        status: planned → in-progress", "        staus: planned → in-progress")
    assert problems_of(tmp_path, project, steps) == [
        "story.yml:9: subject: missing; every commit needs one, like subject: Draft the roadmap phase",
        'story.yml:11: subjet: unknown field for a commit (did you mean "subject"?); a commit can have: when, '
        "who, branch, subject, body, change-note, tag, changes",
        'story.yml:40: staus: unknown field for a milestone change (did you mean "status"?); a milestone change '
        "can have: milestone, title, owner, due, status, depends_on, old, new",
    ]


def test_a_value_the_plan_would_not_accept_is_named_as_the_plan_names_it(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("status: planned → in-progress", "status: planned → in progress")
    steps = steps.replace("- measure: K1", "- measure: KPI1").replace("pull request: 2", "pull request: two")
    assert problems_of(tmp_path, project, steps) == [
        'story.yml:31: pull request: expected a whole number like 6, got "two"',
        'story.yml:40: status: "in progress" is not a status (did you mean "in-progress"?); use one of: planned, '
        "in-progress, at-risk, delayed, done, dropped",
        'story.yml:45: measure: "KPI1" is not a measure id; measure ids look like K1: K and a number',
    ]


def test_a_date_that_is_not_a_date(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("when: 2021-01-04 09:30", "when: 2021-02-30 09:30")
    steps = steps.replace("when: 2021-02-01 10:00", "when: the first of February")
    steps = steps.replace("due: 2021-03-31 → 2021-06-30", "due: 2021-03-31 → summer")
    steps = steps.replace("add actual: 2022-03-31", "add actual: 31/03/2022")
    assert problems_of(tmp_path, project, steps) == [
        "story.yml:9: when: 2021-02-30 is not a real date: February 2021 has 28 days",
        'story.yml:19: when: expected a date and UK time like 2020-06-22 10:15, got "the first of February"',
        'story.yml:39: due: expected a date written YYYY-MM-DD, like 2024-03-31, got "summer"',
        'story.yml:46: add actual: expected a date written YYYY-MM-DD, like 2021-03-31, got "31/03/2022"; '
        "did you mean 2022-03-31?",
    ]


def test_an_unknown_person(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("    who: Priya Example\n    subject: Agree", "    who: Pryia Example\n    subject: Agree")
    assert problems_of(tmp_path, project, steps) == [
        'story.yml:34: who: "Pryia Example" is not one of the story\'s people (did you mean "Priya Example"?); '
        "they are: Plan team, Priya Example",
    ]


def test_an_edit_whose_text_is_not_in_the_plan_names_the_step_line(tmp_path: Path, project: Path) -> None:
    # The plan no longer says what the step's new text says (someone edited the page since).
    steps = STORY.replace("then [[M1.2|the second step]].", "then [[M1.2|the next step]].")
    assert problems_of(tmp_path, project, steps) == [
        "story.yml:43: new: expected this once in phase1-vision/index.md after this change, found it 0 times: "
        '"We start with [[M1.1]] and then [[M1.2|the next step]]."',
    ]


def test_an_old_text_that_an_earlier_step_did_not_leave_points_at_both(tmp_path: Path, project: Path) -> None:
    # Step 1 says the page read "We start." afterwards; step 4 says it read "We start with [[M1.1]]."
    # before it: one of them is wrong. The history is worked out from the present backwards, so the
    # problem shows at step 1, with where to look in step 4.
    steps = STORY.replace(
        "      - add: phase1-vision/index.md\n",
        "      - add: phase1-vision/index.md\n      - in: phase1-vision/index.md\n        old: TODO\n"
        "        new: We start.\n",
    )
    assert problems_of(tmp_path, project, steps) == [
        'story.yml:20: new: expected this once in phase1-vision/index.md after this change, found it 0 times: "We '
        'start."; is the old text of the next change to phase1-vision/index.md, at line 45, right?',
    ]


def test_changes_to_records_that_do_not_fit(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("due: 2021-03-31 → 2021-06-30", "due: 2021-03-31 → 2021-07-31")
    steps = steps.replace("add actual: 2022-03-31", "add actual: 2023-03-31")
    steps = steps.replace(
        "      - add: phase2-measures/milestones.yml\n",
        "      - add: phase2-measures/milestones.yml\n      - add milestone: M2.9\n",
    )
    assert problems_of(tmp_path, project, steps) == [
        "story.yml:27: add milestone: phase2-measures/milestones.yml has no M2.9 at this point",
        'story.yml:40: due: expected M1.2 in phase1-vision/milestones.yml to have this once: "due: 2021-07-31"',
        "story.yml:47: add actual: K1 in phase2-measures/measures.yml has no actual for 2023-03-31",
    ]


def test_steps_out_of_order_out_of_hours_or_never_merged(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("when: 2021-02-03 11:00", "when: 2021-01-03 11:00")  # a Sunday, and before step 2
    steps = steps.replace("when: 2021-03-01 10:00", "when: 2021-03-01 17:55")  # its tag at 18:05
    steps = steps.replace("merge: measures-team/draft", "merge: measures-team/drafts")
    assert problems_of(tmp_path, project, steps) == [
        "story.yml:19: branch: measures-team/draft is never merged; add a step with merge: measures-team/draft",
        "story.yml:28: merge: measures-team/drafts has no commits waiting to be merged",
        "story.yml:28: when: it would be outside office hours (09:00 to 18:00 on a working day)",
        "story.yml:28: when: steps must be in time order: the step at line 19 is later",
        "story.yml:33: when: its tag would be outside office hours (09:00 to 18:00 on a working day)",
    ]


def test_the_command_line_reports_every_problem_at_once_without_a_traceback(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("who: Plan team", "who: Plan teem").replace("add actual: 2022-03-31", "add actual: soon")
    story = story_file(tmp_path, steps)
    result = subprocess.run(
        [sys.executable, "-m", "techplan.demo", "--check", "story.yml", "--project", str(project)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "The story has 2 problems:",
        'story.yml:29: who: "Plan teem" is not one of the story\'s people (did you mean "Plan team"?); they are: '
        "Plan team, Priya Example",
        'story.yml:46: add actual: expected a date written YYYY-MM-DD, like 2021-03-31, got "soon"',
    ]
    assert "Traceback" not in result.stderr
    assert main(["--check", str(story), "--project", str(project)]) == 1
    story.write_text(PEOPLE + STORY, "utf-8")
    assert main(["--check", str(story), "--project", str(project)]) == 0


def test_a_file_that_is_not_yaml_or_not_a_story(tmp_path: Path, project: Path) -> None:
    story = tmp_path / "story.yml"
    story.write_text(PEOPLE + "  - when: 2021-01-04 09:30\n\twho: Priya Example\n", "utf-8")
    assert [p.render() for p in read_story(story, "story.yml")[1]] == [
        "story.yml:10: YAML syntax: a tab character; indent with spaces, not tabs",
    ]
    story.write_text("today: 2021-04-15\nsteps: []\npeople:\n  - name: Someone\n    email: someone@gmail.com\n")
    assert [p.render() for p in read_story(story, "story.yml")[1]] == [
        "story.yml:1: tagger: missing; every story needs one, like tagger: Plan editorial team",
        'story.yml:5: email: expected an address at example.org like priya@example.org, got "someone@gmail.com": '
        "the people in a story are fictional",
    ]
    assert read_story(tmp_path / "nowhere.yml", "nowhere.yml")[1][0].render() == (
        "nowhere.yml:1: file: there is no story file here"
    )


def _random_edit(rng: random.Random, text: str) -> tuple[str, str, str] | None:
    """A random edit of text, as an editor would write it in a story: (old, new, the text afterwards).

    A random span is replaced; then the old and the new text grow by the same context on both sides until
    each is there exactly once, before and after the edit. None if no such edit is found.
    """
    start = rng.randrange(len(text) + 1)
    end = min(len(text), start + rng.randrange(12))
    replacement = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3)))
    after = text[:start] + replacement + text[end:]
    left, right = start, end
    while True:
        old, new = text[left:right], after[left : len(after) - (len(text) - right)]
        if old != new and old and new and _once(text, old) and _once(after, new):
            return old, new, after
        if left == 0 and right == len(text):
            return None
        left, right = max(0, left - 1), min(len(text), right + 1)


def _once(text: str, part: str) -> bool:
    """Whether part is in text exactly once, overlapping occurrences counted."""
    return text.find(part) == text.rfind(part) != -1


WORDS = ("plan", "the", "care", "record", "trust", "\n", "- ", "## ", "([[M1.1]])", "data", ".")
"""Few words, often repeated: texts full of near-duplicates, where uniqueness is hard."""


@pytest.mark.parametrize("seed", range(40))
def test_undoing_random_edits_backwards_then_replaying_gives_every_version(seed: int) -> None:
    rng = random.Random(seed)
    versions = [{name: "".join(rng.choice(WORDS) for _ in range(40)) + "\n" for name in ("a.md", "b.md")}]
    steps: list[Commit] = [_commit(0, tuple(Add(1, name) for name in versions[0]))]
    for number in range(1, 12):
        texts = dict(versions[-1])
        ops: list[Op] = []
        for name in rng.sample(sorted(texts), rng.randint(1, 2)):
            edit = _random_edit(rng, texts[name])
            if edit is not None:
                old, new, texts[name] = edit
                ops.append(Edit(number, name, old, new))
        if ops:
            versions.append(texts)
            steps.append(_commit(len(steps), tuple(ops)))
    derivation, problems = derive(versions[-1], steps, "story.yml")
    assert problems == [] and derivation is not None
    replayed: dict[str, str] = {}
    for changes, expected in zip(derivation.changes, versions, strict=True):
        for change in changes:
            if isinstance(change, Write):
                replayed[change.path] = change.text
            else:
                assert isinstance(change, Patch) and replayed[change.path].count(change.old) == 1
                replayed[change.path] = replayed[change.path].replace(change.old, change.new)
        assert replayed == expected


def _commit(number: int, ops: tuple[Op, ...]) -> Commit:
    """A commit on main, a day after the one before."""
    when = datetime(2021, 1, 4, 10, tzinfo=UTC) + timedelta(days=number)
    return Commit(number + 1, when, Person("Priya Example", "priya@example.org"), f"Step {number}", ops)


def test_changes_that_are_not_one_of_the_kinds_or_miss_a_part(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace("      - add: roadmap.md\n", "      - edit: roadmap.md\n")
    steps = steps.replace("        new: |-\n          We start with [[M1.1]] and then [[M1.2|the second step]].\n", "")
    assert problems_of(tmp_path, project, steps) == [
        "story.yml:15: edit: expected a change starting with one of: add, rename, in, phase, milestone, measure, add "
        'milestone, add measure; got "edit"',
        "story.yml:41: in: say what changes with old: and new:, or with insert: and before: or after:",
    ]


def test_a_phase_change_or_a_rename_that_does_not_fit(tmp_path: Path, project: Path) -> None:
    steps = STORY.replace(
        "      - measure: K1\n        add actual: 2022-03-31\n",
        "      - phase: phase1-vision\n        status: consultation → draft\n"
        "      - rename: roadmap.md\n        to: map.md\n",
    )
    assert problems_of(tmp_path, project, steps) == [
        "story.yml:46: status: expected this once in phase1-vision/phase.yml after this change, found it 0 times: "
        '"status: draft⏎"',
        "story.yml:47: rename: expected map.md in plan/ after this rename, and no roadmap.md",
    ]
