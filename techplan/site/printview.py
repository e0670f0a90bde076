"""The whole plan on one page, to print or save as PDF in one go."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from techplan.site.urls import relative_url

_ATTRIBUTE = re.compile(r'\s(id|href|src|for|aria-labelledby|aria-describedby)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')


@dataclass(frozen=True, slots=True)
class PrintedPage:
    """One page of the site as it goes into the whole-plan page."""

    src: str
    url: str
    html: str


def section_id(src: str) -> str:
    """The id of a page's section on the whole-plan page."""
    return "page-" + re.sub(r"[^A-Za-z0-9]+", "-", src.removesuffix(".md")).strip("-")


def assemble(pages: list[PrintedPage], print_url: str) -> str:
    """Every page's content in order, each in its own section, with ids and links made to work on one page."""
    by_url = {page.url: page.src for page in pages}
    ids = {page.src: set(_ID.findall(page.html)) for page in pages}
    sections = []
    for page in pages:
        prefix = section_id(page.src)

        def rewrite(match: re.Match[str], page: PrintedPage = page, prefix: str = prefix) -> str:
            name, value = match.groups()
            if name == "id" or name == "for":
                return f' {name}="{prefix}--{value}"'
            if name.startswith("aria-"):
                return f' {name}="{" ".join(f"{prefix}--{v}" for v in value.split())}"'
            return f' {name}="{_link(value, page, prefix, by_url, ids, print_url)}"'

        body = _ATTRIBUTE.sub(rewrite, page.html)
        sections.append(f'<section class="tp-print-page" id="{prefix}">\n{body}\n</section>')
    return "\n".join(sections)


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
