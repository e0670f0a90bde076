"""`techplan check` and the build on bad input: every problem, exactly worded, at its line."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from plansite import build, edit, techplan, write_site

from techplan import cache
from techplan.cli import main
from techplan.plan import load
from techplan.plan.load import scan_page

M1 = "plan/phase1-vision/milestones.yml"
M2 = "plan/phase2-measures/milestones.yml"
P1 = "plan/phase1-vision/phase.yml"
K = "plan/phase2-measures/measures.yml"
PAGE1 = "plan/phase1-vision/index.md"


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Run `techplan check` in-process; the exit status and the problem lines."""
    status = main(["--config-file", str(root / "mkdocs.yml"), "check"])
    out = capsys.readouterr().out
    return status, out.splitlines()[1:] if status else out.splitlines()


# Each case: a description, edits to the small plan as (file, old, new), and the exact report.
CASES = [
    (
        "YAML syntax error",
        [(M1, "title: Publish the vision", "title: Publish: the vision")],
        [
            f"{M1}:4: YAML syntax: a colon followed by a space inside text, or a line indented too "
            'far; put text that contains ": " in double quotes, like title: "Data: the next steps"'
        ],
    ),
    (
        "tab indentation",
        [(M1, "    owner: NHSX", "\towner: NHSX")],
        [f"{M1}:5: YAML syntax: a tab character; indent with spaces, not tabs"],
    ),
    (
        "unclosed list",
        [(M1, "depends_on: [M1.1]", "depends_on: [M1.1")],
        [f"{M1}:16: YAML syntax: a list in square brackets is not closed; write it like [M2.1, M3.2]"],
    ),
    (
        "empty file",
        [(M2, None, "")],
        [f'{M2}:1: file: the file is empty; it should start with "milestones:"'],
    ),
    (
        "file of comments only",
        [(P1, None, "# to do\n")],
        [f'{P1}:1: file: the file is empty; it should start with "title:"'],
    ),
    (
        "unknown field",
        [(M1, "    status: done", "    status: done\n    statuss: done")],
        [
            f'{M1}:8: statuss: unknown field for a milestone (did you mean "status"?); '
            "a milestone can have: id, title, owner, due, status, depends_on, summary"
        ],
    ),
    (
        "missing field",
        [(M1, "    owner: NHSX\n", "")],
        [f"{M1}:3: owner: missing; every milestone needs one, like owner: NHSX"],
    ),
    (
        "empty required field",
        [(M1, "    owner: NHSX", "    owner:")],
        [f"{M1}:5: owner: is empty; write a value like owner: NHSX"],
    ),
    (
        "wrong type: list for text",
        [(M1, "owner: NHSX", "owner: [NHSX, DHSC]")],
        [f'{M1}:5: owner: expected text like "NHSX", got a list'],
    ),
    (
        "wrong type: number for text",
        [(M1, "owner: NHSX", "owner: 2024")],
        [f'{M1}:5: owner: expected text like "NHSX", got the number 2024; put it in double quotes: owner: "2024"'],
    ),
    (
        "wrong type: text for number",
        [(K, "value: 80}", "value: lots}")],
        [f'{K}:9: actuals.value: expected a number like 83 or 83.5, got "lots"'],
    ),
    (
        "number with a percent sign",
        [(K, "value: 80}", "value: 80%}")],
        [
            f'{K}:9: actuals.value: expected a number like 83 or 83.5, got "80%"; '
            "write the number without the % sign: value: 80"
        ],
    ),
    (
        "impossible date",
        [(M1, "due: 2020-09-30", "due: 2021-02-29")],
        [f"{M1}:6: due: 2021-02-29 is not a real date: February 2021 has 28 days"],
    ),
    (
        "month 13",
        [(M1, "due: 2020-09-30", "due: 2020-13-01")],
        [f"{M1}:6: due: 2020-13-01 is not a real date: there is no month 13"],
    ),
    (
        "badly written date",
        [(M1, "due: 2020-09-30", "due: Q3 2020")],
        [f'{M1}:6: due: expected a date written YYYY-MM-DD, like 2024-03-31, got "Q3 2020"'],
    ),
    (
        "date written the UK way",
        [(M1, "due: 2020-09-30", "due: 30/09/2020")],
        [
            f'{M1}:6: due: expected a date written YYYY-MM-DD, like 2024-03-31, got "30/09/2020"; '
            "did you mean 2020-09-30?"
        ],
    ),
    (
        "date in words",
        [(M1, "due: 2020-09-30", "due: 30 September 2020")],
        [
            f"{M1}:6: due: expected a date written YYYY-MM-DD, like 2024-03-31, "
            'got "30 September 2020"; did you mean 2020-09-30?'
        ],
    ),
    (
        "date with a time",
        [(M1, "due: 2020-09-30", "due: 2020-09-30T12:00")],
        [f'{M1}:6: due: expected a date without a time, like 2020-09-30, got "2020-09-30T12:00"'],
    ),
    (
        "unknown status",
        [(M1, "status: done", "status: complete")],
        [
            f'{M1}:7: status: "complete" is not a status; '
            "use one of: planned, in-progress, at-risk, delayed, done, dropped"
        ],
    ),
    (
        "status in the wrong case",
        [(M1, "status: done", "status: Done")],
        [
            f'{M1}:7: status: "Done" is not a status (did you mean "done"?); '
            "use one of: planned, in-progress, at-risk, delayed, done, dropped"
        ],
    ),
    (
        "duplicate id",
        [(M2, "id: M2.1", "id: M1.2")],
        [
            f"{M2}:2: id: M1.2 is already the id of the milestone at {M1}:10; "
            "give each its own id (the next free one is M1.3)"
        ],
    ),
    (
        "badly written id",
        [(M2, "id: M2.1", "id: 2.1")],
        [
            f'{M2}:2: id: "2.1" is not a milestone id; '
            "milestone ids look like M2.1: M, the phase number, a dot and a number"
        ],
    ),
    (
        "duplicate key",
        [(M1, "    status: done", "    status: done\n    status: planned")],
        [f"{M1}:8: status: appears twice (also at line 7); keep one of them"],
    ),
    (
        "dependency on an unknown id",
        [(M2, "depends_on: [M1.1]", "depends_on: [M1.1, M1.9]")],
        [f'{M2}:7: depends_on: no milestone has the id M1.9 (did you mean "M1.1"?)'],
    ),
    (
        "dependency given as one id",
        [(M2, "depends_on: [M1.1]", "depends_on: M1.1")],
        [
            f"{M2}:7: depends_on: expected a list of milestone ids like [M3.2], got "
            '"M1.1"; write it as a list: depends_on: [M1.1]'
        ],
    ),
    (
        "dependency cycle",
        [(M1, "    status: done\n", "    status: done\n    depends_on: [M2.1]\n")],
        [
            f"{M1}:8: depends_on: circular dependency M1.1 → M2.1 → M1.1; a milestone cannot "
            "depend on itself, even through others: remove one of these links"
        ],
    ),
    (
        "depends on itself",
        [(M2, "depends_on: [M1.1]", "depends_on: [M2.1]")],
        [
            f"{M2}:7: depends_on: circular dependency M2.1 → M2.1; a milestone cannot "
            "depend on itself, even through others: remove one of these links"
        ],
    ),
    (
        "reference in prose to a milestone that does not exist",
        [(PAGE1, "[[M1.2|the second step]]", "[[M1.7|the second step]]")],
        [f'{PAGE1}:3: [[M1.7|the second step]]: no milestone has the id M1.7 (did you mean "M1.1"?)'],
    ),
    (
        "reference in a YAML summary to a measure that does not exist",
        [(M1, "after [[M1.1]]", "after [[K9]]")],
        [f'{M1}:16: summary: no measure has the id K9 (did you mean "K1"?)'],
    ),
    (
        "unknown plan block",
        [(PAGE1, "[[milestones]]", "[[milestone]]")],
        [
            f"{PAGE1}:7: [[milestone]]: not a plan block or a milestone or measure id (did you mean "
            '"milestones"?); blocks are [[milestones]], [[measures]], [[roadmap]], [[phases]], '
            "[[coming-due]], and references look like [[M2.1]] or [[K1]]"
        ],
    ),
    (
        "plan block inside a sentence",
        [(PAGE1, "We start with", "See [[roadmap]]. We start with")],
        [f"{PAGE1}:3: [[roadmap]]: a plan block must be on a line of its own, with blank lines around it"],
    ),
    (
        "milestones block on the wrong page",
        [("plan/roadmap.md", "[[roadmap]]", "[[milestones]]")],
        [
            "plan/roadmap.md:3: [[milestones]]: [[milestones]] belongs on the index.md page of a "
            "phase folder that has a milestones.yml"
        ],
    ),
    (
        "consultation closes before it opens",
        [(P1, "closes: 2021-05-31", "closes: 2021-03-31")],
        [
            f"{P1}:6: consultation.closes: the consultation closes (2021-03-31) before it opens "
            "(2021-04-01); closes must be on or after opens"
        ],
    ),
    (
        "feedback written as a bare email address",
        [(P1, "closes: 2021-05-31", "closes: 2021-05-31\n  feedback: team@example.org")],
        [
            f"{P1}:7: consultation.feedback: expected an https:// web address or a mailto: email "
            'address, got "team@example.org"; for an email address write feedback: mailto:team@example.org'
        ],
    ),
    (
        "unknown phase status",
        [(P1, "status: published", "status: live")],
        [f'{P1}:3: status: "live" is not a status; use one of: planned, draft, consultation, published, revising'],
    ),
    (
        "percentage over 100",
        [(K, "value: 80}", "value: 180}")],
        [f"{K}:9: actuals.value: 180 is not a percentage; percent values are between 0 and 100"],
    ),
    (
        "target the same as the baseline",
        [(K, "value: 100}", "value: 60}")],
        [
            f"{K}:7: target.value: the target is the same as the baseline (60); "
            "a target says where the measure should get to"
        ],
    ),
    (
        "actual before the baseline",
        [(K, "{date: 2021-03-31, value: 65}", "{date: 2019-03-31, value: 65}")],
        [
            f"{K}:10: actuals.date: 2019-03-31 is not after the baseline date (2020-03-31); "
            "actuals are measured after the baseline"
        ],
    ),
    (
        "two actuals on one date",
        [(K, "{date: 2021-03-31, value: 65}", "{date: 2022-03-31, value: 65}")],
        [f"{K}:10: actuals.date: 2022-03-31 already has an actual (line 9); give one value per date"],
    ),
    (
        "unknown unit",
        [(K, "unit: percent", "unit: percentage")],
        [
            f'{K}:5: unit: "percentage" is not a unit (did you mean "percent"?); '
            "use one of: percent, count, days, hours, minutes, score"
        ],
    ),
    (
        "a data file with a misspelt name",
        [("plan/phase1-vision/milestone.yml", None, "milestones: []\n")],
        [
            'plan/phase1-vision/milestone.yml:1: file: not a plan data file (did you mean "milestones.yml"?); '
            "a phase folder can hold phase.yml, milestones.yml, measures.yml"
        ],
    ),
    (
        "a phase folder without phase.yml",
        [("plan/phase3-delivery/index.md", None, "# Phase 3\n")],
        [
            "plan/phase3-delivery/phase.yml:1: file: missing; every phase folder needs a phase.yml "
            "with its title, summary and status"
        ],
    ),
    (
        "raw HTML in a milestone summary",
        [(M1, "summary: The vision, published for consultation.", "summary: The vision <script>alert(1)</script>")],
        [
            f"{M1}:8: summary: raw HTML (<script>) is not allowed in a summary; write plain text or Markdown, "
            "like **bold** or [a link](https://example.org)"
        ],
    ),
    (
        "raw HTML in a phase summary",
        [(P1, "summary: Why the plan exists.", "summary: Why the plan <b>exists</b>.")],
        [
            f"{P1}:2: summary: raw HTML (<b>) is not allowed in a summary; write plain text or Markdown, "
            "like **bold** or [a link](https://example.org)"
        ],
    ),
    (
        "javascript: link in a measure description",
        [
            (
                K,
                "    source: Digital maturity assessment",
                "    source: Digital maturity assessment\n    description: See [the data](JavaScript:alert(1)).",
            )
        ],
        [
            f'{K}:12: description: the link "JavaScript:alert(1)" is not allowed in a description; link to an '
            "https://, http:// or mailto: address or to a page of this site, like [a link](https://example.org)"
        ],
    ),
    (
        "javascript: link hidden behind an entity",
        [(M1, "summary: The vision, published for consultation.", "summary: '[x](&#106;avascript:alert(1))'")],
        [
            f'{M1}:8: summary: the link "javascript:alert(1)" is not allowed in a summary; link to an '
            "https://, http:// or mailto: address or to a page of this site, like [a link](https://example.org)"
        ],
    ),
    (
        "link to another site without a scheme",
        [(M1, "summary: The vision, published for consultation.", "summary: See [this](//evil.example/).")],
        [
            f'{M1}:8: summary: the link "//evil.example/" is not allowed in a summary; link to an '
            "https://, http:// or mailto: address or to a page of this site, like [a link](https://example.org)"
        ],
    ),
    (
        "image in a summary",
        [(M1, "summary: The vision, published for consultation.", 'summary: "![chart](https://example.org/c.png)"')],
        [
            f"{M1}:8: summary: images are not allowed in a summary; link to the image instead, "
            "like [the chart](https://example.org/chart.png)"
        ],
    ),
    (
        "event attribute set with an attribute list",
        [(M1, "summary: The vision, published for consultation.", 'summary: "*Done*{: onclick=alert(1) }"')],
        [f"{M1}:8: summary: onclick= runs a script in readers' browsers and is not allowed in a summary; remove it"],
    ),
    (
        "control character in a title",
        [(P1, "title: Vision", 'title: "Vis\\eion"')],
        [
            f'{P1}:1: title: contains U+001B ESC after "Vis", an invisible character that cannot be published; '
            "delete it (it often comes with text pasted from another program)"
        ],
    ),
    (
        "several invisible characters in one field",
        [(M1, "owner: NHSX", 'owner: "NH\\0S\\u2028X\\x9b"')],
        [
            f'{M1}:5: owner: contains U+0000 NUL after "NH", U+2028 LINE SEPARATOR after "NHS" and U+009B CSI '
            'after "NHSX", invisible characters that cannot be published; delete them (they often come with '
            "text pasted from another program)"
        ],
    ),
    (
        "control character in a feedback address",
        [(P1, "closes: 2021-05-31", 'closes: 2021-05-31\n  feedback: "mailto:team@example.org\\a"')],
        [
            f'{P1}:7: consultation.feedback: contains U+0007 BEL after "mailto:team@example.org", an invisible '
            "character that cannot be published; delete it (it often comes with text pasted from another program)"
        ],
    ),
    (
        "control character in a page",
        [(PAGE1, "We start with", "We start\x1b with")],
        [
            f'{PAGE1}:3: text: contains U+001B ESC after "We start", an invisible character that cannot be '
            "published; delete it (it often comes with text pasted from another program)"
        ],
    ),
    (
        "a 310-digit number",
        [(K, "value: 80}", "value: " + "9" * 310 + "}")],
        [
            f"{K}:9: actuals.value: 99999999999999999999... (310 digits) is too large; numbers in the plan are "
            "between -1,000,000,000,000,000 and 1,000,000,000,000,000"
        ],
    ),
    (
        "a 17-digit number",
        [(K, "value: 80}", "value: 12345678901234567}")],
        [
            f"{K}:9: actuals.value: 12345678901234567 is too large; numbers in the plan are "
            "between -1,000,000,000,000,000 and 1,000,000,000,000,000"
        ],
    ),
    (
        "a number beyond what a float holds",
        [(K, "value: 80}", "value: 1.0e+400}")],
        [
            f"{K}:9: actuals.value: 1.0e+400 is too large; numbers in the plan are "
            "between -1,000,000,000,000,000 and 1,000,000,000,000,000"
        ],
    ),
    (
        "a huge number YAML reads as text",
        [(K, "value: 80}", "value: 1e400}")],
        [
            f"{K}:9: actuals.value: 1e400 is too large; numbers in the plan are "
            "between -1,000,000,000,000,000 and 1,000,000,000,000,000"
        ],
    ),
    (
        "a number with an exponent YAML reads as text",
        [(K, "value: 80}", "value: 8e1}")],
        [
            f'{K}:9: actuals.value: expected a number like 83 or 83.5, got "8e1"; '
            "write the number out in full: value: 80"
        ],
    ),
    (
        "not a number",
        [(K, "value: 80}", "value: .nan}")],
        [f'{K}:9: actuals.value: .nan means "not a number"; write a number like 83 or 83.5'],
    ),
    (
        "infinity",
        [(K, "value: 80}", "value: -.inf}")],
        [
            f"{K}:9: actuals.value: -.inf means infinity; numbers in the plan are "
            "between -1,000,000,000,000,000 and 1,000,000,000,000,000"
        ],
    ),
    (
        "a number too close to 0",
        [(K, "value: 80}", "value: 0.0000001}")],
        [f"{K}:9: actuals.value: 0.0000001 is too close to 0; write 0, or a number at least 0.000001 away from 0"],
    ),
    (
        "a number that rounds to 0",
        [(K, "value: 80}", "value: 1.0e-400}")],
        [f"{K}:9: actuals.value: 1.0e-400 is too close to 0; write 0, or a number at least 0.000001 away from 0"],
    ),
    (
        "a date far in the future",
        [(M1, "due: 2020-09-30", "due: 9999-12-31")],
        [f"{M1}:6: due: 9999-12-31 is out of range; dates in the plan are between 1900-01-01 and 2199-12-31"],
    ),
    (
        "a bad setting in mkdocs.yml",
        [("mkdocs.yml", "today: 2021-04-15", "today: soon")],
        ['mkdocs.yml:27: extra.plan.today: expected a date written YYYY-MM-DD, like 2024-04-30, got "soon"'],
    ),
]


def apply(root: Path, edits: list[tuple[str, str | None, str]]) -> None:
    """Apply (file, old, new) edits; old None writes the whole file."""
    for name, old, new in edits:
        if old is None:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(new, encoding="utf-8")
        else:
            edit(root, name, old, new)


def test_the_small_plan_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path)
    status, lines = check(tmp_path, capsys)
    assert (status, lines) == (0, ["The plan is clean: 2 phases, 3 milestones, 1 measures, 4 pages."])


@pytest.mark.parametrize(("edits", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_problem_is_reported_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edits: list, expected: list[str]
) -> None:
    write_site(tmp_path)
    apply(tmp_path, edits)
    status, lines = check(tmp_path, capsys)
    assert status == 1
    assert lines == expected


def test_non_utf8_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path)
    path = tmp_path / P1
    path.write_bytes(path.read_bytes().replace(b"Why the plan", b"Why the pl\xe0n"))
    assert check(tmp_path, capsys) == (
        1,
        [
            f"{P1}:2: encoding: the file is not UTF-8 text (byte 0xE0 in column 20); "
            "save it as UTF-8 (in most editors: Save with encoding, UTF-8)"
        ],
    )


def test_every_problem_is_reported_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path)
    chosen = [
        "YAML syntax error",
        "consultation closes before it opens",
        "unknown plan block",
        "percentage over 100",
        "dependency given as one id",
        "a bad setting in mkdocs.yml",
    ]
    expected = []
    for name, edits, lines in CASES:
        if name in chosen:
            apply(tmp_path, edits)
            expected += lines
    status, lines = check(tmp_path, capsys)
    assert status == 1
    assert lines == sorted(expected, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))
    assert [line.split(": ")[0] for line in lines] == [
        "mkdocs.yml:27",
        f"{PAGE1}:7",
        f"{M1}:4",
        f"{P1}:6",
        f"{K}:9",
        f"{M2}:7",
    ]


def test_references_to_ids_in_an_unreadable_file_are_not_reported_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_site(tmp_path)
    edit(tmp_path, M1, "title: Publish the vision", "title: Publish: the vision")
    status, lines = check(tmp_path, capsys)
    # M2.1 depends on M1.1 and the page refers to M1.1: both live in the broken file.
    assert status == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{M1}:4: YAML syntax")


def test_check_command_exits_1_without_traceback(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(tmp_path, M1, "status: done", "status: complete")
    result = techplan(tmp_path, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "The plan has 1 problem:",
        f'{M1}:7: status: "complete" is not a status; use one of: planned, in-progress, at-risk, '
        "delayed, done, dropped",
    ]


def test_check_github_format_annotates_the_lines(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(tmp_path, M1, "status: done", "status: complete")
    result = techplan(tmp_path, "check", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f'::error file={M1},line=7::status: "complete" is not a status; use one of: planned, '
        "in-progress, at-risk, delayed, done, dropped"
    ]


def test_check_outside_a_site_says_what_to_do(tmp_path: Path) -> None:
    result = techplan(tmp_path, "check")
    assert result.returncode == 2
    assert result.stderr == (
        "techplan: mkdocs.yml: no such file; run techplan in the folder holding mkdocs.yml or pass --config-file\n"
    )


def test_build_fails_with_the_same_list_and_no_traceback(tmp_path: Path) -> None:
    write_site(tmp_path)
    apply(tmp_path, CASES[12][1] + CASES[23][1] + CASES[27][1])
    checked = techplan(tmp_path, "check")
    built = build(tmp_path)
    assert built.returncode == 1
    assert "Traceback" not in built.stderr
    problems = checked.stdout.splitlines()
    assert len(problems) == 4
    assert "\n".join(problems) in built.stderr
    assert "Traceback" not in built.stdout
    assert "Aborted with a BuildError!" in built.stdout
    assert not (tmp_path / "site" / "index.html").exists()


def test_clean_plan_builds_strict_with_no_warnings(tmp_path: Path) -> None:
    write_site(tmp_path)
    built = build(tmp_path)
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr and "ERROR" not in built.stderr


SCRIPTS_IN_A_PAGE = (
    '<script>alert(1)</script>\n\n[Click](javascript:alert(2)) or <a href="#x" onclick="alert(3)">this</a>; '
    "`<script>` in code is only words.\n\n## Milestones"
)
PAGE_WARNINGS = [
    f"{PAGE1}:5: warning: <script>: a script in a page runs in every reader's browser; remove it "
    "(the site adds the scripts it needs itself)",
    f'{PAGE1}:7: warning: link: the link "javascript:alert(2)" runs a script instead of opening a page; '
    "link to an https:// address or a page of this site",
    f"{PAGE1}:7: warning: onclick: onclick= runs a script in every reader's browser; remove it",
]


def test_scripts_in_a_page_are_warnings_and_check_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path)
    edit(tmp_path, PAGE1, "## Milestones", SCRIPTS_IN_A_PAGE)
    assert check(tmp_path, capsys) == (
        0,
        [
            "The plan has 3 warnings:",
            *PAGE_WARNINGS,
            "The plan has no problems, only the warnings above: 2 phases, 3 milestones, 1 measures, 4 pages.",
        ],
    )


def test_a_pages_kept_scan_reports_the_same_and_follows_every_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a page's text says is kept by its hash; what the plan says of it is worked out each time."""
    write_site(tmp_path)
    edit(tmp_path, PAGE1, "## Milestones", SCRIPTS_IN_A_PAGE)
    edit(tmp_path, PAGE1, "We start with", "We start\x1b with")
    first = check(tmp_path, capsys)
    assert first[0] == 1 and len(first[1]) == 4
    assert len(list((tmp_path / ".cache/techplan").glob("*/page-scans/*"))) == 1
    scanned: list[str] = []

    def counted(text: str) -> load.PageScan:
        scanned.append(text)
        return scan_page(text)

    monkeypatch.setattr(load, "scan_page", counted)
    monkeypatch.setattr(cache, "_MEMORY", {})  # as a new process: read from the disk
    assert check(tmp_path, capsys) == first
    assert scanned == []
    edit(tmp_path, PAGE1, "We start\x1b with", "We start with")
    status, lines = check(tmp_path, capsys)
    assert (status, lines[1:4]) == (0, PAGE_WARNINGS)
    assert len(scanned) == 1
    edit(tmp_path, M1, "- id: M1.1", "- id: M1.5")  # the page's kept scan, a plan without the id it refers to
    status, lines = check(tmp_path, capsys)
    assert status == 1
    assert f'{PAGE1}:3: [[M1.1]]: no milestone has the id M1.1 (did you mean "M1.5"?)' in lines
    assert len(scanned) == 1


def test_kept_scans_hold_the_last_load_and_as_many_older_versions_at_most(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every edit adds a version of a page: the entry keeps this load's pages and no more than as many others."""
    write_site(tmp_path)
    folder = tmp_path / ".cache/techplan"
    for number in range(6):
        edit(tmp_path, PAGE1, "We start with", f"We start ({number}) with")
        assert check(tmp_path, capsys)[0] == 0
        edit(tmp_path, PAGE1, f"We start ({number}) with", "We start with")
        (entry,) = folder.glob("*/page-scans/*")
        kept = pickle.loads(entry.read_bytes())
        assert 4 <= len(kept) <= 8  # the plan's 4 pages, and at most 4 older versions
    assert check(tmp_path, capsys)[0] == 0  # the original text again, whether its scan was kept or not


def test_warnings_are_listed_beside_problems_and_annotate_as_warnings(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(tmp_path, PAGE1, "## Milestones", SCRIPTS_IN_A_PAGE)
    edit(tmp_path, M1, "status: done", "status: complete")
    result = techplan(tmp_path, "check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "The plan has 1 problem and 3 warnings:",
        *PAGE_WARNINGS,
        f'{M1}:7: status: "complete" is not a status; use one of: planned, in-progress, at-risk, delayed, '
        "done, dropped",
    ]
    annotations = techplan(tmp_path, "check", "--format", "github").stdout.splitlines()
    assert annotations[0] == (
        f"::warning file={PAGE1},line=5::<script>: a script in a page runs in every reader's browser; "
        "remove it (the site adds the scripts it needs itself)"
    )
    assert [line.split(" ", 1)[0] for line in annotations] == ["::warning"] * 3 + ["::error"]


def test_a_strict_build_stops_on_page_warnings(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(tmp_path, PAGE1, "## Milestones", SCRIPTS_IN_A_PAGE)
    built = build(tmp_path)
    assert built.returncode == 1
    assert "Traceback" not in built.stderr
    for warning in PAGE_WARNINGS:
        assert f"WARNING -  {warning}" in built.stderr
    assert "Aborted with 3 warnings in strict mode!" in built.stderr + built.stdout


def test_a_page_that_loads_from_another_site_is_warned_of_and_a_strict_build_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The site makes no request to another host: an image, frame or stylesheet from one would tell it who reads."""
    write_site(tmp_path)
    (tmp_path / "plan/phase1-vision/chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    edit(
        tmp_path,
        PAGE1,
        "## Milestones",
        "![Chart](https://charts.example/c.png) and ![ours](chart.png) and [a link](https://example.org)\n\n"
        '<iframe src="//video.example/embed/1"></iframe>\n\n## Milestones',
    )
    fetched = "is fetched from another site whenever a reader opens the page, which tells that site who is reading"
    warnings = [
        f'{PAGE1}:5: warning: image: "https://charts.example/c.png" {fetched}; '
        "save the file in the plan folder and use it from there",
        f'{PAGE1}:7: warning: src: "//video.example/embed/1" {fetched}; '
        "save the file in the plan folder and use it from there",
    ]
    assert check(tmp_path, capsys) == (
        0,
        [
            "The plan has 2 warnings:",
            *warnings,
            "The plan has no problems, only the warnings above: 2 phases, 3 milestones, 1 measures, 4 pages.",
        ],
    )
    built = build(tmp_path)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert [line for line in built.stderr.splitlines() if "WARNING" in line] == [f"WARNING -  {w}" for w in warnings]


def test_a_file_name_cannot_inject_github_workflow_commands(tmp_path: Path) -> None:
    write_site(tmp_path)
    name = "plan/phase1-vision/x,line=9,title=hi::%0A\n::error file=evil.yml,line=1::pwned.yml"
    (tmp_path / name).write_text("milestones: []\n", encoding="utf-8")
    result = techplan(tmp_path, "check", "--format", "github")
    assert result.returncode == 1
    # One line: the newline is shown as \n, and , : % in the file property are escaped as GitHub requires.
    assert result.stdout.splitlines() == [
        "::error file=plan/phase1-vision/x%2Cline=9%2Ctitle=hi%3A%3A%250A\\n%3A%3Aerror file=evil.yml%2Cline=1"
        "%3A%3Apwned.yml,line=1::file: not a plan data file; a phase folder can hold phase.yml, milestones.yml, "
        "measures.yml"
    ]
    assert result.stderr.splitlines()[1] == (
        "plan/phase1-vision/x,line=9,title=hi::%0A\\n::error file=evil.yml,line=1::pwned.yml:1: file: "
        "not a plan data file; a phase folder can hold phase.yml, milestones.yml, measures.yml"
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            ("measure", "add-actual", "K1", "2023-03-31", "9" * 310),
            f"{K}:11: actuals.value: 99999999999999999999... (310 digits) is too large; numbers in the plan are "
            "between -1,000,000,000,000,000 and 1,000,000,000,000,000",
        ),
        (
            ("measure", "add-actual", "K1", "2023-03-31", "1e400"),
            f"{K}:11: actuals.value: 1e400 is too large; numbers in the plan are "
            "between -1,000,000,000,000,000 and 1,000,000,000,000,000",
        ),
        (
            ("milestone", "set", "M1.1", "summary=<script>alert(1)</script>"),
            f"{M1}:8: summary: raw HTML (<script>) is not allowed in a summary; write plain text or Markdown, "
            "like **bold** or [a link](https://example.org)",
        ),
        (
            ("milestone", "set", "M1.1", "title=Vis\x1bion"),
            f'{M1}:4: title: contains U+001B ESC after "Vis", an invisible character that cannot be published; '
            "delete it (it often comes with text pasted from another program)",
        ),
    ],
    ids=["huge whole number", "huge number with an exponent", "script in a summary", "escape in a title"],
)
def test_edit_commands_refuse_what_the_check_refuses_and_write_nothing(
    tmp_path: Path, command: tuple[str, ...], expected: str
) -> None:
    write_site(tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in (M1, K)}
    result = techplan(tmp_path, *command)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.splitlines()[:2] == [
        "techplan: nothing was written: the edit would give the plan 1 problem:",
        expected,
    ]
    assert {name: (tmp_path / name).read_bytes() for name in (M1, K)} == before
