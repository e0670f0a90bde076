"""The compare page's script: its Node tests, and its result on a real site against the site's own changes pages.

The script (techplan/theme/assets/javascripts/techplan-compare.js) redlines two revisions from
what the build publishes (revisions/index.json, each page version's blocks, each revision's
compare.json). For two adjacent revisions its result must be the revision's changes page, mark
for mark; for any two, its data changes must be what `techplan diff` says. tests/test_redline.py
holds the algorithm itself to the Python one on golden and random cases.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup, Tag
from gitrepo import GitRepo
from plansite import MINI_PLAN, build, page, techplan, text_of, write_site

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "techplan" / "theme" / "assets" / "javascripts" / "techplan-compare.js"
NODE_TESTS = sorted((REPO / "tests" / "js").glob("*.test.js"))
INDEX1 = "plan/phase1-vision/index.md"
NOTES = "plan/phase1-vision/notes.md"
M1 = "plan/phase1-vision/milestones.yml"
PHASE2 = "plan/phase2-measures/phase.yml"
MEASURES = "plan/phase2-measures/measures.yml"


def _node() -> str:
    """The path to node, or skip the test saying why (fail instead where CI sets TECHPLAN_REQUIRE_BROWSER)."""
    node = shutil.which("node")
    if node is None:
        missing = "node not installed: the compare page's script cannot be tested without Node.js"
        if os.environ.get("TECHPLAN_REQUIRE_BROWSER"):
            pytest.fail(f"{missing} (TECHPLAN_REQUIRE_BROWSER is set, so this is a failure, not a skip)")
        pytest.skip(missing)
    return node


def test_node_tests_pass() -> None:
    """tests/js/*.test.js: the shared golden cases, the sequence diff, what is fetched, and the markup, in Node."""
    node = _node()
    assert len(NODE_TESTS) >= 2
    done = subprocess.run(
        [node, "--test", *map(str, NODE_TESTS)], capture_output=True, text=True, timeout=300, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


NOTES_V1 = """\
# Notes on the vision

Every trust has an electronic patient record by 2024.

Staff will have the tools they need.

- Open by default
- Patients first

## Funding

We will spend £2m on local digital teams.
"""


def _tag(repo: GitRepo, name: str, message: str, date: str) -> None:
    repo.git("tag", "-a", name, "-m", message, date=date)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four revisions: prose reworded, blocks added, removed and moved, a page added and one removed, data changed."""
    root = tmp_path_factory.mktemp("compare")
    repo = GitRepo(root)
    write_site(root, {**MINI_PLAN, NOTES: NOTES_V1}, commit=False)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    _tag(repo, "v1", "First publication", "2021-01-04T10:00:00+00:00")
    repo.replace(NOTES, "Every trust has", "Every trust, and every GP practice, has")
    repo.replace(
        NOTES,
        "Staff will have the tools",
        "A new paragraph about funding for local teams.\n\nStaff will have the digital tools",
    )
    repo.replace(NOTES, "- Patients first\n", "- Patients first\n- Data shared safely\n")
    repo.replace(NOTES, "spend £2m on local digital teams", "invest £5m in regional data teams")
    repo.replace(INDEX1, "We start with", "First, we start with")
    repo.replace(M1, "due: 2021-06-30", "due: 2021-09-30")
    repo.replace(PHASE2, "status: draft", "status: consultation")
    repo.commit("Reword the notes", "Reworded the vision notes.", "2021-02-01T09:00:00+00:00")
    _tag(repo, "v2", "Spring update", "2021-02-02T10:00:00+00:00")
    repo.replace(NOTES, "## Funding", "### Funding")
    repo.replace(NOTES, "- Open by default\n", "")
    repo.write("plan/phase2-measures/method.md", "# Method\n\nHow we `<measure>` & count “things”.\n")
    repo.replace(MEASURES, "      - {date: 2021-03-31, value: 65}", "      - {date: 2021-03-31, value: 66.5}")
    repo.commit("Method page", "Added the method.", "2021-03-01T09:00:00+00:00")
    _tag(repo, "v3", "Method", "2021-03-02T10:00:00+00:00")
    repo.git("rm", "-q", NOTES)
    repo.replace(M1, "status: in-progress", "status: done")
    repo.replace("plan/phase2-measures/method.md", "How we", "How we now")
    repo.commit("Drop the notes", "Dropped the notes.", "2021-04-01T09:00:00+00:00")
    _tag(repo, "v4", "Notes dropped", "2021-04-02T10:00:00+00:00")
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


def _compare(root: Path, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The compare page's result for each pair of revisions, computed by its script from the built site's files."""
    program = """
    const fs = require("node:fs");
    const path = require("node:path");
    const [script, site, pairs] = process.argv.slice(1);
    const compare = require(script);
    const source = compare.siteReader(async (url) => JSON.parse(fs.readFileSync(path.join(site, url), "utf8")));
    (async () => {
      const results = [];
      for (const [from, to] of JSON.parse(pairs)) {
        const result = await compare.compareRevisions(source, from, to);
        const pages = result.pages.map((p) => ({ ...p, html: p.segments.map((s) => compare.partsHtml(s.parts)) }));
        results.push({ dataChanges: result.dataChanges, pages, html: compare.comparisonHtml(result, (url) => url) });
      }
      console.log(JSON.stringify(results));
    })().catch((error) => { console.error(error); process.exit(1); });
    """
    done = subprocess.run(
        [_node(), "-e", program, str(SCRIPT), str(root / "site"), json.dumps(pairs)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _blocks(section: Tag) -> list[tuple[str, str, str]]:
    """A redline section's blocks in order: element, classes, and content as parsed."""
    return [(b.name, " ".join(b["class"]), b.decode_contents()) for b in section.select(".tp-block")]


@pytest.mark.parametrize("name", ["v2", "v3", "v4"])
def test_compare_page_marks_what_the_changes_page_marks(site: Path, name: str) -> None:
    """Adjacent revisions: the same data changes, pages, blocks and marks as revisions/<tag>/changes/."""
    index = json.loads((site / "site/revisions/index.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in index["revisions"]]
    previous = names[names.index(name) - 1]
    [result] = _compare(site, [(previous, name)])
    raw = (site / f"site/revisions/{name}/changes/index.html").read_text(encoding="utf-8")
    changes_page = BeautifulSoup(raw, "html.parser")
    shown = BeautifulSoup(result["html"], "html.parser")

    # The same items; each id links to the same record page, relative to the page it is on.
    assert [_resolved(li, "compare-revisions/") for li in shown.select(".tp-data-changes li")] == [
        _resolved(li, f"revisions/{name}/changes/") for li in changes_page.select(".tp-data-changes li")
    ]
    sections = changes_page.select(".tp-redline")
    assert [text_of(s.h3) for s in shown.select(".tp-redline")] == [text_of(s.h3) for s in sections]
    assert len(sections) > 0
    for ours, theirs in zip(shown.select(".tp-redline"), sections, strict=True):
        assert _blocks(ours) == _blocks(theirs)
    for compared in result["pages"]:
        for segment_html in compared["html"]:
            assert segment_html in raw, "the markup is byte for byte the changes page's"


def _resolved(item: object, base: str) -> str:
    """A list item's markup with each link made absolute from the page it is on."""
    copy = BeautifulSoup(str(item), "html.parser").li
    for a in copy.select("a[href]"):
        a["href"] = urljoin("https://site.example/" + base, a["href"])
    return copy.decode_contents()


def _words(item: str) -> str:
    """A data change as datadiff words it: the titles shown beside linked ids left out, the markup dropped."""
    soup = BeautifulSoup(item, "html.parser")
    for title in soup.select(".tp-record-ref__title"):
        title.decompose()
    return " ".join(html.unescape(soup.get_text()).split())


def test_the_site_changes_are_the_ones_worked_out_by_hand(site: Path) -> None:
    """The fixture's edits, as the compare page shows them (so the test above compares something real)."""
    v1_v2, v2_v3, v3_v4 = _compare(site, [("v1", "v2"), ("v2", "v3"), ("v3", "v4")])
    assert [_words(c) for c in v1_v2["dataChanges"]] == [
        "M1.2 due date moved from 30 June 2021 to 30 September 2021: 3 months later.",
        "Phase 2: Measures status changed from draft to out for consultation.",
    ]
    notes = next(p for p in v1_v2["pages"] if p["page"] == "phase1-vision/notes.md")
    changed = [s["parts"] for s in notes["segments"] if s["status"] != "equal"]
    assert [
        ["=", "Every trust"],
        ["+", ", and every GP practice,"],
        ["=", " has an electronic patient record by 2024."],
    ] in changed
    assert [["+", "A new paragraph about funding for local teams."]] in changed
    assert [["=", "Staff will have the "], ["+", "digital "], ["=", "tools they need."]] in changed
    # "We will spend £2m on local digital teams." and "We will invest £5m in regional data teams." share
    # 5 of their 10 words and marks each (We, will, £, teams, the full stop): exactly half, not more, so
    # the paragraph is shown removed and added rather than changed.
    assert [["-", "We will spend £2m on local digital teams."]] in changed
    assert [["+", "We will invest £5m in regional data teams."]] in changed
    notes = next(p for p in v2_v3["pages"] if p["page"] == "phase1-vision/notes.md")
    assert [(s["kind"], s["status"]) for s in notes["segments"] if s["status"] != "equal"] == [
        ("li", "deleted"),
        ("h2", "deleted"),
        ("h3", "inserted"),
    ]
    method = next(p for p in v2_v3["pages"] if p["page"] == "phase2-measures/method.md")
    assert method["status"] == "new"
    assert "How we &lt;measure&gt; &amp; count “things”." in v2_v3["html"]
    assert [p["status"] for p in v3_v4["pages"] if p["page"] == "phase1-vision/notes.md"] == ["removed"]


def test_any_two_revisions_have_the_data_changes_techplan_diff_words(site: Path) -> None:
    """Every pair, either way round: the compare page lists datadiff's changes, in its order and words."""
    names = ["v1", "v2", "v3", "v4"]
    pairs = [(old, new) for old in names for new in names if old != new]
    for (old, new), result in zip(pairs, _compare(site, pairs), strict=True):
        diff = techplan(site, "diff", old, new, "--format", "json")
        assert diff.returncode == 0, diff.stderr
        expected = [change["text"] for change in json.loads(diff.stdout)["data"]]
        assert expected, f"{old} to {new} changes some data"
        shown = [_words(c) for c in result["dataChanges"]]
        assert shown == expected, (old, new)


def test_what_the_compare_page_reads_is_published_and_small(site: Path) -> None:
    """Blocks beside every page version, one compare.json per revision naming every other, and nothing to parse."""
    root = site / "site"
    index = json.loads((root / "revisions/index.json").read_text(encoding="utf-8"))
    for version in index["versions"]:
        assert version["blocks"] == version["url"].removesuffix(".html") + ".blocks.json"
        blocks = json.loads((root / version["blocks"]).read_text(encoding="utf-8"))["blocks"]
        assert blocks and all(len(block) == 2 for block in blocks)
    names = [r["name"] for r in index["revisions"]]
    for revision in index["revisions"]:
        data = json.loads((root / revision["changes"]).read_text(encoding="utf-8"))
        assert data["revision"] == revision["name"]
        assert sorted(data["to"]) == sorted(n for n in names if n != revision["name"])
        assert all(0 <= n < len(data["changes"]) for numbers in data["to"].values() for n in numbers)
        assert len(set(data["changes"])) == len(data["changes"]), "each change is listed once"
    v1 = json.loads((root / "revisions/v1/pages/phase1-vision/notes.blocks.json").read_text(encoding="utf-8"))
    assert v1["blocks"][:3] == [
        ["h1", "Notes on the vision"],
        ["p", "Every trust has an electronic patient record by 2024."],
        ["p", "Staff will have the tools they need."],
    ]
    assert index["revisions"][0]["published"] == "4 January 2021"
    # The script no longer reads pages or data snapshots: only these files.
    script = SCRIPT.read_text(encoding="utf-8")
    assert "DOMParser" not in script and "data.json" not in script


def test_compare_page_lists_each_redline_without_scripts(site: Path) -> None:
    widget = page(site, "compare-revisions/").select_one("[data-tp-compare]")
    assert widget is not None
    assert [a["href"] for a in widget.select(".tp-compare__fallback a")] == [
        f"../revisions/{name}/changes/" for name in ("v2", "v3", "v4")
    ]
    assert widget.select_one("form")["hidden"] is not None


def test_a_new_revision_updates_what_the_compare_page_reads_as_a_clean_build_would(site: Path, tmp_path: Path) -> None:
    """A tag added after a build: every compare.json gains it from cached comparisons, as a build without a cache."""
    root = tmp_path / "repo"
    shutil.copytree(site, root, symlinks=True)
    repo = GitRepo.__new__(GitRepo)
    repo.root = root
    repo.replace(M1, "owner: Plan team", "owner: Board")
    repo.commit("New owner", "M1.2 has a new owner.", "2021-05-01T09:00:00+00:00")
    _tag(repo, "v5", "New owner", "2021-05-02T10:00:00+00:00")
    warm = build(root)
    assert warm.returncode == 0, warm.stderr
    shutil.move(root / "site", tmp_path / "warm")
    cold = build(root, TECHPLAN_CACHE="off")
    assert cold.returncode == 0, cold.stderr
    revisions = sorted(p.relative_to(root / "site") for p in (root / "site" / "revisions").rglob("*.json"))
    assert [p for p in revisions if p.name == "compare.json"] == [
        Path(f"revisions/v{n}/compare.json") for n in range(1, 6)
    ]
    for path in revisions:
        assert (tmp_path / "warm" / path).read_bytes() == (root / "site" / path).read_bytes(), path
    v1 = json.loads((root / "site/revisions/v1/compare.json").read_text(encoding="utf-8"))
    assert "M1.2 owner changed from Plan team to Board." in [_words(v1["changes"][n]) for n in v1["to"]["v5"]]
