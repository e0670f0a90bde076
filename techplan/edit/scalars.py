"""Writing values as YAML: quoted only when they must be, folded as the file folds, read back exactly.

A value staff give is written bare when the checker's parser reads it back as the same text;
otherwise in the quotes the old value had, or in double quotes with escapes. Dates and numbers
are written bare when they look like one, so the checker sees what staff would have typed, and
anything else is quoted, so a bad value is reported by the checker in its own words rather
than breaking the file's syntax.
"""

from __future__ import annotations

import re
import textwrap

import yaml

from techplan.edit.splice import CheckerLoader, Shape

_RESOLVER = yaml.resolver.Resolver()

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")

FOLD_WIDTH = 80
"""Wrap new folded text at the width the plan's files use."""


def yaml_printable(text: str) -> bool:
    """Whether YAML can hold every character of the text as it is (no control characters)."""
    return not any(
        (ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\ufeff\ufffe\uffff"
        for c in text
    )


def plain_tag(text: str) -> str:
    """The type a value written without quotes reads as: str, int, float, timestamp, bool, null."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return str(tag).rsplit(":", 1)[-1]


def reads_back_plain(text: str, flow: bool) -> bool:
    """Whether text written without quotes reads back as the same text (not a number, date, comment...)."""
    if not text or text != text.strip() or not yaml_printable(text) or any(c in text for c in "\n\r\t"):
        return False
    source = f"k: [{text}]\n" if flow else f"k: {text}\n"
    try:
        node = yaml.compose(source, Loader=CheckerLoader)
    except yaml.YAMLError:
        return False
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return False
    value = node.value[0][1]
    if flow:
        if not isinstance(value, yaml.SequenceNode) or len(value.value) != 1:
            return False
        value = value.value[0]
    return isinstance(value, yaml.ScalarNode) and not value.style and value.value == text and plain_tag(text) == "str"


def double_quoted(text: str) -> str:
    """Text in double quotes, with the escapes YAML reads back."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    out = []
    for character in text:
        if character in escapes:
            out.append(escapes[character])
        elif not yaml_printable(character):
            out.append(f"\\u{ord(character):04x}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


def write_scalar(text: str, kind: str, old_style: str | None = None, flow: bool = False) -> tuple[str, Shape]:
    """A value written as YAML, in the old value's quoting where it can be, and how it will read.

    Dates and numbers are written bare when they look like one, so the checker sees what staff
    would have typed; anything else is quoted, so a bad value is reported by the checker in its
    own words rather than breaking the file's syntax.
    """
    if text == "" and not flow:
        return "", ("scalar", "null", "")
    if kind == "number":
        if _NUMBER.fullmatch(text):
            return text, ("scalar", plain_tag(text), text)
        return double_quoted(text), ("scalar", "str", text)
    if old_style == "'" and yaml_printable(text) and not any(c in text for c in "\n\r\t"):
        return "'" + text.replace("'", "''") + "'", ("scalar", "str", text)
    if old_style == '"':
        return double_quoted(text), ("scalar", "str", text)
    if kind == "date" and _DATE_LIKE.fullmatch(text):
        return text, ("scalar", plain_tag(text), text)
    if kind != "date" and reads_back_plain(text, flow):
        return text, ("scalar", "str", text)
    return double_quoted(text), ("scalar", "str", text)


def fold_text(text: str, indent: int, width: int, newline: str) -> str | None:
    """Text as the lines of a folded block (`>-`), or None if folding would change it."""
    if not text or text != text.strip() or "  " in text or not yaml_printable(text):
        return None
    if any(c in text for c in "\n\r\t"):
        return None
    lines = textwrap.wrap(text, width=max(20, width - indent), break_long_words=False, break_on_hyphens=False)
    if " ".join(lines) != text:
        return None
    return newline.join(" " * indent + line for line in lines)


def literal_text(text: str, indent: int, newline: str) -> str | None:
    """Text as the lines of a literal block (`|`), or None if it cannot be one without an indicator."""
    if not text or text[0] in " \t" or "\r" in text or not yaml_printable(text):
        return None
    return newline.join((" " * indent + line) if line else "" for line in text.split("\n"))


def parse_ids(value: str) -> list[str]:
    """Milestone ids from `M3.2,M1.1` (spaces allowed)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def flow_list(ids: list[str]) -> tuple[str, Shape]:
    """Ids as a list in square brackets, and how it reads."""
    written = [write_scalar(i, "text", flow=True) for i in ids]
    return "[" + ", ".join(text for text, _ in written) + "]", ["seq", [shape for _, shape in written]]


# ---------------------------------------------------------------------------------------------
