"""The one way Markdown from data fields becomes HTML on the site: escaped, converted, sanitised.

Raw HTML in the Markdown is escaped before conversion (techplan.plan.markup.EscapeRawHtml), so it
shows as the text it is. What the conversion makes is then cleaned by nh3 (the Rust `ammonia`
sanitiser) against an allow-list: the elements Markdown and the site's extensions make, no
attributes but a link's address and title (and a table cell's alignment), no classes but those
extensions add, and addresses only to the web, email and this site. An attribute set with
`{: ...}` or a `javascript:` link is dropped however it is spelt.

References (`[[M2.1]]`) are rendered by the engine's own templates, so they are kept out of all
this: each waits as a placeholder word and is put back into the sanitised HTML, only ever as
text content (a placeholder in an attribute is taken out).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any

import markdown as markdown_lib
import nh3

from techplan.plan.markup import (
    SAFE_SCHEMES,
    EscapeRawHtml,
    as_written,
    converted_in_time,
    is_safe_link,
    link_scheme,
)

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}  # fmt: skip
"""What Markdown and the usual extensions make: text, lists, tables, code, admonitions. No images,
forms, media or frames: a data field is a few sentences, and the site makes no third-party requests."""

ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"align", "style"},
    "td": {"align", "style"},
}
"""Attributes kept, by element: nothing that runs, styles the page or names an element."""

_ADMONITIONS = {
    "admonition", "note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important",
    "success", "check", "done", "question", "help", "faq", "warning", "caution", "attention", "failure",
    "fail", "missing", "danger", "error", "bug", "example", "quote", "cite",
}  # fmt: skip
CLASSES = {
    "div": _ADMONITIONS | {"footnote"},
    "details": _ADMONITIONS,
    "p": {"admonition-title"},
    "a": {"headerlink", "footnote-ref", "footnote-backref"},
}
"""Classes the Markdown extensions add; never the engine's own (`tp-...`), which would pass for its markup."""

_NONCE = secrets.token_hex(6)
PLACEHOLDER = re.compile(f"tpref{_NONCE}n([0-9]+)x")
"""A reference waiting to be put back; the nonce keeps anyone from writing one into a field."""


def placeholder(number: int) -> str:
    """The word that stands for the reference with this number until the HTML is sanitised."""
    return f"tpref{_NONCE}n{number}x"


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    """An attribute's value as it may stay (no placeholder), or None to drop a link that is not safe."""
    if attribute in ("href", "src") and not is_safe_link(value):
        return None
    return PLACEHOLDER.sub("", value)


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={"script", "style"},
    attributes=ATTRIBUTES,
    attribute_filter=_keep_attribute,
    strip_comments=True,
    link_rel=None,
    url_schemes=set(SAFE_SCHEMES),
    allowed_classes=CLASSES,
    filter_style_properties={"text-align"},
)


def sanitise_html(html: str) -> str:
    """HTML with everything outside the allow-list taken out."""
    return _CLEANER.clean(html)


PAGE_TAGS = TAGS | {
    "article", "aside", "caption", "cite", "col", "colgroup", "dfn", "figcaption", "figure", "footer",
    "header", "hgroup", "img", "input", "label", "q", "samp", "section", "time", "u", "var", "wbr",
}  # fmt: skip
"""What a page's Markdown may hold as raw HTML besides what Markdown makes: sections, figures,
images from the site itself, a task list's boxes. No scripts, styles, forms, media or frames."""

PAGE_ATTRIBUTES = {
    **ATTRIBUTES,
    "*": {"id", "class", "title", "lang", "dir", "role"},
    "a": {"href", "title", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"align", "style", "colspan", "rowspan", "scope"},
    "td": {"align", "style", "colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "li": {"value"},
    "ol": {"start", "type", "reversed"},
    "time": {"datetime"},
    "details": {"open"},
    "input": {"type", "name", "checked", "disabled"},
    "label": {"for"},
}
"""Attributes a page may keep: a field's, and the names, classes and roles its layout uses."""


def _keep_page_attribute(element: str, attribute: str, value: str) -> str | None:
    """An attribute's value as it may stay in a page, or None: no link that runs, no image from elsewhere."""
    if attribute == "href" and not is_safe_link(value):
        return None
    if attribute == "src" and (not is_safe_link(value) or link_scheme(value) is not None):
        return None  # an image from another host is a request to it, and this site makes none
    if attribute == "tabindex" and value not in ("0", "-1"):
        return None  # a positive one reorders the whole page's keyboard path
    return value


_PAGE_CLEANER = nh3.Cleaner(
    tags=PAGE_TAGS,
    clean_content_tags={"script", "style"},
    attributes={**PAGE_ATTRIBUTES, "*": PAGE_ATTRIBUTES["*"] | {"tabindex"}},
    attribute_filter=_keep_page_attribute,
    strip_comments=False,
    link_rel=None,
    url_schemes=set(SAFE_SCHEMES),
    generic_attribute_prefixes={"aria-"},
    filter_style_properties={"text-align"},
)


def sanitise_page(html: str) -> str:
    """A page's converted Markdown with whatever could run, load or restyle the page taken out.

    For point-in-time pages: a past revision's Markdown was never bound to pass the check, and
    what a page said once is published for good. Comments stay, so the engine's placeholders in
    them (site.render.Slots) can be filled afterwards; a comment never runs.
    """
    return _PAGE_CLEANER.clean(html)


def fill_placeholders(html: str, pieces: Sequence[str]) -> str:
    """Put each reference's HTML where its placeholder is."""
    return PLACEHOLDER.sub(lambda m: pieces[int(m.group(1))] if int(m.group(1)) < len(pieces) else "", html)


def field_markdown(extensions: Sequence[Any], configs: dict[str, Any]) -> Callable[[str], str]:
    """A converter for Markdown from data fields: the site's extensions, and raw HTML escaped."""
    escape = EscapeRawHtml()
    converter = markdown_lib.Markdown(extensions=[*extensions, escape], extension_configs=configs)

    def convert(text: str) -> str:
        escape.found.clear()  # the check reports raw HTML; here it is only escaped
        html = converted_in_time(converter.reset().convert, text)  # a past revision's field may not convert
        return html if html is not None else as_written(text)

    return convert
