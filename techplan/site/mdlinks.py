"""A Markdown extension that points links between pages wherever a caller says they live.

MkDocs turns `[text](other.md)` into a link to the other page; outside MkDocs (point-in-time
pages, `techplan diff --format html`) this does the same job with a resolver the caller gives.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

Resolver = Callable[[str], str | None]
"""Given a page path relative to the plan directory, its URL relative to the page being rendered."""


class _PageLinks(Treeprocessor):
    """Rewrites relative links to .md files through the resolver; other relative links to the site root."""

    def __init__(self, md: markdown.Markdown, extension: PageLinks) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: Element) -> None:
        for element in root.iter():
            attribute = "href" if element.tag == "a" else "src" if element.tag == "img" else None
            if attribute and (url := element.get(attribute)):
                element.set(attribute, self.extension.rewrite(url))


class PageLinks(Extension):
    """Resolve links between pages for the page currently being rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.page = ""
        """The page being rendered, relative to the plan directory."""
        self.resolve: Resolver = lambda _: None
        self.site_root = ""
        """The site's root relative to the page being rendered (`../../`), for images and files."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_PageLinks(md, self), "techplan_page_links", 0)

    def rewrite(self, url: str) -> str:
        """A link's new address: through the resolver for pages, from the site root for files."""
        scheme, netloc, path, query, fragment = urlsplit(url)
        if scheme or netloc or not path or path.startswith("/"):
            return url
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), path))
        if target.endswith(".md"):
            resolved = self.resolve(target)
            if resolved is not None:
                return urlunsplit(("", "", resolved, query, fragment))
            return url
        return urlunsplit(("", "", self.site_root + target, query, fragment))
