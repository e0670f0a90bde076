"""Many edit commands at once on the same files: every edit that says it was made is in the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from plansite import MINI_PLAN, _env, techplan, write_site

MILESTONES = "plan/phase1-vision/milestones.yml"
MEASURES = "plan/phase2-measures/measures.yml"

EDITORS = 10
"""Milestones whose status is changed at once, each by its own process."""

ACTUALS = 8
"""Actuals added to K1 at once, each by its own process, each on its own date."""

ROUNDS = 3
"""Rounds of EDITORS + ACTUALS processes, in a git repository (then 2 in a plain folder): the old
check-then-rename lost 6 of 72 acknowledged edits over 4 rounds, in every run tried."""

REFUSED = "another edit of {path} is in progress; nothing was written, run it again"


def _milestones(count: int) -> str:
    """A milestones.yml with `count` planned milestones in phase 1."""
    lines = ["milestones:"]
    for number in range(1, count + 1):
        lines += [
            f"  - id: M1.{number}",
            f"    title: Step {number}",
            "    owner: Plan team",
            "    due: 2023-03-31",
            "    status: planned",
            f"    summary: Step {number} of the plan.",
            "",
        ]
    return "\n".join(lines)


ACTUAL_DATES = [f"2022-{month:02d}-28" for month in range(4, 4 + ACTUALS)]
"""Dates after the two actuals K1 already has, one per process."""


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    """Start the real `techplan` command in root without waiting for it."""
    return subprocess.Popen(
        [sys.executable, "-m", "techplan", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


@pytest.mark.slow
@pytest.mark.parametrize(("git", "rounds"), [(True, ROUNDS), (False, 2)], ids=["git-repository", "plain-folder"])
def test_concurrent_edits_are_never_lost(tmp_path: Path, git: bool, rounds: int) -> None:
    lost: list[str] = []
    unclear: list[str] = []
    acknowledged = refused = 0
    for round_number in range(rounds):
        root = tmp_path / f"round{round_number}"
        root.mkdir()
        write_site(root, {**MINI_PLAN, MILESTONES: _milestones(EDITORS)}, commit=git)
        # The git repository's lock lives in .git; the plain folder's in the system's temporary folder.
        processes: dict[str, subprocess.Popen[str]] = {}
        for number in range(1, EDITORS + 1):
            processes[f"M1.{number}"] = _start(root, "milestone", "set", f"M1.{number}", "status=done")
        for index, when in enumerate(ACTUAL_DATES):
            processes[when] = _start(root, "measure", "add-actual", "K1", when, str(81 + index))
        outcomes = {}
        for name, process in processes.items():
            out, err = process.communicate(timeout=300)
            outcomes[name] = (process.returncode, out, err)

        milestones = yaml.safe_load((root / MILESTONES).read_text(encoding="utf-8"))["milestones"]
        statuses = {m["id"]: m["status"] for m in milestones}
        k1 = yaml.safe_load((root / MEASURES).read_text(encoding="utf-8"))["measures"][0]
        actuals = {str(a["date"]): a["value"] for a in k1["actuals"]}
        wanted = {when: 81 + index for index, when in enumerate(ACTUAL_DATES)}
        for name, (status, out, err) in outcomes.items():
            assert "Traceback" not in err, err
            if status == 0:
                assert out.startswith("Changed "), out
                acknowledged += 1
                present = statuses.get(name) == "done" if name.startswith("M") else actuals.get(name) == wanted[name]
                if not present:
                    lost.append(f"round {round_number}: {name}")
            else:
                path = MILESTONES if name.startswith("M") else MEASURES
                refused += 1
                if (status, out, err) != (1, "", f"techplan: {REFUSED.format(path=path)}\n"):
                    unclear.append(f"round {round_number}: {name} exited {status}: {err.strip()}")
        # Whatever happened, both files are whole and the plan is valid.
        check = techplan(root, "check")
        assert check.returncode == 0, check.stdout + check.stderr
    print(f"concurrent edits: {acknowledged} acknowledged, {refused} refused, {len(lost)} lost")
    assert lost == []
    assert unclear == []
    # Refusing everything would keep nothing lost too: most edits must get through.
    assert acknowledged >= rounds * (EDITORS + ACTUALS) // 2
