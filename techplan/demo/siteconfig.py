"""The demo repository's mkdocs.yml: the project's own, pointing back at the project, with a nav per commit."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from techplan.demo.model import StoryError

_NAV_PAGE = re.compile(r"^(?P<lead>\s*- (?:[^\n]*?: )?)(?P<path>[^\s:]+\.md)(?P<end>\s*)$")
_NAV_SECTION = re.compile(r"^(?P<indent>\s*)- [^\n]*:\s*$")


def demo_mkdocs(project: Path, today: date) -> str:
    """The project's mkdocs.yml for the demo repository: absolute hooks (and custom_dir), and a fixed today."""
    text = (project / "mkdocs.yml").read_text("utf-8")

    def absolute(value: str) -> str:
        """A project-relative path as an absolute, quoted YAML string."""
        path = Path(value.strip("'\""))
        return json.dumps((path if path.is_absolute() else project.resolve() / path).as_posix())

    hooks = re.search(r"^hooks:\n((?:[ \t]+- .*\n)+)", text, re.M)
    if hooks is None:
        raise StoryError(f"{project / 'mkdocs.yml'}: no hooks: list to point at the project's hooks")
    items = re.sub(r"^([ \t]+- )(.+?)[ \t]*$", lambda m: m.group(1) + absolute(m.group(2)), hooks.group(1), flags=re.M)
    text = text[: hooks.start(1)] + items + text[hooks.end(1) :]
    text = re.sub(
        r"^([ \t]+custom_dir:[ \t]*)(\S+)[ \t]*$",
        lambda m: m.group(1) + absolute(m.group(2)),
        text,
        count=1,
        flags=re.M,
    )
    plan = re.search(r"^extra:\n(?:(?:[ \t]+.*)?\n)*?  plan:\n", text, re.M)
    if plan is None:
        raise StoryError(f"{project / 'mkdocs.yml'}: no extra.plan settings to set today in")
    text = re.sub(r"^    today: .*\n", "", text, flags=re.M)
    return text[: plan.end()] + f"    today: {today.isoformat()}\n" + text[plan.end() :]


def nav_for(mkdocs: str, pages: dict[str, str], plan_pages: set[str]) -> str:
    """mkdocs.yml with the nav cut to the pages that exist at a point of the story, under their names then.

    plan_pages are the plan's pages as the project's nav names them; pages maps those that exist to the name
    they have at this point (a renamed page keeps its place). Entries for anything else, like the generated
    What's changed page, stay. Sections left empty go.
    """
    lines = mkdocs.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "nav:"), None)
    if start is None:
        return mkdocs
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\t", "\n")), len(lines))
    kept: list[str] = []
    for line in lines[start + 1 : end]:
        match = _NAV_PAGE.match(line)
        if match and match["path"] in plan_pages:
            if match["path"] not in pages:
                continue
            line = match["lead"] + pages[match["path"]] + match["end"]
        kept.append(line)
    nav: list[str] = []
    for index, line in enumerate(kept):
        section = _NAV_SECTION.match(line)
        if section and not _NAV_PAGE.match(line):
            following = kept[index + 1] if index + 1 < len(kept) else ""
            if len(following) - len(following.lstrip()) <= len(section["indent"]) or not following.strip():
                continue
        nav.append(line)
    return "".join(lines[: start + 1] + nav + lines[end:])
