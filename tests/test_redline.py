"""Redlines: the hand-written golden cases, properties of the algorithm, and the compare page's script against it.

techplan/compare/redline.py is the reference; the compare page's script must give the same
segments and the same markup, byte for byte, for any input. The differential tests put random
texts and pages (hypothesis) to both, through one long-running Node process.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techplan.compare import redline as reference
from techplan.compare.redline import Block, parts_html, redline, tokenize, word_diff
from techplan.compare.sequences import DIFF_BUDGET, diff_sequences, lcs_length

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "redline"
WORKER = REPO / "tests" / "js" / "redline-worker.js"
SETTINGS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _cases() -> Iterator[Any]:
    for path in sorted(GOLDEN.glob("*.json")):
        for number, case in enumerate(json.loads(path.read_text(encoding="utf-8"))["cases"], start=1):
            yield pytest.param(case, id=f"{path.stem}-{number}")


def _segments(old: list[list[str]], new: list[list[str]]) -> list[dict[str, Any]]:
    """Python's redline of two lists of [kind, text], as the golden files and the script write it."""
    segments = redline([Block(kind, text) for kind, text in old], [Block(kind, text) for kind, text in new])
    return [{"kind": s.kind, "status": s.status, "parts": [list(p) for p in s.parts]} for s in segments]


def test_there_are_golden_cases_for_what_matters() -> None:
    names = {path.stem for path in GOLDEN.glob("*.json")}
    assert names >= {"every-trust", "punctuation", "reordered-sentence", "pages", "unicode", "empty-and-whitespace"}


@pytest.mark.parametrize("case", list(_cases()))
def test_golden_case(case: dict[str, Any]) -> None:
    """Each hand-written case: word by word (parts, and markup where given), or page by page (segments)."""
    if isinstance(case["old"], str):
        parts = word_diff(case["old"], case["new"])
        assert [list(p) for p in parts] == case["parts"]
        if "html" in case:
            assert parts_html(parts) == case["html"]
    else:
        assert _segments(case["old"], case["new"]) == case["segments"]


# Properties of the algorithm, on random input.

WORDS = ["the", "plan", "data", "care", "NHS", "trust", "it's", "GP’s", "café", "東京", "2024", "a", "b"]
MARKS = [",", ".", ";", "—", "(", ")", "“", "”", "'", "&", "<", "🚑", "%"]
SPACES = [" ", " ", " ", "  ", "\n", "\u00a0", "\t"]


def _lcs_by_table(a: list[Any], b: list[Any]) -> int:
    """The textbook longest common subsequence length, to check the fast ones against."""
    previous = [0] * (len(b) + 1)
    for item in a:
        row = [0]
        for j, other in enumerate(b):
            row.append(previous[j] + 1 if item == other else max(previous[j + 1], row[j]))
        previous = row
    return previous[-1]


small_lists = st.lists(st.integers(0, 5), max_size=30)


@SETTINGS
@given(small_lists, small_lists)
def test_diff_sequences_is_a_shortest_edit_script(a: list[int], b: list[int]) -> None:
    opcodes = diff_sequences(a, b)
    rebuilt, kept, i, j = [], 0, 0, 0
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (i, j), "opcodes cover both sequences in order"
        assert tag == ("equal" if a[i1:i2] == b[j1:j2] and i2 - i1 == j2 - j1 else tag)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            kept += i2 - i1
        rebuilt += b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    assert rebuilt == b
    assert kept == _lcs_by_table(a, b)


@SETTINGS
@given(st.lists(st.integers(0, 5), max_size=200), small_lists)
def test_lcs_length_is_exact(a: list[int], b: list[int]) -> None:
    assert lcs_length(a, b) == _lcs_by_table(a, b)


texts = st.lists(st.sampled_from(WORDS + MARKS + SPACES), max_size=40).map("".join) | st.text(
    st.characters(exclude_categories=["Cs", "Cn"]), max_size=30
)


@SETTINGS
@given(texts)
def test_tokens_join_back_into_the_text_and_words_are_the_tokens_but_spaces(text: str) -> None:
    assert "".join(tokenize(text)) == text
    assert reference.WORDS.findall(text) == [token for token in tokenize(text) if not token.isspace()]


@SETTINGS
@given(texts, texts)
def test_word_diff_loses_nothing_and_marks_runs_not_confetti(old: str, new: str) -> None:
    parts = word_diff(old, new)
    assert "".join(text for op, text in parts if op != "+") == old
    assert "".join(text for op, text in parts if op != "-") == new
    assert all(text for _, text in parts)
    assert all(a.op != b.op for a, b in pairwise(parts)), parts
    # Group the runs into equal text and changes (a deletion and an insertion together).
    groups: list[tuple[str, set[str]]] = []
    for op, text in parts:
        if op != "=" and groups and groups[-1][0] == "change":
            groups[-1][1].add(op)
        else:
            groups.append(("change", {op}) if op != "=" else (text, set()))
    for (_, left), (between, _), (_, right) in zip(groups, groups[1:], groups[2:], strict=False):
        if left and right and between.isspace() and len(tokenize(between)) == 1:
            # A single space is left between two changes only when both insert or both delete.
            assert left | right in ({"+"}, {"-"}), parts


def test_a_huge_rewrite_gives_coarser_marks_within_the_budget() -> None:
    rng = random.Random(4)
    old = " ".join(rng.choice(WORDS) for _ in range(6000))
    new = " ".join(rng.choice(WORDS) for _ in range(6000))
    parts = word_diff(old, new)
    assert "".join(text for op, text in parts if op != "+") == old
    assert "".join(text for op, text in parts if op != "-") == new
    kept = sum(len(tokenize(text)) for op, text in parts if op == "=")
    assert kept < lcs_length(tokenize(old), tokenize(new)), "the budget stopped the search early"
    assert DIFF_BUDGET >= 100_000


def test_unchanged_pages_show_nothing_changed_and_blocks_without_words_still_pair() -> None:
    blocks = [Block("h1", "Vision"), Block("p", "Our plan.")]
    assert [s.status for s in redline(blocks, list(blocks))] == ["equal", "equal"]
    assert redline([], []) == []
    # No words on either side: as alike as can be (pages never have such blocks; other callers might).
    [segment] = redline([Block("pre", " ")], [Block("pre", "  ")])
    assert (segment.status, segment.parts) == ("changed", (("-", " "), ("+", "  ")))


# The compare page's script against this module: same segments, same markup.


@pytest.fixture(scope="module")
def script() -> Iterator[Any]:
    """Ask the compare page's script, in one Node process: script(question, batch) -> answers."""
    node = shutil.which("node")
    if node is None:
        missing = "node not installed: the compare page's script cannot be tested without Node.js"
        if os.environ.get("TECHPLAN_REQUIRE_BROWSER"):
            pytest.fail(f"{missing} (TECHPLAN_REQUIRE_BROWSER is set, so this is a failure, not a skip)")
        pytest.skip(missing)
    worker = subprocess.Popen(
        [node, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    assert worker.stdin is not None and worker.stdout is not None

    def ask(question: str, batch: list[dict[str, Any]]) -> list[Any]:
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(json.dumps({"ask": question, "batch": batch}) + "\n")
        worker.stdin.flush()
        answer = worker.stdout.readline()
        assert answer, "the script's worker stopped"
        return json.loads(answer)  # type: ignore[no-any-return]

    yield ask
    worker.stdin.close()
    worker.wait(timeout=10)


def _word_answer(old: str, new: str) -> dict[str, Any]:
    parts = word_diff(old, new)
    return {"parts": [list(p) for p in parts], "html": parts_html(parts)}


def _block_answer(old: list[list[str]], new: list[list[str]]) -> dict[str, Any]:
    segments = _segments(old, new)
    return {"segments": segments, "html": [parts_html(s["parts"]) for s in segments]}


@SETTINGS
@given(st.lists(texts, max_size=5))
def test_script_tokenizes_as_python_does(script: Any, batch: list[str]) -> None:
    assert script("tokenize", [{"text": text} for text in batch]) == [tokenize(text) for text in batch]


@settings(SETTINGS, max_examples=300)
@given(st.lists(st.tuples(small_lists, small_lists, st.integers(0, 400)), min_size=1, max_size=10))
def test_script_diffs_sequences_and_runs_out_of_steps_as_python_does(
    script: Any, batch: list[tuple[list[int], list[int], int]]
) -> None:
    """The same edit script for any budget: both count their steps alike, so both stop at the same place."""
    got = script("diff", [{"a": a, "b": b, "budget": budget} for a, b, budget in batch])
    assert got == [[list(op) for op in diff_sequences(a, b, budget)] for a, b, budget in batch]


@st.composite
def edited_text(draw: st.DrawFn) -> tuple[str, str]:
    """A text and an edit of it: tokens inserted, deleted, replaced or moved; or two unrelated texts."""
    old = draw(st.lists(st.sampled_from(WORDS + MARKS + SPACES), max_size=40))
    if draw(st.booleans()):
        return "".join(old), draw(texts)
    new = list(old)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(new)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "move"]))
        token = draw(st.sampled_from(WORDS + MARKS + SPACES))
        if action == "insert" or not new:
            new.insert(at, token)
        elif action == "delete":
            del new[min(at, len(new) - 1)]
        elif action == "replace":
            new[min(at, len(new) - 1)] = token
        else:
            new.insert(at, new.pop(draw(st.integers(0, len(new) - 1))))
    return "".join(old), "".join(new)


@settings(SETTINGS, max_examples=400)
@given(st.lists(edited_text(), min_size=1, max_size=4))
def test_script_marks_words_as_python_does(script: Any, pairs: list[tuple[str, str]]) -> None:
    got = script("words", [{"old": old, "new": new} for old, new in pairs])
    assert got == [_word_answer(old, new) for old, new in pairs]


KINDS = ["p", "p", "p", "li", "h2"]
sentences = st.lists(st.sampled_from(WORDS[:8] + MARKS[:3] + [" "] * 6), min_size=1, max_size=16).map(
    lambda tokens: " ".join("".join(tokens).split()) or "x"
)


@st.composite
def edited_page(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    """A page's blocks and an edit: blocks reworded a little or a lot, added, removed, copied, moved, changed in kind.

    Blocks share a small vocabulary and are sometimes copies of each other, so pairing meets
    ties and similarities either side of its threshold.
    """
    old = draw(st.lists(st.tuples(st.sampled_from(KINDS), sentences).map(list), max_size=10))
    for _ in range(draw(st.integers(0, 2)) if old else 0):
        old.insert(draw(st.integers(0, len(old))), list(old[draw(st.integers(0, len(old) - 1))]))
    new = [list(block) for block in old]
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(new)))
        action = draw(st.sampled_from(["reword", "reword", "rewrite", "add", "remove", "copy", "move", "kind"]))
        copies = [block for block in new if block == new[min(at, len(new) - 1)]] if new else []
        if action == "add" or not new:
            new.insert(at, [draw(st.sampled_from(KINDS)), draw(sentences)])
            continue
        at = min(at, len(new) - 1)
        words = new[at][1].split(" ")
        if action == "reword":
            spot = draw(st.integers(0, len(words)))
            words[spot:spot] = [draw(st.sampled_from(WORDS + MARKS))]
            if len(words) > 2 and draw(st.booleans()):
                del words[draw(st.integers(0, len(words) - 1))]
            reworded = " ".join(" ".join(words).split()) or "x"
            for block in copies if draw(st.booleans()) else [new[at]]:  # every copy alike: pairing ties
                block[1] = reworded
        elif action == "rewrite":
            share = draw(st.sampled_from([0.3, 0.4, 0.5, 0.6]))
            words = [draw(st.sampled_from(WORDS)) if n < share * len(words) else w for n, w in enumerate(words)]
            new[at][1] = " ".join(" ".join(words).split()) or "x"
        elif action == "remove":
            del new[at]
        elif action == "copy":
            new.insert(draw(st.integers(0, len(new))), list(new[at]))
        elif action == "move":
            new.insert(draw(st.integers(0, len(new) - 1)), new.pop(at))
        else:
            new[at][0] = draw(st.sampled_from(KINDS))
    return old, new


@settings(SETTINGS, max_examples=300)
@given(st.lists(edited_page(), min_size=1, max_size=3))
def test_script_redlines_pages_as_python_does(script: Any, pages: list[tuple[list[Any], list[Any]]]) -> None:
    got = script("blocks", [{"old": old, "new": new} for old, new in pages])
    assert got == [_block_answer(old, new) for old, new in pages]


def test_script_agrees_on_big_pages_and_where_the_budget_runs_out(script: Any) -> None:
    """Long texts and long pages, seeded: the fine diffs, the pairing of many candidates, and budget cut-offs."""
    rng = random.Random(20240331)
    vocabulary = WORDS + MARKS + ["records", "staff", "systems", "funding", "local", "national"]

    def sentence() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 30)))

    words = []
    for size, rate in ((300, 0.05), (2000, 0.1), (2000, 0.2), (4000, 0.1), (6000, 0.05)):
        old = " ".join(rng.choice(vocabulary) for _ in range(size))
        edited = " ".join(w if rng.random() > rate else rng.choice(vocabulary) for w in old.split(" "))
        unrelated = " ".join(rng.choice(vocabulary) for _ in range(size))
        words += [(old, edited), (old, unrelated)]
    expected = [_word_answer(old, new) for old, new in words]
    assert script("words", [{"old": old, "new": new} for old, new in words]) == expected
    # Some of these ran out of budget part of the way through, after finding matches: both sides
    # must count their steps alike to stop at the same place.
    cut = [
        len(answer["parts"])
        for (old, new), answer in zip(words, expected, strict=True)
        if sum(len(tokenize(text)) for op, text in answer["parts"] if op == "=")
        < lcs_length(tokenize(old), tokenize(new))
    ]
    assert any(parts > 100 for parts in cut), cut
    pages = []
    for size in (50, 400):
        old_page = [[rng.choice(KINDS), sentence()] for _ in range(size)]
        new_page = [b if rng.random() > 0.2 else [b[0], b[1] + " " + sentence()] for b in old_page]
        new_page[size // 4 : size // 2] = [[rng.choice(KINDS), sentence()] for _ in range(size // 4)]
        pages.append((old_page, new_page))
    got = script("blocks", [{"old": old, "new": new} for old, new in pages])
    assert got == [_block_answer(old, new) for old, new in pages]
