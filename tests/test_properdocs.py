"""This repository's site on ProperDocs, the maintained MkDocs 1.x fork: the same files as MkDocs builds.

MkDocs 1.x is no longer maintained and MkDocs 2 drops plugins and hooks; ProperDocs continues 1.x
and runs the same hooks, plugins and themes. Both are installed side by side (`.[test]`): each
command imports its own package, and under `properdocs` every `mkdocs.*` import is ProperDocs.
The second plan (tests/test_second_plan.py) is built with both as well, through the plugin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from plansite import REPO, page, site_differences, text_of

pytestmark = pytest.mark.slow


def _build(tool: str, root: Path) -> subprocess.CompletedProcess[str]:
    """Build this repository's site into root/site, strictly, with `python -m mkdocs` or `python -m properdocs`."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        # CI may check out a shallow clone; this test compares two builds, not the history.
        "TECHPLAN_HISTORY": "partial",
        # The same day for both builds, even across midnight: dates in the pages and the sitemap.
        "SOURCE_DATE_EPOCH": "1767225600",
    }
    command = [sys.executable, "-m", tool, "build", "--strict", "--config-file", str(REPO / "mkdocs.yml")]
    return subprocess.run(
        [*command, "--site-dir", str(root / "site")], cwd=REPO, capture_output=True, text=True, env=env, check=False
    )


def test_properdocs_builds_this_site_as_mkdocs_does(tmp_path: Path) -> None:
    properdocs = _build("properdocs", tmp_path / "properdocs")
    assert properdocs.returncode == 0, properdocs.stderr
    assert "WARNING" not in properdocs.stderr
    mkdocs = _build("mkdocs", tmp_path / "mkdocs")
    assert mkdocs.returncode == 0, mkdocs.stderr
    # Each page names the generator that built it; nothing else may differ.
    generator = page(tmp_path / "properdocs", "").find("meta", attrs={"name": "generator"})
    assert generator["content"].startswith("mkdocs-ProperDocs 1.6.")
    assert site_differences(tmp_path / "mkdocs/site", tmp_path / "properdocs/site") == []
    # The manifest names the builder: a rebuild must use the same one.
    manifest = json.loads((tmp_path / "properdocs/site/manifest.json").read_text(encoding="utf-8"))
    assert manifest["builder"]["name"] == "ProperDocs" and manifest["builder"]["version"].startswith("1.6.")
    # And it is the plan's site, with its milestones and history, not an empty shell.
    html = page(tmp_path / "properdocs", "phase2-roadmap/")
    assert html.select(".tp-milestones tbody tr")
    assert text_of(html.select_one(".tp-page-meta p")).startswith(("Last updated", "Published"))
    assert (tmp_path / "properdocs/site/changes.json").exists()
    assert (tmp_path / "properdocs/site/feed.xml").exists()
