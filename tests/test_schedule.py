"""Schedule integrity: out-of-order dependencies are warned and marked; slipped dependencies are said."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from gitrepo import GitRepo
from hypothesis import given, settings
from hypothesis import strategies as st
from plansite import MINI_PLAN, REPO, build, page, techplan, text_of, write_site

from techplan.plan.load import load_plan
from techplan.plan.model import Location, Milestone
from techplan.plan.schedule import DROPPED, EARLY, find_conflicts
from techplan.site.config import load_site

M1 = "plan/phase1-vision/milestones.yml"
M2 = "plan/phase2-measures/milestones.yml"


def _out_of_order(root: Path) -> None:
    """The mini plan with M2.1 (due 31 March 2021) depending on M1.2 (due 30 June 2021), committed."""
    write_site(root, {**MINI_PLAN})
    repo = GitRepo(root)
    repo.replace(M2, "depends_on: [M1.1]", "depends_on: [M1.2]")
    repo.commit("M2.1 waits for the values", "M2.1 needs the values agreed first.", "2021-02-01T09:00:00+00:00")


def _line_of(root: Path, path: str, text: str) -> int:
    """The 1-based line of a file that holds some text, found by reading the file."""
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_out_of_order_dependency_is_a_warning_at_the_due_line(tmp_path: Path) -> None:
    _out_of_order(tmp_path)
    line = _line_of(tmp_path, M2, "due: 2021-03-31")
    result = techplan(tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "The plan has 1 warning:",
        f"{M2}:{line}: warning: due: M2.1 is due 31 March 2021, before M1.2 (due 30 June 2021), which it "
        "depends on; move M2.1's due date to 2021-06-30 or later, bring M1.2 forward, or take M1.2 out of "
        "depends_on if M2.1 no longer needs it",
        "The plan has no problems, only the warnings above: 2 phases, 3 milestones, 1 measures, 4 pages.",
    ]
    github = techplan(tmp_path, "check", "--format", "github")
    assert github.returncode == 0
    assert github.stdout.splitlines()[0].startswith(f"::warning file={M2},line={line}::due: M2.1 is due 31 March 2021")


def test_out_of_order_dependency_is_published_marked_on_the_roadmap(tmp_path: Path) -> None:
    _out_of_order(tmp_path)
    # A strict build lists the conflict and publishes it: a dependency that slipped is news, not a typo.
    strict = build(tmp_path)
    assert strict.returncode == 0, strict.stderr
    assert f"INFO    -  {M2}:" in strict.stderr and "M2.1 is due 31 March 2021, before M1.2" in strict.stderr
    assert "WARNING" not in strict.stderr
    roadmap = page(tmp_path, "roadmap/")
    rows = {text_of(row.th): row for row in roadmap.select_one(".tp-roadmap table").select("tbody tr")}
    due = rows["M2.1: Agree the measures"].td
    assert text_of(due.select_one(".tp-schedule")) == (
        "Schedule conflict: due before M1.2 , which it depends on (due 30 June 2021 )."
    )
    assert due.select_one(".tp-schedule a")["href"] == "../phase1-vision/#M1.2"
    assert rows["M1.2: Agree the values"].select_one(".tp-schedule") is None
    # The milestone's own page says the same, in the same words.
    record = page(tmp_path, "milestones/M2.1/").select_one(".tp-schedule")
    assert record is not None and text_of(record) == text_of(due.select_one(".tp-schedule"))
    assert page(tmp_path, "milestones/M1.2/").select_one(".tp-schedule") is None
    # The timeline flags the row with text, and its description and key say what the flag means.
    svg = roadmap.select_one(".tp-timeline svg")
    flags = svg.select("text.tp-row-flag")
    labels = {float(label["y"]): text_of(label) for label in svg.select("text.tp-row-label")}
    flagged_rows = [labels.get(float(flag["y"])) for flag in flags]
    assert flagged_rows == [None, "M2.1 Agree the measures"]  # the key's flag, then M2.1's
    assert all(text_of(flag) == "!" for flag in flags)
    assert "1 milestone marked with an exclamation mark before its id is due before a milestone it depends on" in (
        text_of(svg.desc)
    )
    assert "Due before a milestone it depends on, or depends on a dropped one" in text_of(svg.select_one(".tp-legend"))
    # The phase page's milestone table says so too.
    row = page(tmp_path, "phase2-measures/").find(id="M2.1")
    assert "Schedule conflict: due before M1.2" in text_of(row)


def test_closed_milestones_and_delivered_dependencies_are_not_warned(tmp_path: Path) -> None:
    _out_of_order(tmp_path)
    repo = GitRepo(tmp_path)
    repo.replace(M1, "status: in-progress", "status: done")  # a delivered dependency cannot hold M2.1 up
    assert techplan(tmp_path, "check").stdout.startswith("The plan is clean")
    repo.replace(M1, "status: done\n    depends_on: [M1.1]", "status: dropped\n    depends_on: [M1.1]")
    line = _line_of(tmp_path, M2, "depends_on: [M1.2]")
    assert techplan(tmp_path, "check").stdout.splitlines()[1] == (
        f"{M2}:{line}: warning: depends_on: M2.1 depends on M1.2, which was dropped; take M1.2 out of "
        "depends_on, or name the milestone that replaces it"
    )
    repo.replace(M2, "status: delayed", "status: dropped")  # a dropped milestone waits for nothing
    assert techplan(tmp_path, "check").stdout.startswith("The plan is clean")


def _months_between(old: date, new: date) -> int:
    """Whole calendar months from one date to another on the same day of the month."""
    assert old.day == new.day
    return (new.year - old.year) * 12 + new.month - old.month


def test_a_dependency_that_slipped_is_said_on_the_dependent_row(tmp_path: Path) -> None:
    write_site(tmp_path)
    repo = GitRepo(tmp_path)
    repo.replace(M2, "depends_on: [M1.1]", "depends_on: [M1.2]")
    repo.replace(M2, "due: 2021-03-31", "due: 2022-03-31")
    repo.commit("M2.1 waits for the values", "M2.1 needs the values agreed first.", "2021-02-01T09:00:00+00:00")
    repo.replace(M1, "due: 2021-06-30", "due: 2021-12-30")
    repo.commit("Move M1.2", "Staff asked for more time.", "2021-03-03T11:00:00+00:00")
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    old, new, published = date(2021, 6, 30), date(2021, 12, 30), date(2021, 3, 3)
    months = _months_between(old, new)
    expected = f"Depends on M1.2, which moved {months} months later on {published.day} {published:%B %Y}."
    assert expected == "Depends on M1.2, which moved 6 months later on 3 March 2021."
    phase_row = page(tmp_path, "phase2-measures/").find(id="M2.1")
    slip = phase_row.select_one(".tp-schedule--slip")
    assert " ".join(slip.get_text().split()) == expected
    assert slip.a["href"] == "../phase1-vision/#M1.2"
    roadmap = page(tmp_path, "roadmap/")
    rows = {text_of(row.th): row for row in roadmap.select_one(".tp-roadmap table").select("tbody tr")}
    assert " ".join(rows["M2.1: Agree the measures"].select_one(".tp-schedule--slip").get_text().split()) == expected
    # M1.2 itself depends on M1.1, which never moved; nothing else on the page says a dependency moved.
    assert len(roadmap.select(".tp-schedule--slip")) == 1
    assert not roadmap.select(".tp-schedule:not(.tp-schedule--slip)")


def test_the_shipped_plan_has_no_schedule_warnings() -> None:
    site = load_site(REPO / "mkdocs.yml")
    plan, problems = load_plan(site.settings)
    assert plan.milestones
    assert [p for p in problems if p.field in ("due", "depends_on")] == []
    assert find_conflicts(plan.milestones) == []


STATUSES = ("planned", "in-progress", "at-risk", "delayed", "done", "dropped")


@st.composite
def _milestones(draw: st.DrawFn) -> list[Milestone]:
    """Up to eight milestones with random due dates and statuses, each depending on some earlier ones."""
    count = draw(st.integers(1, 8))
    start = date(2020, 1, 1)
    milestones = []
    for n in range(count):
        earlier = [f"M1.{i + 1}" for i in range(n)]
        depends = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        due = start + timedelta(days=draw(st.integers(0, 2000)))
        status = draw(st.sampled_from(STATUSES))
        milestones.append(
            Milestone(f"M1.{n + 1}", "A title", "NHSX", due, status, tuple(depends), "", 1, Location(M1, n + 1))
        )
    return milestones


@settings(max_examples=200, deadline=None)
@given(_milestones())
def test_conflicts_are_exactly_the_open_pairs_out_of_order_and_following_the_advice_clears_them(
    milestones: list[Milestone],
) -> None:
    by_id = {m.id: m for m in milestones}
    found = {(c.milestone.id, c.dependency.id, c.kind) for c in find_conflicts(milestones)}
    closed = ("done", "dropped")
    expected = set()
    for m in milestones:
        for other in (by_id[d] for d in m.depends_on):
            if m.status in closed:
                continue
            if other.status == "dropped":
                expected.add((m.id, other.id, DROPPED))
            elif other.status != "done" and m.due < other.due:
                expected.add((m.id, other.id, EARLY))
    assert found == expected
    # Moving each milestone, in order, to no earlier than its open dependencies (the check's advice) clears them all.
    fixed: dict[str, Milestone] = {}
    for m in milestones:
        waits = [fixed[d].due for d in m.depends_on if fixed[d].status not in closed]
        due = max([m.due, *waits])
        fixed[m.id] = Milestone(m.id, m.title, m.owner, due, m.status, m.depends_on, "", 1, m.location)
    assert {c.kind for c in find_conflicts(fixed.values())} <= {DROPPED}
