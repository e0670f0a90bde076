"""Check YAML nodes against the declared formats, turning each mistake into a Problem."""

from __future__ import annotations

import calendar
import difflib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from techplan.plan.characters import refused_message, without_refused
from techplan.plan.markup import markdown_problems
from techplan.plan.spec import EARLIEST_DATE, LATEST_DATE, NUMBER_LIMIT, SMALLEST_NUMBER, Field, RecordSpec
from techplan.plan.yamlsource import YamlNode
from techplan.problems import Problem, quote

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}


@dataclass(slots=True)
class Checked:
    """A record's valid values, with the lines its fields were written on."""

    line: int
    """Where the record starts."""
    values: dict[str, Any] = field(default_factory=dict)
    """Valid values by field name; a field with a problem is left out."""
    lines: dict[str, int] = field(default_factory=dict)
    """The line each field was written on."""
    complete: bool = True
    """Whether every field was valid and every required field present.

    A field whose problem the site can still show safely (a control character taken out, raw HTML
    escaped) keeps its value and leaves the record complete: the problem stops today's build, and
    an old revision in the archive still shows the record.
    """

    def line_of(self, name: str) -> int:
        """The line a field is on, or the record's line if the field is missing."""
        return self.lines.get(name, self.line)


def suggest(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean "x"?)' for the nearest choice, or nothing if none is close."""
    lowered = {choice.lower(): choice for choice in choices}
    if value.lower() in lowered:
        return f' (did you mean "{lowered[value.lower()]}"?)'
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def suggest_id(value: str, ids: list[str]) -> str:
    """' (did you mean "M2.1"?)' for an id one keystroke away, same series first, else nothing."""
    close = [i for i in ids if i.lower() == value.lower() or _one_edit_apart(value, i)]
    series = value.rsplit(".", 1)[0] if "." in value else value[:1]
    close.sort(key=lambda i: not i.startswith(series + "."))  # stable: file order within each
    return f' (did you mean "{close[0]}"?)' if close else ""


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether one character changed, added or removed turns a into b."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


class RecordChecker:
    """Checks the records of one file, collecting every problem."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line: int, name: str, message: str) -> None:
        """Record one problem in this file."""
        self.problems.append(Problem(self.path, line, name, message))

    def check_record(self, node: YamlNode, spec: RecordSpec, prefix: str = "") -> Checked:
        """Check one record: unknown and missing fields, then each field's value."""
        checked = Checked(node.line)
        if node.kind != "map":
            label = prefix.rstrip(".") or spec.noun
            self.problem(
                node.line,
                label,
                f"expected the fields of a {spec.noun} ({', '.join(spec.names)}), got {node.describe()}",
            )
            checked.complete = False
            return checked
        for entry in node.entries:
            name = prefix + entry.key
            field_spec = spec.field(entry.key)
            if field_spec is None:
                hint = suggest(entry.key, spec.names)
                self.problem(
                    entry.line,
                    name,
                    f"unknown field for a {spec.noun}{hint}; a {spec.noun} can have: {', '.join(spec.names)}",
                )
                checked.complete = False
                continue
            checked.lines[entry.key] = entry.line
            value = entry.value
            if value.kind == "scalar" and value.tag == "null":
                if field_spec.required:
                    self.problem(entry.line, name, f"is empty; write a value like {entry.key}: {field_spec.example}")
                    checked.complete = False
                continue
            result = self.check_value(value, field_spec, name, entry.line)
            if result is None:
                checked.complete = False
            else:
                checked.values[entry.key] = result
        for field_spec in spec.fields:
            if field_spec.required and field_spec.name not in checked.lines:
                self.problem(
                    node.line,
                    prefix + field_spec.name,
                    f"missing; every {spec.noun} needs one, like {field_spec.name}: {field_spec.example}",
                )
                checked.complete = False
        return checked

    def check_value(self, node: YamlNode, spec: Field, name: str, line: int) -> Any:
        """Check one field's value; the converted value, or None after reporting a problem."""
        if spec.kind in ("record", "records"):
            assert spec.record is not None
            if spec.kind == "record":
                nested = self.check_record(node, spec.record, prefix=name + ".")
                return nested if nested.complete else None
            return self.check_records(node, spec, name, line)
        if spec.kind == "ids":
            return self.check_ids(node, spec, name, line)
        if spec.kind == "mapping":
            return self.check_mapping(node, spec, name, line)
        if node.kind != "scalar":
            self.problem(line, name, f"expected {_expected(spec)}, got {node.describe()}")
            return None
        checker = getattr(self, f"check_{spec.kind}")
        return checker(node, spec, name, line)

    def check_records(self, node: YamlNode, spec: Field, name: str, line: int) -> list[Checked] | None:
        """Check a list of records; the valid ones, or None if it is not a list at all."""
        assert spec.record is not None
        if node.kind != "seq":
            self.problem(
                line,
                name,
                f"expected a list of {spec.record.noun}s, each starting with a dash, got {node.describe()}",
            )
            return None
        prefix = "" if spec.flat else name + "."
        return [self.check_record(item, spec.record, prefix=prefix) for item in node.items]

    def check_text(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """Text: a string, not a number, yes/no or a date, without control characters."""
        if node.tag not in ("str",) or not node.text.strip():
            got = "nothing" if not node.text.strip() else node.describe()
            hint = f'; put it in double quotes: {spec.name}: "{node.text}"' if node.text.strip() else ""
            self.problem(line, name, f'expected text like "{spec.example}", got {got}{hint}')
            return None
        return self.check_characters(node.text.strip(), name, line)

    def check_markdown(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """Markdown text: text without raw HTML, images or links that are not to web pages, email or this site."""
        text = self.check_text(node, spec, name, line)
        if text is not None:
            for message in markdown_problems(text, spec.name):
                self.problem(line, name, message)
        return text

    def check_characters(self, text: str, name: str, line: int) -> str:
        """Report control characters and line separators in text; the text without them."""
        message = refused_message(text)
        if message is None:
            return text
        self.problem(line, name, message)
        return without_refused(text)

    def check_date(self, node: YamlNode, spec: Field, name: str, line: int) -> date | None:
        """A calendar date written YYYY-MM-DD."""
        if node.tag not in ("str", "timestamp"):
            self.problem(line, name, f"expected a date written YYYY-MM-DD, like {spec.example}, got {node.describe()}")
            return None
        value, message = parse_date(node.text, spec.example)
        if message:
            self.problem(line, name, message)
        return value

    def check_number(self, node: YamlNode, spec: Field, name: str, line: int) -> float | None:
        """A number: whole or decimal, without units, in the range numbers in the plan can have."""
        text = node.text.strip()
        number, message = parse_number(node.tag, text)
        if number is not None:
            return number
        if message is None and re.fullmatch(r"[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+", text):
            # YAML 1.1 reads 1e5 (no decimal point) as text: say the number in full, or why it cannot be one
            number, message = parse_number("float", text)
            if number is not None:
                message = (
                    f"expected a number like {spec.example} or 83.5, got {node.describe()}; "
                    f"write the number out in full: {spec.name}: {_number_text(number)}"
                )
        if message is None:
            hint = ""
            if text.endswith("%"):
                hint = f"; write the number without the % sign: {spec.name}: {text.rstrip('%').strip()}"
            elif re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", text):
                hint = f"; write the number without commas: {spec.name}: {text.replace(',', '')}"
            message = f"expected a number like {spec.example} or 83.5, got {node.describe()}{hint}"
        self.problem(line, name, message)
        return None

    def check_choice(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """One of a fixed set of words."""
        if node.tag == "str" and node.text in spec.choices:
            return node.text
        noun = "unit" if spec.name == "unit" else spec.name
        self.problem(
            line,
            name,
            f"{quote(node.text)} is not a {noun}{suggest(node.text, spec.choices)}; "
            f"use one of: {', '.join(spec.choices)}",
        )
        return None

    def check_id(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """An id following the pattern for its kind of record."""
        if node.tag == "str" and re.fullmatch(spec.id_pattern.strip("^$"), node.text):
            return node.text
        self.problem(line, name, f"{quote(node.text)} is not a {spec.id_noun} id; {_id_advice(spec)}")
        return None

    def check_ids(self, node: YamlNode, spec: Field, name: str, line: int) -> tuple[str, ...] | None:
        """A list of ids, each written once."""
        if node.kind != "seq":
            got = node.describe()
            hint = f"; write it as a list: {spec.name}: [{node.text}]" if node.kind == "scalar" else ""
            self.problem(line, name, f"expected a list of {spec.id_noun} ids like {spec.example}, got {got}{hint}")
            return None
        ids: list[str] = []
        for item in node.items:
            if item.kind != "scalar":
                self.problem(item.line, name, f"expected a {spec.id_noun} id like M2.1, got {item.describe()}")
                return None
            value = self.check_id(item, spec, name, item.line)
            if value is None:
                return None
            if value in ids:
                self.problem(item.line, name, f"{value} is listed twice; list each {spec.id_noun} once")
                return None
            ids.append(value)
        return tuple(ids)

    def check_mapping(self, node: YamlNode, spec: Field, name: str, line: int) -> dict[str, str] | None:
        """Pairs of text: `name: value` lines."""
        if node.kind != "map" or any(e.value.kind != "scalar" or e.value.tag != "str" for e in node.entries):
            self.problem(line, name, f"expected lines of text like {spec.example}, got {node.describe()}")
            return None
        check = self.check_characters
        return {check(entry.key, name, entry.line): check(entry.value.text, name, entry.line) for entry in node.entries}

    def check_link(self, node: YamlNode, spec: Field, name: str, line: int) -> str | None:
        """An https:// address or a mailto: address."""
        text = node.text.strip()
        if message := refused_message(text):
            self.problem(line, name, message)
            return None
        if node.tag == "str" and re.match(r"https://[^\s/]+\.[^\s]+$", text):
            return text
        if node.tag == "str" and re.match(r"mailto:[^\s@]+@[^\s@]+\.[^\s@]+$", text):
            return text
        hint = ""
        if re.fullmatch(r"[^\s@:]+@[^\s@]+\.[^\s@]+", text):
            hint = f"; for an email address write {spec.name}: mailto:{text}"
        elif text.startswith("http://"):
            hint = f"; use a secure address: {spec.name}: https://{text[len('http://') :]}"
        self.problem(
            line,
            name,
            f"expected an https:// web address or a mailto: email address, got {node.describe()}{hint}",
        )
        return None


def _expected(spec: Field) -> str:
    """Describe the value a field expects, for 'expected ..., got a list'."""
    return {
        "text": f'text like "{spec.example}"',
        "markdown": "text (Markdown)",
        "date": f"a date written YYYY-MM-DD, like {spec.example}",
        "number": f"a number like {spec.example}",
        "choice": f"one of: {', '.join(spec.choices)}",
        "id": f"a {spec.id_noun} id like {spec.example}",
        "link": "an https:// web address or a mailto: email address",
    }[spec.kind]


def _id_advice(spec: Field) -> str:
    """Explain the id pattern of a kind of record."""
    if spec.id_noun == "milestone":
        return "milestone ids look like M2.1: M, the phase number, a dot and a number"
    return "measure ids look like K1: K and a number"


NUMBER_RANGE = f"between -{NUMBER_LIMIT:,} and {NUMBER_LIMIT:,}"
"""The range numbers in the plan can have, as messages say it."""


def parse_number(tag: str, text: str) -> tuple[float | None, str | None]:
    """Read a YAML number in the range the plan allows: the number, or None and what is wrong.

    None and no message: the text is not a number YAML reads (the caller says what a number looks like).
    """
    if tag not in ("int", "float"):
        return None, None
    clean = text.replace("_", "")
    shown = _shorten_number(text)
    too_large = f"{shown} is too large; numbers in the plan are {NUMBER_RANGE}"
    if tag == "int":
        try:
            whole = int(clean, 0)
        except ValueError:
            # Python will not read a decimal number of more than 4,300 digits: far out of range anyway
            return (None, too_large) if re.fullmatch(r"[-+]?[0-9]+", clean) else (None, None)
        return (float(whole), None) if abs(whole) <= NUMBER_LIMIT else (None, too_large)
    special = clean.lower().lstrip("+-")
    if special == ".nan":
        return None, f'{shown} means "not a number"; write a number like 83 or 83.5'
    if special == ".inf":
        return None, f"{shown} means infinity; numbers in the plan are {NUMBER_RANGE}"
    try:
        number = float(clean)
    except ValueError:
        return None, None
    if not math.isfinite(number) or abs(number) > NUMBER_LIMIT:
        return None, too_large
    mantissa = re.split(r"[eE]", clean, maxsplit=1)[0]
    if (number == 0 and re.search(r"[1-9]", mantissa)) or 0 < abs(number) < SMALLEST_NUMBER:
        return None, f"{shown} is too close to 0; write 0, or a number at least {SMALLEST_NUMBER:f} away from 0"
    return number, None


def _shorten_number(text: str) -> str:
    """A number as written, shortened when it is long: 99999999999999999999... (310 digits)."""
    if len(text) <= 24:
        return text
    digits = sum(char.isdigit() for char in text)
    return f"{text[:20]}... ({digits} digits)"


def _number_text(number: float) -> str:
    """A number written out in full: 100000, 0.5."""
    return str(int(number)) if number == int(number) else format(Decimal(repr(number)), "f")


def parse_date(text: str, example: str = "2024-03-31") -> tuple[date | None, str | None]:
    """Parse a YYYY-MM-DD date; the date, or None and a message saying what is wrong."""
    text = text.strip()
    exact = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text)
    if exact:
        year, month, day = (int(part) for part in exact.groups())
        if not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
            return None, (
                f"{text} is out of range; dates in the plan are between {EARLIEST_DATE.isoformat()} "
                f"and {LATEST_DATE.isoformat()}"
            )
        if not 1 <= month <= 12:
            return None, f"{text} is not a real date: there is no month {month}"
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            month_name = calendar.month_name[month]
            return None, f"{text} is not a real date: {month_name} {year} has {days} days"
        return date(year, month, day), None
    base = f"expected a date written YYYY-MM-DD, like {example}, got {quote(text)}"
    if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]", text):
        return None, f"expected a date without a time, like {text[:10]}, got {quote(text)}"
    guess = _guess_date(text)
    if guess is not None:
        return None, f"{base}; did you mean {guess.isoformat()}?"
    return None, base


def _guess_date(text: str) -> date | None:
    """Read dates written other ways (31/03/2024, 2024-3-1, 31 March 2024), UK order."""
    parts: tuple[int, int, int] | None = None
    if match := re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", text):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif match := re.fullmatch(r"([0-9]{1,2})(?:st|nd|rd|th)? ([A-Za-z]+),? ([0-9]{4})", text):
        parts = (int(match[3]), MONTHS.get(match[2].lower(), 0), int(match[1]))
    elif match := re.fullmatch(r"([A-Za-z]+) ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})", text):
        parts = (int(match[3]), MONTHS.get(match[1].lower(), 0), int(match[2]))
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None
