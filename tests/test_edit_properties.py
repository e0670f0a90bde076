"""Any text staff can type, set with `milestone set` or `measure set`: it reads back exactly or is refused cleanly."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from plansite import write_site
from test_edit import COMMENTED_MEASURES, COMMENTED_MILESTONES, M1, K

from techplan.cli import main

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The parser the checker reads data files with."""

PIECES = [
    ": ",
    ":",
    " #",
    "#",
    "- ",
    "-",
    "'",
    '"',
    "''",
    "\\",
    "|",
    ">",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a",
    "*a",
    "!tag",
    "%",
    "@",
    "`",
    "?",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "2024",
    "1e5",
    "0x1F",
    "0o17",
    ".5",
    "-1",
    "2024-03-31",
    "12:30",
    "<script>",
    "[[M1.1]]",
    "\t",
    "\n",
    "\r\n",
    " ",
    "  ",
    "\u00a0",
    "\u2028",
    "\u0085",
    "é",
    "—",
    "𝄞",
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "---",
    "...",
    "= ",
    "=",
]
"""Pieces of text that mean something to YAML, Markdown, shells or terminals."""

VALUES = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), min_size=1, max_size=8).map("".join),
    st.text(alphabet="abc :#-'\"", min_size=1, max_size=8).map(lambda text: "Long " + text * 400),
    st.integers().map(str),
    st.floats().map(str),
)

FIELDS = {
    "milestone": (M1, "milestones", "M1.2", ["title", "owner", "summary"]),
    "measure": (K, "measures", "K1", ["title", "source", "description"]),
}


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small plan with the commented files; each example writes them back first."""
    root = tmp_path_factory.mktemp("properties")
    write_site(root, commit=False)
    return root


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command in-process; the status, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def keeps_comments(before: str, after: str) -> bool:
    """Whether every comment line of the file before is in the file after, in the same order."""
    lines = iter(after.splitlines())
    return all(any(line == kept for kept in lines) for line in before.splitlines() if line.lstrip().startswith("#"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noun=st.sampled_from(sorted(FIELDS)), pick=st.integers(0, 2), value=VALUES)
@example(noun="milestone", pick=0, value="Publish: the vision # now")
@example(noun="milestone", pick=1, value="- NHSX")
@example(noun="milestone", pick=2, value="'quoted' and \"double\" \\ back")
@example(noun="measure", pick=1, value="2024")
@example(noun="measure", pick=2, value="x" * 5000)
def test_any_value_reads_back_exactly_or_is_refused(plan: Path, noun: str, pick: int, value: str) -> None:
    path, list_key, record_id, fields = FIELDS[noun]
    field = fields[pick]
    (plan / M1).write_text(COMMENTED_MILESTONES, encoding="utf-8")
    (plan / K).write_text(COMMENTED_MEASURES, encoding="utf-8")
    before = (plan / path).read_bytes()
    config = str(plan / "mkdocs.yml")

    status, out, err = run("-f", config, noun, "set", record_id, f"{field}={value}")
    event(f"exit status {status}")

    text = (plan / path).read_bytes().decode("utf-8")
    if status != 0:
        # Refused: said in words, nothing written.
        assert status in (1, 2)
        assert out == ""
        assert err.startswith("techplan: "), err
        assert (plan / path).read_bytes() == before
        return
    assert out.startswith((f"Changed {path}: ", f"Nothing to change: {record_id}")), out
    # The value reads back exactly, with the checker's parser.
    old_data = yaml.load(before.decode("utf-8"), Loader=_Loader)
    new_data = yaml.load(text, Loader=_Loader)
    record = next(r for r in new_data[list_key] if r["id"] == record_id)
    expected = next(r for r in old_data[list_key] if r["id"] == record_id)
    if value.strip():
        assert record[field] == value.strip()
        expected[field] = value.strip()
    else:
        # Nothing clears an optional field (only a required one is refused, as empty).
        assert field not in record
        expected.pop(field, None)
    # Nothing else changed: every other value, and every comment.
    assert new_data == old_data
    assert keeps_comments(before.decode("utf-8"), text)
    # And the plan is still valid as a whole.
    assert run("-f", config, "check")[0] == 0
