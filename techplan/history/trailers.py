"""Commit message trailers, read by git's own rules (git's trailer.c, as `git log --format=%(trailers)` reads them).

A trailer is a `Token: value` line in the message's final trailer block: the last paragraph,
after the title, when every line of it is a trailer, or when it holds a trailer git itself
writes (`Signed-off-by: `, `(cherry picked from commit `) and at least a quarter of its lines
are trailers. A line starting with whitespace continues the trailer above it. Lines starting
with `#` are comments. Reading the rules here, rather than asking git for `%(trailers)`, keeps
every field of the log separated by NUL bytes, which no message can hold.

One addition to git's rules, for GitHub's squash merges: GitHub writes the squashed commits'
messages, then a line of dashes, then its own `Co-authored-by:` block. When the final trailer
block follows such a line, the trailer block of the text above the line counts too, so a
`Change-note:` at the end of the squashed messages is read as its author meant.
"""

from __future__ import annotations

import functools
import re

GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")
"""Trailers git writes itself: one of them makes a mixed last paragraph a trailer block."""
COMMENT = "#"
"""git's default comment character (core.commentChar)."""
SCISSORS = re.compile(r"^# -{24} >8 -{24}\n", re.MULTILINE)
"""`git commit -v` cuts the message here."""
_SPACE = " \t\n\r\v\f"
"""What C's isspace() calls whitespace."""


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line with its newline) for every line."""
    result = []
    position = 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end + 1
        result.append((position, text[position:end]))
        position = end
    return result


def _is_blank(line: str) -> bool:
    """Whether a line holds only whitespace, as git's is_blank_line() says."""
    return line.strip(_SPACE) == ""


def separator_at(line: str) -> int:
    """Where a trailer's `:` is in a line, or -1: a token of letters, digits and dashes, optional spaces, then `:`."""
    whitespace_found = False
    for position, char in enumerate(line):
        if char == ":":
            return position
        if not whitespace_found and ((char.isascii() and char.isalnum()) or char == "-"):
            continue
        if position != 0 and char in " \t":
            whitespace_found = True
            continue
        break
    return -1


def _end_of_message(message: str) -> int:
    """Where the message ends for trailers: before trailing blank and comment lines and the `Conflicts:` block."""
    cutoff = len(message)
    scissors = SCISSORS.search(message)
    if scissors is not None:
        cutoff = scissors.start()
    start_of_comments = None
    in_conflicts = False
    for offset, line in _lines(message[:cutoff]):
        if line.startswith(COMMENT) or line.startswith("\n"):
            if start_of_comments is None:
                start_of_comments = offset
        elif line.startswith("Conflicts:\n"):
            in_conflicts = True
            if start_of_comments is None:
                start_of_comments = offset
        elif in_conflicts and line.startswith("\t"):
            pass  # a path in the conflicts block
        elif start_of_comments is not None:
            start_of_comments = None
            in_conflicts = False
    return start_of_comments if start_of_comments is not None else cutoff


def _start_of_trailers(message: str, end: int) -> int:
    """Where the trailer block starts, or `end` when the message has none."""
    lines = _lines(message[:end])
    title_end = len(lines)
    for number, (_, line) in enumerate(lines):
        if line.startswith(COMMENT):
            continue
        if _is_blank(line):
            title_end = number
            break
    only_spaces = True
    recognized = False
    trailer_lines = non_trailer_lines = possible_continuations = 0
    for number in range(len(lines) - 1, title_end - 1, -1):
        offset, line = lines[number]
        if line.startswith(COMMENT):
            non_trailer_lines += possible_continuations
            possible_continuations = 0
            continue
        if _is_blank(line):
            if only_spaces:
                continue
            non_trailer_lines += possible_continuations
            start = offset + len(line)
            if recognized and trailer_lines * 3 >= non_trailer_lines:
                return start
            if trailer_lines and not non_trailer_lines:
                return start
            return end
        only_spaces = False
        if line.startswith(GIT_GENERATED):
            trailer_lines += 1
            possible_continuations = 0
            recognized = True
            continue
        if separator_at(line) >= 1 and line[0] not in _SPACE:
            trailer_lines += 1
            possible_continuations = 0
        elif line[0] in _SPACE:
            possible_continuations += 1
        else:
            non_trailer_lines += 1 + possible_continuations
            possible_continuations = 0
    return end


def _skip_blank_lines(message: str) -> str:
    """The message from its first line that is not blank, where git starts reading its subject and trailers."""
    for offset, line in _lines(message):
        if not _is_blank(line):
            return message[offset:]
    return ""


SQUASH_RULE = re.compile(r"\n\n-{3,}[ \t]*\n+\Z")
"""GitHub's squash message: the line of dashes between the squashed messages and its `Co-authored-by:` block."""


def _blocks(message: str) -> list[tuple[int, int]]:
    """Each trailer block's (start, end), in message order: git's final block and, above a squash rule, one more."""
    end = _end_of_message(message)
    start = _start_of_trailers(message, end)
    if start == end:
        return []
    rule = SQUASH_RULE.search(message[:start])
    if rule is None:
        return [(start, end)]
    above = rule.start() + 1
    above_start = _start_of_trailers(message, above)
    return ([(above_start, above)] if above_start < above else []) + [(start, end)]


def trailers(message: str) -> list[tuple[str, str]]:
    """The message's trailers as (token, value), in order; continuation lines unfolded into the value."""
    message = _skip_blank_lines(message)
    return [found for start, end in _blocks(message) for found in _block_trailers(message[start:end])]


def _block_trailers(block: str) -> list[tuple[str, str]]:
    """The trailers of one trailer block."""
    found: list[list[str]] = []
    continuing = False
    for _, line in _lines(block):
        if continuing and line[:1] and line[0] in _SPACE:
            found[-1].append(line)
            continue
        found.append([line])
        continuing = separator_at(line) >= 1
    result = []
    for parts in found:
        line = parts[0]
        colon = separator_at(line)
        if colon < 1:
            continue  # a line in the block that is not a trailer: git's `only` option leaves it out
        value = (line[colon + 1 :] + "".join(parts[1:])).strip(_SPACE)
        result.append((line[:colon].strip(_SPACE), _unfold(value)))
    return result


def _unfold(value: str) -> str:
    """A trailer's value on one line: each line break and the whitespace after it become one space."""
    return re.sub(r"\n[ \t\n\r\v\f]*", " ", value).strip(_SPACE)


@functools.lru_cache(maxsize=16)
def _key_line(key: str) -> re.Pattern[str]:
    """A line that starts with `key:` (the key matched without regard to case, spaces allowed before the colon)."""
    return re.compile(rf"^{re.escape(key)}[ \t]*:", re.IGNORECASE | re.MULTILINE)


def read(message: str, key: str) -> tuple[list[str], bool]:
    """`values` and `stray` at once, finding the trailer blocks once."""
    pattern = _key_line(key)
    if not pattern.search(message):
        return [], False  # most messages hold no such line: every trailer with the key is one
    message = _skip_blank_lines(message)
    blocks = _blocks(message)
    found = [
        value
        for start, end in blocks
        for token, value in _block_trailers(message[start:end])
        if token.lower() == key.lower() and value
    ]
    outside, position = [], 0
    for start, end in blocks:
        outside.append(message[position:start])
        position = end
    outside.append(message[position:])
    return found, any(pattern.search(part) for part in outside)


def values(message: str, key: str) -> list[str]:
    """The values of every trailer with this key (matched without regard to case), in order; empty ones left out."""
    return read(message, key)[0]


def stray(message: str, key: str) -> bool:
    """Whether a `key:` line sits in the message outside its trailer block, where git does not read it."""
    return read(message, key)[1]
