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
