"""Material's navigation with each part rendered once for every page that would get the same HTML.

Material writes the whole navigation into every page: n pages of n links, most of a large
site's build (at 1,000 pages, about 20 s of CPU in a first build, and most of a plain build's
22 s). Only the items on the way to the page being rendered differ in what they say (open,
current); every other item's HTML depends on the page only through its links, which are written
relative to the page. `theme/partials/nav-item.html` hands each item to `NavParts`, which keeps
the HTML of an item that does not hold the page and gives it to any later page from which every
one of the item's links is written the same way.

Which pages those are comes from the links' common folder: if a page's folder leaves that folder
part way along (it is not in it), every link is written as the same climb out of the page's folder
followed by the rest of its path. So the common folder written relative to the page names the
HTML, and an item whose links are all inside the page's own folder is rendered afresh.

What Material reads of an item (titles, `meta`, Material's typeset titles) is settled before any
page is rendered: MkDocs reads and converts every page, running the plugins' page events up to
`on_page_content`, first.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Undefined
from markupsafe import Markup
from mkdocs.utils import get_relative_url

Render = Callable[..., Markup]
"""nav-item.html's `render_item` macro: (item, path, level, parent) to the item's HTML."""


class NavParts:
    """The HTML of navigation items that do not hold the page being rendered, for one build's navigation.

    Kept by the item (while the build's navigation lives), its place (`path` and `level`, which
    its HTML names), whether its parent is open (Material reads that under navigation.tabs), and
    how the page reaches the folder all its links are in.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[int, str, int, bool, str], Markup] = {}
        self._folders: dict[int, str | None] = {}
        self._items: list[Any] = []
        """Every item a key names: an id is only unique while its object lives."""

    def __call__(self, render: Render, item: Any, path: str, level: int, parent: Any, page: Any) -> Markup:
        """The item's HTML, as `render` makes it for this page.

        Rendered afresh: the item that holds the page (open, marked current), one a plugin gave
        pages of its own to (Material reads `page in item.pages`), and any outside a page.
        """
        if isinstance(item, Undefined) or isinstance(page, Undefined):  # (their attributes raise)
            return render(item, path, level, parent)
        unkept = getattr(item, "active", False) or getattr(item, "pages", None)
        folder = None if unkept or not isinstance(getattr(page, "url", None), str) else self._folder_of(item)
        if folder is None:
            return render(item, path, level, parent)
        reached = get_relative_url(folder, page.url)
        if all(part in ("..", ".", "") for part in reached.split("/")):
            return render(item, path, level, parent)  # the page is in the links' folder: each is written its own way
        parent_open = not isinstance(parent, Undefined) and bool(getattr(parent, "active", False))
        key = (id(item), str(path), int(level), parent_open, reached)
        kept = self._kept.get(key)
        if kept is None:
            kept = self._kept[key] = render(item, path, level, parent)
        return kept

    def _folder_of(self, item: Any) -> str | None:
        """The folder all the item's links are in, as a URL; None if there is none or a link climbs above the root."""
        if id(item) not in self._folders:
            self._folders[id(item)] = _common_folder(_links_under(item))
            self._items.append(item)
        return self._folders[id(item)]


def _links_under(item: Any) -> list[str]:
    """The URLs of the pages and links under a navigation item (itself, if it is one)."""
    children = getattr(item, "children", None)
    if not children:
        url = getattr(item, "url", None)
        return [url if isinstance(url, str) else ""]
    return [url for child in children for url in _links_under(child)]


def _common_folder(urls: list[str]) -> str | None:
    """The longest folder that every URL relative to the site is in (MkDocs' reading of them); None if none is."""
    common: list[str] | None = None
    for url in urls:
        if "\\" in url:
            return None  # MkDocs rewrites these (with a warning): let it
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("/", "#")):
            continue  # written the same from every page
        if (posixpath.normpath(url or ".") + "/").startswith("../"):
            return None  # climbs above the page however deep it is
        names = posixpath.normpath("/" + url)[1:].split("/")
        names = [] if names == [""] else names
        if common is None:
            common = names
        else:
            same = 0
            for a, b in zip(common, names, strict=False):
                if a != b:
                    break
                same += 1
            common = common[:same]
        if not common:
            return None
    return "/".join(common) + "/" if common else None
