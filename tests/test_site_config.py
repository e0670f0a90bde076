"""mkdocs.yml is read the way MkDocs reads it (`!ENV`, `INHERIT`), and what is wrong with it names its line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from plansite import build, edit, page, techplan, write_site


def test_a_syntax_error_in_mkdocs_yml_names_its_line(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(tmp_path, "mkdocs.yml", "site_name: Mini plan", "site_name: Mini: plan")
    result = techplan(tmp_path, "check")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "techplan: mkdocs.yml cannot be used, so nothing was checked or built:\n"
        "mkdocs.yml:1: YAML syntax: a colon followed by a space inside text, or a line indented too far; put text "
        'that contains ": " in double quotes, like title: "Data: the next steps"\n'
    )
    for command in (("diff", "HEAD"), ("milestone", "set", "M1.2", "status=done"), ("schema",)):
        other = techplan(tmp_path, *command)
        assert other.returncode == 1 and other.stderr.startswith("techplan: mkdocs.yml cannot be used"), command


def test_a_missing_plan_folder_is_mkdocs_own_complaint_at_its_line(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(tmp_path, "mkdocs.yml", "docs_dir: plan", "docs_dir: plans")
    result = techplan(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[1].startswith("mkdocs.yml:5: docs_dir: The path '")
    assert result.stderr.splitlines()[1].endswith("plans' isn't an existing directory.")


def test_env_values_and_inherited_settings_reach_the_plan(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    # The shared settings live in a base file; the plan's feedback address comes from the environment.
    base, _, own = config.partition("extra:\n")
    (tmp_path / "base.yml").write_text(base, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "INHERIT: base.yml\nextra:\n  plan:\n    today: 2021-04-15\n"
        "    feedback: !ENV [PLAN_FEEDBACK, 'mailto:default@example.org']\n",
        encoding="utf-8",
    )
    assert "feedback" in own  # the original had its own, now replaced
    result = techplan(tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    built = build(tmp_path, PLAN_FEEDBACK="mailto:from-the-environment@example.org")
    assert built.returncode == 0, built.stderr
    links = [a["href"] for a in page(tmp_path, "phase1-vision/").select("a[href^='mailto:']")]
    assert links and all(href.startswith("mailto:from-the-environment@example.org") for href in links)


def test_a_bad_value_from_the_environment_is_a_problem_at_its_key(tmp_path: Path) -> None:
    write_site(tmp_path)
    edit(tmp_path, "mkdocs.yml", "today: 2021-04-15", "today: !ENV [PLAN_TODAY, 2021-04-15]")
    os.environ["PLAN_TODAY"] = "soon"
    try:
        result = techplan(tmp_path, "check")
    finally:
        del os.environ["PLAN_TODAY"]
    assert result.returncode == 1
    assert result.stdout.splitlines()[1:] == [
        'mkdocs.yml:27: extra.plan.today: expected a date written YYYY-MM-DD, like 2024-04-30, got "soon"'
    ]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda p: (p.unlink(), p.symlink_to("gone.yml")),
            "plan/phase1-vision/milestones.yml:1: file: is a link to gone.yml, which does not exist; put the file "
            "itself here, or remove the link",
        ),
        (
            lambda p: (p.unlink(), p.mkdir()),
            "plan/phase1-vision/milestones.yml:1: file: is a folder, not a file; the plan reads a file of this name",
        ),
        (
            lambda p: (p.unlink(), os.mkfifo(p)),
            "plan/phase1-vision/milestones.yml:1: file: is not a regular file (a device, a pipe or a socket); put "
            "the file itself here",
        ),
    ],
    ids=["dangling link", "folder", "named pipe"],
)
def test_a_data_file_that_is_not_a_file_is_a_problem(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)
    make(tmp_path / "plan/phase1-vision/milestones.yml")
    result = techplan(tmp_path, "check")
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout.splitlines()
    built = build(tmp_path)
    assert built.returncode == 1 and expected in built.stderr and "Traceback" not in built.stderr


def test_a_page_that_is_a_dangling_link_is_a_problem(tmp_path: Path) -> None:
    write_site(tmp_path)
    (tmp_path / "plan/phase1-vision/gone.md").symlink_to("nowhere.md")
    result = techplan(tmp_path, "check")
    assert result.returncode == 1
    assert (
        "plan/phase1-vision/gone.md:1: file: is a link to nowhere.md, which does not exist; put the file itself "
        "here, or remove the link"
    ) in result.stdout.splitlines()
