"""The pull-request kit: template, CI workflow, pre-commit and the contributor guide say true things."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import yaml
from plansite import REPO, edit, write_site
from test_check import CASES

from techplan.cli import main


def workflow() -> dict:
    return yaml.safe_load((REPO / ".github/workflows/plan.yml").read_text())


def run_steps() -> list[str]:
    return [step["run"] for job in workflow()["jobs"].values() for step in job["steps"] if "run" in step]


def test_pull_request_template_asks_for_the_change_note_and_whether_it_is_major() -> None:
    template = (REPO / ".github/pull_request_template.md").read_text()
    assert "## Is this a major change?" in template
    assert "## Change note" in template
    assert "Change-note:" in template


def test_workflow_is_valid_and_builds_with_full_history() -> None:
    data = workflow()
    assert set(data[True] if True in data else data["on"]) == {"pull_request", "push"}  # YAML 1.1 reads on: as True
    for job in data["jobs"].values():
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
        assert checkout["with"]["fetch-depth"] == 0


def test_every_workflow_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for command in run_steps():
        program = shlex.split(command)[0]
        words = " ".join(shlex.split(command)[:2])
        assert program in readme and (words in readme or program == "gh"), command


def test_workflow_commands_run_here(tmp_path: Path) -> None:
    # make check and make site run on this repository; techplan diff on a small one with two commits.
    for command in ("make check", "make site"):
        assert command in run_steps()
        # partial: CI may test a shallow clone; the workflow itself fetches everything.
        result = subprocess.run(
            command.split(),
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "TECHPLAN_HISTORY": "partial"},
        )
        assert result.returncode == 0, result.stdout + result.stderr
    diff = next(c for c in run_steps() if "techplan diff" in c)
    write_site(tmp_path)
    edit(tmp_path, "plan/phase1-vision/index.md", "We start with", "We begin with")
    subprocess.run(
        ["git", "commit", "-qam", "Reword"],
        cwd=tmp_path,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_AUTHOR_NAME": "A",
            "GIT_AUTHOR_EMAIL": "a@example.org",
            "GIT_COMMITTER_NAME": "A",
            "GIT_COMMITTER_EMAIL": "a@example.org",
        },
    )
    command = diff.replace('"origin/$BASE"', "HEAD~1").replace(".venv/bin/", str(REPO / ".venv/bin") + "/")
    result = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    posted = (tmp_path / "plan-diff.md").read_text()
    assert posted.startswith("## Plan changes: HEAD~1")
    assert "> <del>start</del><ins>begin</ins>" in posted.replace(" with", "") or "<ins>begin" in posted


def test_pre_commit_hooks_are_the_projects_own_and_run(capsys) -> None:  # type: ignore[no-untyped-def]
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"techplan-check", "techplan-schema"}
    assert all(repo["repo"] == "local" for repo in config["repos"])
    for hook in hooks.values():
        arguments = shlex.split(hook["entry"])[1:]
        assert main(["--config-file", str(REPO / "mkdocs.yml"), *arguments]) == 0
        assert re.search(hook["files"], "plan/phase2-roadmap/milestones.yml")


def test_every_error_in_the_guide_is_one_the_checker_gives() -> None:
    guide = (REPO / "plan/contributing.md").read_text()
    table = guide.split("## What the error messages mean", 1)[1]
    messages = [m.replace("\\|", "|") for m in re.findall(r"^\| `(.+?)` \|", table, re.MULTILINE)]
    real = [line.split(": ", 1)[1] for _, _, lines in CASES for line in lines]
    real += ["encoding: the file is not UTF-8 text (byte 0xE0 in column 20); save it as UTF-8"]
    assert len(messages) >= 12
    for message in messages:
        # "…" in the guide stands for a path or the rest of a long message.
        pattern = ".*".join(re.escape(part) for part in message.split("…"))
        assert any(re.match(pattern, line) for line in real), message
