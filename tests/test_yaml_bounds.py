"""YAML is read with bounds: aliases, nesting and size can never make a check or a build hang or eat memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st
from plansite import write_site

from techplan.plan.yamlsource import _SHORT, MAX_BYTES, MAX_VALUES, _Loader, parse_yaml, parse_yaml_bytes

BOMB = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
)
"""The "billion laughs": nine levels of nine aliases, 9^9 (387 million) strings in about 640 bytes."""


def test_the_bomb_is_small_and_really_expands() -> None:
    assert len(BOMB.encode()) < 700
    # Without aliases expanded it is tiny; with them, 9**9 strings: far beyond the limit.
    assert MAX_VALUES < 9**9


def test_an_alias_bomb_is_a_problem_with_a_line_not_a_hang() -> None:
    started = time.perf_counter()
    node, problems = parse_yaml(BOMB, "plan/phase1-vision/milestones.yml")
    assert time.perf_counter() - started < 1
    assert node is None
    assert [p.render() for p in problems] == [
        "plan/phase1-vision/milestones.yml:6: YAML syntax: with its aliases (*name) expanded the file holds more "
        f"than {MAX_VALUES:,} values; plan data does not need anchors (&name) and aliases: write the values out"
    ]


def test_an_alias_loop_is_a_problem() -> None:
    node, problems = parse_yaml("a: &x [*x]\n", "f.yml")
    assert node is None
    assert [p.render() for p in problems] == [
        "f.yml:1: YAML syntax: an alias (*name) refers to the data it is inside, so it never ends; write the values out"
    ]


def test_a_few_aliases_are_still_read() -> None:
    node, problems = parse_yaml("a: &x {date: 2021-03-31, value: 1}\nb: *x\n", "f.yml")
    assert problems == []
    assert node is not None and [e.key for e in node.entries] == ["a", "b"]
    assert node.entries[1].value.entries[0].value.text == "2021-03-31"


def test_deep_nesting_is_a_problem_not_a_recursion_error() -> None:
    for text in ("a: " + "[" * 100_000 + "]" * 100_000, "".join(" " * i + f"k{i}:\n" for i in range(3000))):
        node, problems = parse_yaml(text, "f.yml")
        assert node is None
        assert len(problems) == 1 and problems[0].message.startswith("the data is nested too deeply")


def test_an_oversized_file_is_refused_before_it_is_parsed() -> None:
    data = b"title: " + b"x" * (MAX_BYTES + 1)
    node, problems = parse_yaml_bytes(data, "f.yml")
    assert node is None
    assert [p.render() for p in problems] == [
        f"f.yml:1: file: the file is {len(data):,} bytes, more than the {MAX_BYTES:,} a plan data file may be; "
        "keep only the plan's data in it"
    ]


def test_too_many_values_without_an_alias_are_refused_too() -> None:
    text = "- a\n" * (MAX_VALUES + 1)
    assert len(text) > _SHORT and "*" not in text
    node, problems = parse_yaml(text, "f.yml")
    assert node is None
    assert [p.field for p in problems] == ["YAML syntax"]
    assert f"more than {MAX_VALUES:,} values" in problems[0].message


YAML_PIECES = ["?", ":", "-", ",", "[", "]", "{", "}", " ", "\n", "a", "&a ", "!!str ", "''", '""', "|\n", ">-\n"]


@given(st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
def test_text_without_an_alias_holds_at_most_two_values_a_character(text: str) -> None:
    """What lets a short file without an alias skip counting its expanded values (yamlsource._SHORT).

    A value takes a character of its own, or shares one: `?` alone is a mapping, its key and its value.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return
    values, stack = 0, [root] if root is not None else []
    while stack:
        node = stack.pop()
        values += 1
        if isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    assert values <= 2 * len(text) + 1


def test_a_large_real_plan_file_is_well_within_the_limits() -> None:
    records = "".join(
        f"  - id: M2.{n}\n    title: Milestone {n}\n    owner: NHSX\n    due: 2024-03-31\n    status: planned\n"
        f"    depends_on: [M2.1]\n    summary: Something worth doing, number {n}.\n"
        for n in range(1, 1001)
    )
    node, problems = parse_yaml("milestones:\n" + records, "f.yml")
    assert problems == [] and node is not None


def test_techplan_check_on_the_bomb_finishes_fast_in_little_memory(tmp_path: Path) -> None:
    """The issue's bound: under 2 s and 200 MB for `techplan check` on the alias bomb."""
    write_site(tmp_path)
    (tmp_path / "plan/phase1-vision/milestones.yml").write_text(BOMB + "\n", encoding="utf-8")
    program = textwrap.dedent(
        """
        import re, sys, time
        started = time.perf_counter()
        from techplan.cli import main
        status = main(["-f", sys.argv[1], "check"])
        print("TIME", time.perf_counter() - started)
        # This process's own peak (getrusage's would include the memory of the process it was forked from).
        with open("/proc/self/status") as status_file:
            print("RSS", re.search(r"VmHWM:\\s*([0-9]+) kB", status_file.read()).group(1))
        sys.exit(status)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path / "mkdocs.yml")],
        capture_output=True, text=True, timeout=60, check=False, env={"TECHPLAN_CACHE": "off", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "plan/phase1-vision/milestones.yml:6: YAML syntax: with its aliases (*name) expanded" in done.stdout
    figures = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("TIME", "RSS")))
    assert float(figures["TIME"]) < 2
    assert int(figures["RSS"]) < 200 * 1024  # kilobytes on Linux
