"""Section provenance: each section says when it last changed with a change note, and why.

Unit tests of the splitting and following on small texts; a real build of a crafted history
whose every section's answer is worked out by hand; and random histories checked against plain
git (`git log --first-parent`, `git show <sha>:<path>`) with sections followed by what the
generator knows it did to each one.
"""

from __future__ import annotations

import json
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from demorepo import Demo
from gitrepo import GitRepo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plansite import MINI_PLAN, build, page, text_of, write_site

from techplan import cache
from techplan.cache import DiskCache
from techplan.history.git import Repository
from techplan.history.log import read_history, repo_state
from techplan.history.past import PastReader
from techplan.history.provenance import (
    ProvenanceReader,
    Section,
    heading_key,
    match_sections,
    plain_heading,
    read_provenance,
    split_sections,
    strip_front_matter,
)
from techplan.jobs import jobs_available
from techplan.plan.formatting import format_date
from techplan.site import views


def sections(text: str) -> list[Section]:
    return split_sections(textwrap.dedent(text))


# --------------------------------------------------------------------------------------------
# Splitting a page by its headings.
# --------------------------------------------------------------------------------------------


def test_h2_and_h3_sections_hold_their_text_and_subsections() -> None:
    found = sections(
        """\
        # Title

        Intro, in no section.

        ## First

        One two.

        ### Inner

        Three.

        ## Second {#custom}

        Four [[milestones]]

        [[milestones]]

        #### Deep

        Five.
        """
    )
    assert [(s.level, s.heading, s.line) for s in found] == [
        (2, "First", 5),
        (3, "Inner", 9),
        (2, "Second {#custom}", 13),
    ]
    first, inner, second = found
    assert first.words == ("One", "two.", "###", "Inner", "Three.")
    assert inner.words == ("Three.",)
    assert second.words == ("Four", "[[milestones]]", "[[milestones]]", "####", "Deep", "Five.")
    assert second.blocks == ("milestones",)  # placed alone on a line; in a sentence it is only text
    assert second.key == "second" and second.title == "Second"


def test_headings_in_code_comments_and_indented_blocks_are_not_sections() -> None:
    found = sections(
        """\
        ## Real

        ```markdown
        ## In a fence
        ```

        <!--
        ## In a comment
        -->

            ## Indented code

        !!! note
            ## In an admonition

        > ## In a quote

        ## Also real ##
        """
    )
    assert [s.heading for s in found] == ["Real", "Also real"]


def test_underlined_headings_are_sections_as_python_markdown_reads_them() -> None:
    found = sections(
        """\
        Title
        =====

        Second level
        ------------

        Text.

        A paragraph line
        ---
        More.

        ---

        After a rule.
        """
    )
    assert [(s.level, s.heading, s.line) for s in found] == [(2, "Second level", 5), (2, "A paragraph line", 10)]
    # A section ends where the next heading starts: its text line, not its underline.
    assert found[0].words == ("Text.",)
    assert found[1].words == ("More.", "---", "After", "a", "rule.")


def test_front_matter_is_dropped_as_mkdocs_drops_it() -> None:
    page_text = "---\nsearch:\n  exclude: true\n---\n\n\n## Heading\n\nText.\n"
    assert strip_front_matter(page_text) == "## Heading\n\nText.\n"
    # Not a mapping: MkDocs keeps it, and so the dashes underline a heading.
    assert strip_front_matter("---\njust words\n---\n") == "---\njust words\n---\n"


def test_headings_are_compared_by_their_words() -> None:
    assert plain_heading("The `[[M2.1]]` *syntax* and [a link](x.md) {: #id }") == "The [[M2.1]] syntax and a link"
    assert heading_key("What’s  NEW, in 2021?") == heading_key("what s new in 2021")


# --------------------------------------------------------------------------------------------
# Following sections from one version to the next.
# --------------------------------------------------------------------------------------------

BEFORE = """\
## Why we plan

Planning matters because care needs it.

## How the plan was shaped

We asked staff and patients in twelve workshops across the country.

## What we heard

People want to see their records.

## Notes

First.

## Notes

Second.
"""


def test_sections_are_followed_when_moved_renamed_or_repeated() -> None:
    old = split_sections(BEFORE)
    new = split_sections(
        """\
## Notes

Second.

## How the plan has been shaped

We asked staff and patients in twelve workshops across England.

## Why we make plans

Planning matters because care needs it.

## What we learned

Something else entirely, with no words in common.

## Notes

First.
"""
    )
    pairs = match_sections(old, new)
    assert pairs == {
        0: 4,  # a repeated heading pairs with the one whose words are the same
        1: 1,  # heading and words both changed a little
        2: 0,  # same words under a new heading
        4: 3,
    }  # "What we learned" is new: "What we heard" was dropped, its words gone


def test_a_split_section_keeps_its_history_in_the_part_that_keeps_the_heading() -> None:
    old = split_sections("## Funding\n\nTrusts get money. Systems get money.\n")
    new = split_sections("## Funding\n\nTrusts get money.\n\n## Funding for systems\n\nSystems get money.\n")
    assert match_sections(old, new) == {0: 0}


def test_merged_sections_continue_the_one_whose_heading_stays() -> None:
    old = split_sections("## Funding\n\nTrusts get money.\n\n## Money for systems\n\nSystems get money.\n")
    new = split_sections("## Funding\n\nTrusts get money. Systems get money.\n")
    assert match_sections(old, new) == {0: 0}


def test_hostile_pages_are_split_and_followed_quickly() -> None:
    """Past versions can hold anything: lines that make careless patterns backtrack, thousands of headings."""
    hostile = ["#" * 100_000 + "x", "## " + "[" * 100_000, "=" * 100_000 + "x", "## " + " " * 100_000 + "{y"]
    repeated = "".join(f"## Notes\n\nSame {n % 7}.\n\n" for n in range(5000))
    distinct = "".join(f"## Part {n}\n\nWords {n}.\n\n" for n in range(3000))
    text = "\n".join(hostile) + "\n" + repeated + distinct
    start = time.perf_counter()
    old = split_sections(text)
    new = split_sections(text.replace("Same 3.", "Other.", 1).replace("## Part", "## Piece"))
    pairs = match_sections(old, new)
    assert time.perf_counter() - start < 10
    assert len(old) == len(new) == 2 + 5000 + 3000
    assert len(pairs) == len(new)
    for index in range(2, 2 + 5000):  # a repeated heading pairs with one whose words are the same, if any is
        assert old[pairs[index]].key == new[index].key
        assert new[index].words == ("Other.",) or old[pairs[index]].words == new[index].words
    assert all(pairs[i] == i for i in range(2 + 5000, len(new)))  # every "Piece" has the words its "Part" had


# --------------------------------------------------------------------------------------------
# A real build of a crafted history: every section's answer worked out by hand.
# --------------------------------------------------------------------------------------------

VISION = "plan/phase1-vision/index.md"
FIRST_PAGE = """\
    # Phase 1: Vision

    We start with [[M1.1]] and then [[M1.2|the second step]].

    ## Why we plan

    Planning matters because care needs it.

    ## Our values

    We are open, and we build once.

    ## How the plan was shaped

    We asked staff and patients in twelve workshops across the country.

    ## Principles

    Three principles guide the plan.

    ### Openness

    We publish what we do.

    ### Safety

    We keep data safe.

    ## How we work

    We work in the open, with the people who use what we build, and we say what we change.

    ## What we heard

    People want to see their records.

    ## Untouched

    This section never changes.

    ## Milestones

    [[milestones]]
    """


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A site whose vision page went through every kind of edit, built; the sha of each step by name."""
    root = tmp_path_factory.mktemp("provenance") / "site"
    root.mkdir()
    ideas = "# Ideas\n\n## Sharing\n\nWe share.\n\n## Reuse, as [[M1.1]] did\n\nWe reuse.\n"
    extra = {"plan/phase1-vision/ideas.md": ideas}
    write_site(root, {**MINI_PLAN, VISION: FIRST_PAGE, **extra})  # A: 4 January 2021, "First publication."
    repo = GitRepo(root)
    shas = {"root": str(root), "A": repo.head()}
    repo.replace(VISION, "because care needs it.", "because care needs it and money is short.")
    repo.replace("plan/phase1-vision/ideas.md", "We share.", "We share what we learn.")
    shas["B"] = repo.commit("Say why we plan", "Explained why we plan.", "2021-02-01T10:00:00+00:00")
    repo.git("tag", "-a", "v1", "-m", "The vision", date="2021-02-02T10:00:00+00:00")
    # C: the values move to the end of the page; nothing in them changes.
    text = (root / VISION).read_text(encoding="utf-8")
    values = "## Our values\n\nWe are open, and we build once.\n\n"
    repo.write(VISION, text.replace(values, "") + "\n" + values)
    repo.git("mv", "plan/phase1-vision/ideas.md", "plan/phase1-vision/principles.md")  # renamed: keeps its history
    shas["C"] = repo.commit("Reorder the page", "Put the values last.", "2021-03-01T10:00:00+00:00")
    repo.replace(VISION, "We publish what we do.", "We publish what we do, and why.")
    shas["H"] = repo.commit("Openness", "Committed to saying why.", "2021-03-02T10:00:00+00:00")
    repo.git("tag", "-a", "v2", "-m", "Principles", date="2021-03-03T10:00:00+00:00")
    # D: How we work is reflowed (whitespace only) in a commit whose note is about the intro.
    repo.replace(VISION, "who use what we build, and", "who use what we build,\nand")
    repo.replace(VISION, "We start with", "First we start with")
    shas["D"] = repo.commit("Intro and spacing", "Reworded the introduction.", "2021-04-01T10:00:00+00:00")
    repo.replace(VISION, "## Why we plan", "## Why we make plans")
    shas["E"] = repo.commit("Retitle", None, "2021-04-02T10:00:00+00:00")
    repo.replace(VISION, "People want to see their records.", "People want to see their own records.")
    shas["F"] = repo.commit("Typo", None, "2021-04-03T10:00:00+00:00")
    repo.replace(
        VISION,
        "## How the plan was shaped\n\nWe asked staff and patients in twelve workshops across the country.",
        "## How the plan has been shaped\n\nWe asked staff and patients in twelve workshops across England.",
    )
    shas["I"] = repo.commit("Shaped", "Said where the workshops were.", "2021-04-04T10:00:00+00:00")
    repo.replace(VISION, "## Milestones", "## What comes next\n\nMore phases follow.\n\n## Milestones")
    shas["G"] = repo.commit("Next", "Added what comes next.", "2021-04-05T10:00:00+00:00")
    repo.replace("plan/phase1-vision/milestones.yml", "status: in-progress", "status: at-risk")
    shas["J"] = repo.commit("Values at risk", "Marked M1.2 at risk.", "2021-04-06T10:00:00+00:00")
    result = build(root)
    assert result.returncode == 0, result.stderr
    return shas


def lines_by_heading(root: Path) -> dict[str, tuple[str, list[str]]]:
    """Each section heading's id on the vision page, and the text and links of the line under it."""
    html = page(root, "phase1-vision/")
    found = {}
    for line in html.select(".tp-provenance"):
        heading = line.find_previous_sibling(["h2", "h3"])
        found[heading["id"]] = (text_of(line), [a["href"] for a in line.select("a")])
    return found


def commit_link(sha: str) -> str:
    return f"https://git.example.org/team/plan/commit/{sha}"


def test_each_section_names_its_last_change_with_a_note(crafted: dict[str, str]) -> None:
    root = Path(crafted["root"])
    lines = lines_by_heading(root)
    redline_v2 = "../revisions/v2/changes/#page--phase1-vision-index"
    assert lines == {
        # Edited with a note (B, the first revision's), then retitled without one: followed, and
        # the first revision has no redline, so the link is to the page as that revision had it.
        "why-we-make-plans": (
            "Section last changed on 1 February 2021 : Why we make plans Explained why we plan. "
            f"Read the page as published in revision v1 · See the exact change to Why we make plans "
            f"(commit {crafted['B'][:7]}) Edited since without a change note (a minor change).",
            ["../revisions/v1/pages/phase1-vision/index.html", commit_link(crafted["B"])],
        ),
        # Heading and words changed a little at once, with a note: still the section first published.
        "how-the-plan-has-been-shaped": (
            "Section last changed on 4 April 2021 : How the plan has been shaped Said where the workshops were. "
            "Not in a published revision yet: see What's changed · See the exact change to How the plan has been "
            f"shaped (commit {crafted['I'][:7]})",
            ["../whats-changed/", commit_link(crafted["I"])],
        ),
        # A change in a subsection is a change to the section holding it, not to its sibling.
        "principles": (
            "Section last changed on 2 March 2021 : Principles Committed to saying why. "
            f"See what changed in revision v2 · See the exact change to Principles (commit {crafted['H'][:7]})",
            [redline_v2, commit_link(crafted["H"])],
        ),
        "openness": (
            "Section last changed on 2 March 2021 : Openness Committed to saying why. "
            f"See what changed in revision v2 · See the exact change to Openness (commit {crafted['H'][:7]})",
            [redline_v2, commit_link(crafted["H"])],
        ),
        "safety": ("Unchanged since first published on 4 January 2021 .", []),
        # Reflowed in a major commit about another part of the page: whitespace does not count.
        "how-we-work": ("Unchanged since first published on 4 January 2021 .", []),
        "what-we-heard": ("Only minor edits since first published on 4 January 2021 .", []),
        "untouched": ("Unchanged since first published on 4 January 2021 .", []),
        "what-comes-next": (
            "Section added on 5 April 2021 : What comes next Added what comes next. "
            "Not in a published revision yet: see What's changed · See the exact change to What comes next "
            f"(commit {crafted['G'][:7]})",
            ["../whats-changed/", commit_link(crafted["G"])],
        ),
        # The milestones changed (J, with a note), but they have their own history.
        "milestones": (
            "Unchanged since first published on 4 January 2021 . What the milestones table below shows comes "
            "from the plan's data, which has its own history: see Updates to this page .",
            ["#updates-to-this-page"],
        ),
        # Moved to the end of the page in a major commit: moving is not changing.
        "our-values": ("Unchanged since first published on 4 January 2021 .", []),
    }


def test_provenance_json_says_the_same_per_page_and_section(crafted: dict[str, str]) -> None:
    root = Path(crafted["root"])
    data = json.loads((root / "site" / "provenance.json").read_text(encoding="utf-8"))
    assert data["commit"] == crafted["J"] and data["shallow"] is False
    vision = data["pages"]["phase1-vision/index.md"]
    first = {"commit": crafted["A"], "date": "2021-01-04T09:00:00+00:00"}
    assert vision["first_published"] == first

    def change(step: str, date: str, note: str, revision: str | None) -> dict[str, object]:
        return {"commit": crafted[step], "date": f"2021-{date}T10:00:00+00:00", "note": note, "revision": revision}

    def entry(heading: str, anchor: str, level: int = 2, last: object = None, minor: bool = False) -> dict[str, object]:
        return {"heading": heading, "id": anchor, "level": level, "added": first, "with_page": True,
                "last_change": last, "minor_edits": minor, "unpublished": False}  # fmt: skip

    why = change("B", "02-01", "Explained why we plan.", "v1")
    shaped = change("I", "04-04", "Said where the workshops were.", None)
    principles = change("H", "03-02", "Committed to saying why.", "v2")
    added = {"commit": crafted["G"], "date": "2021-04-05T10:00:00+00:00"}
    next_ = change("G", "04-05", "Added what comes next.", None)
    assert vision["sections"] == [
        entry("Why we make plans", "why-we-make-plans", last=why, minor=True),
        entry("How the plan has been shaped", "how-the-plan-has-been-shaped", last=shaped),
        entry("Principles", "principles", last=principles),
        entry("Openness", "openness", 3, last=principles),
        entry("Safety", "safety", 3),
        entry("How we work", "how-we-work"),
        entry("What we heard", "what-we-heard", minor=True),
        entry("Untouched", "untouched"),
        {**entry("What comes next", "what-comes-next", last=next_), "added": added, "with_page": False},
        entry("Milestones", "milestones"),
        entry("Our values", "our-values"),
    ]
    # Every page with a history is there, each section once, in the order of the page.
    assert set(data["pages"]) == {
        "index.md",
        "roadmap.md",
        "phase1-vision/index.md",
        "phase1-vision/principles.md",
        "phase2-measures/index.md",
    }
    renamed = data["pages"]["phase1-vision/principles.md"]
    assert renamed["first_published"] == first  # as ideas.md
    assert [(s["heading"], (s["last_change"] or {}).get("commit")) for s in renamed["sections"]] == [
        ("Sharing", crafted["B"]),
        ("Reuse, as M1.1: Publish the vision Status: Done did", None),  # as the table of contents has it
    ]
    toc = page(root, "phase1-vision/principles/").select(".md-sidebar--secondary nav.md-nav--secondary a")
    assert [text_of(a) for a in toc][:2] == [s["heading"] for s in renamed["sections"]]
    assert [s["heading"] for s in data["pages"]["index.md"]["sections"]] == ["Where each phase stands", "Coming due"]
    assert data["pages"]["roadmap.md"]["sections"] == []


def test_the_lines_stay_out_of_search_and_the_table_of_contents(crafted: dict[str, str]) -> None:
    root = Path(crafted["root"])
    index = (root / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "This section never changes." in index  # the page is indexed...
    for words in ("Unchanged since", "last changed", "Explained why we plan", "its own history"):
        assert words not in index  # ...its provenance lines are not
    html = page(root, "phase1-vision/")
    toc = [text_of(a) for a in html.select(".md-sidebar--secondary nav.md-nav--secondary a")]
    headings = [text_of(h).removesuffix(" ¶") for h in html.select("article h2[id], article h3[id]")]
    assert toc == headings  # one entry per heading, the page's list of updates included
    assert "Updates to this page" in toc


def test_the_line_comes_before_the_section_feedback_link(crafted: dict[str, str]) -> None:
    html = page(Path(crafted["root"]), "phase1-vision/")
    heading = html.select_one("h2#untouched")
    after = heading.find_next_siblings(limit=2)
    assert [tag.get("class") for tag in after] == [["tp-provenance"], ["tp-section-feedback"]]


def test_a_preview_says_which_sections_have_uncommitted_edits(crafted: dict[str, str], tmp_path: Path) -> None:
    root = tmp_path / "copy"
    GitRepo(tmp_path).git("clone", "-q", crafted["root"], str(root))
    (root / "mkdocs.yml").write_text((Path(crafted["root"]) / "mkdocs.yml").read_text(encoding="utf-8"))
    path = root / VISION
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("We keep data safe.", "We keep data safe, always.")
        .replace("## Untouched", "## Brand new\n\nNot committed.\n\n## Untouched"),
        encoding="utf-8",
    )
    result = build(root)
    assert result.returncode == 0, result.stderr
    lines = lines_by_heading(root)
    uncommitted = "This section has edits that are not committed yet: they are not published."
    assert lines["safety"] == (uncommitted, [])
    assert lines["principles"] == (uncommitted, [])  # the section holding it reads differently too
    assert lines["brand-new"] == (uncommitted, [])
    assert lines["openness"][0].startswith("Section last changed on 2 March 2021")
    assert lines["untouched"] == ("Unchanged since first published on 4 January 2021 .", [])
    sections = json.loads((root / "site" / "provenance.json").read_text(encoding="utf-8"))["pages"][VISION[5:]]
    assert [s["heading"] for s in sections["sections"] if s["unpublished"]] == ["Principles", "Safety", "Brand new"]


# --------------------------------------------------------------------------------------------
# Random histories, checked against plain git.
# --------------------------------------------------------------------------------------------

NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo", "Lima"]
"""Section names: no two alike enough to be taken for one renamed (difflib's ratio stays under 0.77)."""
PAGE = "plan/page.md"
STEPS = ["edit", "edit", "space", "rename", "move", "add", "delete", "intro"]


@dataclass
class Drawn:
    """A section as the generator knows it: who it is, whatever its heading says."""

    ident: int
    heading: str
    lines: list[str]


@dataclass
class Writer:
    """Writes a page's history into a repository and remembers which section is which at each commit."""

    repo: GitRepo
    sections: list[Drawn] = field(default_factory=list)
    intro: str = "Intro 0."
    count: int = 0
    day: int = 0
    ids: dict[str, list[int]] = field(default_factory=dict)
    """The sections, in page order, at each commit."""
    steps: list[str] = field(default_factory=list)
    ever: list[Drawn] = field(default_factory=list)
    """Every section ever written: a deleted section's name is never used again."""

    def token(self, ident: int) -> str:
        self.count += 1
        return f"{NAMES[ident].lower()}{self.count}"

    def new_section(self) -> Drawn:
        ident = len(self.ever)
        lines = [" ".join(self.token(ident) for _ in range(3)) for _ in range(3)]
        section = Drawn(ident, NAMES[ident], lines)
        self.ever.append(section)
        return section

    def text(self) -> str:
        parts = [f"# Page\n\n{self.intro}\n"]
        parts += [f"\n## {s.heading}\n\n" + "\n".join(s.lines) + "\n" for s in self.sections]
        return "".join(parts)

    def commit(self, what: str, note: str | None) -> str:
        self.repo.write(PAGE, self.text())
        self.day += 1
        sha = self.repo.commit(what, note, f"2021-{1 + self.day // 28:02d}-{1 + self.day % 28:02d}T09:00:00+00:00")
        self.ids[sha] = [s.ident for s in self.sections]
        self.steps.append(f"{what} note={note!r}")
        return sha

    def step(self, data: st.DataObject, touched: set[int], changes: set[str]) -> str:
        """One change to the page; sections already touched in this publication are left alone."""
        free = [s for s in self.sections if s.ident not in touched]
        kind = data.draw(st.sampled_from(STEPS), label="kind")
        if kind == "add" and ("delete" in changes or len(self.ever) == len(NAMES)):
            kind = "intro"
        if kind == "delete" and ("add" in changes or len(self.sections) < 2):
            kind = "intro"
        if kind in ("edit", "space", "rename", "move", "delete") and not free:
            kind = "intro"
        if kind == "intro":
            self.intro = f"Intro {self.count}."
            self.count += 1
            return "intro"
        if kind == "add":
            section = self.new_section()
            self.sections.insert(data.draw(st.integers(0, len(self.sections)), label="at"), section)
            touched.add(section.ident)
            changes.add("add")
            return f"add {section.heading}"
        section = data.draw(st.sampled_from(free), label="section")
        touched.add(section.ident)
        changes.add(kind)
        if kind == "edit":
            line = data.draw(st.integers(0, 2), label="line")
            section.lines[line] = " ".join(self.token(section.ident) for _ in range(3))
        elif kind == "space":  # the same words, spaced and wrapped otherwise
            section.lines = [section.lines[0].replace(" ", "  ", 1), *section.lines[1:]]
        elif kind == "rename":
            name = NAMES[section.ident]
            section.heading = f"{name} plans" if section.heading == name else name
        elif kind == "move":
            self.sections.remove(section)
            self.sections.insert(data.draw(st.integers(0, len(self.sections)), label="to"), section)
        elif kind == "delete":
            self.sections.remove(section)
        return f"{kind} {section.heading}"


def write_page_history(data: st.DataObject, root: Path) -> Writer:
    """A page's random history: commits on main and pull requests merged with a merge commit."""
    writer = Writer(GitRepo(root))
    writer.sections = [writer.new_section() for _ in range(data.draw(st.integers(1, 4), label="sections"))]
    writer.commit("start", data.draw(st.sampled_from([None, "First publication."]), label="first note"))
    notes = st.none() | st.sampled_from(["A change.", "Another change.", "Why it changed."])
    for number in range(data.draw(st.integers(1, 7), label="publications")):
        touched: set[int] = set()
        changes: set[str] = set()
        if data.draw(st.booleans(), label="pull request"):
            branch = f"pr{number}"
            writer.repo.git("switch", "-q", "-c", branch)
            for _ in range(data.draw(st.integers(1, 2), label="branch commits")):
                what = ", ".join(writer.step(data, touched, changes) for _ in range(data.draw(st.integers(1, 2))))
                writer.commit(f"{branch}: {what}", data.draw(notes, label="note"))
            ids = [s.ident for s in writer.sections]
            writer.repo.git("switch", "-q", "main")
            writer.day += 1
            date = f"2021-{1 + writer.day // 28:02d}-{1 + writer.day % 28:02d}T09:00:00+00:00"
            note = data.draw(notes, label="merge note")
            sha = writer.repo.merge(branch, f"Merge {branch}", note, date)
            writer.ids[sha] = ids
            writer.steps.append(f"merge {branch} note={note!r}")
        else:
            what = ", ".join(writer.step(data, touched, changes) for _ in range(data.draw(st.integers(1, 2))))
            writer.commit(what, data.draw(notes, label="note"))
    return writer


def split_by_hand(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The page's `## ` sections as (heading words, body words): all the generator writes."""
    parts = text.split("\n## ")[1:]
    return [(" ".join(part.split("\n", 1)[0].split()), tuple(part.split("\n", 1)[1].split())) for part in parts]


def expected_provenance(writer: Writer) -> list[dict[str, object]]:
    """Each section's provenance worked out from git: first-parent commits, their notes, the page at each."""
    repo = writer.repo
    commits = repo.git("log", "--first-parent", "--reverse", "--format=%H", "--", PAGE).split()
    state: dict[int, dict[str, object]] = {}
    before: tuple[str, dict[int, tuple[str, tuple[str, ...]]]] | None = None
    for position, commit in enumerate(commits):
        text = repo.git("show", f"{commit}:{PAGE}")
        date = repo.git("log", "-1", "--format=%cI", commit).strip()
        notes = git_notes(repo, commit)
        parents = repo.git("rev-list", "--parents", "-n", "1", commit).split()[1:]
        merged = repo.git("rev-list", "--reverse", "--topo-order", f"{parents[0]}..{commit}").split() if parents else []
        for side in merged[:-1]:
            if repo.git("diff-tree", "--no-commit-id", "-r", "--name-only", side, "--", PAGE).strip():
                # A merged commit that changed the page (a move to where a section already was changes nothing).
                notes += [n for n in git_notes(repo, side) if n not in notes]
        found = split_by_hand(text)
        assert len(found) == len(writer.ids[commit])
        sections = dict(zip(writer.ids[commit], found, strict=True))
        major = bool(notes) and (before is None or before[0].split() != text.split())
        stamp = {"commit": commit, "date": date, "note": "\n\n".join(notes) if notes else None}
        for ident, content in sections.items():
            if before is None or ident not in before[1]:
                state[ident] = {"added": commit, "with_page": position == 0, "last": None, "minor": False}
                if major and position > 0:
                    state[ident]["last"] = stamp
            elif before[1][ident] != content:
                state[ident]["last"] = stamp if major else state[ident]["last"]
                state[ident]["minor"] = not major
        before = (text, sections)
    assert before is not None
    return [{"heading": before[1][i][0], **state[i]} for i in writer.ids[commits[-1]]]


def git_notes(repo: GitRepo, commit: str) -> list[str]:
    """The commit's Change-note trailers as git itself reads them, each once."""
    output = repo.git("log", "-1", "--format=%(trailers:key=Change-note,valueonly,unfold,separator=%x00)", commit)
    return list(dict.fromkeys(v for v in output.rstrip("\n").split("\0") if v))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_section_provenance_follows_git_on_any_history(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        writer = write_page_history(data, Path(folder))
        repo = Repository(Path(folder))
        try:
            history = read_history(repo, repo_state(repo, "plan/"), [PAGE])
            files = {path.removeprefix("plan/"): events for path, events in history.files.items()}
            found = read_provenance(PastReader(repo.blobs), files, ["page.md"], DiskCache(None))
        finally:
            repo.close()
        expected = expected_provenance(writer)
    got = [
        {
            "heading": s.section.heading,
            "added": s.added.commit,
            "with_page": s.with_page,
            "last": {"commit": s.changed.commit, "date": s.changed.date.isoformat(), "note": s.changed.note}
            if s.changed
            else None,
            "minor": s.minor_edits,
        }
        for s in found["page.md"].sections
    ]
    assert got == expected, "\n".join(writer.steps)


# --------------------------------------------------------------------------------------------
# The demo: four years of history.
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_pages_carry_what_provenance_json_says(demo_built: Demo) -> None:
    root = demo_built.root
    data = json.loads((root / "site" / "provenance.json").read_text(encoding="utf-8"))
    assert data["commit"] == demo_built.summary.head
    links = 0
    for source, entry in data["pages"].items():
        url = (
            ""
            if source == "index.md"
            else source.removesuffix(".md").removesuffix("index") + ("" if source.endswith("index.md") else "/")
        )
        html = page(root, url)
        lines = html.select("article .tp-provenance")
        assert len(lines) == len(entry["sections"]), source
        for line, section in zip(lines, entry["sections"], strict=True):
            heading = line.find_previous_sibling(["h2", "h3"])
            assert heading.name == f"h{section['level']}" and heading["id"] == section["id"], source
            assert text_of(heading).removesuffix(" ¶") == section["heading"]
            change = section["last_change"]
            day = date.fromisoformat((change or section["added"])["date"][:10])
            assert text_of(line.find("time")) == format_date(day)
            for link in line.select("a[href*='revisions/']"):
                target, _, anchor = link["href"].partition("#")
                target_path = (root / "site" / url / target).resolve()
                built = target_path / "index.html" if target.endswith("/") else target_path
                assert built.is_file(), link["href"]
                assert not anchor or BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser").find(id=anchor)
                links += 1
    assert links > 50


@pytest.mark.slow
def test_the_plain_english_review_is_why_the_mission_reads_as_it_does(demo_built: Demo) -> None:
    """Worked out by hand from demo/story.yml: pull request 3 changed the mission and one value, not the others."""
    root = demo_built.root
    merge = demo_built.git("log", "--first-parent", "--format=%H", "--grep=Plain English review of the vision").split()
    assert len(merge) == 1
    tags = demo_built.git("tag", "--contains", merge[0], "--sort=taggerdate").split()
    sections = json.loads((root / "site" / "provenance.json").read_text(encoding="utf-8"))["pages"][
        "phase1-vision/mission-and-values.md"
    ]["sections"]
    by_heading = {s["heading"]: s for s in sections}
    review = {
        "commit": merge[0],
        "date": "2020-07-23T11:00:00+01:00",
        "note": "Made the vision easier to read, after a plain English review.",
        "revision": tags[0],
    }
    for changed in ("Our mission", "Our values", "Designed around people"):
        assert by_heading[changed]["last_change"] == review, changed
    for unchanged in ("Inclusive by default", "Open and transparent", "Safe and secure"):
        assert by_heading[unchanged]["last_change"] is None and by_heading[unchanged]["with_page"], unchanged
    line = page(root, "phase1-vision/mission-and-values/").find(id="our-mission").find_next_sibling()
    assert text_of(line.summary) == "Section last changed on 23 July 2020 : Our mission"
    assert line.find("a")["href"] == f"../../revisions/{tags[0]}/changes/#page--phase1-vision-mission-and-values"


def test_a_shallow_clone_says_how_far_back_it_can_see(crafted: dict[str, str], tmp_path: Path) -> None:
    root = tmp_path / "shallow"
    GitRepo(tmp_path).git("clone", "-q", "--depth", "3", f"file://{crafted['root']}", str(root))
    (root / "mkdocs.yml").write_text((Path(crafted["root"]) / "mkdocs.yml").read_text(encoding="utf-8"))
    result = build(root, TECHPLAN_HISTORY="partial")
    assert result.returncode == 0, result.stderr
    # J, G and I are in the clone; I is where it was cut, so G is the first change it can see.
    lines = lines_by_heading(root)
    assert lines["untouched"] == (
        "Unchanged since at least 5 April 2021 (earlier history is not in this build).",
        [],
    )
    data = json.loads((root / "site" / "provenance.json").read_text(encoding="utf-8"))
    assert data["shallow"] is True
    assert data["pages"][VISION[5:]]["first_published"]["commit"] == crafted["G"]


def test_a_build_without_history_has_no_lines_and_no_provenance_json(tmp_path: Path) -> None:
    write_site(tmp_path, {**MINI_PLAN, VISION: FIRST_PAGE})
    result = build(tmp_path, TECHPLAN_HISTORY="off")
    assert result.returncode == 0, result.stderr
    assert not page(tmp_path, "phase1-vision/").select(".tp-provenance")
    assert page(tmp_path, "phase1-vision/").select("h2#why-we-plan")
    assert not (tmp_path / "site" / "provenance.json").exists()


@pytest.mark.parametrize("aside", [False, True], ids=["here", "in a process of its own"])
def test_a_version_missing_from_the_repository_is_noted_and_followed_around(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aside: bool
) -> None:
    """A partial clone, or a lost object: the version is skipped, never a failure; read aside, the same."""
    if aside and jobs_available() < 2:
        pytest.skip("one core (or TECHPLAN_JOBS=1): the provenance is never read aside")
    monkeypatch.setattr(views, "PROVENANCE_ASIDE_FROM", 1 if aside else 10**9)
    repo = GitRepo(tmp_path)
    repo.write(PAGE, "# Page\n\n## X\n\nOne.\n\n## Y\n\nTwo.\n")
    repo.commit("start", "Started.", "2021-01-04T09:00:00+00:00")
    repo.replace(PAGE, "One.", "One, edited.")
    lost = repo.commit("edit x", "Edited X.", "2021-01-05T09:00:00+00:00")
    repo.replace(PAGE, "Two.", "Two, edited.")
    last = repo.commit("edit y", "Edited Y.", "2021-01-06T09:00:00+00:00")
    blob = repo.git("rev-parse", f"{lost}:{PAGE}").strip()
    (tmp_path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # a fresh repository keeps loose objects
    repository = Repository(tmp_path)
    try:
        history = read_history(repository, repo_state(repository, "plan/"), [PAGE])
        past = PastReader(repository.blobs)
        files = {path.removeprefix("plan/"): events for path, events in history.files.items()}
        reader = ProvenanceReader(files, ["page.md"], DiskCache(None))
        found = views.read_provenance_aside(reader, past)()
    finally:
        repository.close()
    # Read aside, this process's reader has followed nothing: another did, and said what it could not read.
    assert reader.versions_to_read == (3 if aside else 0)
    assert [n.render() for n in past.notes] == [
        f"commit {lost[:7]}: {PAGE}: this version of the page is not in the repository; its sections' history is "
        "followed from the versions around it"
    ]
    # X's edit is seen where the next version shows it.
    assert [(s.section.heading, s.changed.commit if s.changed else None) for s in found["page.md"].sections] == [
        ("X", last),
        ("Y", last),
    ]


def test_pages_read_a_batch_at_a_time_give_what_one_read_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past versions are read a few pages at a time, so a long history is never in memory at once: same answers."""
    repo = GitRepo(tmp_path)
    pages = [f"page{n}.md" for n in range(5)]
    for version in range(4):
        for n, name in enumerate(pages):
            if (n + version) % 3:  # each page changes in some commits, not all
                repo.write(f"plan/{name}", f"# Page {n}\n\n## Aims\n\nAim {version}.\n\n## Plan {n}\n\nStep {n}.\n")
        repo.commit(
            f"Version {version}",
            f"Version {version}." if version % 2 else None,
            f"2021-0{version + 1}-01T09:00:00+00:00",
        )
    git = Repository(tmp_path)
    calls: list[int] = []

    def fetch(shas: list[str]) -> dict[str, bytes]:
        calls.append(len(shas))
        return git.blobs(shas)

    def provenance() -> dict[str, object]:
        history = read_history(git, repo_state(git, "plan/"), [f"plan/{name}" for name in pages])
        files = {path.removeprefix("plan/"): events for path, events in history.files.items()}
        return {p: v.sections for p, v in read_provenance(PastReader(fetch), files, pages, DiskCache(None)).items()}

    try:
        whole = provenance()
        assert calls == [sum(calls)]  # one read
        calls.clear()
        monkeypatch.setattr(PastReader, "BATCH", 2)
        monkeypatch.setattr(cache, "_MEMORY", {})  # nothing split before
        assert provenance() == whole
    finally:
        git.close()
    assert len(calls) == len(pages) and sum(calls) > len(pages)  # a page's versions at a time, each read once
    assert sorted(whole) == pages


def test_after_a_commit_only_the_new_version_of_a_changed_page_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's versions' sections are kept together: the next build reads from git only what is new."""
    repo = GitRepo(tmp_path / "repo")
    for version in range(3):
        for name in ("a.md", "b.md"):
            repo.write(f"plan/{name}", f"# {name}\n\n## Aims\n\nAim {version}.\n\n## Steps\n\nStep {version}.\n")
        repo.commit(f"Version {version}", f"Version {version}.", f"2021-0{version + 1}-01T09:00:00+00:00")
    git = Repository(repo.root)
    read: list[str] = []

    def fetch(shas: list[str]) -> dict[str, bytes]:
        read.extend(shas)
        return git.blobs(shas)

    def provenance(kept: DiskCache) -> dict[str, object]:
        history = read_history(git, repo_state(git, "plan/"), ["plan/a.md", "plan/b.md"])
        files = {path.removeprefix("plan/"): events for path, events in history.files.items()}
        found = read_provenance(PastReader(fetch), files, ["a.md", "b.md"], kept)
        return {page: found[page].sections for page in found}

    try:
        kept = DiskCache(tmp_path / "cache")
        provenance(kept)
        assert len(read) == 6  # three versions of each page
        repo.replace("plan/a.md", "Step 2.", "Step 3, sooner.")
        repo.commit("Sooner", "Sooner.", "2021-04-01T09:00:00+00:00")
        read.clear()
        monkeypatch.setattr(cache, "_MEMORY", {})  # as the next build: from the disk
        after = provenance(kept)
        assert read == [repo.git("rev-parse", "HEAD:plan/a.md").strip()]
        monkeypatch.setattr(cache, "_MEMORY", {})
        assert after == provenance(DiskCache(None))  # what nothing kept gives
        assert len(read) == 1 + 7  # read whole then: four versions of a.md, three of b.md
    finally:
        git.close()
