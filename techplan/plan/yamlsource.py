"""Read YAML files into line-numbered nodes, turning every failure into a Problem.

The files are composed, never constructed: nothing in them can run code or build
Python objects, a badly written date cannot abort the load, and every value keeps the
line it was written on so problems can point at it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from techplan.cache import DiskCache, content_key, pickled_by_fields
from techplan.problems import Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader where PyYAML was built with it (it is, in the wheels on PyPI)."""

_MAX_DEPTH = 50
"""Deeper nesting than any plan file needs."""
MAX_BYTES = 2_000_000
"""The largest file read: a plan of a thousand milestones is about 500 kB."""
MAX_VALUES = 100_000
"""The most values a file may hold once anchors (&a) and aliases (*a) are expanded: a plan of a
thousand milestones holds about 20,000. A few hundred bytes of nested aliases can stand for
billions of values ("billion laughs"): the limit stops them before anything walks them."""
MAX_TEXT = 10_000_000
"""The most characters of text a file may hold once aliases are expanded."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class YamlNode:
    """A YAML value with the line it starts on."""

    kind: str
    """`map`, `seq` or `scalar`."""
    line: int
    """1-based line of the value."""
    tag: str = "str"
    """For scalars, the YAML type: `str`, `int`, `float`, `bool`, `null` or `timestamp`."""
    text: str = ""
    """For scalars, the text as written (without quotes)."""
    items: tuple[YamlNode, ...] = ()
    """For sequences, the items."""
    entries: tuple[Entry, ...] = ()
    """For mappings, the entries in file order."""

    def describe(self) -> str:
        """Say what kind of value this is, for messages like 'expected text, got a list'."""
        if self.kind == "map":
            return "a set of fields"
        if self.kind == "seq":
            return "a list"
        return {
            "null": "nothing",
            "bool": f"{self.text} (yes/no)",
            "int": f"the number {self.text}",
            "float": f"the number {self.text}",
        }.get(self.tag, f'"{self.text}"')


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Entry:
    """One `key: value` line of a mapping."""

    key: str
    line: int
    value: YamlNode


def read_yaml(path: Path, display_path: str, cache: DiskCache | None = None) -> tuple[YamlNode | None, list[Problem]]:
    """Read one YAML file from disk: a node tree, or None and the problems that stopped it."""
    data = path.read_bytes()
    return read_yaml_from(lambda: data, content_key(data), display_path, cache)


def read_yaml_from(
    read: Callable[[], bytes], key: str, display_path: str, cache: DiskCache | None = None
) -> tuple[YamlNode | None, list[Problem]]:
    """Parse YAML whose contents `key` identifies, reading them only if the cache has no parse."""
    cache_key = f"{display_path}:{key}"
    if cache is not None and (cached := cache.get("yaml", cache_key)) is not None:
        return cached  # type: ignore[no-any-return]
    result = parse_yaml_bytes(read(), display_path)
    if cache is not None:
        cache.put("yaml", cache_key, result)
    return result


def parse_yaml_bytes(data: bytes, display_path: str) -> tuple[YamlNode | None, list[Problem]]:
    """Decode and parse a file's bytes."""
    if len(data) > MAX_BYTES:
        return None, [
            Problem(
                display_path,
                1,
                "file",
                f"the file is {len(data):,} bytes, more than the {MAX_BYTES:,} a plan data file may be; "
                "keep only the plan's data in it",
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        return None, [
            Problem(
                display_path,
                line,
                "encoding",
                f"the file is not UTF-8 text (byte 0x{byte:02X} in column {column}); "
                "save it as UTF-8 (in most editors: Save with encoding, UTF-8)",
            )
        ]
    return parse_yaml(text, display_path)


def parse_yaml(text: str, display_path: str) -> tuple[YamlNode | None, list[Problem]]:
    """Parse YAML text into a node tree, or None and the problems that stopped it.

    PyYAML's C parser (libyaml) composes the tree: about ten times faster than a pure-Python
    one, which matters when every version of a data file in the history is read. When the text
    is not valid YAML, ruamel.yaml parses it again for its clearer account of what is wrong.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        if "maximum nesting depth" in str(error):
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            return None, [Problem(display_path, line, "YAML syntax", _TOO_DEEP)]
        return None, [_explain_syntax_error(text, display_path)]
    except RecursionError:  # the pure-Python parser, where libyaml is missing
        return None, [Problem(display_path, 1, "YAML syntax", _TOO_DEEP)]
    if root is None:
        return None, [Problem(display_path, 1, "file", "the file is empty")]
    # Without an alias a short file holds no more values than it has characters: only others need counting.
    too_big = _too_big(root, display_path) if "*" in text or len(text) > _SHORT else None
    if too_big is not None:
        return None, [too_big]
    problems: list[Problem] = []
    node = _convert(root, display_path, problems, depth=0)
    return node, problems


_SHORT = min(MAX_VALUES, MAX_TEXT) // 4
"""Text this long or shorter, with no alias in it, holds fewer values and characters than the limits: values
take characters of their own or share one (`?` alone is a mapping, its key and its value: at most two values a
character and one more), and no scalar is longer than its source. A twofold margin on that."""
_TOO_DEEP = "the data is nested too deeply; plan data needs a few levels of fields and lists"


def _too_big(root: yaml.Node, path: str) -> Problem | None:
    """A problem if the file, with its aliases expanded, holds too much (or refers to itself); else None.

    Every node's expanded size is worked out once (aliases share nodes), so this takes time in
    proportion to the file, however much its aliases stand for.
    """
    sizes: dict[int, tuple[int, int]] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            values = 1 + sum(sizes[id(child)][0] for child in children)
            text = (len(node.value) if isinstance(node, yaml.ScalarNode) else 0) + sum(
                sizes[id(child)][1] for child in children
            )
            sizes[key] = (values, text)
            active.discard(key)
            if values > MAX_VALUES or text > MAX_TEXT:
                what = f"{MAX_VALUES:,} values" if values > MAX_VALUES else f"{MAX_TEXT:,} characters of text"
                return Problem(
                    path,
                    node.start_mark.line + 1,
                    "YAML syntax",
                    f"with its aliases (*name) expanded the file holds more than {what}; plan data does not need "
                    "anchors (&name) and aliases: write the values out",
                )
            continue
        if key in sizes:
            continue
        if key in active:
            return Problem(
                path,
                node.start_mark.line + 1,
                "YAML syntax",
                "an alias (*name) refers to the data it is inside, so it never ends; write the values out",
            )
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    """A node's keys, values and items."""
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _explain_syntax_error(text: str, display_path: str) -> Problem:
    """The problem with text that is not valid YAML, located and worded by ruamel.yaml."""
    # Imported here: only broken files need it.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as error:
        return _syntax_problem(error, display_path)
    except YAMLError as error:
        return Problem(display_path, 1, "YAML syntax", str(error))
    except RecursionError:
        return Problem(display_path, 1, "YAML syntax", _TOO_DEEP)
    return Problem(display_path, 1, "YAML syntax", "the file is not valid YAML")


def _convert(node: yaml.Node, path: str, problems: list[Problem], depth: int) -> YamlNode:
    """Turn a parser node into a YamlNode, reporting duplicate keys and runaway nesting."""
    line = node.start_mark.line + 1
    if depth > _MAX_DEPTH:
        problems.append(Problem(path, line, "YAML syntax", "the data is nested too deeply"))
        return YamlNode("scalar", line, tag="null")
    if isinstance(node, yaml.MappingNode):
        entries: list[Entry] = []
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        path,
                        key_line,
                        key,
                        f"appears twice (also at line {seen[key]}); keep one of them",
                    )
                )
                continue
            seen[key] = key_line
            entries.append(Entry(key, key_line, _convert(value_node, path, problems, depth + 1)))
        return YamlNode("map", line, entries=tuple(entries))
    if isinstance(node, yaml.SequenceNode):
        items = tuple(_convert(item, path, problems, depth + 1) for item in node.value)
        return YamlNode("seq", line, items=items)
    tag = str(node.tag).rsplit(":", 1)[-1]
    return YamlNode("scalar", line, tag=tag, text=str(node.value))


_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "a colon followed by a space inside text, or a line indented too far; put text that "
        'contains ": " in double quotes, like title: "Data: the next steps"',
    ),
    ("'\\t'", "a tab character; indent with spaces, not tabs"),
    ("flow sequence", "a list in square brackets is not closed; write it like [M2.1, M3.2]"),
    ("flow mapping", "a {...} group is not closed; write it like {date: 2021-03-31, value: 83}"),
    ("another document", "the file holds more than one document (a line with ---); keep one"),
    ("quoted scalar", "a quoted text is not closed; add the closing quotation mark"),
    ("undefined alias", "a * refers to an anchor (&name) that is not defined"),
    (
        "cannot start any token",
        "text cannot start with this character; put the whole text in double quotes",
    ),
    (
        "block end",
        "the indentation is inconsistent; fields of one item must line up under each other, indented with spaces",
    ),
    (
        "could not find expected ':'",
        "a line is missing the colon between a field and its value, like status: done",
    ),
)


def _syntax_problem(error: Any, path: str) -> Problem:
    """Explain a YAML syntax error in words staff can act on."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    detail = " ".join(part for part in (error.context, error.problem) if part)
    for needle, hint in _SYNTAX_HINTS:
        if needle in detail:
            return Problem(path, line, "YAML syntax", hint)
    return Problem(path, line, "YAML syntax", detail or "the file is not valid YAML")
