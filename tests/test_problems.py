"""Problems as data: severity, order, and how they render for people, editors and GitHub."""

from __future__ import annotations

import dataclasses

import pytest

from techplan.problems import WARNING, Problem, render_report, visible, workflow_command


def test_a_problem_is_an_error_unless_it_says_otherwise() -> None:
    problem = Problem("plan/a.yml", 3, "due", "is wrong")
    assert problem.severity == "error" and problem.is_error
    warning = Problem("plan/a.md", 5, "<script>", "runs a script", WARNING)
    assert not warning.is_error
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.severity = WARNING  # type: ignore[misc]


def test_problems_sort_by_file_line_field_message_then_severity() -> None:
    problems = [
        Problem("b.yml", 1, "x", "m"),
        Problem("a.yml", 9, "x", "m", WARNING),
        Problem("a.yml", 2, "y", "m"),
        Problem("a.yml", 2, "x", "m"),
    ]
    assert [(p.path, p.line, p.field) for p in sorted(problems)] == [
        ("a.yml", 2, "x"),
        ("a.yml", 2, "y"),
        ("a.yml", 9, "x"),
        ("b.yml", 1, "x"),
    ]


def test_warnings_render_as_compilers_write_them() -> None:
    assert Problem("plan/a.yml", 3, "due", "is wrong").render() == "plan/a.yml:3: due: is wrong"
    assert Problem("plan/a.md", 5, "onclick", "runs", WARNING).render() == "plan/a.md:5: warning: onclick: runs"


def test_the_report_counts_problems_and_warnings() -> None:
    error = Problem("plan/a.yml", 3, "due", "is wrong")
    warning = Problem("plan/a.md", 5, "onclick", "runs", WARNING)
    assert render_report([error, warning, error]).splitlines() == [
        "The plan has 1 problem and 1 warning:",
        "plan/a.md:5: warning: onclick: runs",
        "plan/a.yml:3: due: is wrong",
    ]
    assert render_report([warning]).splitlines()[0] == "The plan has 1 warning:"


def test_what_could_move_a_terminal_or_start_a_line_is_shown_as_an_escape() -> None:
    problem = Problem("plan/evil\x1b[2J\nname\u202eyml", 1, "file", 'got "\x07\u2028"')
    assert problem.render() == 'plan/evil\\u001b[2J\\nname\\u202eyml:1: file: got "\\u0007\\u2028"'
    assert visible("Plain, ünïcödé and 🚀") == "Plain, ünïcödé and 🚀"


def test_github_annotations_escape_every_property_and_the_message() -> None:
    # The rules of GitHub's own toolkit (actions/toolkit, command.ts): properties escape % CR LF : and ,
    # and the message % CR LF, so no value can end the line or add a property.
    assert workflow_command("error", {"file": "a,b:c%d\re\nf", "line": "3", "title": "T: 1, 2"}, "50%\r\nnext") == (
        "::error file=a%2Cb%3Ac%25d%0De%0Af,line=3,title=T%3A 1%2C 2::50%25%0D%0Anext"
    )
    assert workflow_command("warning", {}, "m") == "::warning::m"
    problem = Problem("plan/x,line=9::y.yml", 4, "title", "100% sure", WARNING)
    assert problem.render_github() == "::warning file=plan/x%2Cline=9%3A%3Ay.yml,line=4::title: 100%25 sure"
