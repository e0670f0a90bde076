"""Find `[[...]]` references and plan blocks in Markdown, skipping code and comments.

Authors write `[[M2.1]]` (or `[[M2.1|their own words]]`) to refer to a milestone or
measure, and a line holding only `[[milestones]]`, `[[roadmap]]` and the like to place a
block the site draws from the data. The check and the build both use this scanner, so
they always agree on what a page refers to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from techplan.cache import pickled_by_fields

BLOCKS = ("milestones", "measures", "roadmap", "phases", "coming-due")
"""The plan blocks an author can place on a page."""

RECORD_ID = re.compile(r"(M[0-9]+\.[0-9]+|K[0-9]+)")
_TOKEN = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?\]\]")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_H1 = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Token:
    """One `[[...]]` in a page."""

    name: str
    """What is inside the brackets, before any `|` (`M2.1`, `roadmap`)."""
    text: str | None
    """The author's own link text after `|`, if any."""
    line: int
    """1-based line number in the text scanned."""
    start: int
    """Offset of `[[` in the line."""
    end: int
    """Offset just after `]]` in the line."""
    alone: bool
    """Whether the token is the only thing on its line."""

    @property
    def source(self) -> str:
        """The token as written."""
        return f"[[{self.name}{'|' + self.text if self.text is not None else ''}]]"

    @property
    def is_reference(self) -> bool:
        """Whether this refers to a milestone or measure (rather than placing a block)."""
        return RECORD_ID.fullmatch(self.name.strip()) is not None


def scan(text: str) -> Iterator[Token]:
    """Yield every `[[...]]` outside code blocks, code spans and HTML comments."""
    if "[[" not in text:
        return
    in_comment = False
    for number, line in outside_fences(text):
        if not in_comment and "[[" not in line and "<!--" not in line:
            continue  # most lines: nothing to find and no comment to track
        visible, in_comment = _visible(line, in_comment)
        for match in _TOKEN.finditer(visible):
            yield Token(
                name=match.group(1).strip(),
                text=match.group(2).strip() if match.group(2) is not None else None,
                line=number,
                start=match.start(),
                end=match.end(),
                alone=line.strip() == match.group(0),
            )


def outside_fences(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) for every line not inside a fenced code block."""
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            continue
        if opening := _FENCE.match(line):
            fence = opening.group(1)
            continue
        yield number, line


def visible_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) outside fenced code, with code spans and HTML comments blanked out."""
    in_comment = False
    for number, line in outside_fences(text):
        visible, in_comment = _visible(line, in_comment)
        yield number, visible


def find_title(text: str) -> tuple[int, str] | None:
    """The first `# Title` heading: its line number and text, or None."""
    for number, line in outside_fences(text):
        if match := _H1.match(line):
            return number, match.group(1)
    return None


def _visible(line: str, in_comment: bool) -> tuple[str, bool]:
    """Blank out code spans and comments in a line, keeping offsets; and whether a comment runs on."""
    if not in_comment and "`" not in line and "<!--" not in line:
        return line, False  # most lines: nothing to blank out
    chars = list(line)
    position = 0
    while position < len(line):
        if in_comment:
            close = line.find("-->", position)
            stop = len(line) if close == -1 else close + 3
            chars[position:stop] = " " * (stop - position)
            position = stop
            in_comment = close == -1
            continue
        opening = line.find("<!--", position)
        span = _CODE_SPAN.search(line, position)
        if span is not None and (opening == -1 or span.start() < opening):
            chars[span.start() : span.end()] = " " * (span.end() - span.start())
            position = span.end()
        elif opening != -1:
            chars[opening : opening + 4] = " " * 4
            in_comment = True
            position = opening + 4
        else:
            break
    return "".join(chars), in_comment


def expand(text: str, render: Callable[[Token], str]) -> str:
    """Replace each token with what `render` returns for it; code and comments stay as written."""
    by_line: dict[int, list[Token]] = {}
    for token in scan(text):
        by_line.setdefault(token.line, []).append(token)
    if not by_line:
        return text
    lines = text.splitlines(keepends=True)
    for number, tokens in by_line.items():
        line = lines[number - 1]
        for token in reversed(tokens):
            line = line[: token.start] + render(token) + line[token.end :]
        lines[number - 1] = line
    return "".join(lines)
