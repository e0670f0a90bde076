"""What Markdown may hold: the rules the check applies and the site's sanitiser enforces.

Markdown in data fields (a milestone's summary, a measure's description, a phase's summary) is
written by anyone who can open a pull request, or pasted from a document. It may hold Markdown
and links to web pages, email addresses and this site; never raw HTML, scripts or images. The
check reports what breaks these rules, and the site escapes raw HTML and sanitises the rest
whatever the check said, so an old revision in the archive is as safe as today's plan.

Pages are written by the same people but may hold HTML on purpose; the check only warns about
what runs a script there: `<script>`, `on...=` attributes and `javascript:` links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown as markdown_lib
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, InlineProcessor
from markdown.util import AtomicString

from techplan.plan.prose import visible_lines

SAFE_SCHEMES = ("https", "http", "mailto")
"""Where links in data fields may go, besides pages of this site."""

SCRIPT_SCHEMES = ("javascript", "vbscript", "livescript")
"""Link schemes that run a script instead of opening a page."""

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite")
"""Attributes whose value a browser follows or loads as an address."""

_SCHEME = re.compile(r"([^/?#]*?):")
_URL_NOISE = re.compile("[\t\n\r]")
_EDGE = "".join(chr(code) for code in range(0x21))
"""What browsers strip from both ends of an address: C0 control characters and space."""


def normalise_link(url: str) -> str:
    """An address as a browser reads it: entities decoded (more than once, to be safe), tabs and
    newlines dropped, controls and spaces trimmed from the ends, backslashes as slashes."""
    for _ in range(5):
        decoded = html.unescape(url)
        if decoded == url:
            break
        url = decoded
    return _URL_NOISE.sub("", url).strip(_EDGE).replace("\\", "/")


def link_scheme(url: str) -> str | None:
    """The scheme an address names before its first `/`, `?` or `#` (lower case), or None for a relative one.

    Anything before such a colon counts, even text that is not a valid scheme name
    (`java script:`): a link that might be read as a scheme is treated as one.
    """
    match = _SCHEME.match(normalise_link(url))
    return match.group(1).lower() if match else None


def is_safe_link(url: str) -> bool:
    """Whether a data field may link here: an http(s) or mailto: address, or a page of this site."""
    normal = normalise_link(url)
    if normal.startswith("//") or any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in normal):
        return False  # `//host` goes to another site with the page's own scheme; controls hide what follows
    scheme = link_scheme(normal)
    return scheme is None or scheme in SAFE_SCHEMES


def runs_script(url: str) -> bool:
    """Whether following an address runs a script (`javascript:`, in any spelling)."""
    scheme = link_scheme(url)
    return scheme is not None and re.sub(r"[^a-z]", "", scheme) in SCRIPT_SCHEMES


class _EscapedHtml(InlineProcessor):
    """Raw HTML as the text it is: shown, escaped, never parsed as markup; and noted."""

    def __init__(self, pattern: str, found: list[str]) -> None:
        super().__init__(pattern)
        self.found = found

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # type: ignore[override]
        self.found.append(m.group(0))
        return AtomicString(m.group(0)), m.start(0), m.end(0)


class EscapeRawHtml(Extension):
    """Markdown without raw HTML: tags and comments in the text are shown as written, not run.

    Python-Markdown passes raw HTML through (its safe mode is gone); this extension takes out
    the block-level HTML reader and replaces the inline one with one that keeps the text. Put it
    last among the extensions so it replaces what an extension like md_in_html registers.
    """

    def __init__(self, found: list[str] | None = None) -> None:
        super().__init__()
        self.found: list[str] = found if found is not None else []
        """Every piece of raw HTML met, in order: the check reports them."""

    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:
        """Take out the HTML block reader; read inline HTML as text."""
        if "html_block" in md.preprocessors:
            md.preprocessors.deregister("html_block")
        if "html" in md.inlinePatterns:
            md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_EscapedHtml(HTML_RE, self.found), "html", 90)


@dataclass(frozen=True, slots=True)
class _Element:
    tag: str
    attributes: tuple[tuple[str, str], ...]


class _Elements(HTMLParser):
    """Every element in HTML, with its attributes decoded as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[_Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(_Element(tag, tuple((name, value or "") for name, value in attrs)))


def markdown_problems(text: str, noun: str) -> list[str]:
    """What is wrong with Markdown written in a data field: raw HTML, unsafe links, scripts, images.

    `noun` names the field in messages ("summary"). The text is read by Python-Markdown, as the
    site reads it, with attribute lists (`{: ...}`) on, since a site may turn them on.
    """
    if slow_markup(text) is not None:  # before converting it, which would take minutes
        return [slow_markup_message(f"in this {noun}")]
    if not re.search(r"[<{]|\]\s*[(:\[]|&", text):
        return []  # no tag, attribute list, link or entity: nothing to check (most fields)
    found: list[str] = []
    converted = markdown_lib.Markdown(extensions=["attr_list", EscapeRawHtml(found)]).convert(text)
    article = "an" if noun[:1] in "aeiou" else "a"
    messages: list[str] = []
    if found:
        shown = " ".join(found[0].split())
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        messages.append(
            f"raw HTML ({shown}) is not allowed in {article} {noun}; write plain text or Markdown, "
            "like **bold** or [a link](https://example.org)"
        )
    parser = _Elements()
    parser.feed(converted)
    parser.close()
    for element in parser.elements:
        if element.tag == "img":
            messages.append(
                f"images are not allowed in {article} {noun}; link to the image instead, "
                "like [the chart](https://example.org/chart.png)"
            )
        for name, value in element.attributes:
            if name.startswith("on"):
                messages.append(
                    f"{name}= runs a script in readers' browsers and is not allowed in {article} {noun}; remove it"
                )
            elif name in URL_ATTRIBUTES and not is_safe_link(value):
                messages.append(
                    f'the link "{_shorten(value)}" is not allowed in {article} {noun}; link to an https://, '
                    "http:// or mailto: address or to a page of this site, like [a link](https://example.org)"
                )
    return list(dict.fromkeys(messages))


_SCRIPT_TAG = re.compile(r"<\s*script\b", re.IGNORECASE)
_TAGLIKE = re.compile(r"<[A-Za-z][^<>]*>?|\{[^{}]*\}")
_EVENT = re.compile(r"(?<![\w-])(on[a-z]+)\s*=", re.IGNORECASE)
_LINKS = (
    re.compile(r"\]\(\s*<?([^\s>]+)"),
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)"),
    re.compile(r"(?<![\w-])(?:href|src|action|formaction|xlink:href|data)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I),
    re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*)>"),
)


_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^\s>]+)")
_LOADS = re.compile(r"(?<![\w-])(src|data|poster|srcset)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
_STYLESHEET = re.compile(r"<link\b[^>]*?(?<![\w-])href\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
_CSS_URL = re.compile(r"url\(\s*([\"']?)([^\"')]*)\1\s*\)", re.I)
_MIGHT_RUN = re.compile(r"script|(?<![\w-])on[a-z]+\s*=|&#|&[a-z]+;", re.I)
_MIGHT_LOAD = re.compile(r"!\[|(?<![\w-])(?:src|data|poster|srcset)\s*=|<link\b|url\(", re.I)


def _from_elsewhere(url: str) -> bool:
    """Whether a browser fetches this address from another site: anything but this site's own files and `data:`."""
    if runs_script(url):
        return False  # warned of as a script
    scheme = link_scheme(url)
    return scheme != "data" and (scheme is not None or not is_safe_link(url))


def _loads(line: str) -> Iterator[tuple[str, str]]:
    """(what, address) for each thing on a line of a page that a browser fetches as the page opens."""
    for image in _IMAGE.finditer(line):
        url = image.group(1)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1]  # the Markdown image's own closing parenthesis
        yield "image", url
    for piece in _TAGLIKE.finditer(line):
        for load in _LOADS.finditer(piece.group()):
            name, value = load.group(1).lower(), load.group(2).strip("\"'")
            urls = [c.split()[0] for c in value.split(",") if c.split()] if name == "srcset" else [value]
            yield from ((name, url) for url in urls)
    for link in _STYLESHEET.finditer(line):
        yield "stylesheet", link.group(1).strip("\"'")
    for url in _CSS_URL.finditer(line):
        yield "url()", url.group(2)


def page_warnings(text: str) -> list[tuple[int, str, str]]:
    """What runs a script or loads from another site in a page's Markdown, outside code: (line, what, message).

    A line-by-line look, not a full parse: enough to point at a `<script>`, an `onclick=`, a
    `javascript:` link or an image from another site that an author did not mean to publish.
    """
    if not _MIGHT_RUN.search(text) and not _MIGHT_LOAD.search(text):
        return []  # the usual page: nothing that could run or load
    warnings: list[tuple[int, str, str]] = []
    for number, line in visible_lines(text):
        for what, url in _loads(line):
            if _from_elsewhere(url):
                warnings.append(
                    (
                        number,
                        what,
                        f'"{_shorten(url)}" is fetched from another site whenever a reader opens the page, '
                        "which tells that site who is reading; save the file in the plan folder and use it from there",
                    )
                )
        if _SCRIPT_TAG.search(line):
            warnings.append(
                (
                    number,
                    "<script>",
                    "a script in a page runs in every reader's browser; remove it "
                    "(the site adds the scripts it needs itself)",
                )
            )
        for piece in _TAGLIKE.finditer(line):
            for event in _EVENT.finditer(piece.group()):
                name = event.group(1).lower()
                warnings.append((number, name, f"{name}= runs a script in every reader's browser; remove it"))
        for pattern in _LINKS:
            for link in pattern.finditer(line):
                url = link.group(1).strip("\"'")
                while url.endswith(")") and url.count(")") > url.count("("):
                    url = url[:-1]  # the Markdown link's own closing parenthesis
                if runs_script(url):
                    warnings.append(
                        (
                            number,
                            "link",
                            f'the link "{_shorten(url)}" runs a script instead of opening a page; '
                            "link to an https:// address or a page of this site",
                        )
                    )
    return list(dict.fromkeys(warnings))


TOO_DEEP = (
    "nested too deeply for Markdown to convert (lists, quotes or emphasis inside one another, "
    "hundreds of levels deep); flatten it: a list a few levels deep, or separate paragraphs"
)
"""What is wrong with a page that Python-Markdown cannot convert without running out of stack."""


def as_written(text: str) -> str:
    """Text as HTML paragraphs of the characters it holds: for Markdown that cannot be converted."""
    paragraphs = (part.strip() for part in re.split(r"\n[ \t]*\n", text))
    return "\n".join(f"<p>{html.escape(part)}</p>" for part in paragraphs if part)


_NESTING = re.compile(r"^(?:[ \t>]|[-*+](?=[ \t])|[0-9]+[.)](?=[ \t]))*")
_RUNS = re.compile(r"[*_\[]+")


def deepest_line(text: str) -> int:
    """The line of a page that nests deepest: indentation, quote and list markers, or runs of `*`, `_` and `[`.

    Where to look when a page is nested too deeply to convert (TOO_DEEP); 1 when nothing nests.
    """
    deepest, at = 0, 1
    for number, line in visible_lines(text):
        lead = _NESTING.match(line.expandtabs(4))
        depth = len(lead.group()) if lead else 0
        depth = max(depth, *(len(run.group()) for run in _RUNS.finditer(line)), 0)
        if depth > deepest:
            deepest, at = depth, number
    return at


MARKUP_BUDGET = 2_000_000
"""How much searching for the ends of links and tags a page may cost Python-Markdown: about 0.7 s.

From every `[` Python-Markdown looks for its `]` to the end of the paragraph, and from every `<`
that opens a tag the HTML parser looks for its `>` to the end of the page, so the cost grows with
the count of unclosed ones times the length after them: 4,000 `[` in one paragraph take 5 s, and
8,000 take 20 (Python 3.11, Python-Markdown 3.x). Pages people write cost far less: every version of
this repository's plan pages, its data fields and the benchmark's synthetic pages under 20,000.
"""

_BLOCK_START = re.compile(r"[ \t]*(?:$|[-*+][ \t]|[0-9]+[.)][ \t]|[|>#])")
"""A line that begins a block (a blank, a list item, a table row, a quote, a heading): its inline text is read apart."""
_BRACKETS = re.compile(r"\\.|[\[\]]")
_TAG_ENDS = re.compile(r"\\.|<[A-Za-z/!?]|>")
_TAG_WEIGHT = 4
"""The HTML parser's search for a `>` costs about a quarter of Markdown's for a `]`."""


def slow_markup(text: str) -> int | None:
    """The line from which a page costs too much to convert (MARKUP_BUDGET), or None when it converts in good time.

    An estimate that errs high: code spans, code blocks, comments and escaped `\\[` are left
    out; list items and table rows count apart, as Markdown reads them.
    """
    if (text.count("[") + text.count("<")) * len(text) <= MARKUP_BUDGET:
        return None  # no search can cost more than the page is long: most pages, at once
    lines = list(visible_lines(text))
    cost = 0
    # Tags: from each `<` that opens one to the next `>` anywhere after it.
    tags, tag_starts, first = 0, 0, 0  # how many are open, the sum of their offsets, the line of the first
    offset = 0
    for number, line in lines:
        for match in _TAG_ENDS.finditer(line):
            if match.group() == ">":
                cost += (tags * (offset + match.start()) - tag_starts) // _TAG_WEIGHT
                tags = tag_starts = 0
            elif match.group()[0] == "<":
                at = offset + match.start()
                first = first if tags else number
                tags, tag_starts = tags + 1, tag_starts + at
                if cost + (tags * at - tag_starts) // _TAG_WEIGHT > MARKUP_BUDGET:
                    return first
        offset += len(line) + 1
        if cost + (tags * offset - tag_starts) // _TAG_WEIGHT > MARKUP_BUDGET:
            return first if tags else number
    # Links: from each `[` to its `]`, or to the end of its block.
    start_line, offset = 1, 0
    brackets: list[int] = []
    bracket_starts = 0
    for number, line in lines:
        if _BLOCK_START.match(line):  # a blank line ends a block; the next line starts one
            start_line, offset, brackets, bracket_starts = number + (not line.strip()), 0, [], 0
        for match in _BRACKETS.finditer(line):
            if match.group() == "[":
                at = offset + match.start()
                brackets.append(at)
                bracket_starts += at
                if cost + len(brackets) * at - bracket_starts > MARKUP_BUDGET:  # a line of thousands: stop early
                    return start_line
            elif match.group() == "]" and brackets:
                opened = brackets.pop()
                bracket_starts -= opened
                cost += offset + match.start() - opened
        offset += len(line) + 1
        if cost + len(brackets) * offset - bracket_starts > MARKUP_BUDGET:
            return start_line
    return None


def slow_markup_message(where: str) -> str:
    """What is wrong with text `slow_markup` finds, and how to put it right; `where` is "from this line on", say."""
    return (
        f"too many [ or < {where} for Markdown to read in good time (it looks for the end of each, and would "
        "take minutes); close each [ with ] and each < with >, write \\[ or &lt; for one shown as it is, or "
        "split the paragraph"
    )


SLOW_MARKUP = slow_markup_message("from this line on")
"""What is wrong with a page `slow_markup` finds."""


def converted_in_time(convert: Callable[[str], str], text: str) -> str | None:
    """What `convert` makes of Markdown, or None for text no one may have corrected that it cannot convert.

    That is text nested too deeply (TOO_DEEP: Python-Markdown runs out of stack) or too slow to
    read (SLOW_MARKUP): a past revision's page or field, or a diff across one. Callers show it as
    written (`as_written`).
    """
    if slow_markup(text) is not None:
        return None
    try:
        return convert(text)
    except RecursionError:
        return None


def _shorten(text: str) -> str:
    """Text for a message: one line, at most 60 characters."""
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
