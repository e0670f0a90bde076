"""The whole plan on one page: every page in it once, linked within it, as the plan is now after every build;
and the room kept for each page until a reader nears it (see test_browser for heights)."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from gitrepo import GitRepo
from hypothesis import given
from hypothesis import strategies as st
from plansite import build, edit, page, text_of, write_site

from techplan.packs import read_packs
from techplan.site.printview import (
    PLACEHOLDER,
    TEXT_FACTOR,
    WIDEST_CONTENT,
    PrintedPage,
    reserved_height,
    write_whole_plan,
)


def test_the_whole_plan_holds_every_page_once_linked_within_itself(tmp_path: Path) -> None:
    """A page's placeholder-shaped comment or text is the page's own; every in-page link has its target."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    edit(
        tmp_path,
        "plan/roadmap.md",
        "[[roadmap]]",
        "See [the vision's milestones](phase1-vision/index.md#milestones).\n\n"
        "<!--techplan-print-->\n\nThe engine's marker is `<!--techplan-print-->`.\n\n[[roadmap]]",
    )
    repo.commit("Link the vision", "Linked the vision's milestones.", "2021-02-01T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    whole = page(tmp_path, "print/")
    sections = whole.select("section.tp-print-page")
    assert [s["id"] for s in sections] == [
        "page-index", "page-roadmap", "page-phase1-vision-index", "page-phase2-measures-index",
    ]  # fmt: skip
    roadmap = whole.select_one("#page-roadmap")
    assert roadmap is not None
    assert roadmap.select_one('a[href="#page-phase1-vision-index--milestones"]') is not None
    assert [code.get_text() for code in roadmap.select("code")] == ["<!--techplan-print-->"]
    assert whole.select_one("#page-phase1-vision-index--milestones") is not None
    for link in whole.select("main a[href^='#']"):
        assert whole.find(id=link["href"][1:]) is not None, link
    # The next commit's words are there, though the page's own output was kept from the last build.
    edit(tmp_path, "plan/phase1-vision/index.md", "We start with", "First of all, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-03-01T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    vision = text_of(page(tmp_path, "print/").select_one("#page-phase1-vision-index"))
    assert "First of all, we start with" in vision
    written = (tmp_path / "site/print/index.html").read_bytes()
    # Each page's section is kept: that page's was made again, and a build with nothing new makes none.
    [kept] = (tmp_path / ".cache/techplan").glob("*/print-section")
    values = [pickle.loads(data) for _, data in read_packs(str(kept)).values()]
    assert sum("First of all, we start with" in value for value in values) == 1
    assert sum("We start with" in value for value in values) <= 1  # the page's last section, until packs merge
    packs = sorted(path.name for path in kept.iterdir())
    assert build(tmp_path).returncode == 0
    assert sorted(path.name for path in kept.iterdir()) == packs
    assert (tmp_path / "site/print/index.html").read_bytes() == written
    shutil.rmtree(tmp_path / ".cache")
    assert build(tmp_path).returncode == 0
    assert (tmp_path / "site/print/index.html").read_bytes() == written


def test_a_whole_plan_that_fails_part_way_leaves_the_page_as_it_was_and_no_temporary_file(tmp_path: Path) -> None:
    written = tmp_path / "index.html"
    written.write_text(f"<main>{PLACEHOLDER}</main>\n", encoding="utf-8")
    pages = [PrintedPage("a.md", "a/", "<p>A</p>"), PrintedPage("b.md", "b/", None)]  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        write_whole_plan(written, pages, "print/")
    assert [path.name for path in tmp_path.iterdir()] == ["index.html"]
    assert written.read_text(encoding="utf-8") == f"<main>{PLACEHOLDER}</main>\n"
    write_whole_plan(written, pages[:1], "print/")
    assert written.read_text(encoding="utf-8").startswith('<main><section class="tp-print-page" id="page-a"')


def test_room_is_kept_for_each_character_shown_and_each_block() -> None:
    assert reserved_height("<p>" + "word " * 200 + "</p>") == round(TEXT_FACTOR * (1000 + 30))
    # An entity is the one character it shows; markup shows none.
    assert reserved_height('<p><a href="#x">&amp;</a></p>') == round(TEXT_FACTOR * (1 + 30))


def test_a_chart_keeps_its_height_at_the_widest_content_and_an_icon_nothing_more() -> None:
    chart = '<svg viewBox="0 0 480 220" width="100%" role="img"><text>M1</text></svg>'
    assert reserved_height(chart) == round(TEXT_FACTOR * 2 + WIDEST_CONTENT * 220 / 480)
    icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M0 0h24"/></svg>'
    assert reserved_height(icon) == 0


@pytest.mark.parametrize(
    ("image", "room"),
    [
        ('<img src="a.png" width="800" height="600" alt="">', 600),  # never drawn larger than itself
        ('<img src="a.png" width="2800" height="1400" alt="">', 700),  # nor wider than the content
        ('<img src="a.png" alt="A diagram">', WIDEST_CONTENT),  # no size: a square as wide as the content
        ('<img src="a.png" width="0" height="600" alt="">', WIDEST_CONTENT),
        ('<img src="a.png" width="10" height="-600" alt="">', WIDEST_CONTENT),
        ('<img src="a.png" width="1" height="1e308" alt="">', WIDEST_CONTENT),
        ('<svg viewBox="0 0 1 100000" width="100%"></svg>', WIDEST_CONTENT),
        ('<svg viewBox="0 0 nan 1" width="100%"></svg>', WIDEST_CONTENT),
        ('<svg viewBox="0 0 480" width="100%"></svg>', WIDEST_CONTENT),
    ],
)
def test_an_image_or_chart_whose_size_says_nothing_sensible_keeps_a_square(image: str, room: int) -> None:
    assert reserved_height(image) == room


@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<svg",
                "<img",
                ' width="',
                ' height="',
                ' viewBox="',
                "100%",
                '"',
                ">",
                "&amp;",
                "&#x0;",
                "-",
                "1e999",
                "0",
                " ",
                "nan",
                "\x00",
                "é",
            ]
        )
        | st.text(),
        max_size=60,
    ).map("".join)
)
def test_any_markup_gets_a_room_of_whole_pixels_and_never_a_negative_one(html: str) -> None:
    room = reserved_height(html)
    assert isinstance(room, int) and room >= 0
