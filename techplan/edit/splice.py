"""Splicing a YAML file's text: edits that replace only the characters of the values that change.

ruamel.yaml's round-trip composer says where each value starts and ends; an edit is a list of
splices of the file's text, so comments, quoting, blank lines, indentation and line endings stay
exactly as they were. After the splices, the text is parsed again with the checker's parser and
compared with what the edit meant to say (`FileEdit.verify`).
"""

from __future__ import annotations

import codecs
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from techplan.edit import EditError

CheckerLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The parser `techplan check` reads data files with: what it sees is what an edit must produce."""

Shape = Any
"""A parsed YAML value as plain data: ("scalar", tag, text), ["seq", [...]] or ["map", [[key, value], ...]]."""


@dataclass(frozen=True, slots=True)
class DataFile:
    """A data file as read for editing: its bytes, its text, and the tree ruamel.yaml composed."""

    name: str
    """The path relative to the plan directory."""
    path: Path
    display: str
    """The path as problems show it, relative to the repository root."""
    raw: bytes | None
    """The bytes on disk; None when the file does not exist yet."""
    text: str
    """The text, without a byte order mark."""
    bom: bool
    newline: str
    """The line ending the file uses, for new lines."""
    root: Node | None
    error: str | None = None
    """Why the file cannot be read as YAML, if it cannot."""


def read_data_file(path: Path, name: str, display: str) -> DataFile:
    """A data file as it is on disk, composed by ruamel.yaml; empty if it does not exist yet."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            message = f"{display} is a link to a file that does not exist; fix or remove the link first"
            raise EditError(message, 1) from None
        return DataFile(name, path, display, None, "", False, "\n", None)
    except OSError as error:
        raise EditError(f"{display} cannot be read ({error.strerror or error}); fix that first", 1) from None
    if stat.S_ISDIR(info.st_mode):
        raise EditError(f"{display} is a folder, not a data file; rename or remove it first", 1)
    if not stat.S_ISREG(info.st_mode):
        raise EditError(f"{display} is not a regular file; a data file must be plain text", 1)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise EditError(f"{display} cannot be read ({error.strerror or error}); fix that first", 1) from None
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        text = raw[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{display} is not UTF-8 text; save it as UTF-8 first", 1) from None
    # Keep the file's own line ending for new lines: a Windows-saved file stays all CRLF.
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        root = YAML(typ="rt").compose(text)
    except (RuamelYAMLError, ValueError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "see techplan check"
        return DataFile(name, path, display, raw, text, bom, newline, None, f"it is not valid YAML, {where}")
    return DataFile(name, path, display, raw, text, bom, newline, root)


class FileEdit:
    """The changes to one data file: splices of its text, and what its data must read as afterwards."""

    def __init__(self, data: DataFile) -> None:
        self.data = data
        self.splices: list[tuple[int, int, str]] = []
        """(start, end, new text): characters start..end of the text are replaced by the new text."""
        try:
            self.expected: Shape = parse_shape(data.text) if data.raw is not None else None
            """What the file's data must be after the edit, changed step by step as the splices are made."""
        except yaml.YAMLError:
            # ruamel.yaml (YAML 1.2) read it but the checker's parser (YAML 1.1) cannot.
            raise EditError(f"{data.display} is not valid YAML; fix it first (techplan check says where)", 1) from None

    @property
    def text(self) -> str:
        """The text before the edit."""
        return self.data.text

    @property
    def newline(self) -> str:
        """The file's line ending."""
        return self.data.newline

    def splice(self, start: int, end: int, new: str) -> None:
        """Replace characters start..end of the original text."""
        self.splices.append((start, end, new))

    def new_text(self) -> str:
        """The text with every splice made; splices never overlap."""
        parts: list[str] = []
        position = 0
        for start, end, new in sorted(self.splices, key=lambda s: (s[0], s[1])):
            if start < position:
                raise EditError(f"two changes to {self.data.display} overlap; make them one at a time", 1)
            parts += [self.text[position:start], new]
            position = end
        parts.append(self.text[position:])
        return "".join(parts)

    def new_bytes(self) -> bytes:
        """The edited file's bytes, with its byte order mark if it had one."""
        return (codecs.BOM_UTF8 if self.data.bom else b"") + self.new_text().encode("utf-8")

    @property
    def changed(self) -> bool:
        """Whether the edit changes any byte."""
        return self.data.raw != self.new_bytes()

    def verify(self) -> None:
        """Refuse unless the edited text reads, with the checker's parser, exactly as the edit means."""
        try:
            actual = parse_shape(self.new_text())
        except yaml.YAMLError:
            actual = "unreadable"
        if actual != self.expected:
            raise EditError(
                f"this edit cannot be made to {self.data.display} without changing more of it than the edit "
                "asks (the file is written in a way the editor does not handle); nothing was written: "
                "edit the file by hand",
                1,
            )

    def at(self, path: tuple[str | int, ...]) -> Shape:
        """The expected value at a path of keys and list positions."""
        node = self.expected
        for step in path:
            node = node[1][step] if isinstance(step, int) else next(v for k, v in node[1] if k[2] == step)
        return node

    def expect(self, path: tuple[str | int, ...], value: Shape) -> None:
        """Note that the value at a path becomes this."""
        parent = self.at(path[:-1])
        step = path[-1]
        if isinstance(step, int):
            parent[1][step] = value
            return
        for pair in parent[1]:
            if pair[0][2] == step:
                pair[1] = value

    def expect_inserted(self, path: tuple[str | int, ...], index: int, value: Shape, key: str | None = None) -> None:
        """Note that a list item (or, with a key, a field) is inserted at an index under a path."""
        container = self.at(path)
        container[1].insert(index, value if key is None else [("scalar", "str", key), value])

    def expect_removed(self, path: tuple[str | int, ...]) -> None:
        """Note that a field is removed."""
        parent = self.at(path[:-1])
        parent[1] = [pair for pair in parent[1] if pair[0][2] != path[-1]]


def parse_shape(text: str) -> Shape:
    """What a file's text says, read with the checker's parser, as plain data."""
    return _shape(yaml.compose(text, Loader=CheckerLoader))


def _shape(node: yaml.Node | None) -> Shape:
    """A composed node as plain data: what it says, however it is written."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        # Chomping decides whether a block scalar ends in a line break; the checker strips it anyway.
        return ("scalar", str(node.tag).rsplit(":", 1)[-1], str(node.value).rstrip("\n"))
    if isinstance(node, yaml.SequenceNode):
        return ["seq", [_shape(item) for item in node.value]]
    return ["map", [[_shape(key), _shape(value)] for key, value in node.value]]


def find_entry(node: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    """A mapping's key and value nodes for a key, or None."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def scalar_value(entry: tuple[ScalarNode, Node] | None) -> str | None:
    """The text of an entry's value if it is a scalar."""
    if entry is None or not isinstance(entry[1], ScalarNode):
        return None
    return str(entry[1].value)


def list_items(root: Node | None, list_key: str) -> list[tuple[int, MappingNode]]:
    """The records of a file's list (`milestones:`), with their positions in it."""
    entry = find_entry(root, list_key)
    if entry is None or not isinstance(entry[1], SequenceNode):
        return []
    return [(index, item) for index, item in enumerate(entry[1].value) if isinstance(item, MappingNode)]


def is_empty(node: Node) -> bool:
    """Whether a value is written as nothing at all (`key:` and the end of the line)."""
    return isinstance(node, ScalarNode) and node.value == "" and not node.style and str(node.tag).endswith(":null")


def line_start(text: str, index: int) -> int:
    """Where the line holding a position starts."""
    return text.rfind("\n", 0, index) + 1


def line_end(text: str, index: int) -> int:
    """Where the line holding a position ends, before its line break (\\n or \\r\\n)."""
    end = text.find("\n", index)
    if end == -1:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def colon_after(text: str, key: ScalarNode) -> int:
    """The position of the colon after a key."""
    position = int(key.end_mark.index)
    while position < len(text) and text[position] in " \t":
        position += 1
    if position >= len(text) or text[position] != ":":
        raise EditError("the file is written in a way the editor does not handle; edit it by hand", 1)
    return position


def block_end(text: str, node: ScalarNode) -> int:
    """Where a block scalar's last line of text ends: its trailing blank lines belong to what follows."""
    start = int(node.start_mark.index)
    segment = text[start : node.end_mark.index]
    last = len(segment.rstrip(" \t\r\n"))
    end = segment.find("\n", last)
    end = len(segment) if end == -1 else end
    if end > 0 and segment[end - 1] == "\r":
        end -= 1
    return start + end


def content_end(text: str, node: Node) -> int:
    """Where a value's last character is: after a scalar, a closing bracket, or a block's last item."""
    if isinstance(node, ScalarNode):
        return block_end(text, node) if node.style in ("|", ">") else int(node.end_mark.index)
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    if isinstance(node, SequenceNode):
        return content_end(text, node.value[-1])
    key, value = node.value[-1]
    return entry_end(text, key, value)


def entry_end(text: str, key: ScalarNode, value: Node) -> int:
    """Where a `key: value` entry ends."""
    return colon_after(text, key) + 1 if is_empty(value) else content_end(text, value)


def dash_column(text: str, item: Node) -> int | None:
    """The column of the dash in front of a list item, if it is on the item's line."""
    start = line_start(text, item.start_mark.index)
    before = text[start : item.start_mark.index].rstrip(" ")
    if before.endswith("-") and not before[:-1].strip():
        return len(before) - 1
    return None


def value_span(text: str, key: ScalarNode, value: Node) -> tuple[int, int, str]:
    """Where a key's value is written (start, end) and what a new one-line value needs in front of it."""
    if is_empty(value):
        colon = colon_after(text, key)
        return colon + 1, colon + 1, " "
    if isinstance(value, ScalarNode) or getattr(value, "flow_style", False):
        return int(value.start_mark.index), content_end(text, value), ""
    # A block list or mapping starts on a later line: the one-line value goes after the colon.
    return colon_after(text, key) + 1, content_end(text, value), " "


# ---------------------------------------------------------------------------------------------
# Writing values
