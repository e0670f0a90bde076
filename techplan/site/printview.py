"""The whole plan on one page, to print or save as PDF in one go."""

from __future__ import annotations

import html as html_lib
import json
import math
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from techplan.cache import DiskCache, content_key, remember_at_most
from techplan.site.urls import relative_url

KIND = "print-section"
"""The cache's kind for each page's section of the whole plan (`sections`)."""
remember_at_most(KIND, 0)  # a build reads each page's once: not held in memory as well

_ATTRIBUTE = re.compile(r'\s(id|href|src|for|aria-labelledby|aria-describedby)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"<(?:p|li|h[1-6]|tr|details|summary|dt|dd|figure|table|pre|blockquote)\b")
_REPLACED = re.compile(r"<(?:svg|img)\b[^>]*>")
_SIZE = re.compile(r'\s(viewBox|width|height)="([^"]*)"')
WIDEST_CONTENT = 1400
"""Wider, in CSS pixels, than the theme ever lays out a page's content (Material: 61rem at its largest root size)."""
TEXT_FACTOR = 1.5
"""Pixels of height kept for each character of a page's text, and for each 30 pixels of a block's margins.

Laid out 320 pixels wide, this site's pages take at most 0.94 pixels for each (the benchmark's
synthetic ones 0.83), wider windows less; half again leaves room for a larger text setting."""


@dataclass(frozen=True, slots=True)
class PrintedPage:
    """One page of the site as it goes into the whole-plan page."""

    src: str
    url: str
    html: str


def section_id(src: str) -> str:
    """The id of a page's section on the whole-plan page."""
    return "page-" + re.sub(r"[^A-Za-z0-9]+", "-", src.removesuffix(".md")).strip("-")


PLACEHOLDER = "<!--techplan-print-->"
"""Where the whole-plan page's Markdown puts every page; filled in the written page (`write_whole_plan`)."""


def sections(pages: list[PrintedPage], print_url: str, cache: DiskCache | None = None) -> Iterator[str]:
    """Every page's content in order, each in a section of its own, with ids and links made to work on one page.

    With a cache, a page's section is kept for the next build, under all it is made from: the
    page's content and addresses, and the addresses and ids of every page (a link to another
    page's heading is in-page only while that heading is printed too). A merge that rewords a
    page makes that page's section again; one that adds or renames a heading anywhere, every page's.
    """
    by_url = {page.url: page.src for page in pages}
    ids = {page.src: set(_ID.findall(page.html)) for page in pages}
    context = json.dumps([print_url, by_url, {src: sorted(found) for src, found in ids.items()}], ensure_ascii=False)
    used: set[str] = set()
    for page in pages:
        key = content_key(f"{context}\0{page.src}\0{page.url}\0{page.html}".encode("utf-8", "surrogatepass"))
        used.add(key)
        kept = cache.get(KIND, key) if cache is not None else None
        if isinstance(kept, str):
            yield kept
            continue
        section = _section(page, by_url, ids, print_url)
        if cache is not None:
            cache.put(KIND, key, section)
        yield section
    if cache is not None:
        cache.forget_all_but(KIND, used)


def _section(page: PrintedPage, by_url: dict[str, str], ids: dict[str, set[str]], print_url: str) -> str:
    """One page's section of the whole plan."""
    prefix = section_id(page.src)

    def rewrite(match: re.Match[str]) -> str:
        name, value = match.groups()
        if name == "id" or name == "for":
            return f' {name}="{prefix}--{value}"'
        if name.startswith("aria-"):
            return f' {name}="{" ".join(f"{prefix}--{v}" for v in value.split())}"'
        return f' {name}="{_link(value, page, prefix, by_url, ids, print_url)}"'

    body = _ATTRIBUTE.sub(rewrite, page.html)
    # Until a reader nears it, the browser lays out none of a page but the room this style keeps for it.
    room = f"contain-intrinsic-size: auto {reserved_height(page.html)}px"
    return f'<section class="tp-print-page" id="{prefix}" style="{room}">\n{body}\n</section>'


def write_whole_plan(path: Path, pages: list[PrintedPage], print_url: str, cache: DiskCache | None = None) -> None:
    """Put every page into the whole-plan page as written, one page at a time (kept in `cache`: `sections`).

    The page goes through the theme with only its placeholder, and is filled in here, after the
    build wrote it: as a string, the whole plan is the largest thing a build holds (17 MB at
    1,000 pages, more again in each copy the theme, the kept pages and the writing make), and a
    different one after every merge. The first placeholder in the written page is its own: all
    before its content (the head, the navigation) is text the theme escapes.
    """
    try:
        written = path.read_text(encoding="utf-8")
    except OSError:
        return  # not written: the build failed, and says so
    head, found, tail = written.partition(PLACEHOLDER)
    if not found:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", errors="xmlcharrefreplace", newline="") as stream:
            stream.write(head)
            for number, section in enumerate(sections(pages, print_url, cache)):
                stream.write(f"\n{section}" if number else section)
            stream.write(tail)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # never published half written
        raise


def reserved_height(html: str) -> int:
    """Pixels no window, however narrow, lays a page's content out taller than: the room kept for it until it shows.

    The whole plan is a long page: the browser lays out each page's section only as a reader
    nears it (content-visibility: auto), which lets a phone show the top of it in a second or
    two, not after laying out all of it. Meanwhile the section keeps this much room. It must not
    be too little: a tool that measures what is not shown yet (an accessibility checker) finds
    its contents at their real size, and would see them overlap the next page's if they overran
    it. Too much costs only a scroll bar that shortens as the pages are shown. So: each character
    and block at the narrowest window's rate, and each chart and image at the widest content's.
    """
    text = len(html_lib.unescape(_TAG.sub("", html)))
    blocks = len(_BLOCK.findall(html))
    return round(TEXT_FACTOR * (text + 30 * blocks) + sum(_replaced_height(tag) for tag in _REPLACED.findall(html)))


def _replaced_height(tag: str) -> float:
    """At most how tall a chart or image is drawn: a chart as wide as the content, an image no larger than itself.

    An icon (an SVG that does not fill the width) is as tall as its line, counted with the text.
    Sizes that say nothing sensible (none, zero, negative, huge) count as a square as wide as the content.
    """
    size = dict(_SIZE.findall(tag))
    if tag.startswith("<svg"):
        if size.get("width") != "100%":
            return 0.0
        box = size.get("viewBox", "").split()
        ratio = _ratio(box[3], box[2]) if len(box) == 4 else None
        height = ratio * WIDEST_CONTENT if ratio is not None else None
    else:
        ratio = _ratio(size.get("height", ""), size.get("width", ""))
        height = min(float(size["height"]), ratio * WIDEST_CONTENT) if ratio is not None else None
    return height if height is not None and height <= 4 * WIDEST_CONTENT else WIDEST_CONTENT


def _ratio(height: str, width: str) -> float | None:
    """Height over width, if both are positive numbers."""
    try:
        ratio = float(height) / float(width)
    except (ValueError, ZeroDivisionError):
        return None
    return ratio if math.isfinite(ratio) and ratio > 0 and float(height) > 0 else None


def _link(
    value: str, page: PrintedPage, prefix: str, by_url: dict[str, str], ids: dict[str, set[str]], print_url: str
) -> str:
    """A link from a page, as the whole-plan page needs it: in-page where the target is printed too.

    A part of a page that is not printed (its list of updates, after the content) is linked on
    the page itself, not to an anchor the whole-plan page does not have.
    """
    scheme, netloc, path, _, fragment = urlsplit(value)
    if scheme or netloc or value.startswith("/"):
        return value
    if not path:
        if not fragment:
            return value
        if fragment in ids[page.src]:
            return f"#{prefix}--{fragment}"
        return relative_url(f"{page.url}#{fragment}", print_url)
    base = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url) + "/"
    target = posixpath.normpath(posixpath.join("/" + base, path)).lstrip("/")
    if path.endswith("/"):
        target += "/"
    target = "" if target in (".", "./") else target
    if target in by_url and (not fragment or fragment in ids[by_url[target]]):
        section = section_id(by_url[target])
        return f"#{section}--{fragment}" if fragment else f"#{section}"
    return relative_url(target + (f"#{fragment}" if fragment else ""), print_url)
