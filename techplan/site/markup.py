"""Valid HTML where Material writes markup that no template block reaches."""

from __future__ import annotations

import re

_TOGGLE = re.compile(r"<input\b[^>]*\bdata-md-toggle=[^>]*>")
"""Material's menu drawer and search: checkboxes that CSS opens and closes, written in base.html itself."""

_AUTOCOMPLETE = re.compile(r"""\s+autocomplete(?=[\s=/>])(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""", re.I)


def without_toggle_autocomplete(html: str) -> str:
    """Drop `autocomplete` from Material's drawer and search checkboxes, where HTML does not allow it.

    Material writes it to keep a browser from restoring them checked (the menu or the search
    open again) when a reader comes back to a page; techplan.js closes them whenever a page is
    shown instead.
    """
    return _TOGGLE.sub(lambda tag: _AUTOCOMPLETE.sub("", tag.group(0)), html)


_TOC_TITLE = re.compile(r'<label class="md-nav__title" for="__toc">(.*?)</label>', re.S)
"""The table of contents' title, a label for the `__toc` checkbox that only the navigation writes."""


def without_orphan_toc_label(html: str) -> str:
    """Make the contents' title plain text on a page the navigation does not list (a record page).

    Material's contents title is a label for the checkbox its navigation writes beside the page's
    own entry; a page outside the navigation has no such checkbox, and a label for nothing is not
    valid HTML. Where the checkbox is, nothing changes.
    """
    if 'id="__toc"' in html:
        return html
    return _TOC_TITLE.sub(r'<span class="md-nav__title">\1</span>', html)
