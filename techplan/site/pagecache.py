"""Pages kept as the theme rendered them, so a rebuild renders through the theme only what changed.

Material writes the whole navigation into every page, which is most of the time a page takes
to build; a build after one merge changes a handful of pages. So each page's output is kept
under a key made of everything its template is given: the site's settings and theme (the
theme's templates themselves, unless they are an installed package's, then its version),
the navigation's titles, addresses and metadata, and the page's own content, contents,
metadata, addresses and neighbours, with whatever else the plugins put in its context. When
the key is found, the theme's `main.html` (techplan's, `main.html` in the engine's theme)
writes the kept output instead of rendering the layout.

The one part of every page that changes with every commit, the footer's account of what the
site was built from, is rendered as a placeholder and filled in after (`fill_built_from`).

A site whose own `main.html` overrides the engine's never reuses a page: its template ignores
the kept output and renders in full, so the result is the same either way. `TECHPLAN_CACHE=off`
keeps nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sysconfig
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.theme import Theme
from mkdocs.utils.templates import TemplateContext

from techplan.cache import DiskCache

KEPT_OUTPUT = "plan_kept_page"
"""The context variable the engine's main.html writes in place of the layout, when it is set."""
BUILT_FROM_PLACEHOLDER = Markup("<!--techplan:built-from-->")
"""What a kept page holds where its footer's "built from" goes."""
KIND = "page-output"
"""The cache's folder of kept pages, one file a key."""
_STANDARD = {"nav", "pages", "config", "page", "build_date_utc"}
"""Context that the key covers otherwise (the navigation, the site's settings, the page) or never shows."""
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_PACKAGES = {"mkdocs", "mkdocs-material"}


class PageOutputs:
    """Finds each page's kept output by its key, and keeps what was rendered for the next build."""

    def __init__(self, cache: DiskCache, config: MkDocsConfig) -> None:
        self.folder = Path(cache.folder) / KIND if cache.folder is not None else None
        templates = list(_own_template_files(config.theme))
        self._site = _site_key(config, templates)
        self._dated = any(b"build_date_utc" in data for _, _, data in templates)
        """A site template that shows the build's date makes every page new on every build."""
        self._nav: str | None = None
        self._environment = ""
        """What the theme's environment gives every template besides the context (see `use_environment`)."""
        self._keys: dict[str, str] = {}
        """Each page's key, by its source file, as looked up for this build."""
        self._found: dict[str, str] = {}
        """Kept outputs given to pages' templates, by source file, until `was_kept` asks for them.

        Each is the whole page (with Material's navigation, 650 kB a page at 1,000 pages): held
        for the whole build, they were 700 MB.
        """
        self.used: set[str] = set()
        """The keys of every page this build, kept or not: what `forget_unused` leaves."""

    def look_up(self, context: TemplateContext, page: Page) -> TemplateContext:
        """Key the page by its context; if its output is kept, give it to the template."""
        if self.folder is None:
            return context
        if self._nav is None:  # every page is read by now: the titles the navigation shows are known
            self._nav = stable_digest(_nav_items(context["nav"]))
        extra = {k: v for k, v in context.items() if k not in _STANDARD}
        if self._dated:
            extra["build_date_utc"] = context.get("build_date_utc")
        key = stable_digest([self._site, self._environment, self._nav, _page_fields(page), extra])
        self._keys[page.file.src_uri] = key
        self.used.add(key)
        kept = _read(self.folder / key)
        if kept is None:
            return context
        self._found[page.file.src_uri] = kept
        context[KEPT_OUTPUT] = Markup(kept)  # type: ignore[literal-required]
        return context

    def use_environment(self, env: jinja2.Environment) -> None:
        """Key pages by the values a site's hooks may have put in the theme's globals, and its filters' names too."""
        values = {k: v for k, v in env.globals.items() if not callable(v)}
        self._environment = stable_digest([values, sorted(env.filters), sorted(env.tests)])

    def was_kept(self, page: Page, output: str) -> bool:
        """Whether the template wrote the kept output (a site's own main.html renders in full instead).

        Asked once a page, as its output is written: the kept output is let go.
        """
        return self._found.pop(page.file.src_uri, None) == output

    def keep(self, page: Page, output: str) -> None:
        """Store a page's rendered output under its key, atomically; skipped if the disk refuses.

        For a page whose template did not write a kept output (`was_kept`).
        """
        key = self._keys.get(page.file.src_uri)
        if self.folder is None or key is None:
            return
        target = self.folder / key
        temporary = target.with_name(f"{key}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = output.encode("utf-8", "surrogatepass")
            temporary.write_bytes(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
            os.replace(temporary, target)
        except OSError:
            temporary.unlink(missing_ok=True)

    def forget_unused(self) -> None:
        """Delete outputs this build did not use, so the cache does not grow with every edit."""
        if self.folder is None or not self.used or not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in self.used and not entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)


def _read(path: Path) -> str | None:
    """A kept output, if the file is whole: it starts with the SHA-256 of the rest."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest, _, output = data.partition(b"\n")
    if hashlib.sha256(output).hexdigest().encode() != digest:
        return None  # cut short or changed on disk: render the page again
    try:
        return output.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def fill_built_from(output: str, built_from: str) -> str:
    """Put the footer's "built from" in its placeholder: the last one, as the footer follows the content."""
    at = output.rfind(BUILT_FROM_PLACEHOLDER)
    if at < 0:
        return output
    # Joined as str: Markup's + would escape the rest of the page.
    return "".join((output[:at], str(built_from), output[at + len(BUILT_FROM_PLACEHOLDER) :]))


def _page_fields(page: Page) -> list[Any]:
    """All of a page that a template can show."""
    neighbours = [(p.title, p.url) if p is not None else None for p in (page.previous_page, page.next_page)]
    return [
        page.file.src_uri,
        str(page.file.inclusion),  # a draft `mkdocs serve` shows is marked as one
        page.url,
        page.canonical_url,
        page.abs_url,
        page.edit_url,
        page.is_homepage,
        page.title,
        page.meta,
        page.content,
        _toc(page.toc),
        neighbours,
        [p.title for p in _ancestors(page)],
    ]


def _ancestors(page: Page) -> Iterable[Any]:
    parent = page.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _toc(items: Iterable[AnchorLink]) -> list[Any]:
    return [[item.title, item.id, item.level, _toc(item.children)] for item in items]


def _nav_items(nav: Navigation | Iterable[Any]) -> list[Any]:
    """The navigation as templates show it: each item's kind, title, address, metadata and children."""
    items = nav.items if isinstance(nav, Navigation) else nav
    shown = []
    for item in items:
        entry = [type(item).__name__, item.title, getattr(item, "url", None), getattr(item, "is_index", None)]
        if isinstance(item, Page):
            entry.append(item.meta)
        if getattr(item, "children", None):
            entry.append(_nav_items(item.children))
        shown.append(entry)
    return shown


def _site_key(config: MkDocsConfig, templates: list[tuple[str, str, bytes]]) -> str:
    """A key for what every page shows alike: the settings, the packages that render them, the site's templates."""
    # Where a page is written and how MkDocs is run do not change what it holds.
    settings = {
        k: v
        for k, v in config.items()
        if k not in {"site_dir", "docs_dir", "config_file_path", "dev_addr", "watch", "strict", "validation", "hooks"}
    }
    packages: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    digest = hashlib.sha256()
    for folder, path, data in templates:
        digest.update(f"{folder}\0{path}\0{len(data)}\0".encode())
        digest.update(data)
    return stable_digest([settings, packages, digest.hexdigest()])


def _own_template_files(theme: Theme) -> Iterable[tuple[str, str, bytes]]:
    """(folder, path, bytes) of each file in the theme's folders that are not an installed package's."""
    installed = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")}
    for folder in theme.dirs:
        real = os.path.realpath(folder)
        if any(real.startswith(os.path.join(place, "")) for place in installed):
            continue  # an installed package's: its version is in the key
        for root, dirs, names in os.walk(real):
            dirs.sort()
            for name in sorted(names):
                if name.endswith((".html", ".xml", ".svg", ".js", ".css", ".txt", ".json")):
                    path = os.path.join(root, name)
                    try:
                        data = Path(path).read_bytes()
                    except OSError:
                        continue
                    yield folder, os.path.relpath(path, real), data


def _stable(value: Any) -> Any:
    """A JSON-able form of a value from the config or a context, with nothing that differs between processes."""
    if isinstance(value, Theme):
        return {"name": value.name, "dirs": value.dirs, "settings": dict(value.items())}
    if isinstance(value, BasePlugin):
        return [type(value).__module__, type(value).__qualname__, dict(value.config)]
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, AnchorLink):
        return _toc([value])
    return _ADDRESS.sub("", repr(value))


def stable_digest(value: Any) -> str:
    """A SHA-256 of a value from the config, a page or a context, the same in every process that has it."""
    try:
        text = json.dumps(value, sort_keys=True, default=_stable, ensure_ascii=False)
    except (TypeError, ValueError):  # keys that do not sort, a value that holds itself: its repr, less often reused
        text = _ADDRESS.sub("", repr(value))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
