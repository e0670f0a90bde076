"""The site as readers get it, in a real browser: WCAG 2.2 AA, privacy, keyboard, valid HTML, links.

Two real builds: this repository's own site and the demo's (four years of history, so it has
revisions, point-in-time pages, redlines and a working compare page). Each is served from
127.0.0.1 and read with the system's Chromium through Playwright:

- accessibility: axe-core with the WCAG 2.0/2.1/2.2 A and AA rules, on every page of this site and
  on the demo's pages plus a sample of its archive, in the light palette and in the dark one
  (chosen with Material's own toggle); also with the search open and showing results;
- privacy: every request any page makes goes to the local server, nowhere else;
- requests and scripts: every HTML file of both sites is loaded at least once, and no request
  fails (no 4xx/5xx answer, no network error, the local server included), nothing is logged to
  the console as an error and no script throws;
- keyboard: the skip link comes first and works, every control is reached with Tab and shows
  where focus is, and the roadmap filters and the compare form work without a mouse;
- valid HTML: the Nu HTML Checker (vnu.jar, offline) over every built page: no errors, nothing
  set aside (Material's own markup is made valid by the build: techplan/site/markup.py);
- Material's toggles: coming back to a page finds the menu and the search closed;
- links: every internal link and anchor in both sites leads somewhere.

Tools: `chromium` from the system (.ci/ensure-browser installs Debian's; never `playwright
install`), axe-core and vnu.jar from node_modules (`make test` runs `npm ci`), and Java for
vnu.jar. A test whose tool is missing skips and says which; set TECHPLAN_REQUIRE_BROWSER=1 to make
that a failure instead.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from demorepo import Demo
from gitrepo import GitRepo
from plansite import MKDOCS_YML, REPO, build, write_site

pytestmark = pytest.mark.slow

NODE_MODULES = REPO / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SITE_URL = re.search(r"^site_url:\s*(\S+)", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)  # type: ignore[union-attr]
"""Where the site says it lives (the demo copies it): links to it are links within the site."""


def _missing(what: str) -> None:
    """Skip the test, saying what is missing and how to get it (or fail, where CI insists)."""
    if os.environ.get("TECHPLAN_REQUIRE_BROWSER"):
        pytest.fail(f"{what} (TECHPLAN_REQUIRE_BROWSER is set, so this is a failure, not a skip)")
    pytest.skip(what)


def _need_axe() -> None:
    if not AXE.exists():
        _missing(f"axe-core is not installed ({AXE} is missing): run `make test`, or `npm ci --ignore-scripts`")


def _chromium_path() -> str:
    path = os.environ.get("TECHPLAN_CHROMIUM") or shutil.which("chromium")
    if not path:
        _missing("chromium is not installed: run .ci/ensure-browser (Debian: apt-get install chromium)")
    return path  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# The two sites, built once each and served on 127.0.0.1.
# --------------------------------------------------------------------------------------------


@dataclass
class Site:
    name: str
    root: Path
    """The built site's folder."""
    base: str = ""
    """Its address on the local server, ending in /."""
    pages: list[str] = field(default_factory=list)
    """The pages that axe checks, relative to the root."""

    def url(self, path: str) -> str:
        return self.base + path


def _html_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _served(site: Site) -> Iterator[Site]:
    """Serve a built site on 127.0.0.1 (any free port) from a thread, for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(site.root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_port}/"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """This repository's site, built as CI builds it (a shallow clone is accepted)."""
    out = tmp_path_factory.mktemp("browser-own") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"), "-d", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "TECHPLAN_HISTORY": "partial"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    site = Site("this site", out)
    site.pages = _html_files(out)
    with _served(site):
        yield site


def _demo_sample(root: Path) -> list[str]:
    """The demo's pages to check: every current page, and a sample of the archive.

    The sample: every revision's index and redline, and the home page, the roadmap and each
    phase's index page as they stood at two revisions (the first and the last to show them;
    one file when the page never changed).
    """
    current = [p for p in _html_files(root) if not p.startswith("revisions/v")]
    index = json.loads((root / "revisions" / "index.json").read_text(encoding="utf-8"))
    archive: list[str] = []
    for revision in index["revisions"]:
        archive += [revision["url"] + "index.html", revision["redline"] + "index.html"]
    wanted = ["index.md", "roadmap.md", *(p for p in index["pages"] if re.fullmatch(r"phase[^/]+/index\.md", p))]
    assert len(wanted) >= 7, wanted
    for page in wanted:
        column = index["pages"].index(page)
        shown = [row[column] for row in index["table"] if row[column] >= 0]
        assert shown, f"{page} is in no revision"
        for version in dict.fromkeys([shown[0], shown[-1]]):
            archive.append(index["versions"][version]["url"])
    for path in archive:
        assert (root / path).is_file(), path
    return current + list(dict.fromkeys(archive))


@pytest.fixture(scope="module")
def demo_site(demo_built: Demo) -> Iterator[Site]:
    """The demo's site (built once for the whole run): revisions, point-in-time pages, redlines, the compare page."""
    site = Site("the demo", demo_built.root / "site")
    site.pages = _demo_sample(site.root)
    with _served(site):
        yield site


# --------------------------------------------------------------------------------------------
# The browser, and what runs in it.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system's Chromium, headless, one for the whole module."""
    path = _chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed: run `make test` (it installs the test extras)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _context(browser: Any, **options: Any) -> Any:
    """A fresh browser profile, the reader's system set to light unless told otherwise."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, "color_scheme": "light", **options})
    context.set_default_timeout(15_000)
    return context


def _choose_dark(page: Any, site: Site) -> None:
    """Choose the dark palette as a reader does: with Material's toggle in the header.

    Material keeps the choice in localStorage (under the site's path, key `__palette`) and every
    page of the site, archive pages included, reads it from there.
    """
    _open(page, site.url("index.html"))
    assert _scheme(page) == "default"
    page.click('label[for="__palette_1"]')
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    stored = page.evaluate("localStorage.getItem(new URL('./', location).pathname + '.__palette')")
    assert stored and json.loads(stored)["color"]["scheme"] == "slate", stored


SETTLED = """() => Array.from(document.querySelectorAll(".md-sidebar__scrollwrap"))
  .every((wrap) => wrap.style.height || !wrap.offsetParent)"""
"""Material has sized its sidebars: until it has, on a short page they hang over the footer."""


def _open(page: Any, url: str) -> None:
    """Load a page and wait until it is drawn as a reader sees it, scripts done."""
    page.goto(url)
    page.wait_for_function(SETTLED)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _scheme(page: Any) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # type: ignore[no-any-return]


LUMINANCE = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).map(Number);
  const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}"""
"""The relative luminance of the page's background: 1 is white, 0 is black."""

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],  // passes are not listed in full: quicker on long pages
  });
  return result.violations.map((v) => ({
    id: v.id, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def _describe(problems: list[tuple[str, str, dict[str, Any]]]) -> str:
    """axe's violations as lines a person can act on: where, which rule, what to fix."""
    lines = []
    for where, palette, violation in problems:
        for node in violation["nodes"][:5]:
            summary = " ".join(node["summary"].split())
            lines.append(f"{where} ({palette}): {violation['id']}: {node['target']}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"{where} ({palette}): {violation['id']}: and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# One pass over every page, in each palette: axe, requests, background, skip link.
# --------------------------------------------------------------------------------------------


@dataclass
class Audit:
    rules: int = 0
    """How many axe rules the WCAG tags select."""
    pages: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Pages checked, by (site, palette)."""
    violations: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(page, URL) of every request made while the pages loaded."""
    foreign: list[tuple[str, str]] = field(default_factory=list)
    """Requests to anywhere but the local server."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(page, what) for every request answered 4xx/5xx or not answered at all."""
    aborted: list[tuple[str, str]] = field(default_factory=list)
    """(page, URL) of requests the browser cut short, as it does when the next page loads."""
    console: list[tuple[str, str]] = field(default_factory=list)
    """(page, what) for every error logged to the console and every uncaught exception."""
    loaded: set[tuple[str, str]] = field(default_factory=set)
    """(site, page) of every page loaded while requests and the console were watched."""
    luminance: list[tuple[str, str, float]] = field(default_factory=list)
    skip_link: list[str] = field(default_factory=list)
    """Pages where the skip link is not first or does not move focus past the header."""
    skip_checked: int = 0


SKIP_LINK = """() => {
  const el = document.activeElement;
  if (!el || !el.matches("a.md-skip")) return {first: el ? el.outerHTML.slice(0, 120) : null};
  const rect = el.getBoundingClientRect();
  return {first: "skip", href: el.getAttribute("href"), visible: rect.width > 1 && rect.height > 1};
}"""

AFTER_SKIP = """(href) => {
  const target = document.getElementById(decodeURIComponent(href.slice(1)));
  const focused = document.activeElement;
  if (!target) return "no element has the skip link's target id";
  if (location.hash !== href) return "the address did not move to " + href;
  if (!focused || focused === document.body) return "Tab after the skip link focused nothing";
  const position = target.compareDocumentPosition(focused);
  const after = position & (Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY);
  if (after || target === focused) return "";
  return "Tab after the skip link went to " + focused.outerHTML.slice(0, 80) + ", before the content";
}"""


def _check_skip_link(page: Any, where: str, audit: Audit) -> None:
    """Tab once from the top: the skip link. Follow it, Tab again: somewhere in the content."""
    audit.skip_checked += 1
    page.keyboard.press("Tab")
    first = page.evaluate(SKIP_LINK)
    if first["first"] != "skip":
        audit.skip_link.append(f"{where}: the first Tab stop is {first['first']}, not the skip link")
        return
    if not first["visible"]:
        audit.skip_link.append(f"{where}: the skip link does not show when it has focus")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    problem = page.evaluate(AFTER_SKIP, first["href"])
    if problem:
        audit.skip_link.append(f"{where}: {problem}")


def _watch(context: Any, page: Any, site: Site, audit: Audit) -> dict[str, str]:
    """Record every request the context makes, every failed one, and the page's console errors and exceptions.

    The page each is put down to is the one the returned dict names: set its "page" before each load.
    """
    current = {"page": "(choosing the palette)"}

    def where() -> str:
        return f"{site.name}: {current['page']}"

    def record(request: Any) -> None:
        audit.requests.append((current["page"], request.url))
        if not (request.url.startswith(site.base) or request.url.split(":", 1)[0] in {"data", "blob", "about"}):
            audit.foreign.append((where(), request.url))

    def answered(response: Any) -> None:
        if response.status >= 400:
            audit.failed.append((where(), f"{response.status} {response.status_text} for {response.url}"))

    def unanswered(request: Any) -> None:
        if request.failure == "net::ERR_ABORTED":
            # Cut short by the browser, most often because the test went on to the next page before a
            # late request (the favicon) was answered: that says nothing of the server, so the test
            # asks for each such address again.
            audit.aborted.append((where(), request.url))
        else:
            audit.failed.append((where(), f"{request.failure} for {request.url}"))

    def logged(message: Any) -> None:
        if message.type == "error":
            source = message.location.get("url") or "the page"
            audit.console.append((where(), f"console error from {source}: {message.text}"))

    context.on("request", record)
    context.on("response", answered)
    context.on("requestfailed", unanswered)
    page.on("console", logged)
    page.on("pageerror", lambda error: audit.console.append((where(), f"uncaught exception: {error}")))
    return current


def _audit_site(browser: Any, site: Site, palette: str, axe: bool, audit: Audit) -> None:
    context = _context(browser)
    if axe:
        # In every page before its own scripts: quicker than adding it after each load, and it asks
        # nothing of the network, so the requests recorded are the page's own.
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    current = _watch(context, page, site, audit)
    try:
        if palette == "dark":
            _choose_dark(page, site)
        for path in site.pages:
            where = f"{site.name}: {path}"
            current["page"] = path
            _open(page, site.url(path))
            audit.loaded.add((site.name, path))
            audit.luminance.append((where, palette, page.evaluate(LUMINANCE)))
            if axe:
                audit.violations += [(where, palette, v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
            if palette == "light":
                _check_skip_link(page, where, audit)
            audit.pages[(site.name, palette)] += 1
        page.wait_for_timeout(500)  # anything the last page asks for late is recorded too
    finally:
        context.close()


def _load_the_rest(browser: Any, site: Site, audit: Audit) -> None:
    """Load every HTML file of a site that axe did not check (most of the demo's archive), watching requests."""
    context = _context(browser)
    page = context.new_page()
    current = _watch(context, page, site, audit)
    try:
        for path in _html_files(site.root):
            if path not in site.pages:
                current["page"] = path
                _open(page, site.url(path))
                audit.loaded.add((site.name, path))
        page.wait_for_timeout(500)
    finally:
        context.close()


@pytest.fixture(scope="module")
def audit(browser: Any, own_site: Site, demo_site: Site) -> Audit:
    result = Audit()
    for site in (own_site, demo_site):
        for palette in ("light", "dark"):
            _audit_site(browser, site, palette, AXE.exists(), result)
        _load_the_rest(browser, site, result)
    if AXE.exists():
        context = _context(browser)
        page = context.new_page()
        _open(page, own_site.url("index.html"))
        page.add_script_tag(path=str(AXE))
        result.rules = page.evaluate("(tags) => axe.getRules(tags).length", WCAG_TAGS)
        context.close()
    return result


def test_axe_finds_no_wcag_violation_on_any_page_in_either_palette(
    audit: Audit, summary_line: Callable[[str], None]
) -> None:
    _need_axe()
    for (site, palette), count in sorted(audit.pages.items()):
        summary_line(f"axe-core, {palette} palette: {count} pages of {site}")
    total = sum(audit.pages.values())
    summary_line(
        f"axe-core: {audit.rules} WCAG 2.0/2.1/2.2 A and AA rules on each of {total} page loads, "
        f"{len(audit.violations)} violations"
    )
    assert audit.rules > 50
    assert not audit.violations, "axe-core found WCAG violations:\n" + _describe(audit.violations)


def test_the_dark_palette_really_is_dark(audit: Audit) -> None:
    """Each page checked 'in the dark palette' was drawn dark, archive pages too; light ones light."""
    wrong = [
        f"{where}: {palette} palette, background luminance {value:.2f}"
        for where, palette, value in audit.luminance
        if (palette == "dark") != (value < 0.1)
    ]
    assert audit.luminance and not wrong, "\n".join(wrong)


def test_no_page_asks_anything_of_another_host(audit: Audit, summary_line: Callable[[str], None]) -> None:
    summary_line(
        f"privacy: {len(audit.requests)} requests recorded while pages loaded, {len(audit.foreign)} to other hosts"
    )
    assert len(audit.requests) > sum(audit.pages.values())  # each page, its styles, scripts...
    # Requests from Material's search worker are seen too, so a worker calling out would be caught.
    assert any(url.endswith("/search/search_index.json") for _, url in audit.requests)
    assert not audit.foreign, "requests to other hosts:\n" + "\n".join(f"{p}: {u}" for p, u in audit.foreign)


def _fetch_problem(url: str) -> str:
    """Ask the local server for an address again: what is wrong with the answer, or "" when there is one."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the local server, whatever *_proxy says
    try:
        with direct.open(url, timeout=10) as response:
            response.read()
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.reason} for {url}"
    except OSError as error:
        return f"no answer ({error}) for {url}"
    return ""


def test_no_request_fails_and_no_script_errs_on_any_page(
    audit: Audit, own_site: Site, demo_site: Site, summary_line: Callable[[str], None]
) -> None:
    every = {(site.name, path) for site in (own_site, demo_site) for path in _html_files(site.root)}
    again = {url: _fetch_problem(url) for url in sorted({url for _, url in audit.aborted})}
    failed = audit.failed + [
        (f"{page} (cut short, asked for again)", again[url]) for page, url in audit.aborted if again[url]
    ]
    summary_line(
        f"requests: {len(audit.requests)} while every one of {len(every)} HTML files loaded, "
        f"{len(failed)} failed (4xx/5xx or no answer; the {len(audit.aborted)} cut short by the next page "
        f"were asked for again), {len(audit.console)} console errors and uncaught exceptions"
    )
    assert every <= audit.loaded, f"pages never loaded: {sorted(every - audit.loaded)[:20]}"
    assert not failed, "requests that failed:\n" + "\n".join(f"{p}: {what}" for p, what in failed[:50])
    assert not audit.console, "console errors:\n" + "\n".join(f"{p}: {what}" for p, what in audit.console[:50])
    # No feature this site uses needs a sitemap (Material's instant navigation is off). One asked for
    # means Material's language selector took a feed link for another language version of the site:
    # techplan.js hides the feed links from it (beside a phase's feed, a sitemap is a 404).
    sitemaps = [f"{p}: {url}" for p, url in audit.requests if urlsplit(url).path.endswith("sitemap.xml")]
    assert not sitemaps, "pages asked for a sitemap:\n" + "\n".join(sitemaps[:20])


def test_the_skip_link_comes_first_and_skips_to_the_content(audit: Audit, summary_line: Callable[[str], None]) -> None:
    summary_line(f"keyboard: skip link checked on {audit.skip_checked} pages, {len(audit.skip_link)} problems")
    assert audit.skip_checked == sum(count for (_, palette), count in audit.pages.items() if palette == "light")
    assert not audit.skip_link, "\n".join(audit.skip_link)


# --------------------------------------------------------------------------------------------
# Search, open and showing results.
# --------------------------------------------------------------------------------------------


def test_search_open_with_results_passes_axe_in_both_palettes(
    browser: Any, own_site: Site, summary_line: Callable[[str], None]
) -> None:
    _need_axe()
    problems: list[tuple[str, str, dict[str, Any]]] = []
    results = {}
    for palette in ("light", "dark"):
        context = _context(browser)
        page = context.new_page()
        if palette == "dark":
            _choose_dark(page, own_site)
        _open(page, own_site.url("roadmap/index.html"))
        page.keyboard.press("/")  # Material's shortcut for search, as a keyboard user opens it
        page.keyboard.type("milestone")
        page.wait_for_selector(".md-search-result__item", state="visible")
        page.wait_for_timeout(300)  # let the result list settle
        assert _scheme(page) == ("slate" if palette == "dark" else "default")
        assert page.evaluate("document.activeElement.matches('.md-search__input')")
        # The search is a dialog with a name, not an unnamed one (axe: aria-dialog-name).
        assert page.get_by_role("dialog", name="Search").count() == 1
        results[palette] = page.locator(".md-search-result__item").count()
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(RUN_AXE, WCAG_TAGS)
        found += page.evaluate(
            "async () => (await axe.run(document, {runOnly: ['aria-dialog-name']})).violations"
            ".map((v) => ({id: v.id, nodes: v.nodes.map((n) => ({target: n.target.join(' '), "
            "summary: n.failureSummary}))}))"
        )
        problems += [("search open on roadmap/", palette, v) for v in found]
        context.close()
    summary_line(
        f"axe-core with the search open: {results['light']} results shown in the light palette, "
        f"{results['dark']} in the dark"
    )
    assert all(results.values())
    assert not problems, "axe-core found WCAG violations with the search open:\n" + _describe(problems)


# --------------------------------------------------------------------------------------------
# Material's toggles and the feed links, once the scripts have run.
# --------------------------------------------------------------------------------------------

TOGGLE_CHECKED = "(name) => document.querySelector(`input[data-md-toggle=${name}]`).checked"


def test_coming_back_to_a_page_finds_the_menu_and_the_search_closed(browser: Any, own_site: Site) -> None:
    """Material's toggles have no autocomplete="off" (not valid on a checkbox), and still do not reopen on "back".

    Without it Chromium restores a checkbox's state when a reader comes back to a page, and with it
    the menu or the search; techplan.js closes them whenever a page is shown.
    """
    context = _context(browser, viewport={"width": 600, "height": 800})  # narrow: the menu is a drawer
    page = context.new_page()
    openers = {
        "drawer": lambda: page.click('label.md-header__button[for="__drawer"]'),
        "search": lambda: page.keyboard.press("/"),  # Material's shortcut, as a keyboard user opens it
    }
    for name, open_it in openers.items():
        # Not _open: on a narrow screen Material does not size the sidebars, which are in the drawer.
        page.goto(own_site.url("roadmap/index.html"))
        toggle = page.locator(f"input[data-md-toggle={name}]")
        assert toggle.get_attribute("autocomplete") is None
        open_it()
        page.wait_for_function(TOGGLE_CHECKED, arg=name)
        page.goto(own_site.url("index.html"))
        page.go_back()
        assert page.url == own_site.url("roadmap/index.html")
        page.wait_for_function(f"!({TOGGLE_CHECKED})({json.dumps(name)})", timeout=3_000)
        # And the reader can open it again, and it stays open: nothing closes it behind their back.
        open_it()
        page.wait_for_function(TOGGLE_CHECKED, arg=name)
        page.wait_for_timeout(500)
        assert page.evaluate(TOGGLE_CHECKED, name), f"the {name} closed by itself"
    context.close()


def test_feed_links_stay_in_the_page_as_feed_readers_look_for_them(browser: Any, own_site: Site) -> None:
    """techplan.js hides them from Material's language selector while it looks, and puts them back as they were."""
    context = _context(browser)
    page = context.new_page()
    _open(page, own_site.url("phase5-measures/index.html"))
    feeds = page.evaluate(
        "Array.from(document.querySelectorAll('link[type=\"application/atom+xml\"]'),"
        " (link) => [link.getAttribute('rel'), link.getAttribute('href')])"
    )
    # The whole plan's feed, then the phase's own, in the phase's folder.
    assert feeds == [["alternate", "../feed.xml"], ["alternate", "feed.xml"]]
    assert page.locator('link[rel="alternate"][type="application/atom+xml"]').count() == 2
    context.close()


SECTIONS = """() => Array.from(document.querySelectorAll(".tp-print-page"), (section) => ({
  id: section.id,
  shown: getComputedStyle(section).contentVisibility,
  kept: parseFloat(section.style.containIntrinsicSize.split(" ").pop()),
}))"""
LAID_OUT = """() => {
  for (const section of document.querySelectorAll(".tp-print-page")) section.style.contentVisibility = "visible";
  return Object.fromEntries(Array.from(document.querySelectorAll(".tp-print-page"),
    (section) => [section.id, section.getBoundingClientRect().height]));
}"""


def test_the_whole_plan_keeps_each_page_more_room_than_it_takes(browser: Any, own_site: Site) -> None:
    """A phone lays out the whole plan a page at a time as the reader nears it, in room kept for each.

    Kept room that a page overran would put its contents over the next page's wherever a tool
    measures what is not shown yet (axe would report links as covered): every page fits its
    room at every width, from a phone's 320 pixels to 2,000 (where Material's text is largest).
    """
    context = _context(browser, viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(own_site.url("print/index.html"), wait_until="load")
    sections = page.evaluate(SECTIONS)
    assert len(sections) > 10
    assert [s["shown"] for s in sections] == ["auto"] * (len(sections) - 1) + ["visible"]
    for width in (320, 768, 1280, 2000):
        page.set_viewport_size({"width": width, "height": 800})
        heights = page.evaluate(LAID_OUT)
        overrun = {s["id"]: (heights[s["id"]], s["kept"]) for s in sections[:-1] if heights[s["id"]] > s["kept"]}
        assert not overrun, f"pages taller, {width} pixels wide, than the room kept for them (height, room): {overrun}"
        assert all(heights[s["id"]] > 0.25 * s["kept"] for s in sections[:-1])  # not so much room the bar misleads
    page.reload(wait_until="load")
    page.emulate_media(media="print")  # printed (the page's purpose), every page is laid out
    assert {s["shown"] for s in page.evaluate(SECTIONS)} == {"visible"}
    context.close()


NARROW_PAGES = [
    "phase5-measures/index.html",  # each measure's figures: three columns that fit, not scroll
    "phase3-enablers/what-good-looks-like/index.html",
    "register/index.html",
]
"""Pages with tables wider than a phone's window."""
BEFORE_BOX = """() => {
  const stops = Array.from(document.querySelectorAll("a[href], button, input, select, summary, [tabindex]"))
    .filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
  const box = document.querySelector(".md-typeset__scrollwrap[data-tp-scrolls]");
  stops[stops.indexOf(box) - 1].focus();
}"""
"""Focus the stop before the first table box that scrolls: one Tab from there should reach the box."""


def test_a_table_wider_than_a_phone_scrolls_from_the_keyboard(browser: Any, own_site: Site, demo_site: Site) -> None:
    """320 pixels wide (WCAG 1.4.10's width) a table scrolls sideways in its box: a keyboard reaches and scrolls it."""
    _need_axe()
    context = _context(browser, viewport={"width": 320, "height": 800})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    problems = []
    # A point-in-time page has no script: its measures' figures must fit the window, not scroll; its
    # prose tables are in boxes that are always stops in the tab order; its code wraps.
    for site, path in [
        *((own_site, p) for p in NARROW_PAGES),
        (demo_site, "revisions/v9/pages/phase5-measures/index.html"),
        (demo_site, "revisions/v8/pages/phase3-enablers/what-good-looks-like.html"),
        (demo_site, "revisions/v9/pages/contributing.html"),
    ]:
        page.goto(site.url(path), wait_until="load")
        problems += [(f"{site.name}: {path}, 320 pixels wide", "light", v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
    assert not problems, "axe-core found WCAG violations on a narrow window:\n" + _describe(problems)
    page.goto(own_site.url("phase5-measures/index.html"), wait_until="load")
    assert not page.evaluate("document.querySelector('.md-typeset__scrollwrap[data-tp-scrolls]')")  # figures fit
    page.goto(own_site.url("phase3-enablers/what-good-looks-like/index.html"), wait_until="load")
    box = page.locator(".md-typeset__scrollwrap[data-tp-scrolls]").first
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label")
    # Tab, from the stop before it, reaches the box; the arrow keys then scroll the table.
    page.evaluate(BEFORE_BOX)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.md-typeset__scrollwrap[data-tp-scrolls]')")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.activeElement.scrollLeft > 0")
    # As wide as a desktop, no table scrolls: no box is a stop in the tab order any more.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function("!document.querySelector('.md-typeset__scrollwrap[tabindex]')")
    context.close()


# --------------------------------------------------------------------------------------------
# Keyboard: every control reached with Tab, focus visible, filters and the compare form.
# --------------------------------------------------------------------------------------------

CONTROLS = """() => {
  const selector = "a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], "
    + "[contenteditable]";
  const controls = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.matches(":disabled, input[type=hidden]") || el.closest("[inert], [hidden]")) continue;
    if (el.hasAttribute("tabindex") && el.tabIndex < 0) continue;
    if (el.matches("summary") && el.parentElement.querySelector(":scope > summary") !== el) continue;
    // Shown: not display:none, visibility:hidden or inside a closed <details>.
    if (!el.checkVisibility({visibilityProperty: true}) || el.getClientRects().length === 0) continue;
    el.dataset.tpTab = String(controls.length);
    controls.push({
      id: el.dataset.tpTab,
      group: el.type === "radio" && el.name ? "radio:" + el.name : null,
      what: el.outerHTML.slice(0, 100),
    });
  }
  return controls;
}"""
"""Every control a reader can see, each marked with an id to recognise it by when it has focus."""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const shows = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  return {
    id: el.dataset.tpTab || null,
    checkFocusShown: el.matches("a[href], button, select, summary, [role=button]"),
    shown: shows,
    what: el.outerHTML.slice(0, 100),
  };
}"""


def _tab_through(page: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tab from the top of the page to the end; the controls on the page, and what Tab reached."""
    controls = page.evaluate(CONTROLS)
    reached: list[dict[str, Any]] = []
    for _ in range(len(controls) + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None and reached:
            break  # past the last control: focus has left the page
        if focused is not None:
            if reached and focused["id"] is not None and focused["id"] == reached[0]["id"]:
                break  # round to the first again
            reached.append(focused)
    return controls, reached


def _keyboard_problems(page: Any, where: str) -> tuple[list[str], int]:
    controls, reached = _tab_through(page)
    got = {f["id"] for f in reached}
    groups_reached = {c["group"] for c in controls if c["id"] in got and c["group"]}
    problems = [
        f"{where}: Tab never reaches {c['what']}"
        for c in controls
        if c["id"] not in got and not (c["group"] and c["group"] in groups_reached)  # a radio group is one Tab stop
    ]
    problems += [
        f"{where}: focus is not visible on {f['what']}" for f in reached if f["checkFocusShown"] and not f["shown"]
    ]
    return problems, len(reached)


def test_every_control_is_reached_with_tab_and_shows_focus(
    browser: Any, own_site: Site, demo_site: Site, summary_line: Callable[[str], None]
) -> None:
    redline = next(p for p in demo_site.pages if re.fullmatch(r"revisions/v[2-9]\d*/changes/index\.html", p))
    pages = [  # one of each kind of page
        (own_site, "index.html"),
        (own_site, "roadmap/index.html"),
        (own_site, "phase2-roadmap/index.html"),
        (own_site, "phase5-measures/index.html"),
        (own_site, "404.html"),
        (demo_site, "whats-changed/index.html"),
        (demo_site, "compare-revisions/index.html"),
        (demo_site, "revisions/index.html"),
        (demo_site, redline),
        (demo_site, next(p for p in demo_site.pages if "/pages/" in p and p.endswith("roadmap.html"))),
        (demo_site, "phase1-vision/mission-and-values/index.html"),  # section provenance under every heading
        (demo_site, "register/index.html"),
        (demo_site, "milestones/M4.3/index.html"),  # a milestone's own page: its life, citations, feed
    ]
    problems: list[str] = []
    stops = 0
    context = _context(browser)
    page = context.new_page()
    for site, path in pages:
        _open(page, site.url(path))
        found, count = _keyboard_problems(page, f"{site.name}: {path}")
        problems += found
        stops += count
    context.close()
    summary_line(f"keyboard: {stops} Tab stops on {len(pages)} pages, each control reached and showing focus")
    assert not problems, "\n".join(problems)


def _tab_to(page: Any, selector: str, limit: int = 300) -> None:
    """Press Tab until the element matching the selector has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_roadmap_filters_work_from_the_keyboard(browser: Any, own_site: Site) -> None:
    context = _context(browser)
    page = context.new_page()
    _open(page, own_site.url("roadmap/index.html"))
    count = page.locator(".tp-filter-count")
    total = int(re.search(r"of (\d+) milestones", count.inner_text()).group(1))  # type: ignore[union-attr]
    assert count.inner_text() == f"Showing {total} of {total} milestones."
    _tab_to(page, '.tp-filters select[data-key="phase"]')
    page.keyboard.press("ArrowDown")  # the first phase, chosen without opening the list
    phase = page.evaluate("document.activeElement.value")
    assert phase, "ArrowDown did not choose a phase"
    shown = page.evaluate(
        "() => Array.from(document.querySelector('[data-tp-filters]').parentElement"
        ".querySelector('table').tBodies[0].rows)"
        ".filter((r) => !r.hidden).map((r) => r.dataset.phase)"
    )
    assert shown and set(shown) == {phase}, shown
    assert count.inner_text() == f"Showing {len(shown)} of {total} milestones."
    page.keyboard.press("Tab")  # on to the status filter, and back to all phases
    assert page.evaluate("document.activeElement.dataset.key") == "status"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    assert count.inner_text() == f"Showing {total} of {total} milestones."
    context.close()


PALETTES = """\
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode
"""


def test_roadmap_schedule_marks_pass_axe_in_both_palettes(browser: Any, tmp_path: Path) -> None:
    """A milestone due before its dependency, and one whose dependency slipped: the marks pass axe, light and dark."""
    _need_axe()
    config = MKDOCS_YML.replace("strict: true\n", "").replace("  font: false\n", "  font: false\n" + PALETTES)
    write_site(tmp_path, config=config)
    repo = GitRepo(tmp_path)
    milestones = "plan/phase1-vision/milestones.yml"
    repo.replace("plan/phase2-measures/milestones.yml", "depends_on: [M1.1]", "depends_on: [M1.2]")
    repo.replace(milestones, "due: 2021-06-30", "due: 2021-12-30")  # M1.2 slips; M2.1, due first, is out of order
    repo.commit("Move M1.2", "Staff asked for more time.", "2021-03-03T11:00:00+00:00")
    result = build(tmp_path)  # strict: a schedule conflict is published, not a stop
    assert result.returncode == 0, result.stderr
    site = Site("the schedule site", tmp_path / "site")
    problems: list[tuple[str, str, dict[str, Any]]] = []
    with _served(site):
        context = _context(browser)
        page = context.new_page()
        for where in ("roadmap/index.html", "phase2-measures/index.html"):
            _open(page, site.url(where))
            assert page.locator(".tp-schedule").count() == 2  # the conflict and the slip, on M2.1's row
            page.add_script_tag(path=str(AXE))
            problems += [(where, "light", v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
            page.click('label[for="__palette_1"]')
            page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
            problems += [(where, "dark", v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
            page.click('label[for="__palette_0"]')
            page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
        context.close()
    assert not problems, _describe(problems)


def test_register_filters_by_moves_and_notes_from_the_keyboard(browser: Any, demo_site: Site) -> None:
    register = json.loads((demo_site.root / "data" / "register.json").read_text(encoding="utf-8"))
    rows = register["milestones"]
    context = _context(browser)
    page = context.new_page()
    _open(page, demo_site.url("register/index.html"))
    count = page.locator(".tp-filter-count")
    assert count.inner_text() == f"Showing {len(rows)} of {len(rows)} milestones."
    _tab_to(page, '.tp-filters select[data-key="moves"]')
    page.keyboard.press("ArrowDown")  # from "All" to "0 times": moved more than 0 times
    moved = sum(1 for row in rows if row["moves"] > 0)
    assert moved and count.inner_text() == f"Showing {moved} of {len(rows)} milestones."
    page.keyboard.press("Tab")  # and moved without a note
    assert page.evaluate("document.activeElement.dataset.key") == "nonote"
    page.keyboard.press("ArrowDown")
    choice = page.evaluate("document.activeElement.value")
    both = sum(1 for row in rows if row["moves"] > 0 and ("Yes" if row["moves_without_note"] else "No") == choice)
    assert count.inner_text() == f"Showing {both} of {len(rows)} milestones."
    context.close()


def test_compare_form_works_from_the_keyboard_and_its_result_passes_axe(browser: Any, demo_site: Site) -> None:
    context = _context(browser)
    page = context.new_page()
    _open(page, demo_site.url("compare-revisions/index.html"))
    _tab_to(page, '.tp-compare__form select[name="from"]')
    page.keyboard.press("Home")  # the first revision
    first = page.evaluate("document.activeElement.value")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "to"
    page.keyboard.press("End")  # the last
    last = page.evaluate("document.activeElement.value")
    assert first != last
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.tp-compare__form button[type=submit]')")
    page.keyboard.press("Enter")
    # The result arrives and focus moves to its heading, so a screen reader reads it next.
    page.wait_for_function("document.activeElement && document.activeElement.matches('.tp-compare__heading')")
    heading = page.evaluate("document.activeElement.textContent")
    assert heading == f"Changes from revision {first} to revision {last}"
    assert page.locator(".tp-compare__result .tp-redline").count() > 0
    assert f"from={first}" in page.url and f"to={last}" in page.url
    if AXE.exists():
        problems = []
        page.add_script_tag(path=str(AXE))
        problems += [("compare-revisions with a result", "light", v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
        page.click('label[for="__palette_1"]')
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        problems += [("compare-revisions with a result", "dark", v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
        assert not problems, _describe(problems)
    context.close()


# --------------------------------------------------------------------------------------------
# Section provenance: the disclosure under each heading, opened from the keyboard.
# --------------------------------------------------------------------------------------------


def test_section_provenance_opens_from_the_keyboard_and_passes_axe_open(browser: Any, demo_site: Site) -> None:
    """Closed, axe sees only the summaries (every page's pass); here every line is open, in both palettes."""
    context = _context(browser)
    page = context.new_page()
    _open(page, demo_site.url("phase1-vision/mission-and-values/index.html"))
    _tab_to(page, "details.tp-provenance > summary")
    summary = page.evaluate("document.activeElement.textContent")
    assert summary.startswith("Section last changed on "), summary
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open")
    note = page.evaluate("document.activeElement.parentElement.querySelector('.tp-provenance__note').innerText")
    assert note == "Made the vision easier to read, after a plain English review."
    page.keyboard.press("Tab")  # into the opened line: its link to the redline comes next
    assert page.evaluate("document.activeElement.closest('details.tp-provenance') !== null")
    assert "/changes/#page--" in page.evaluate("document.activeElement.getAttribute('href')")
    opened = page.evaluate(
        "() => { const all = document.querySelectorAll('details.tp-provenance');"
        " all.forEach((d) => { d.open = true; }); return all.length; }"
    )
    assert opened >= 3
    if AXE.exists():
        problems = []
        page.add_script_tag(path=str(AXE))
        problems += [("mission-and-values, lines open", "light", v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
        page.click('label[for="__palette_1"]')
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        problems += [("mission-and-values, lines open", "dark", v) for v in page.evaluate(RUN_AXE, WCAG_TAGS)]
        assert not problems, _describe(problems)
    context.close()


# --------------------------------------------------------------------------------------------
# Point-in-time pages and redlines follow the reader's palette.
# --------------------------------------------------------------------------------------------


def test_archive_pages_follow_the_palette_the_reader_chose(browser: Any, demo_site: Site) -> None:
    archive = [p for p in demo_site.pages if p.startswith("revisions/v")]
    sample = [archive[0], next(p for p in archive if "/changes/" in p), next(p for p in archive if "/pages/" in p)]

    def schemes(context: Any) -> list[tuple[str, float]]:
        page = context.new_page()
        seen = []
        for path in sample:
            _open(page, demo_site.url(path))
            seen.append((_scheme(page), page.evaluate(LUMINANCE)))
        return seen

    # Nothing chosen, a light system: light. Nothing chosen, a dark system: dark, as Material's own pages.
    light = _context(browser)
    assert all(s == "default" and lum > 0.5 for s, lum in schemes(light)), schemes(light)
    light.close()
    dark_system = _context(browser, color_scheme="dark")
    assert all(s == "slate" and lum < 0.1 for s, lum in schemes(dark_system))
    # A dark system, but the reader chose light with the toggle: light.
    page = dark_system.new_page()
    _open(page, demo_site.url("index.html"))
    assert _scheme(page) == "slate"
    page.click('label[for="__palette_0"]')
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    assert all(s == "default" and lum > 0.5 for s, lum in schemes(dark_system))
    dark_system.close()
    # A light system, and the reader chose dark: dark.
    chose_dark = _context(browser)
    _choose_dark(chose_dark.new_page(), demo_site)
    assert all(s == "slate" and lum < 0.1 for s, lum in schemes(chose_dark))
    chose_dark.close()


# --------------------------------------------------------------------------------------------
# Valid HTML, and links that lead somewhere. No browser needed.
# --------------------------------------------------------------------------------------------


def test_every_page_is_valid_html(own_site: Site, demo_site: Site, summary_line: Callable[[str], None]) -> None:
    """The Nu HTML Checker, offline, over every page of both sites: no errors, none set aside."""
    java = shutil.which("java")
    if java is None:
        _missing(
            "java is not installed: the Nu HTML Checker (vnu.jar) needs Java 11 or newer "
            "(Debian: apt-get install default-jre-headless)"
        )
    if not VNU.exists():
        _missing(
            f"the Nu HTML Checker is not installed ({VNU} is missing): run `make test`, or `npm ci --ignore-scripts`"
        )
    files = [site.root / p for site in (own_site, demo_site) for p in _html_files(site.root)]
    done = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", "--skip-non-html", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.stdout.strip(), done.stderr
    messages = json.loads(done.stdout)["messages"]
    errors = [m for m in messages if m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal"]
    summary_line(
        f"Nu HTML Checker: {len(files)} files ({len(_html_files(own_site.root))} of this site, "
        f"{len(_html_files(demo_site.root))} of the demo), {len(errors)} errors, nothing set aside"
    )
    assert not errors, "\n".join(
        f"{m['url'].split('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']} | "
        f"{' '.join(m.get('extract', '').split())}"
        for m in errors[:50]
    )
    assert done.returncode in (0, 1), done.stderr


LINKED = {"a": "href", "area": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src"}


def _link_problems(root: Path) -> tuple[int, int, list[str]]:
    """Every internal link, script and image in a built site, checked: (links, anchors, problems)."""
    ids: dict[Path, set[str]] = {}
    links: list[tuple[Path, str]] = []
    for file in sorted(root.rglob("*.html")):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        ids[file] = {el["id"] for el in soup.find_all(id=True)} | {
            a["name"] for a in soup.find_all("a", attrs={"name": True})
        }
        for tag, attribute in LINKED.items():
            links += [(file, el[attribute]) for el in soup.find_all(tag, attrs={attribute: True})]
    problems: list[str] = []
    checked = anchors = 0
    for file, url in links:
        if url.startswith(SITE_URL):  # the site's own address, as in canonical links and the 404 page
            url = "/" + url[len(SITE_URL) :]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            continue  # another site, mailto: and the like: not fetched
        checked += 1
        path = unquote(parts.path)
        if not path:
            target = file
        else:
            target = Path(os.path.normpath((root / path.lstrip("/")) if path.startswith("/") else (file.parent / path)))
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
        where = f"{file.relative_to(root)}: {url}"
        if not target.is_relative_to(root) or not target.is_file():
            problems.append(f"{where}: no such file")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html":
            anchors += 1
            if fragment not in ids.get(target, set()):
                problems.append(f"{where}: no id {fragment!r} in {target.relative_to(root)}")
    return checked, anchors, problems


def test_no_internal_link_or_anchor_is_broken(
    own_site: Site, demo_site: Site, summary_line: Callable[[str], None]
) -> None:
    problems: list[str] = []
    for site in (own_site, demo_site):
        checked, anchors, found = _link_problems(site.root)
        summary_line(f"links: {checked} internal links in {site.name} ({anchors} to anchors), {len(found)} broken")
        assert checked > 100
        problems += [f"{site.name}: {p}" for p in found]
    assert not problems, "\n".join(problems[:100])
