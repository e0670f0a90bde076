"""Material's search index entries for each page, kept so a build reads again only the pages that changed.

Material's search plugin reads every page's HTML on every build to split it into the sections
readers can find; after a merge that changes one page, every other page's sections are what they
were. So each page's entries are kept under a key of all the plugin reads: the page's content,
address, title, metadata and table of contents, and Material's version. Anything else (another
search plugin, Material's search with Chinese word segmentation) indexes every page every time.
"""

from __future__ import annotations

import functools
import logging
import pickle
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from techplan.cache import DiskCache, remember_at_most
from techplan.site.pagecache import stable_digest

KIND = "search-entries"
"""The cache's kind for each page's search index entries."""
remember_at_most(KIND, 0)  # a build reads each page's once: not held in memory as well
_MATERIAL_SEARCH = "material.plugins.search.plugin"

log = logging.getLogger("mkdocs.plugins.techplan")


class IndexedPages:
    """Adds each page's entries to Material's search index, read from the page or kept from an earlier build."""

    def __init__(self, cache: DiskCache, config: MkDocsConfig) -> None:
        self._cache = cache
        self._used: set[str] = set()
        self.indexed = 0
        """Pages whose HTML the search plugin read this build."""
        self.reused = 0
        """Pages whose entries were kept from an earlier build."""
        self._version = ""
        index = _material_search_index(config) if cache.folder is not None else None
        if index is None:
            return
        try:
            self._version = metadata.version("mkdocs-material")
        except metadata.PackageNotFoundError:
            return
        index.add_entry_from_context = functools.partial(self._add, index, index.add_entry_from_context)

    def _add(self, index: Any, add: Callable[[Page], None], page: Page) -> None:
        key = stable_digest([self._version, page.url, page.title, page.meta, _toc(page.toc), page.content])
        self._used.add(key)
        stored = self._cache.get(KIND, key)
        if isinstance(stored, bytes):
            try:
                entries = pickle.loads(stored)
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
                entries = None
            if isinstance(entries, list):
                index.entries.extend(entries)
                self.reused += 1
                return
        before = len(index.entries)
        add(page)
        self.indexed += 1
        # Kept as bytes, unpickled on each use: an entry is a dict another plugin could change.
        self._cache.put(KIND, key, pickle.dumps(index.entries[before:], protocol=pickle.HIGHEST_PROTOCOL))

    def finish(self) -> None:
        """Say how many pages were indexed, and forget the entries of pages this build did not index."""
        if not self._version:
            return
        log.debug("techplan: search index read %d pages, reused %d from earlier builds", self.indexed, self.reused)
        if self._used:
            self._cache.forget_all_but(KIND, self._used)


def _material_search_index(config: MkDocsConfig) -> Any:
    """Material's search index for this build, if its plugin is on and indexes as this module knows it does."""
    for plugin in config.plugins.values():
        if type(plugin).__module__ != _MATERIAL_SEARCH or not getattr(plugin, "config", {}).get("enabled", True):
            continue
        index = getattr(plugin, "search_index", None)
        if getattr(sys.modules.get(_MATERIAL_SEARCH), "jieba", None) is not None:
            return None  # Chinese word segmentation reads dictionaries besides the page
        if isinstance(getattr(index, "entries", None), list) and callable(
            getattr(index, "add_entry_from_context", None)
        ):
            return index
    return None


def _toc(items: Iterable[AnchorLink]) -> list[Any]:
    return [[item.title, item.id, item.url, item.level, _toc(item.children)] for item in items]
