"""Shared pytest setup: the --update-golden flag, the browser tests' summary, and the demo replayed once per run."""

from __future__ import annotations

from pathlib import Path

import pytest
from demorepo import REPO, STORY, Demo
from plansite import build

from techplan.demo import replay

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files in tests/golden/ from the current output (review the diff!)",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare text with a golden file, or rewrite the file when --update-golden is given."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden and review it"
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"

    return check


BROWSER_SUMMARY = pytest.StashKey[list[str]]()
"""Lines the browser tests add to the end of the run: what they checked, in numbers."""


@pytest.fixture(scope="session")
def summary_line(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Add a line to the summary printed after the run, so `make test` shows what was checked."""
    return request.config.stash.setdefault(BROWSER_SUMMARY, []).append


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    lines = config.stash.get(BROWSER_SUMMARY, [])
    if lines:
        terminalreporter.section("what the browser tests checked")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo's story replayed once for the whole run. Read it, never change it: copy it first."""
    root = tmp_path_factory.mktemp("demo") / "repo"
    return Demo(root, replay(root, REPO, STORY))


@pytest.fixture(scope="session")
def demo_built(demo: Demo) -> Demo:
    """The replayed demo with its site built into its site/ folder, once for the whole run."""
    result = build(demo.root)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return demo
