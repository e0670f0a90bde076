"""Material's own markup, made valid by the build: what is removed, and only that."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from plansite import build, write_site

from techplan.site.markup import without_orphan_toc_label, without_toggle_autocomplete

DRAWER = '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">'
SEARCH = '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search" autocomplete="off">'
"""As Material's base.html writes them."""


def test_the_drawer_and_search_toggles_lose_autocomplete_and_nothing_else() -> None:
    page = f"<body>\n{DRAWER}\n{SEARCH}\n<p>text</p></body>"
    assert without_toggle_autocomplete(page) == (
        "<body>\n"
        '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer">\n'
        '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search">\n'
        "<p>text</p></body>"
    )


def test_other_inputs_and_text_keep_their_autocomplete() -> None:
    untouched = [
        # The search box: autocomplete is valid on a text input, and wanted there.
        '<input type="text" class="md-search__input" name="query" autocomplete="off" required>',
        '<input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">',
        '<input data-autocomplete="x" type="checkbox">',
        '<input data-md-toggle="x" autocompleted="x" type="checkbox">',
        "<code>&lt;input data-md-toggle=&quot;drawer&quot; autocomplete=&quot;off&quot;&gt;</code>",
        '<p>autocomplete="off" data-md-toggle</p>',
    ]
    for markup in untouched:
        assert without_toggle_autocomplete(markup) == markup


def test_any_spelling_of_the_attribute_goes() -> None:
    for attribute in (
        'autocomplete="off"',
        "autocomplete='off'",
        "autocomplete=off",
        "AUTOCOMPLETE = off",
        "autocomplete",
    ):
        tag = f'<input class="md-toggle" data-md-toggle="search" {attribute} type="checkbox" id="__search">'
        assert without_toggle_autocomplete(tag) == (
            '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search">'
        ), attribute


def test_no_built_page_has_autocomplete_on_a_checkbox(tmp_path: Path) -> None:
    """Every page, the 404 page (a template, not a page) and generated pages alike."""
    write_site(tmp_path)
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    pages = sorted((tmp_path / "site").rglob("*.html"))
    names = {p.relative_to(tmp_path / "site").as_posix() for p in pages}
    assert {"404.html", "index.html", "whats-changed/index.html", "print/index.html"} <= names
    for path in pages:
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        toggles = html.select("input[data-md-toggle]")
        assert [t["id"] for t in toggles] == ["__drawer", "__search"], path
        assert not html.select("input[type=checkbox][autocomplete], input[type=radio][autocomplete]"), path


def test_the_contents_title_labels_the_checkbox_only_where_the_navigation_wrote_it() -> None:
    icon = '<span class="md-nav__icon md-icon"></span>'
    title = f'<label class="md-nav__title" for="__toc">\n  {icon}\n  Contents\n</label>'
    listed = f'<input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">{title}'
    assert without_orphan_toc_label(listed) == listed
    orphan = f"<nav>{title}</nav>"
    assert without_orphan_toc_label(orphan) == (
        f'<nav><span class="md-nav__title">\n  {icon}\n  Contents\n</span></nav>'
    )
