"""`techplan milestone ...` and `techplan measure ...`: edits that change the lines they should and not a byte more."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from filelock import FileLock
from plansite import techplan, write_site
from ruamel.yaml import YAML

from techplan.cli import main
from techplan.edit.records import set_milestone
from techplan.edit.session import Draft, Session, make_edit
from techplan.files import FileChanged, WriteError, lock_file_for, replace_if_unchanged

M1 = "plan/phase1-vision/milestones.yml"
M2 = "plan/phase2-measures/milestones.yml"
K = "plan/phase2-measures/measures.yml"

# Comments above, beside and below keys, quoted and single-quoted values, a flow list with
# spaces inside, a value lined up with extra spaces, runs of blank lines, a folded summary and
# a comment at the very end: everything an edit must leave alone.
COMMENTED_MILESTONES = """\
# yaml-language-server: $schema=../../techplan/plan/schemas/milestones.schema.json
# Phase 1 milestones. Keep ids stable!

milestones:   # the list
  # The first milestone
  - id: M1.1     # never reuse
    title: "Publish the vision"   # quoted on purpose
    owner: 'NHSX'
    due: 2020-09-30
    status: done   # delivered on time


    summary: The vision, published for consultation.

  # The second milestone
  - id: M1.2
    title: Agree the values
    owner: 'Plan team'   # single-quoted
    # due moved once already
    due:    2021-06-30   # was 2021-03-31
    status: in-progress
    depends_on: [ M1.1 ]   # flow list
    summary: >-
      Values agreed with *staff* and patients,
      after [[M1.1]].



# End of the phase 1 milestones.
"""

COMMENTED_MEASURES = """\
# Measures: how we know it is working.
measures:
  - id: K1   # the main one
    title: Trusts with an electronic patient record
    theme: digital-maturity
    unit: percent
    baseline: {date: 2020-03-31, value: 60}   # from the 2020 survey
    target: {date: 2024-03-31, value: 100}
    actuals:
      # one a year, at the end of March
      - {date: 2021-03-31, value: 65}
      - {date: 2022-03-31, value: 80}   # revised
    source: Digital maturity assessment

  - id: K2
    title: Staff who log in once
    theme: staff
    unit: percent
    baseline: {date: 2020-03-31, value: 10}
    target: {date: 2024-03-31, value: 90}
    source: Staff survey
# end
"""


ADD = ["--title", "T", "--owner", "O", "--due", "2021-01-01", "--summary", "S."]
"""The options of a minimal `milestone add`."""

NEW_SUMMARY = (
    "Values agreed with staff, patients and carers after [[M1.1]], then published for comment in the autumn of 2021."
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The small plan with the commented files in place, not committed."""
    write_site(tmp_path, commit=False)
    (tmp_path / M1).write_text(COMMENTED_MILESTONES, encoding="utf-8")
    (tmp_path / K).write_text(COMMENTED_MEASURES, encoding="utf-8")
    return tmp_path


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `techplan -f ROOT/mkdocs.yml ARGS` in-process; the status, standard output and standard error."""
    status = main(["-f", str(root / "mkdocs.yml"), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def read(root: Path, name: str) -> str:
    """A file's text exactly as it is on disk, line endings included."""
    return (root / name).read_bytes().decode("utf-8")


def replaced(text: str, old: str, new: str) -> str:
    """The text with one exact passage replaced, failing if it is not there exactly once."""
    assert text.count(old) == 1, f"{old!r} is in the text {text.count(old)} times"
    return text.replace(old, new)


def test_the_commented_file_is_one_ruamel_cannot_dump_unchanged() -> None:
    """The fixture is worth testing with: a plain round trip through ruamel.yaml would re-space two lines."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(yaml.load(COMMENTED_MILESTONES), out)
    assert out.getvalue() != COMMENTED_MILESTONES


# ---------------------------------------------------------------------------------------------
# Edits change exactly their lines


def test_set_status_changes_only_that_value(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(root, capsys, "milestone", "set", "M1.2", "status=done")
    assert (status, err) == (0, "")
    assert read(root, M1) == replaced(COMMENTED_MILESTONES, "    status: in-progress\n", "    status: done\n")
    assert out.splitlines() == [
        f"Changed {M1}: M1.2 status changed from in progress to done.",
        "This change should be public. Commit it with a change note, for example:",
        '  git commit -am "Mark M1.2 as done" -m "Change-note: M1.2 status changed from in progress to done. '
        '<say why>"',
    ]


def test_due_date_move_keeps_spacing_and_comment_and_suggests_a_change_note(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(root, capsys, "milestone", "set", "M1.2", "due=2022-03-31")
    assert status == 0
    assert read(root, M1) == replaced(
        COMMENTED_MILESTONES,
        "    due:    2021-06-30   # was 2021-03-31\n",
        "    due:    2022-03-31   # was 2021-03-31\n",
    )
    # 30 June and 31 March are both month ends: 9 months, as the site's history says it.
    assert out.splitlines() == [
        f"Changed {M1}: M1.2 due date moved from 30 June 2021 to 31 March 2022: 9 months later.",
        "This change should be public. Commit it with a change note, for example:",
        '  git commit -am "Move M1.2 to March 2022" -m "Change-note: M1.2 due date moved from 30 June 2021 to '
        '31 March 2022: 9 months later. <say why>"',
    ]


def test_quoted_values_keep_their_quotes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(
        root, capsys, "milestone", "set", "M1.1", "title=Publish the vision: 2020", "owner=Patients' forum"
    )
    assert status == 0
    expected = replaced(
        COMMENTED_MILESTONES,
        '    title: "Publish the vision"   # quoted on purpose\n',
        '    title: "Publish the vision: 2020"   # quoted on purpose\n',
    )
    expected = replaced(expected, "    owner: 'NHSX'\n", "    owner: 'Patients'' forum'\n")
    assert read(root, M1) == expected


def test_plain_text_that_needs_quotes_gets_them(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(root, capsys, "milestone", "set", "M1.2", "title=Agree: the values # all of them")
    assert status == 0
    assert read(root, M1) == replaced(
        COMMENTED_MILESTONES,
        "    title: Agree the values\n",
        '    title: "Agree: the values # all of them"\n',
    )


def test_folded_summary_is_rewrapped_in_place(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = NEW_SUMMARY
    status, out, _ = run(root, capsys, "milestone", "set", "M1.2", f"summary={summary}")
    assert status == 0
    # Wrapped at 80 columns: "...then" ends at column 72 and " published" would pass 80.
    assert read(root, M1) == replaced(
        COMMENTED_MILESTONES,
        "      Values agreed with *staff* and patients,\n      after [[M1.1]].\n",
        "      Values agreed with staff, patients and carers after [[M1.1]], then\n"
        "      published for comment in the autumn of 2021.\n",
    )
    assert out.splitlines() == [
        f"Changed {M1}: M1.2 summary reworded.",
        "A change like this is usually minor, so a change note is optional. Commit it, for example:",
        '  git commit -am "Reword the summary of M1.2"',
        'If readers should be told about it, add a change note: -m "Change-note: M1.2 summary reworded. <say why>"',
    ]


def test_inline_summary_stays_inline(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(root, capsys, "milestone", "set", "M1.1", "summary=The vision, published.")
    assert status == 0
    assert read(root, M1) == replaced(
        COMMENTED_MILESTONES,
        "    summary: The vision, published for consultation.\n",
        "    summary: The vision, published.\n",
    )


def test_depends_on_cleared_and_set_again(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(root, capsys, "milestone", "set", "M1.2", "depends_on=")
    assert status == 0
    without = replaced(COMMENTED_MILESTONES, "    depends_on: [ M1.1 ]   # flow list\n", "")
    assert read(root, M1) == without
    assert out.splitlines()[0] == f"Changed {M1}: M1.2 no longer depends on M1.1."
    # Added back, it goes where a milestone's fields usually have it: after status.
    status, out, _ = run(root, capsys, "milestone", "set", "M1.2", "depends_on=M1.1")
    assert status == 0
    assert read(root, M1) == replaced(
        without, "    status: in-progress\n", "    status: in-progress\n    depends_on: [M1.1]\n"
    )
    assert out.splitlines()[0] == f"Changed {M1}: M1.2 now depends on M1.1."


def test_depends_on_written_one_a_line_stays_that_way(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = read(root, M2).replace("    depends_on: [M1.1]\n", "    depends_on:\n      - M1.1\n")
    (root / M2).write_text(before, encoding="utf-8")
    status, _, _ = run(root, capsys, "milestone", "set", "M2.1", "depends_on=M1.2, M1.1")
    assert status == 0
    assert read(root, M2) == replaced(before, "      - M1.1\n", "      - M1.2\n      - M1.1\n")


def test_several_fields_at_once(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(root, capsys, "milestone", "set", "M1.2", "status=delayed", "owner=NHSX")
    assert status == 0
    expected = replaced(COMMENTED_MILESTONES, "    status: in-progress\n", "    status: delayed\n")
    expected = replaced(expected, "    owner: 'Plan team'   # single-quoted\n", "    owner: 'NHSX'   # single-quoted\n")
    assert read(root, M1) == expected
    assert out.splitlines()[0] == (
        f"Changed {M1}: M1.2 status changed from in progress to delayed. M1.2 owner changed from Plan team to NHSX."
    )
    assert out.splitlines()[2].startswith('  git commit -am "Update M1.2" -m "Change-note: M1.2 status changed')


def test_windows_line_endings_are_kept(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crlf = COMMENTED_MILESTONES.replace("\n", "\r\n")
    (root / M1).write_bytes(crlf.encode("utf-8"))
    summary = NEW_SUMMARY
    status, _, _ = run(root, capsys, "milestone", "set", "M1.2", "status=done", f"summary={summary}")
    assert status == 0
    expected = replaced(crlf, "    status: in-progress\r\n", "    status: done\r\n")
    expected = replaced(
        expected,
        "      Values agreed with *staff* and patients,\r\n      after [[M1.1]].\r\n",
        "      Values agreed with staff, patients and carers after [[M1.1]], then\r\n"
        "      published for comment in the autumn of 2021.\r\n",
    )
    assert read(root, M1) == expected


def test_add_actual_goes_in_date_order(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(root, capsys, "measure", "add-actual", "K1", "2021-09-30", "70")
    assert status == 0
    first = replaced(
        COMMENTED_MEASURES,
        "      - {date: 2021-03-31, value: 65}\n",
        "      - {date: 2021-03-31, value: 65}\n      - {date: 2021-09-30, value: 70}\n",
    )
    assert read(root, K) == first
    assert out.splitlines() == [
        f"Changed {K}: K1 actual added: 70% for September 2021.",
        "This change should be public. Commit it with a change note, for example:",
        '  git commit -am "Add the September 2021 actual for K1" -m "Change-note: K1 actual added: 70% for '
        'September 2021. <say why>"',
    ]
    # Earliest of all: before the first actual, under the comment above it.
    assert run(root, capsys, "measure", "add-actual", "K1", "2020-09-30", "62")[0] == 0
    second = replaced(
        first,
        "      # one a year, at the end of March\n",
        "      # one a year, at the end of March\n      - {date: 2020-09-30, value: 62}\n",
    )
    assert read(root, K) == second
    # Latest of all: after the last, whose comment stays on its line.
    assert run(root, capsys, "measure", "add-actual", "K1", "2023-03-31", "85.5")[0] == 0
    assert read(root, K) == replaced(
        second,
        "      - {date: 2022-03-31, value: 80}   # revised\n",
        "      - {date: 2022-03-31, value: 80}   # revised\n      - {date: 2023-03-31, value: 85.5}\n",
    )


def test_first_actual_adds_the_list_after_the_target(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(root, capsys, "measure", "add-actual", "K2", "2021-03-31", "20")
    assert status == 0
    assert read(root, K) == replaced(
        COMMENTED_MEASURES,
        "    target: {date: 2024-03-31, value: 90}\n",
        "    target: {date: 2024-03-31, value: 90}\n    actuals:\n      - {date: 2021-03-31, value: 20}\n",
    )


def test_measure_set_changes_values_inside_braces(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(root, capsys, "measure", "set", "K1", "target.value=95", "baseline.date=2020-06-30")
    assert status == 0
    expected = replaced(
        COMMENTED_MEASURES,
        "    baseline: {date: 2020-03-31, value: 60}   # from the 2020 survey\n",
        "    baseline: {date: 2020-06-30, value: 60}   # from the 2020 survey\n",
    )
    expected = replaced(
        expected, "    target: {date: 2024-03-31, value: 100}\n", "    target: {date: 2024-03-31, value: 95}\n"
    )
    assert read(root, K) == expected
    assert out.splitlines()[0] == (
        f"Changed {K}: K1 baseline changed from 60% in March 2020 to 60% in June 2020. "
        "K1 target changed from 100% by March 2024 to 95% by March 2024."
    )


def test_measure_source_and_description(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(root, capsys, "measure", "set", "K2", "source=NHS staff survey")
    assert status == 0
    assert read(root, K) == replaced(COMMENTED_MEASURES, "    source: Staff survey\n", "    source: NHS staff survey\n")
    assert out.splitlines()[0] == f"Changed {K}: K2 source changed from Staff survey to NHS staff survey."
    # K2 has no description: it goes after unit, where measures have it.
    status, out, _ = run(root, capsys, "measure", "set", "K2", "description=Staff using single sign-on.")
    assert status == 0
    assert read(root, K) == replaced(
        replaced(COMMENTED_MEASURES, "    source: Staff survey\n", "    source: NHS staff survey\n"),
        "    theme: staff\n    unit: percent\n",
        "    theme: staff\n    unit: percent\n    description: Staff using single sign-on.\n",
    )
    assert "change note is optional" in out


def test_add_milestone_takes_the_next_id_and_the_files_layout(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        root,
        capsys,
        "milestone",
        "add",
        "--phase",
        "1",
        "--title",
        "Publish the values",
        "--owner",
        "Plan team",
        "--due",
        "2021-09-30",
        "--depends-on",
        "M1.2",
        "--summary",
        "The values, published with the evidence behind them.",
    )
    assert status == 0
    # After the last milestone and a blank line, as the others are spaced; the blank lines and
    # the comment at the end of the file stay at the end.
    assert read(root, M1) == replaced(
        COMMENTED_MILESTONES,
        "      after [[M1.1]].\n",
        "      after [[M1.1]].\n"
        "\n"
        "  - id: M1.3\n"
        "    title: Publish the values\n"
        "    owner: Plan team\n"
        "    due: 2021-09-30\n"
        "    status: planned\n"
        "    depends_on: [M1.2]\n"
        "    summary: >-\n"
        "      The values, published with the evidence behind them.\n",
    )
    assert out.splitlines() == [
        "The new milestone's id is M1.3, the next free id in phase 1.",
        f"Changed {M1}: M1.3 added: “Publish the values”, due 30 September 2021, owned by Plan team.",
        "This change should be public. Commit it with a change note, for example:",
        '  git commit -am "Add milestone M1.3" -m "Change-note: M1.3 added: “Publish the values”, due 30 September '
        '2021, owned by Plan team. <say why>"',
    ]


def test_add_milestone_to_a_phase_without_milestones_creates_the_file(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    phase = root / "plan/phase3-delivery"
    phase.mkdir()
    (phase / "phase.yml").write_text("title: Delivery\nsummary: How it is delivered.\nstatus: planned\n")
    status, out, _ = run(
        root,
        capsys,
        "milestone",
        "add",
        "--phase",
        "3",
        "--title",
        "Deliver it",
        "--owner",
        "Plan team",
        "--due",
        "2022-03-31",
        "--summary",
        "Delivered.",
    )
    assert status == 0
    assert read(root, "plan/phase3-delivery/milestones.yml") == (
        "# yaml-language-server: $schema=../../techplan/plan/schemas/milestones.schema.json\n"
        "milestones:\n"
        "  - id: M3.1\n"
        "    title: Deliver it\n"
        "    owner: Plan team\n"
        "    due: 2022-03-31\n"
        "    status: planned\n"
        "    summary: >-\n"
        "      Delivered.\n"
    )
    # A new file is not yet tracked, so `commit -a` would leave it out.
    assert out.splitlines()[-1].startswith(
        '  git add plan/phase3-delivery/milestones.yml && git commit -m "Add milestone M3.1" -m "Change-note: '
    )


def test_nothing_to_change(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(root, capsys, "milestone", "set", "M1.2", "status=in-progress")
    assert (status, out) == (0, "Nothing to change: M1.2 already has status as given.\n")
    assert read(root, M1) == COMMENTED_MILESTONES


# ---------------------------------------------------------------------------------------------
# Invalid edits write nothing and say why, as `techplan check` would


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        (
            ["milestone", "set", "M1.2", "due=2024-02-30"],
            [f"{M1}:20: due: 2024-02-30 is not a real date: February 2024 has 29 days"],
        ),
        (
            ["milestone", "set", "M1.2", "due=30/09/2021"],
            [
                f'{M1}:20: due: expected a date written YYYY-MM-DD, like 2024-03-31, got "30/09/2021"; '
                "did you mean 2021-09-30?"
            ],
        ),
        (
            ["milestone", "set", "M1.2", "status=complete"],
            [
                f'{M1}:21: status: "complete" is not a status; use one of: planned, in-progress, at-risk, '
                "delayed, done, dropped"
            ],
        ),
        (
            ["milestone", "set", "M1.2", "depends_on=M1.1,M1.9"],
            [f'{M1}:22: depends_on: no milestone has the id M1.9 (did you mean "M1.1"?)'],
        ),
        (
            # M2.1 already depends on M1.1.
            ["milestone", "set", "M1.1", "depends_on=M2.1"],
            [
                f"{M1}:11: depends_on: circular dependency M1.1 → M2.1 → M1.1; a milestone cannot "
                "depend on itself, even through others: remove one of these links"
            ],
        ),
        (
            ["milestone", "set", "M1.2", "owner="],
            [f"{M1}:18: owner: is empty; write a value like owner: NHSX"],
        ),
        (
            ["milestone", "add", "--phase", "1", "--id", "M1.2", *ADD],
            [
                f"{M1}:27: id: M1.2 is already the id of the milestone at {M1}:16; give each its own id "
                "(the next free one is M1.3)"
            ],
        ),
        (
            ["measure", "add-actual", "K1", "2021-03-31", "66"],
            [f"{K}:12: actuals.date: 2021-03-31 already has an actual (line 11); give one value per date"],
        ),
        (
            ["measure", "add-actual", "K1", "2023-03-31", "120"],
            [f"{K}:13: actuals.value: 120 is not a percentage; percent values are between 0 and 100"],
        ),
        (
            ["measure", "add-actual", "K1", "2023-03-31", "80%"],
            [
                f'{K}:13: actuals.value: expected a number like 83 or 83.5, got "80%"; '
                "write the number without the % sign: value: 80"
            ],
        ),
        (
            ["measure", "set", "K1", "target.date=2019-03-31"],
            [f"{K}:8: target.date: the target date (2019-03-31) must be after the baseline date (2020-03-31)"],
        ),
    ],
)
def test_invalid_edits_write_nothing(
    root: Path, capsys: pytest.CaptureFixture[str], args: list[str], problems: list[str]
) -> None:
    before = {name: (root / name).read_bytes() for name in (M1, M2, K)}
    status, out, err = run(root, capsys, *args)
    assert (status, out) == (1, "")
    count = len(problems)
    assert err.splitlines() == [
        f"techplan: nothing was written: the edit would give the plan {count} problem{'s' if count != 1 else ''}:",
        *problems,
    ]
    assert {name: (root / name).read_bytes() for name in (M1, M2, K)} == before


def test_unknown_field_lists_the_fields(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(root, capsys, "milestone", "set", "M1.2", "statuss=done")
    assert (status, out) == (1, "")
    assert err == (
        'techplan: "statuss" is not a milestone field you can set (did you mean "status"?); '
        "set one of: title, owner, due, status, depends_on, summary\n"
    )
    assert read(root, M1) == COMMENTED_MILESTONES
    status, _, err = run(root, capsys, "measure", "set", "K1", "target=100")
    assert status == 1
    assert err == (
        'techplan: "target" is not a measure field you can set (did you mean "target.date"?); set one of: title, '
        "theme, unit, description, baseline.date, baseline.value, target.date, target.value, source\n"
    )


def test_unknown_id_suggests_the_nearest(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(root, capsys, "milestone", "set", "M2.9", "status=done") == (
        2,
        "",
        'techplan: no milestone has the id M2.9 (did you mean "M2.1"?)\n',
    )
    assert run(root, capsys, "measure", "add-actual", "K3", "2021-03-31", "5") == (
        2,
        "",
        'techplan: no measure has the id K3 (did you mean "K1"?)\n',
    )
    assert run(root, capsys, "milestone", "set", "X9", "status=done")[2] == "techplan: no milestone has the id X9\n"


def test_usage_errors(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(root, capsys, "milestone", "set", "M1.2", "done")[::2] == (
        2,
        'techplan: "done" is not FIELD=VALUE; write it like status=done (quote values with spaces)\n',
    )
    assert run(root, capsys, "milestone", "add", "--phase", "7", *ADD)[::2] == (
        2,
        "techplan: there is no phase 7; the phases are: 1, 2\n",
    )
    status, _, err = run(root, capsys, "milestone", "add", "--phase", "1", "--id", "M2.5", *ADD)
    assert (status, err) == (
        1,
        "techplan: M2.5 is not an id for phase 1: its milestones are M1.1, M1.2 and so on; "
        "leave out --id to use the next free one (M1.3)\n",
    )
    status, _, err = run(root, capsys, "milestone")
    assert status == 2
    assert "add" in err and "set" in err


def test_existing_problems_elsewhere_do_not_block_an_edit(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # K2 already has a problem, and adding an actual to K1 moves it down a line.
    broken = replaced(COMMENTED_MEASURES, "    theme: staff\n", "    theme: staf\n")
    (root / K).write_text(broken, encoding="utf-8")
    status, _, err = run(root, capsys, "measure", "add-actual", "K1", "2023-03-31", "85")
    assert status == 0
    assert err == "Note: the plan already had 1 problem this edit did not cause; techplan check lists them.\n"
    assert read(root, K) == replaced(
        broken,
        "      - {date: 2022-03-31, value: 80}   # revised\n",
        "      - {date: 2022-03-31, value: 80}   # revised\n      - {date: 2023-03-31, value: 85}\n",
    )


# ---------------------------------------------------------------------------------------------
# Writing: atomic, permissions kept


def test_failed_rename_leaves_the_file_whole(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = root / M1
    names = sorted(os.listdir(folder.parent))

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    status, out, err = run(root, capsys, "milestone", "set", "M1.2", "status=done")
    assert (status, out) == (1, "")
    assert err == f"techplan: could not write {M1}: No space left on device; the file is unchanged\n"
    assert read(root, M1) == COMMENTED_MILESTONES
    assert sorted(os.listdir(folder.parent)) == names


def test_interrupted_write_leaves_the_file_whole(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = (root / M1).parent
    names = sorted(os.listdir(folder))
    written: list[bytes] = []

    def interrupt(handle: int) -> None:
        # The new text is half on disk in the temporary file when the interruption comes.
        written.append(next(p for p in folder.iterdir() if p.name.endswith(".tmp")).read_bytes())
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    assert main(["-f", str(root / "mkdocs.yml"), "milestone", "set", "M1.2", "status=done"]) == 130
    assert b"status: done" in written[0]
    assert read(root, M1) == COMMENTED_MILESTONES
    assert sorted(os.listdir(folder)) == names


def test_permissions_are_kept(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = root / M1
    path.chmod(0o640)
    assert run(root, capsys, "milestone", "set", "M1.2", "status=done")[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_real_command(root: Path) -> None:
    result = techplan(root, "milestone", "set", "M1.2", "due=2021-09-30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Changed {M1}: M1.2 due date moved from 30 June 2021 to 30 September 2021")
    result = techplan(root, "milestone", "set", "M1.2", "due=soon")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f'{M1}:20: due: expected a date written YYYY-MM-DD, like 2024-03-31, got "soon"' in result.stderr
    assert techplan(root, "check").returncode == 0


def test_a_file_changed_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "milestones.yml"
    path.write_bytes(b"milestones: []  # saved by an editor a moment ago\n")
    with pytest.raises(FileChanged) as refused:
        replace_if_unchanged(path, b"milestones: []\n", old=b"milestones: []\n", name="milestones.yml")
    assert refused.value.message == (
        "milestones.yml changed on disk while the edit was being made; nothing was written, run it again"
    )
    assert path.read_bytes() == b"milestones: []  # saved by an editor a moment ago\n"
    assert os.listdir(tmp_path) == ["milestones.yml"]


def test_an_edit_that_would_change_more_than_asked_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An anchor shared by two milestones: changing one value would change the other too.
    shared = replaced(COMMENTED_MILESTONES, "    owner: 'NHSX'\n", "    owner: &team 'NHSX'\n")
    shared = replaced(shared, "    owner: 'Plan team'   # single-quoted\n", "    owner: *team\n")
    (root / M1).write_text(shared, encoding="utf-8")
    status, out, err = run(root, capsys, "milestone", "set", "M1.1", "owner=DHSC")
    assert (status, out) == (1, "")
    assert err == (
        f"techplan: this edit cannot be made to {M1} without changing more of it than the edit asks (the file "
        "is written in a way the editor does not handle); nothing was written: edit the file by hand\n"
    )
    assert read(root, M1) == shared


# ---------------------------------------------------------------------------------------------
# Files that must not change, locks that leave nothing behind, input that is not what it seems


def test_a_read_only_file_is_refused(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # As root (CI, containers) the rename would succeed: the permission bits must be read.
    path = root / M1
    path.chmod(0o444)
    names = sorted(os.listdir(path.parent))
    status, out, err = run(root, capsys, "milestone", "set", "M1.2", "status=done")
    assert (status, out) == (1, "")
    assert err == (
        f"techplan: {M1} is read-only (its permissions are -r--r--r--); nothing was written. If it should change, "
        f"make it writable first (chmod u+w {M1}) and run the command again\n"
    )
    assert read(root, M1) == COMMENTED_MILESTONES
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sorted(os.listdir(path.parent)) == names


def test_a_symlinked_data_file_stays_a_symlink(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = root / "shared-milestones.yml"
    (root / M1).rename(real)
    (root / M1).symlink_to(real)
    assert run(root, capsys, "milestone", "set", "M1.2", "status=done")[0] == 0
    assert (root / M1).is_symlink()
    assert real.read_text(encoding="utf-8") == replaced(
        COMMENTED_MILESTONES, "    status: in-progress\n", "    status: done\n"
    )


def test_the_lock_lives_in_the_git_folder_and_git_sees_only_the_edit(tmp_path: Path) -> None:
    write_site(tmp_path)
    before = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "plan").rglob("*"))
    result = techplan(tmp_path, "milestone", "set", "M1.2", "status=done")
    assert result.returncode == 0, result.stderr
    # Nothing new in plan/, where `mkdocs serve` watches and the site is built from.
    assert sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "plan").rglob("*")) == before
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", "plan"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == f" M {M1}\n"
    assert [p.name.split(".")[0] for p in (tmp_path / ".git" / "techplan" / "locks").iterdir()] == ["milestones"]


def test_an_edit_waits_for_another_edit_of_the_same_file_then_applies_to_its_result(tmp_path: Path) -> None:
    write_site(tmp_path)
    path = tmp_path / M1
    # Another edit holds the lock and writes M1.1's change while this one waits.
    with FileLock(lock_file_for(path)):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "techplan", "milestone", "set", "M1.2", "status=done"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert waiting.stderr is not None
        # The edit has drafted its change from the file as it was, and says it is waiting for the lock.
        assert waiting.stderr.readline() == f"techplan: waiting for another edit of {M1} to finish…\n"
        assert waiting.poll() is None, "the second edit did not wait for the lock"
        path.write_text(read(tmp_path, M1).replace("status: done", "status: dropped", 1), encoding="utf-8")
    out, err = waiting.communicate(timeout=120)
    assert (waiting.returncode, err) == (0, ""), err
    assert out.startswith(f"Changed {M1}: M1.2 status changed from in progress to done.")
    data = yaml.safe_load(read(tmp_path, M1))["milestones"]
    assert [(m["id"], m["status"]) for m in data] == [("M1.1", "dropped"), ("M1.2", "done")]


def test_an_edit_that_cannot_get_the_lock_in_time_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = tmp_path / "mkdocs.yml"
    path = tmp_path / M1
    before = path.read_bytes()

    def draft(session: Session) -> Draft:
        """The edit `milestone set M1.2 status=done` makes."""
        return set_milestone(session, "M1.2", {"status": "done"})

    with FileLock(lock_file_for(path)), pytest.raises(WriteError) as refused:
        make_edit(config, draft, wait=0.5)
    assert refused.value.message == f"another edit of {M1} is in progress; nothing was written, run it again"
    assert refused.value.status == 1
    assert path.read_bytes() == before


def test_values_that_are_not_text_are_refused(root: Path) -> None:
    # Bytes that are not UTF-8, as a terminal with another encoding sends them.
    result = subprocess.run(
        [sys.executable, "-m", "techplan", "milestone", "set", "M1.2", b"title=caf\xe9"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr == (
        b"techplan: the value of title is not UTF-8 text; type it again, or paste it as plain text\n"
    )
    assert read(root, M1) == COMMENTED_MILESTONES


def test_a_number_too_big_for_a_float_is_refused_cleanly(root: Path) -> None:
    result = techplan(root, "measure", "add-actual", "K1", "2023-03-31", "1e400")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "techplan: nothing was written: the edit would give the plan 1 problem:\n"
        f"{K}:13: actuals.value: 1e400 is too large; numbers in the plan are between -1,000,000,000,000,000 "
        "and 1,000,000,000,000,000\n"
    )
    assert read(root, K) == COMMENTED_MEASURES


def test_a_310_digit_number_is_refused_cleanly(root: Path) -> None:
    result = techplan(root, "measure", "add-actual", "K1", "2023-03-31", "9" * 310)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("techplan: nothing was written: the edit would give the plan 1 problem:\n")
    assert f"{K}:13: actuals.value: " in result.stderr
    assert read(root, K) == COMMENTED_MEASURES
