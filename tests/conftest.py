"""Shared pytest setup: the --update-golden flag for golden-file tests, and the browser tests' summary."""

from __future__ import annotations

from pathlib import Path

import pytest

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
