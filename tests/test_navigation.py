"""Material's navigation, each item rendered once for the pages that get the same HTML (techplan.site.navparts).

A kept item must be exactly what rendering it for the page would give: the same links, written
relative to the page as MkDocs writes them, and the same open or closed state.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jinja2 import Undefined
from markupsafe import Markup
from mkdocs.utils import normalize_url
from plansite import MINI_PLAN, MKDOCS_YML, build, site_differences, write_site

from techplan.site.navparts import NavParts


@dataclass(eq=False)
class Item:
    """A navigation item as the template reads it: a page or link (a url) or a section (children)."""

    url: str | None = None
    children: list[Item] = field(default_factory=list)
    active: bool = False


@dataclass(eq=False)
class Reader:
    """The page being rendered: MkDocs' url filter reads only its url."""

    url: str


def _render_for(page: Reader) -> Callable[[Item, str, int, object], Markup]:
    """What the template does with an item's links: each written relative to the page by MkDocs' own function."""

    def render(item: Item, path: str, level: int, parent: object) -> Markup:
        links = [normalize_url(url, page=page) for url in _urls(item)]  # type: ignore[arg-type]
        return Markup(f"{path}|{level}|{' '.join(links)}")

    return render


def _urls(item: Item) -> list[str]:
    """The links under an item, in order."""
    return [item.url or ""] if not item.children else [url for child in item.children for url in _urls(child)]


NAMES = st.sampled_from(["a", "b", "index.html", "p.html", "..", "."])
URLS = st.one_of(
    st.lists(NAMES, min_size=0, max_size=4).flatmap(
        lambda names: st.sampled_from(["/".join(names), "/".join(names) + "/"])
    ),
    st.sampled_from(["https://example.org/x/", "/absolute/", "#top", "mailto:plan@example.org"]),
)
PAGES = st.lists(st.sampled_from(["a", "b", "c"]), min_size=0, max_size=4).flatmap(
    lambda names: st.sampled_from(["/".join([*names, ""]) if names else "./", "/".join(names or ["index"]) + ".html"])
)
"""Page URLs as MkDocs makes them: folders (the home page's is ./) or files."""


@settings(max_examples=400, deadline=None)
@example(sections=[["a/b/a/", "a/c/"]], pages=["a/b/", "a/c/"])  # the links' folder holds both pages
@given(
    sections=st.lists(st.lists(URLS, min_size=1, max_size=4), min_size=1, max_size=4),
    pages=st.lists(PAGES, min_size=2, max_size=8),
)
def test_a_kept_item_is_what_rendering_it_for_the_page_gives(sections: list[list[str]], pages: list[str]) -> None:
    """Pages in every relation to an item's links: outside their folder, in it, at other depths, as files."""
    items = [Item(children=[Item(url=url) for url in urls]) for urls in sections]
    items += [child for item in items for child in item.children]  # sections and the links in them alike
    parts = NavParts()
    for url in pages:
        reader = Reader(url)
        for n, item in enumerate(items):
            expected = _render_for(reader)(item, f"__nav_{n}", 1, Undefined())
            assert parts(_render_for(reader), item, f"__nav_{n}", 1, Undefined(), reader) == expected


def test_items_are_kept_across_pages_and_the_open_one_never_is() -> None:
    leaves = [Item(url=f"guide/page-{n}/") for n in range(3)]
    section = Item(children=leaves)
    other = Item(children=[Item(url="about/"), Item(url="about/team/")])
    parts = NavParts()
    rendered: list[str] = []

    def render(item: Item, path: str, level: int, parent: object) -> Markup:
        rendered.append(path)
        return _render_for(reader)(item, path, level, parent)

    for url in ("guide/page-0/", "guide/page-1/", "guide/page-2/"):
        reader = Reader(url)
        for n, leaf in enumerate(leaves):
            leaf.active = leaf.url == url
            parts(render, leaf, f"__nav_1_{n}", 2, section, reader)
        parts(render, other, "__nav_2", 1, Undefined(), reader)
    # Each page renders its own (open) item; the other two leaves are rendered once for the
    # three pages (one climb out of guide/page-N/), and the other section once.
    assert sorted(rendered) == sorted(["__nav_1_0", "__nav_1_1", "__nav_1_2"] * 2 + ["__nav_2"])


def test_an_item_outside_a_page_or_an_undefined_one_is_rendered_as_it_is() -> None:
    """A template given no page (None, or Jinja's undefined, whose attributes raise) renders every item itself."""
    item = Item(children=[Item(url="about/"), Item(url="about/team/")])
    parts = NavParts()
    for page in (None, Undefined(name="page"), Undefined(name="page"), None):
        assert parts(lambda *args: Markup("rendered"), item, "__nav_1", 1, Undefined(), page) == "rendered"
    assert parts(lambda *args: Markup("rendered"), Undefined(name="item"), "__nav_1", 1, Undefined(), None) == (
        "rendered"
    )


NAV_FILES = {
    **MINI_PLAN,
    "plan/guide/index.md": "# Guide\n\nHow to read the plan.\n",
    "plan/guide/deep/first.md": "# First\n\n## A heading\n\nText.\n",
    "plan/guide/deep/first/more.md": "# More\n\nText.\n",
    "plan/guide/deep/second.md": "# Second\n\nText.\n",
    "plan/guide/deep/other.md": "# Other\n\nText.\n",
    "plan/about.md": "# About\n\nWho writes the plan.\n",
    "plan/contact.md": "# Contact\n\nHow to reach them.\n",
}

NAV = """\
nav:
  - Home: index.md
  - Roadmap: roadmap.md
  - Vision: phase1-vision/index.md
  - Measures: phase2-measures/index.md
  - Guide:
      - guide/index.md
      - Deep:
          - guide/deep/first.md
          - guide/deep/second.md
      - More:
          - guide/deep/first/more.md
          - guide/deep/other.md
          - Elsewhere: https://example.org/guide/
      - Root: /
      - about.md
  - Contact: contact.md
"""
"""Items whose links are all in the folder of the page being rendered (More's are in guide/deep/,
which holds the pages first/ and second/: they write the link to first/more/ two ways), and pages
as far from an item's links but in and out of its parent (about/ and contact/ from Deep: under
navigation.tabs, Deep is a section on the first only)."""


COUNTING_HOOK = """\
import json, os
from pathlib import Path

calls = {"items": 0, "rendered": 0}

def on_env(env, config, files):
    keep = env.globals.get("plan_nav_item")
    if os.environ.get("NAV_NOT_KEPT"):
        env.globals.pop("plan_nav_item", None)
    elif keep is not None:
        def counted(render, *args):
            calls["items"] += 1
            def rendering(*a):
                calls["rendered"] += 1
                return render(*a)
            return keep(rendering, *args)
        env.globals["plan_nav_item"] = counted
    return env

def on_post_build(config):
    Path(os.environ["NAV_COUNTS"]).write_text(json.dumps(calls))
"""


@pytest.mark.parametrize(
    ("features", "directory_urls"),
    [
        (["navigation.sections"], True),
        (["navigation.tabs", "navigation.sections", "navigation.indexes"], True),
        (["navigation.prune", "navigation.indexes"], False),
        (["navigation.expand", "toc.integrate"], True),
    ],
)
def test_every_page_is_the_same_with_navigation_items_kept_or_not(
    tmp_path: Path, features: list[str], directory_urls: bool
) -> None:
    """Real builds of a site with nested sections, index pages and links out, compared file by file."""
    hook = tmp_path / "count_navigation.py"
    hook.write_text(COUNTING_HOOK, encoding="utf-8")
    config = MKDOCS_YML.replace(
        "    - content.action.edit\n", "".join(f"    - {feature}\n" for feature in ["content.action.edit", *features])
    ).replace("  - {hooks}\n", f"  - {{hooks}}\n  - {hook}\n")
    config += f"use_directory_urls: {str(directory_urls).lower()}\n" + NAV
    site = tmp_path / "repo"
    site.mkdir()
    write_site(site, NAV_FILES, config)
    kept = build(site, NAV_COUNTS=str(tmp_path / "kept.json"))
    assert kept.returncode == 0, kept.stderr
    (site / "site").rename(tmp_path / "kept")
    shutil.rmtree(site / ".cache")  # or the pages kept whole from the first build are written again
    fresh = build(site, NAV_COUNTS=str(tmp_path / "fresh.json"), NAV_NOT_KEPT="1")
    assert fresh.returncode == 0, fresh.stderr
    assert site_differences(tmp_path / "kept", site / "site") == []
    counts = json.loads((tmp_path / "kept.json").read_text())
    assert counts["rendered"] < counts["items"] * 0.7, counts  # items came from earlier pages
    assert json.loads((tmp_path / "fresh.json").read_text()) == {"items": 0, "rendered": 0}
