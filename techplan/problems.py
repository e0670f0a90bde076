"""Problems found in the plan: data, not exceptions, so every one can be reported at once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What must not reach a terminal or a CI log as it is: controls (a file name can hold an escape
sequence or a newline), line separators, and the bidirectional controls that reorder a line."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the plan, at a place staff can open in an editor.

    Problems sort by file, then line, then field and message, so a report reads top to bottom.
    """

    path: str
    """File path relative to the repository root, with forward slashes."""
    line: int
    """1-based line number; 1 for problems with a whole file."""
    field: str
    """The field as staff write it (`due`, `baseline.value`), or what kind of problem it is."""
    message: str
    """What is wrong and, where it helps, what a right value looks like."""
    severity: str = ERROR
    """`error` (the plan cannot be published) or `warning` (worth a look; `techplan check` still passes)."""
    shown: bool = False
    """Whether the site itself shows readers this warning (a schedule conflict is marked on the roadmap):
    a strict build lists it without stopping, so that an honest change, such as a dependency
    slipping, can be published with the conflict it creates in plain view."""

    @property
    def is_error(self) -> bool:
        """Whether this problem stops the plan being published."""
        return self.severity != WARNING

    def render(self) -> str:
        """Render as `path:line: field: message` (`path:line: warning: field: message`), the form editors link up.

        Characters that would move the cursor, start a line or reorder it are shown as escapes.
        """
        label = "" if self.is_error else "warning: "
        return f"{visible(self.path)}:{self.line}: {label}{visible(self.field)}: {visible(self.message)}"

    def render_github(self) -> str:
        """Render as a GitHub Actions annotation so the problem shows on the pull request diff."""
        return workflow_command(
            self.severity if self.severity in (ERROR, WARNING) else ERROR,
            {"file": visible(self.path), "line": str(self.line)},
            f"{visible(self.field)}: {visible(self.message)}",
        )


def workflow_command(command: str, properties: dict[str, str], message: str) -> str:
    """A GitHub Actions workflow command, every property and the message escaped as GitHub's toolkit does.

    No value can end the line (and so start a command of its own) or add a property.
    """
    listed = ",".join(f"{name}={_escape_property(value)}" for name, value in properties.items())
    return f"::{command} {listed}::{_escape_data(message)}" if listed else f"::{command}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and `:` and `,` too."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def visible(text: str) -> str:
    """Text with control, line-separating and reordering characters written as escapes (`\\u001b`, `\\n`, `\\u202e`)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


def render_report(problems: Iterable[Problem]) -> str:
    """Render problems as the report `techplan check` and the build print: each once, top to bottom."""
    problems = sorted(set(problems))
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    counts = []
    if errors:
        counts.append(f"{errors} problem{'s' if errors != 1 else ''}")
    if warnings:
        counts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    heading = f"The plan has {' and '.join(counts) or '0 problems'}:"
    return "\n".join([heading, *(problem.render() for problem in problems)])


def quote(value: object) -> str:
    """Show a value as staff typed it, in double quotes, shortened if long."""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return '"' + text.replace("\n", " ") + '"'
