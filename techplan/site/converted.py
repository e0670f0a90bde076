"""Pages' Markdown as converted in an earlier build, reused while nothing the conversion reads has changed.

After a merge that changes one page, every other page's Markdown is what it was: converting it
again (Python-Markdown and its extensions, MkDocs's link checks) is most of what a build does
besides rendering the theme. So each page's conversion is kept under a key of its Markdown (as
every plugin left it), its own addresses, the Markdown settings and the versions of the
packages that convert it, and the level MkDocs logs at.

What MkDocs checks while converting still holds on every build:

- links: the conversion is kept with each other file it looked up and what it found (its
  address and whether it is published, or that it was missing); a link to a file since moved,
  deleted or made a draft converts the page again, so the link is resolved and reported anew.
- messages: what the conversion logged (a broken link, an anchor that is not there) is kept
  with it and logged again when it is reused, so `--strict` fails exactly as it would have.
- anchors: the anchors the page holds and those it links to are kept, so MkDocs checks links
  between pages after the build as before.

Nothing is reused where a conversion may read more than the page: a Markdown extension given as
an object (a plugin's, which may keep state between pages), one that reads other files
(snippets, includes, custom icons), settings that hold something with no stable name (a lambda),
a page whose class converts itself differently. `TECHPLAN_CACHE=off` keeps nothing.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import pickle
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from techplan.cache import DiskCache, content_key, remember_at_most

KIND = "converted-page"
"""The cache's kind for kept conversions."""
remember_at_most(KIND, 0)  # a build reads each page's once: not held in memory as well
READS_FILES = frozenset(
    {
        "pymdownx.snippets",
        "pymdownx.b64",
        "markdown_include.include",
        "mdx_include",
    }
)
"""Markdown extensions whose output depends on files besides the page."""
_ICONS = frozenset({"pymdownx.emoji", "material.extensions.emoji"})
"""Extensions that read a site's own icons when given `custom_icons`."""
_PACKAGES = ("markdown", "pymdown-extensions", "pygments", "mkdocs", "mkdocs-material")

log = logging.getLogger("mkdocs.plugins.techplan")


class _Unstable(Exception):
    """A setting with no name that holds between processes: conversions cannot be keyed by it."""


class ConvertedPages:
    """Converts each page's Markdown, or restores what an earlier build converted from the same input."""

    def __init__(self, cache: DiskCache, config: MkDocsConfig) -> None:
        self._cache = cache
        self._site = markdown_settings_key(config) if cache.folder is not None else None
        self.converted = 0
        """Pages converted by this build."""
        self.reused = 0
        """Pages whose earlier conversion this build reused."""
        self._used: set[str] = set()

    def take_over(self, page: Page) -> None:
        """Have this page's `render` (its conversion) go through the cache, if it converts as MkDocs does."""
        if self._site is None or type(page).render is not Page.render:
            return
        page.render = functools.partial(self._render, page)  # type: ignore[method-assign]

    def _render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        assert page.markdown is not None
        key = content_key(
            json.dumps(
                [
                    self._site,
                    page.file.src_uri,
                    page.file.url,
                    str(page.file.inclusion),
                    logging.getLogger("mkdocs").getEffectiveLevel(),
                    page.markdown,
                ],
                ensure_ascii=False,
            ).encode("utf-8", "surrogatepass")
        )
        self._used.add(key)
        stored = self._cache.get(KIND, key)
        if isinstance(stored, bytes) and _restore(page, stored, files):
            self.reused += 1
            return
        looked_up = _LookUps(files)
        with _Logged() as logged:
            Page.render(page, config, looked_up)  # type: ignore[arg-type]
        messages = logged.messages()
        self.converted += 1
        if not looked_up.complete or messages is None:
            return
        links = page.links_to_anchors
        kept = {
            "looked_up": looked_up.found,
            "messages": messages,
            "content": page.content,
            "toc": page.toc,
            "title": page._title_from_render,
            "anchors": page.present_anchor_ids,
            "links": None if links is None else {target.src_uri: anchors for target, anchors in links.items()},
        }
        # Something an extension put in the contents may not pickle: that page is converted every time.
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError, RecursionError):
            # Kept as bytes, unpickled on each use: the engine and MkDocs change a page's contents in place.
            self._cache.put(KIND, key, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))

    def finish(self) -> None:
        """Say how many pages were converted, and forget conversions this build did not use."""
        if self._site is None:
            return
        log.debug("techplan: converted %d pages' Markdown, reused %d from earlier builds", self.converted, self.reused)
        if self._used:
            self._cache.forget_all_but(KIND, self._used)


def _restore(page: Page, stored: bytes, files: Files) -> bool:
    """Give the page what an earlier conversion made, if every file it looked up is found as it was then."""
    try:
        kept = pickle.loads(stored)
        for path, was in kept["looked_up"].items():
            if _seen(files.get_file_from_path(path)) != was:
                return False
        targets: dict[File, dict[str, str]] | None = None
        if kept["links"] is not None:
            targets = {}
            for path, anchors in kept["links"].items():
                target = files.get_file_from_path(path)
                if target is None:
                    return False
                targets[target] = anchors
        content, toc, title, anchors, messages = (
            kept["content"],
            kept["toc"],
            kept["title"],
            kept["anchors"],
            kept["messages"],
        )
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError, ImportError):
        return False
    page.content, page.toc, page._title_from_render = content, toc, title
    page.present_anchor_ids = anchors
    if targets is not None:
        page.links_to_anchors = targets
    for name, level, message in messages:
        logging.getLogger(name).log(level, "%s", message)
    return True


def _seen(file: File | None) -> tuple[str, str, str] | None:
    """What a link to a file turns into: its source, its address and whether it is published."""
    return None if file is None else (file.src_uri, file.url, str(file.inclusion))


class _LookUps:
    """The site's files, noting each one a conversion looks up and what it found."""

    def __init__(self, files: Files) -> None:
        self._files = files
        self.found: dict[str, tuple[str, str, str] | None] = {}
        self.complete = True
        """False once the conversion asked the files anything else: what it found is not noted, so not kept."""

    def get_file_from_path(self, path: str) -> File | None:
        file = self._files.get_file_from_path(path)
        self.found[path] = _seen(file)
        return file

    def __getattr__(self, name: str) -> Any:
        self.complete = False
        return getattr(self._files, name)


class _Messages(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if all(record is not seen for seen in self.records):  # heard from MkDocs's logger and the root alike
            self.records.append(record)


class _Logged:
    """The messages logged while a page converts, as (logger, level, text), whichever logger they went to."""

    def __init__(self) -> None:
        self.handler = _Messages()
        self.loggers = [logging.getLogger(), logging.getLogger("mkdocs")]

    def __enter__(self) -> _Logged:
        for logger in self.loggers:
            logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger in self.loggers:
            logger.removeHandler(self.handler)

    def messages(self) -> list[tuple[str, int, str]] | None:
        """What was logged; None if a message does not format (then the conversion is not kept)."""
        try:
            return [(r.name, r.levelno, r.getMessage()) for r in self.handler.records]
        except (TypeError, ValueError):
            return None


def markdown_settings_key(config: MkDocsConfig) -> str | None:
    """A key for how every page's Markdown is converted, or None where conversions must not be reused."""
    extensions = list(config.markdown_extensions)
    settings = config.mdx_configs or {}
    if not all(isinstance(name, str) for name in extensions):
        return None  # an extension object, likely a plugin's: it may gather state from every page
    for name in extensions:
        if name in READS_FILES or (name in _ICONS and "custom_icons" in json.dumps(settings.get(name), default=str)):
            return None
    versions: dict[str, str | None] = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    try:
        text = json.dumps(
            [extensions, settings, versions, config.use_directory_urls, config.validation],
            sort_keys=True,
            default=_named,
        )
    except (_Unstable, TypeError, ValueError):
        return None
    return content_key(text.encode())


def _named(value: Any) -> Any:
    """A JSON-able name for a setting's value that every process gives alike (json.dumps's default)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, functools.partial):
        return [_named(value.func), list(value.args), value.keywords]
    if callable(value):
        module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", "")
        if not module or not name or "<" in name:  # a lambda or a function made inside another
            raise _Unstable(repr(value))
        return f"{module}.{name}"
    text = repr(value)
    if " at 0x" in text:
        raise _Unstable(text)
    return text
