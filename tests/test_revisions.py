"""Plan revisions on a real repository with tags: the list, point-in-time pages, redlines, slippage, diffs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from gitrepo import GitRepo
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from plansite import build, page, site_differences, techplan, text_of, write_site

from techplan import cache as techplan_cache
from techplan.cli import main
from techplan.compare import diff
from techplan.jobs import jobs_available
from techplan.packs import read_packs
from techplan.site import archive, forked

M1 = "plan/phase1-vision/milestones.yml"
INDEX1 = "plan/phase1-vision/index.md"


def tag(repo: GitRepo, name: str, message: str, date: str) -> None:
    repo.git("tag", "-a", name, "-m", message, date=date)


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Three revisions: the first publication; a reworded page, a slipped milestone and an actual; a quiet slip
    (and a phrase added to a sentence)."""
    root = tmp_path_factory.mktemp("revised")
    repo = GitRepo(root)
    write_site(root, commit=False)
    shas = {"c1": repo.commit("Publish", "First publication.", "2020-07-01T09:00:00+01:00")}
    tag(repo, "v1", "Vision published\n\nThe first phase of the plan, for consultation.", "2020-07-01T10:00:00+01:00")
    repo.replace(INDEX1, "We start with", "The vision comes first. We start with")
    repo.replace(M1, "due: 2021-06-30", "due: 2021-09-30")
    shas["c2"] = repo.commit("Move M1.2", "Moved M1.2 to September 2021.", "2020-09-01T09:00:00+01:00")
    repo.replace(
        "plan/phase2-measures/measures.yml",
        "      - {date: 2021-03-31, value: 65}",
        "      - {date: 2021-03-31, value: 65}\n      - {date: 2022-09-30, value: 85}",
    )
    shas["c3"] = repo.commit("Add actual", "Added the September 2022 actual.", "2020-10-01T09:00:00+01:00")
    tag(repo, "v2", "Autumn update\n\nM1.2 moved; a new actual.", "2020-10-02T10:00:00+01:00")
    repo.replace(M1, "status: in-progress", "status: done")
    repo.replace(M1, "due: 2021-09-30", "due: 2021-12-31")
    repo.replace(INDEX1, "[[M1.1]] and then", "[[M1.1]], and every trust with it, and then")
    shas["c4"] = repo.commit("Quiet move", None, "2020-11-01T09:00:00+00:00")
    repo.git("tag", "not-a-revision")  # a lightweight tag: no title, no date, not a revision
    tag(repo, "v3", "Winter update\n\nM1.2 done.", "2020-11-02T10:00:00+00:00")
    result = build(root)
    assert result.returncode == 0, result.stderr
    shas["root"] = str(root)
    return shas


def root_of(revised: dict[str, str]) -> Path:
    return Path(revised["root"])


def test_revisions_page_lists_every_revision_newest_first(revised: dict[str, str]) -> None:
    html = page(root_of(revised), "revisions/")
    items = html.select(".tp-revision-list > li")
    assert [li["id"] for li in items] == ["revision-v3", "revision-v2", "revision-v1"]
    v2 = items[1]
    assert [text_of(p) for p in v2.find_all("p")][:3] == [
        "2 October 2020 : revision v2",
        "Autumn update",
        "M1.2 moved; a new actual.",
    ]
    # v2 changed the phase 1 page's words and its milestone table, the measures page's
    # measure, and the home page and roadmap which show milestones.
    assert text_of(v2.find_all("p")[3]) == (
        "Since revision v1: 4 pages changed or added; 1 milestone and 1 measure changed."
    )
    links = [a["href"] for a in v2.select("a")]
    assert links == ["v2/", "v2/changes/", "v2/data.json"]
    assert text_of(items[2].find_all("p")[3]) == "The first revision: 4 pages."


def test_point_in_time_page_shows_the_plan_as_it_stood(revised: dict[str, str]) -> None:
    root = root_of(revised)
    html = page(root, "revisions/v2/pages/phase1-vision/index.html")
    banner = text_of(html.select_one(".tp-revision-banner p"))
    assert banner == "Revision v2 of 2 October 2020 : Autumn update. This is the page as it stood then."
    assert html.select_one(".tp-revision-banner a")["href"] == "../../../../phase1-vision/"
    row = html.find(id="M1.2")
    assert [text_of(td) for td in row.find_all("td")][1:4] == ["Status: In progress", "Plan team", "30 September 2021"]
    assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    # The current site has M1.2 done and due 31 December 2021; v1 had it due 30 June 2021.
    v1 = page(root, "revisions/v1/pages/phase1-vision/index.html").find(id="M1.2")
    assert text_of(v1.find_all("td")[3]) == "30 June 2021"
    # References link to the milestone as the same revision had it.
    reference = html.select_one("article p a.tp-ref")
    assert (reference["href"], text_of(reference)) == ("#M1.1", "M1.1")


def test_unchanged_page_is_published_once_under_the_revision_that_introduced_it(revised: dict[str, str]) -> None:
    root = root_of(revised)
    assert (root / "site/revisions/v2/pages/phase2-measures/index.html").exists()
    assert not (root / "site/revisions/v3/pages/phase2-measures/index.html").exists()
    v3 = page(root, "revisions/v3/")
    links = {text_of(a): a["href"] for a in v3.select(".tp-archive-pages a")}
    assert links["Phase 2: Measures"] == "../v2/pages/phase2-measures/index.html"
    banner = text_of(page(root, "revisions/v2/pages/phase2-measures/index.html").select_one(".tp-revision-banner p"))
    # Still the page in the newest revision: said so in words that stay true when the next revision is tagged.
    assert banner.endswith("This is the page as it stood then; no later revision has changed it.")


def test_a_point_in_time_page_says_how_long_it_stood_in_words_a_new_revision_keeps_true(tmp_path: Path) -> None:
    """Unchanged in every revision since, or until one named, or changed by the next: a page changed back included."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path)
    tag(repo, "v1", "First", "2021-01-05T09:00:00+00:00")
    repo.replace(INDEX1, "We start with", "First, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    tag(repo, "v2", "Second", "2021-02-02T09:00:00+00:00")
    repo.replace(INDEX1, "First, we start with", "We start with")
    repo.commit("Reword back", "Put the vision back.", "2021-03-01T09:00:00+00:00")
    tag(repo, "v3", "Third", "2021-03-02T09:00:00+00:00")

    def banners() -> dict[str, str]:
        assert build(tmp_path).returncode == 0
        found = {}
        for path in sorted((tmp_path / "site/revisions").glob("v*/pages/**/*.html")):
            revision, _, name = path.relative_to(tmp_path / "site/revisions").as_posix().partition("/pages/")
            name = name.removesuffix(".html").removesuffix("index").strip("/") or "home"
            banner = page(tmp_path, path.relative_to(tmp_path / "site").as_posix()).select_one(".tp-revision-banner p")
            found[f"{revision}: {name}"] = text_of(banner).split(". ", 1)[1]
        return found

    still = "This is the page as it stood then; no later revision has changed it."
    assert banners() == {
        "v1: home": still,
        "v1: phase1-vision": "This is the page as it stood then.",  # v3 reads as v1 again, but v2 did not
        "v1: phase2-measures": still,
        "v1: roadmap": still,
        "v2: phase1-vision": "This is the page as it stood then.",
    }
    repo.replace("plan/roadmap.md", "# Roadmap", "# Roadmap of milestones")
    repo.commit("Retitle", "Retitled the roadmap.", "2021-04-01T09:00:00+00:00")
    tag(repo, "v4", "Fourth", "2021-04-02T09:00:00+00:00")
    after = banners()
    assert after["v1: roadmap"] == "This is the page as it stood then, unchanged until revision v3."
    assert after["v1: home"] == after["v1: phase2-measures"] == still
    assert after["v4: roadmap"] == "This is the page as it stood then."


def test_redline_marks_words_and_says_data_changes_in_plain_english(revised: dict[str, str]) -> None:
    html = page(root_of(revised), "revisions/v2/changes/")
    items = html.select(".tp-data-changes li")
    assert [text_of(li) for li in items] == [  # each id links to its own page, its title in words beside it
        "M1.2 (Agree the values) due date moved from 30 June 2021 to 30 September 2021: 3 months later.",
        "K1 (Trusts with an electronic patient record) actual added: 85% for September 2022.",
    ]
    assert [a["href"] for li in items for a in li.select("a.tp-record-ref")] == [
        "../../../milestones/M1.2/",
        "../../../measures/K1/",
    ]
    section = next(s for s in html.select(".tp-redline") if "Phase 1: Vision" in text_of(s.h3))
    changed = section.select(".tp-block--changed")
    paragraph = changed[0]
    assert paragraph.ins is not None
    assert text_of(paragraph.ins) == "[inserted: The vision comes first. ]"
    assert paragraph.ins.select_one(".tp-visually-hidden") is not None
    # Unchanged passages fold away; headings stay as landmarks.
    assert section.select("details.tp-unchanged")
    assert [text_of(h) for h in section.select("h4")][:1] == ["Phase 1: Vision"]


def test_revision_data_is_published_as_json(revised: dict[str, str]) -> None:
    data = json.loads((root_of(revised) / "site/revisions/v1/data.json").read_text())
    assert data["revision"] == {"name": "v1", "title": "Vision published", "date": "2020-07-01T10:00:00+01:00"}
    assert [(m["id"], m["due"], m["status"]) for m in data["milestones"]] == [
        ("M1.1", "2020-09-30", "done"),
        ("M1.2", "2021-06-30", "in-progress"),
        ("M2.1", "2021-03-31", "delayed"),
    ]
    # Actuals are published oldest first, whatever order the file lists them in.
    assert data["measures"][0]["actuals"] == [
        {"date": "2021-03-31", "value": 65.0},
        {"date": "2022-03-31", "value": 80.0},
    ]


def test_compare_index_maps_every_revision_to_its_page_versions(revised: dict[str, str]) -> None:
    index = json.loads((root_of(revised) / "site/revisions/index.json").read_text())
    assert [r["name"] for r in index["revisions"]] == ["v1", "v2", "v3"]
    measures = index["pages"].index("phase2-measures/index.md")
    versions = [index["versions"][row[measures]]["url"] for row in index["table"]]
    assert versions == [
        "revisions/v1/pages/phase2-measures/index.html",
        "revisions/v2/pages/phase2-measures/index.html",
        "revisions/v2/pages/phase2-measures/index.html",
    ]


def test_slippage_is_shown_at_the_milestone_and_on_the_roadmap(revised: dict[str, str]) -> None:
    root = root_of(revised)
    cell = page(root, "phase1-vision/").find(id="M1.2").find_all("td")[3]
    assert text_of(cell.summary) == "Moved 2 times; first due 30 June 2021"
    assert [text_of(li) for li in cell.select(".tp-slip__moves li")] == [
        "1 September 2020 : from 30 June 2021 to 30 September 2021, 3 months later. “Moved M1.2 to September 2021.”",
        "1 November 2020 : from 30 September 2021 to 31 December 2021, 3 months later. No change note was published.",
    ]
    roadmap = page(root, "roadmap/")
    table = roadmap.find(id="due-date-changes").find_next("table")
    assert [text_of(td) for td in table.tbody.tr.find_all(["th", "td"])][:4] == [
        "M1.2: Agree the values",
        "30 June 2021",
        "31 December 2021",
        "6 months later",
    ]
    assert len(roadmap.select(".tp-timeline svg .tp-slip-line")) == 2  # the key's sample and M1.2's row


def test_compare_page_offers_every_revision(revised: dict[str, str]) -> None:
    html = page(root_of(revised), "compare-revisions/")
    widget = html.select_one("[data-tp-compare]")
    assert widget["data-index"] == "../revisions/index.json"
    assert [o["value"] for o in widget.select("select[name=from] option")] == ["v1", "v2", "v3"]
    assert widget.select_one("select[name=from] option[selected]")["value"] == "v2"
    assert widget.select_one("select[name=to] option[selected]")["value"] == "v3"
    assert [a["href"] for a in widget.select(".tp-compare__fallback a")] == [
        "../revisions/v2/changes/",
        "../revisions/v3/changes/",
    ]


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_techplan_diff_between_two_revisions(revised: dict[str, str], fmt: str, golden) -> None:  # type: ignore[no-untyped-def]
    result = techplan(root_of(revised), "diff", "v1", "v3", "--format", fmt)
    assert result.returncode == 0, result.stderr
    # The repository's mkdocs.yml names this checkout's folders, so commit ids depend on where it
    # is: the golden files name commits by their part in the story instead.
    text = result.stdout
    for name in ("c1", "c2", "c3", "c4"):
        text = text.replace(revised[name], f"<{name}>").replace(revised[name][:7], f"<{name}>")
    golden(f"diff-v1-v3.{ {'markdown': 'md'}.get(fmt, fmt) }", text)


def test_techplan_diff_against_the_work_tree(revised: dict[str, str], tmp_path: Path) -> None:
    root = root_of(revised)
    repo = GitRepo.__new__(GitRepo)
    repo.root = root
    original = (root / M1).read_text()
    try:
        repo.replace(M1, "due: 2021-12-31", "due: 2022-01-31")
        repo.replace(INDEX1, "comes first.", "comes before everything.")
        result = techplan(root, "diff", "v3", "--format", "json")
    finally:
        (root / M1).write_text(original)
        (root / INDEX1).write_text((root / INDEX1).read_text().replace("comes before everything.", "comes first."))
    data = json.loads(result.stdout)
    assert data["head"] == {"revision": "the work tree", "commit": None}
    assert [c["text"] for c in data["data"]] == [
        "M1.2 due date moved from 31 December 2021 to 31 January 2022: 1 month later."
    ]
    assert data["warnings"] == [
        "M1.2 due date moved from 31 December 2021 to 31 January 2022: 1 month later, in uncommitted edits; "
        "commit it with a Change-note: trailer saying why"
    ]
    assert [p["page"] for p in data["pages"]] == ["phase1-vision/index.md"]
    blocks = data["pages"][0]["blocks"]
    assert [b["status"] for b in blocks] == ["changed"]
    assert "<del>" in blocks[0]["html"] and "before everything" in blocks[0]["html"]


def test_techplan_diff_names_an_unknown_revision(revised: dict[str, str]) -> None:
    result = techplan(root_of(revised), "diff", "v9")
    assert result.returncode == 2
    assert result.stderr == "techplan: 'v9' is not a commit, branch or tag in this repository\n"


def test_techplan_diff_reuses_page_text_but_follows_a_retitled_reference(tmp_path: Path) -> None:
    """Page text is cached between diffs; a reference's words come from the data, so its new title shows."""
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    repo.commit("Publish", "First publication.", "2020-07-01T09:00:00+01:00")
    tag(repo, "v1", "Vision published", "2020-07-01T10:00:00+01:00")
    repo.replace(M1, "title: Publish the vision", "title: Publish the vision for consultation")
    repo.replace(INDEX1, "We start with", "First we start with")
    repo.commit("Retitle M1.1", "M1.1 now says the vision is for consultation.", "2020-08-01T09:00:00+01:00")
    tag(repo, "v2", "Summer update", "2020-08-02T10:00:00+01:00")

    first = techplan(tmp_path, "diff", "v1", "v2", "--format", "json")
    again = techplan(tmp_path, "diff", "v1", "v2", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert again.stdout == first.stdout
    entries = list((tmp_path / ".cache" / "techplan").glob("*/diff-pages/*"))
    assert len(entries) == 1, "the page's two versions are cached in one entry"
    pages = json.loads(first.stdout)["pages"]
    assert [p["page"] for p in pages] == ["phase1-vision/index.md"]
    hidden = re.compile(r'<span class="tp-visually-hidden">[^<]*</span>')  # "[inserted: " for screen readers
    changed = [hidden.sub("", b["html"]) for b in pages[0]["blocks"] if b["status"] == "changed"]
    # "We" became "First we" (a capital W is another word); the space after it is unchanged.
    assert changed == [
        "<del>We</del><ins>First we</ins> start with M1.1: Publish the vision <ins>for consultation </ins>"
        "and then the second step."
    ]


def test_techplan_diff_of_many_pages_shares_the_work_among_cores_and_says_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past PARALLEL_FROM changed pages, forked workers compare them: the same answer, and their conversions kept."""
    if jobs_available() < 2:
        pytest.skip("one core (or TECHPLAN_JOBS=1): the comparison is never shared")
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    parallel_from = diff.PARALLEL_FROM
    count = parallel_from + 12
    for n in range(count):
        repo.write(f"plan/phase1-vision/part-{n:02}.md", f"# Part {n}\n\nWe start with [[M1.1]], step {n}.\n")
    repo.commit("Publish", "First publication.", "2020-07-01T09:00:00+01:00")
    tag(repo, "v1", "Vision published", "2020-07-01T10:00:00+01:00")
    for n in range(count):
        repo.replace(f"plan/phase1-vision/part-{n:02}.md", f"step {n}.", f"step {n}, and then {n + 1}.")
    repo.replace(INDEX1, "We start with", "First we start with")
    repo.commit("Reword", "Every part now says what comes next.", "2020-08-01T09:00:00+01:00")
    tag(repo, "v2", "Summer update", "2020-08-02T10:00:00+01:00")
    monkeypatch.chdir(tmp_path)
    shared = []
    in_workers = diff._in_workers
    monkeypatch.setattr(diff, "_in_workers", lambda *args: shared.append(in_workers(*args)) or shared[-1])

    def compare(cache: str, parallel_from: int) -> str:
        monkeypatch.setenv("TECHPLAN_CACHE", str(tmp_path / cache))
        monkeypatch.setattr(techplan_cache, "_MEMORY", {})  # as a new `techplan diff` process starts
        monkeypatch.setattr(diff, "PARALLEL_FROM", parallel_from)
        assert main(["diff", "v1", "v2", "--format", "json"]) == 0
        return capsys.readouterr().out

    alone = compare("alone", 10**9)
    assert shared == []
    together = compare("shared", parallel_from)
    assert len(shared) == 1 and shared[0] is not None and len(shared[0]) == count + 1
    assert together == alone
    pages = json.loads(together)["pages"]
    assert [p["page"] for p in pages][:2] == ["phase1-vision/index.md", "phase1-vision/part-00.md"]
    assert len(pages) == count + 1
    assert [n["notes"] for n in json.loads(together)["notes"]] == [["Every part now says what comes next."]]
    hidden = re.compile(r'<span class="tp-visually-hidden">[^<]*</span>')
    assert [hidden.sub("", b["html"]) for b in pages[1]["blocks"]] == [
        "We start with M1.1: Publish the vision, step 0<ins>, and then 1</ins>."
    ]
    # What each worker converted is kept, one entry a page in one pack, and read by the next comparison.
    [pack] = (tmp_path / "shared").glob("*/diff-pages/*")
    assert pack.suffix == ".pack" and len(read_packs(str(pack.parent))) == count + 1
    assert compare("shared", parallel_from) == alone


def two_revisions_of_parts(root: Path, opening: str, parts: range, reworded: range) -> GitRepo:
    """A site with numbered parts of the vision, tagged v1, and v2 with some of them reworded."""
    repo = GitRepo(root)
    write_site(root, commit=False)
    for n in parts:
        repo.write(f"plan/phase1-vision/part-{n}.md", f"# Part {n}\n\n{opening}, step {n}.\n")
    repo.commit("Publish", "First publication.", "2020-07-01T09:00:00+01:00")
    tag(repo, "v1", "Vision published", "2020-07-01T10:00:00+01:00")
    for n in reworded:
        repo.replace(f"plan/phase1-vision/part-{n}.md", f"step {n}.", f"step {n}, and then {n + 1}.")
    repo.commit("Reword", "Some parts say what comes next.", "2020-08-01T09:00:00+01:00")
    tag(repo, "v2", "Summer update", "2020-08-02T10:00:00+01:00")
    return repo


@pytest.mark.parametrize("early", [True, False], ids=["from the index", "no temporary file: after the history"])
def test_archive_workers_convert_each_page_version_once_and_write_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, early: bool
) -> None:
    """Forked workers render the point-in-time views: a version's page and its blocks come from one conversion.

    The views start as soon as the archive's index is known; where that cannot be (no temporary
    file for what the build sends them later), after the history, as a warm build starts them.
    """
    if jobs_available() < 2:
        pytest.skip("one core (or TECHPLAN_JOBS=1): the views are never shared among processes")
    root = tmp_path / "repo"
    two_revisions_of_parts(root, "We start with [[M1.1]]", range(6), range(0, 6, 2))
    # One process: the site to match. Nothing is written into the work tree, which would be an uncommitted edit.
    one = build(root, "--site-dir", str(tmp_path / "site-one"), TECHPLAN_JOBS="1", TECHPLAN_CACHE=str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr

    converted = tmp_path / "converted.txt"
    render_content = archive.ArchiveWriter._render_content

    def noted(writer: archive.ArchiveWriter, version: archive.Version, view: archive.RevisionView) -> object:
        # Appended whole by whichever process converts: one line a conversion, with how many versions it holds.
        with open(converted, "a", encoding="utf-8") as out:
            out.write(f"{version.key} {view.name} {len(writer._blobs)}\n")
        return render_content(writer, version, view)

    monkeypatch.setattr(archive.ArchiveWriter, "_render_content", noted)
    monkeypatch.setattr(archive, "PARALLEL_FROM", 1)
    started: list[object] = []
    writes: list[object] = []
    real_start = forked.Forked.__init__

    def start(job: forked.Forked[object], *args: object, **kwargs: object) -> None:
        what = kwargs.get("what", args[1] if len(args) > 1 else "")
        (writes if what == "writing the cache" else started).append(kwargs.get("awaits", False))
        real_start(job, *args, **kwargs)

    monkeypatch.setattr(forked.Forked, "__init__", start)
    if not early:

        def no_file(*_: object, **__: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(forked.tempfile, "mkstemp", no_file)
    monkeypatch.setattr(techplan_cache, "_MEMORY", {})
    monkeypatch.setenv("TECHPLAN_JOBS", "2")
    monkeypatch.setenv("TECHPLAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.chdir(root)
    mkdocs_build(load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site")))

    conversions = [line.rsplit(" ", 1) for line in converted.read_text(encoding="utf-8").splitlines()]
    blocks = list((tmp_path / "site" / "revisions").rglob("*.blocks.json"))
    assert len(blocks) >= 8  # every page of v1, and the parts v2 changed
    assert len(conversions) == len({version for version, _ in conversions}) == len(blocks)
    # Each worker is sent the Markdown of its page's versions (two at most here), not every version's.
    assert max(int(held) for _, held in conversions) <= 2
    assert site_differences(tmp_path / "site-one", tmp_path / "site") == []
    assert started == ([True] if early else [True, False])  # the views forked once: early, or else after
    assert writes == [False]  # and the parsed log and rendered history written aside, once


def test_techplan_diff_writes_its_output_file_whole_or_says_why_not(revised: dict[str, str], tmp_path: Path) -> None:
    root = root_of(revised)
    target = tmp_path / "reports" / "redline.html"
    result = techplan(root, "diff", "v1", "v3", "--format", "html", "--output", str(target))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8") == techplan(root, "diff", "v1", "v3", "--format", "html").stdout
    assert [p.name for p in target.parent.iterdir()] == ["redline.html"]  # no temporary file left beside it

    blocked = tmp_path / "reports" / "redline.html" / "inside-a-file.md"
    result = techplan(root, "diff", "v1", "v3", "--output", str(blocked))
    assert result.returncode == 2
    assert result.stderr.startswith(f"techplan: could not write {blocked}: ")
    assert "Traceback" not in result.stderr


def test_a_page_version_git_no_longer_has_is_published_as_unreadable_by_one_process_or_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version whose blob is gone (a damaged or partial clone) says so in its point-in-time page; the build goes on.

    The same whether one process renders the versions or several, each sent its own.
    """
    root = tmp_path / "repo"
    repo = two_revisions_of_parts(root, "We start", range(4), range(4))
    gone = repo.git("rev-parse", "v1:plan/phase1-vision/part-1.md").strip()
    (root / ".git" / "objects" / gone[:2] / gone[2:]).unlink()  # a loose object: the test repository is never packed
    monkeypatch.setattr(archive, "PARALLEL_FROM", 1)  # shared among processes, however few the files
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.chdir(root)
    sites = {}
    for jobs in ("1", "2"):
        monkeypatch.setattr(techplan_cache, "_MEMORY", {})
        monkeypatch.setenv("TECHPLAN_JOBS", jobs)
        monkeypatch.setenv("TECHPLAN_CACHE", str(tmp_path / f"cache-{jobs}"))
        sites[jobs] = tmp_path / f"site-{jobs}"
        mkdocs_build(load_config(str(root / "mkdocs.yml"), site_dir=str(sites[jobs])))
    assert site_differences(sites["1"], sites["2"]) == []
    files = (sites["2"] / "revisions").rglob("*.*")
    saying = sorted(path for path in files if "could not be read from the repository" in path.read_text())
    assert [path.relative_to(sites["2"] / "revisions").as_posix() for path in saying] == [
        "v1/pages/phase1-vision/part-1.blocks.json",
        "v1/pages/phase1-vision/part-1.html",
        "v2/changes/index.html",  # the redline from it
    ]
