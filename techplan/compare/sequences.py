"""Sequence comparison for redlines: a shortest edit script (Myers), and the length of a longest common subsequence.

The compare page's script (techplan-compare.js) runs the same two algorithms, step for step, so
a redline in the browser and one built here mark the same words; tests/golden/redline and a
differential test hold them to it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import NamedTuple

DIFF_BUDGET = 400_000
"""How many steps one diff may take before calling what is left of it replaced outright.

Enough for any paragraph and for pages of thousands of blocks with a few hundred changes; it
keeps a rewrite of a huge block from taking seconds (here) or freezing the page (in a browser).
The answer stays correct (nothing lost or repeated), only coarser. Both sides count steps the same
way, so both give up at the same point."""


class Opcode(NamedTuple):
    """One run of an edit script: equal, replace, delete or insert, with the ranges it covers."""

    tag: str
    i1: int
    i2: int
    j1: int
    j2: int


def diff_sequences(a: Sequence[Hashable], b: Sequence[Hashable], budget: int = DIFF_BUDGET) -> list[Opcode]:
    """The edits that turn a into b, covering both in order, with as few insertions and deletions as possible.

    Myers' O(ND) algorithm in linear space: find a middle point of a shortest edit path by
    searching from both ends at once, then solve each half the same way. Past `budget` steps,
    what is left unsolved is replaced outright.
    """
    matches: list[tuple[int, int]] = []
    _match_range(a, 0, len(a), b, 0, len(b), matches, [budget])
    return _opcodes(matches, len(a), len(b))


def _match_range(
    a: Sequence[Hashable],
    a_lo: int,
    a_hi: int,
    b: Sequence[Hashable],
    b_lo: int,
    b_hi: int,
    matches: list[tuple[int, int]],
    budget: list[int],
) -> None:
    """Add the matched pairs (i, j) between a[a_lo:a_hi] and b[b_lo:b_hi] to matches, in order."""
    # A common head and tail match for free; what is left then needs at least two edits, so the
    # middle point splits it into two smaller problems.
    head = 0
    while a_lo + head < a_hi and b_lo + head < b_hi and a[a_lo + head] == b[b_lo + head]:
        head += 1
    matches.extend(zip(range(a_lo, a_lo + head), range(b_lo, b_lo + head), strict=True))
    a_lo += head
    b_lo += head
    tail = 0
    while a_lo < a_hi - tail and b_lo < b_hi - tail and a[a_hi - 1 - tail] == b[b_hi - 1 - tail]:
        tail += 1
    if a_lo < a_hi - tail and b_lo < b_hi - tail:
        split = _middle_split(a, a_lo, a_hi - tail, b, b_lo, b_hi - tail, budget)
        if split is not None:
            _match_range(a, a_lo, split[0], b, b_lo, split[1], matches, budget)
            _match_range(a, split[0], a_hi - tail, b, split[1], b_hi - tail, matches, budget)
    matches.extend(zip(range(a_hi - tail, a_hi), range(b_hi - tail, b_hi), strict=True))


def _middle_split(
    a: Sequence[Hashable], a_lo: int, a_hi: int, b: Sequence[Hashable], b_lo: int, b_hi: int, budget: list[int]
) -> tuple[int, int] | None:
    """A point on a shortest edit path through the two ranges; None if they share nothing or the budget ran out."""
    n = a_hi - a_lo
    m = b_hi - b_lo
    # Copies of the ranges, forwards and backwards: indexing them is cheaper than adding offsets.
    a_forward, b_forward = a[a_lo:a_hi], b[b_lo:b_hi]
    a_backward, b_backward = a_forward[::-1], b_forward[::-1]
    max_d = (n + m + 1) // 2
    offset = max_d + 1
    length = 2 * max_d + 3
    # The furthest x reached on each diagonal k = x - y (at index offset + k), from the start and
    # from the end; -1 where not reached yet. Each diagonal's x is one more than the diagonal
    # below's or the same as the one above's, whichever is further: a diagonal outside the last
    # round's holds -1, so the outermost two of a round need no case of their own.
    forward = [-1] * length
    backward = [-1] * length
    forward[offset + 1] = 0
    backward[offset + 1] = 0
    delta = n - m
    front_meets = delta % 2 != 0  # which search can see the paths overlap depends on parity
    mirror = 2 * offset + delta  # the other search's index of the same diagonal: mirror - index
    # Diagonals that ran off the grid are dropped from the ends of the ranges searched.
    forward_start = forward_end = backward_start = backward_end = 0
    for d in range(max_d):
        steps = 0
        at = first = offset - d + forward_start
        last = offset + d - forward_end
        while at <= last:
            x = forward[at + 1]
            below = forward[at - 1]
            if below >= x:
                x = below + 1
            y = x - at + offset
            if x < n and y < m and a_forward[x] == b_forward[y]:  # most diagonals have no snake: one test
                start = x
                x += 1
                y += 1
                while x < n and y < m and a_forward[x] == b_forward[y]:
                    x += 1
                    y += 1
                steps += x - start
            forward[at] = x
            if x > n:
                last -= 2
                forward_end += 2
            elif y > m:
                forward_start += 2
            elif front_meets:
                other = mirror - at
                if 0 <= other < length:
                    reached = backward[other]
                    if reached != -1 and x >= n - reached:
                        budget[0] -= steps + (at - first) // 2 + 1
                        return a_lo + x, b_lo + y
            at += 2
        steps += (at - first) // 2  # a step for each diagonal, and one for each move along it
        at = first = offset - d + backward_start
        last = offset + d - backward_end
        while at <= last:
            x = backward[at + 1]
            below = backward[at - 1]
            if below >= x:
                x = below + 1
            y = x - at + offset
            if x < n and y < m and a_backward[x] == b_backward[y]:
                start = x
                x += 1
                y += 1
                while x < n and y < m and a_backward[x] == b_backward[y]:
                    x += 1
                    y += 1
                steps += x - start
            backward[at] = x
            if x > n:
                last -= 2
                backward_end += 2
            elif y > m:
                backward_start += 2
            elif not front_meets:
                other = mirror - at
                if 0 <= other < length:
                    forward_x = forward[other]
                    if forward_x != -1 and forward_x >= n - x:
                        budget[0] -= steps + (at - first) // 2 + 1
                        return a_lo + forward_x, b_lo + forward_x - (other - offset)
            at += 2
        steps += (at - first) // 2
        budget[0] -= steps  # the steps of each diagonal, checked after each round, as the script does
        if budget[0] < 0:
            return None
    return None


def _opcodes(matches: list[tuple[int, int]], n: int, m: int) -> list[Opcode]:
    """Ordered matched pairs as opcodes covering both sequences: runs of consecutive matches are equal."""
    opcodes: list[Opcode] = []
    i = j = at = 0
    while True:
        mi, mj = matches[at] if at < len(matches) else (n, m)
        if mi > i and mj > j:
            opcodes.append(Opcode("replace", i, mi, j, mj))
        elif mi > i:
            opcodes.append(Opcode("delete", i, mi, j, j))
        elif mj > j:
            opcodes.append(Opcode("insert", i, i, j, mj))
        if at == len(matches):
            return opcodes
        i, j = mi + 1, mj + 1
        at += 1
        while at < len(matches) and matches[at] == (i, j):
            i, j = i + 1, j + 1
            at += 1
        opcodes.append(Opcode("equal", mi, i, mj, j))


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """The length of a longest common subsequence of a and b, exactly.

    Bit-parallel (Hyyrö's variant of Allison and Dix): one bit per element of a, a handful of
    integer operations per element of b.
    """
    masks: dict[Hashable, int] = {}
    for position, item in enumerate(a):
        masks[item] = masks.get(item, 0) | 1 << position
    full = (1 << len(a)) - 1
    row = full
    for item in b:
        matched = row & masks.get(item, 0)
        row = ((row + matched) | (row - matched)) & full
    return len(a) - row.bit_count()
