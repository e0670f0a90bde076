"""A Markdown extension that puts each prose table in a box a keyboard can scroll.

On a current page Material's script wraps every table in a box that scrolls sideways when the
table is wider than the window, and techplan.js makes that box a stop in the tab order while it
scrolls. Point-in-time pages load neither script, so their tables are boxed here, when the page
is written: the same markup Material's script makes (and so the same look), named and always in
the tab order, as a region a reader on a keyboard can reach and scroll with the arrow keys
(WCAG 2.1.1; axe's scrollable-region-focusable). A box that does not scroll is one extra stop;
one that scrolls and cannot be reached is a table part of which some readers cannot see.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_HEADING = re.compile(r"h[1-6]")
_ESCAPED = re.compile("\x02([0-9]+)\x03")
"""Python-Markdown's placeholder for a backslash-escaped character, by its code point."""
_STASHED = re.compile("\x02[^\x03]*\x03")
"""Its placeholders for raw HTML and other text put aside until the page is written."""


def _unescaped(code: re.Match[str]) -> str:
    point = int(code.group(1))
    return chr(point) if point <= 0x10FFFF else ""


def _text(element: Element) -> str:
    """An element's text as a reader sees it, without what Markdown has put aside."""
    text = _ESCAPED.sub(_unescaped, "".join(element.itertext()))
    return _STASHED.sub("", text)


def table_name(caption: str, heading: str) -> str:
    """What a reader hears a table's box called: its caption, else the heading it is under.

    The same words techplan.js gives the boxes on current pages.
    """
    if caption.strip():
        return " ".join(caption.split())
    heading = " ".join(heading.split())
    return f"Table under \u201c{heading}\u201d" if heading else "Table"


class _BoxTables(Treeprocessor):
    def __init__(self, md: markdown.Markdown, extension: BoxedTables) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: Element) -> None:
        # Found first, in the order a reader meets them, and boxed after: the tree is not changed while walked.
        found: list[tuple[Element, Element, str]] = []
        heading = self.extension.heading_before
        self.extension.heading_after = None
        # Depth first, without recursion (a page can nest blocks deeply): each parent with its next child.
        stack = [(root, iter(root))]
        while stack:
            parent, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
            elif _HEADING.fullmatch(str(child.tag)):
                heading = self.extension.heading_after = _text(child)
            elif child.tag == "table" and not child.get("class"):
                found.append((parent, child, heading))
            else:
                stack.append((child, iter(child)))
        for parent, table, under in found:
            caption = table.find("caption")
            text = _text(caption) if caption is not None else ""
            box = Element(
                "div",
                {
                    "class": "md-typeset__scrollwrap",
                    "role": "region",
                    "tabindex": "0",
                    "aria-label": table_name(text, under),
                },
            )
            inner = Element("div", {"class": "md-typeset__table"})
            box.append(inner)
            box.tail, table.tail = table.tail, None
            parent[list(parent).index(table)] = box
            inner.append(table)


class BoxedTables(Extension):
    """Wrap each table without a class in a named box that is a stop in the tab order.

    A table without a caption is named after the heading above it. Converting a page a paragraph
    at a time (techplan.plan.paragraphs), `heading_before` says which that is for a piece with
    no heading of its own, and `heading_after` which heading the piece ends under (None: it has
    no heading).
    """

    def __init__(self) -> None:
        super().__init__()
        self.heading_before = ""
        self.heading_after: str | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        # After inline processing (20), so headings hold their text; before the contents (toc, 5)
        # add a permalink's mark to them.
        md.treeprocessors.register(_BoxTables(md, self), "techplan_boxed_tables", 7)

    def reset(self) -> None:
        """Before each conversion: a page starts under no heading."""
        self.heading_before = ""
        self.heading_after = None
