"""The demo's replayed repository, as the tests share it: one replay per test run (see conftest.py)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gitrepo import HERMETIC

from techplan.demo import ReplaySummary

REPO = Path(__file__).resolve().parents[1]
STORY = REPO / "demo" / "story.yml"
"""This repository's story: the plan's life from June 2020 to March 2024."""


@dataclass(frozen=True)
class Demo:
    """A replayed repository and what replay said about it."""

    root: Path
    summary: ReplaySummary

    def git(self, *args: str) -> str:
        """Run git in the repository; its output."""
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, **HERMETIC}
        result = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, check=True)
        return result.stdout.decode("utf-8")

    def message(self, sha: str) -> str:
        """A commit's full message."""
        return self.git("log", "-1", "--format=%B", sha)
