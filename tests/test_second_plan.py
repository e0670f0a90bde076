"""A second plan built from the installed wheel alone: the engine is a package another plan can use.

The wheel is built from a copy of this checkout's package files, installed with its dependencies
(pinned by requirements.lock) into a fresh virtual environment outside the checkout, and that
environment's `mkdocs build --strict` (and `properdocs build --strict`) builds a small plan
repository with history: commits with change notes, a minor edit, a rename and two revisions; its
`techplan` command checks the plan and compares two revisions. The plan's mkdocs.yml names
Material and the `techplan` plugin, nothing else: no hooks, no overrides, no settings that only
this repository's site has. Nothing in that environment can import techplan from this checkout,
and every build runs outside it without PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from gitrepo import HERMETIC, GitRepo
from plansite import REPO, other_host_requests, page, site_differences, text_of

pytestmark = pytest.mark.slow

PACKAGE_FILES = ["pyproject.toml", "README.md", "techplan"]
"""What the wheel is built from: the package and the two files its metadata reads."""

MKDOCS_YML = """\
site_name: Second plan
site_url: https://plans.example.net/second/
repo_url: https://git.example.net/second/plan
theme: material
plugins:
  - search
  - techplan
extra:
  plan:
    today: 2022-05-01
    feedback: mailto:second-plan@example.net
"""
"""The second plan's whole configuration: Material and the plugin, and the plan's own settings."""

FILES: dict[str, str] = {
    ".gitignore": """\
        /site/
        /site-properdocs/
        /.cache/
        """,
    "docs/index.md": """\
        # Second plan

        A plan of two phases. The next step is [[M1.2]].

        [[phases]]
        """,
    "docs/phase1-vision/phase.yml": """\
        title: Vision
        summary: Why the plan exists.
        status: published
        """,
    "docs/phase1-vision/index.md": """\
        # Phase 1: Vision

        We start with [[M1.1]] and then [[M1.2|agree the values]].

        ## Milestones

        [[milestones]]
        """,
    "docs/phase1-vision/values.md": """\
        # Our values

        Open by defualt.
        """,
    "docs/phase1-vision/milestones.yml": """\
        milestones:
          - id: M1.1
            title: Publish the vision
            owner: Plan team
            due: 2022-01-31
            status: done
            summary: The vision, published for consultation.

          - id: M1.2
            title: Agree the values
            owner: Plan team
            due: 2022-06-30
            status: in-progress
            depends_on: [M1.1]
            summary: Values agreed with staff and patients.
        """,
    "docs/phase2-measures/phase.yml": """\
        title: Measures
        summary: How success is measured.
        status: draft
        """,
    "docs/phase2-measures/index.md": """\
        # Phase 2: Measures

        The headline measure is [[K1]].
        """,
    "docs/phase2-measures/measures.yml": """\
        measures:
          - id: K1
            title: Practices offering online appointments
            theme: digital-maturity
            unit: percent
            baseline: {date: 2021-03-31, value: 40}
            target: {date: 2024-03-31, value: 90}
            actuals:
              - {date: 2022-03-31, value: 55}
            source: Practice survey
        """,
}

PHASE1 = "docs/phase1-vision/index.md"
M1 = "docs/phase1-vision/milestones.yml"


@dataclass(frozen=True, slots=True)
class Engine:
    """The engine installed from its wheel into a virtual environment of its own."""

    wheel: Path
    venv: Path
    home: Path

    def run(self, command: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run one of the environment's commands in a folder, with nothing of this checkout's setup."""
        env = {
            **HERMETIC,
            "PATH": os.pathsep.join([str(self.venv / "bin"), os.environ.get("PATH", "/usr/bin:/bin")]),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "NO_MKDOCS_2_WARNING": "1",
            "SOURCE_DATE_EPOCH": "1651363200",  # 1 May 2022, the plan's today: the sitemap's dates, reproducibly
        }
        return subprocess.run(
            [str(self.venv / "bin" / command), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )


def _package_copy(target: Path) -> Path:
    """The files the wheel is built from, copied out of the checkout so the build leaves nothing in it."""
    target.mkdir()
    for name in PACKAGE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    return target


def _pip(*args: str) -> None:
    """Run this environment's pip; fail with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Build the wheel, make a virtual environment outside the checkout and install the wheel there."""
    root = tmp_path_factory.mktemp("engine")
    assert not root.resolve().is_relative_to(REPO)
    source = _package_copy(root / "source")
    _pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(root / "dist"), str(source))
    [wheel] = (root / "dist").glob("techplan-*.whl")
    venv = root / "venv"
    # No pip of its own: this environment's pip installs into it. Compiling every module of every
    # dependency takes longer than the few the builds import.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    _pip(
        "--python",
        str(venv / "bin" / "python"),
        "install",
        "--quiet",
        "--no-compile",
        "--constraint",
        str(REPO / "requirements.lock"),
        str(wheel),
        "properdocs",
    )
    (root / "home").mkdir()
    return Engine(wheel, venv, root / "home")


@pytest.fixture(scope="module")
def second(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The second plan's repository and its history, built with the installed engine; the shas by name."""
    root = tmp_path_factory.mktemp("second-plan")
    repo = GitRepo(root)
    repo.write("mkdocs.yml", MKDOCS_YML)
    for name, text in FILES.items():
        repo.write(name, textwrap.dedent(text))
    shas = {"c1": repo.commit("Publish the plan", "First publication of the plan.", "2022-01-10T09:00:00+00:00")}
    repo.git("tag", "-a", "v1", "-m", "First publication\n\nThe plan as first published.", date="2022-01-11T09:00:00Z")
    repo.replace(PHASE1, "We start with", "The vision comes first. We start with")
    shas["c2"] = repo.commit("Explain", "Explained why the vision comes first.", "2022-02-01T10:00:00+00:00")
    repo.replace("docs/phase1-vision/values.md", "defualt", "default")
    shas["c3"] = repo.commit("Fix a typo", None, "2022-02-15T10:00:00+00:00")
    repo.git("mv", "docs/phase1-vision/values.md", "docs/phase1-vision/our-values.md")
    shas["c4"] = repo.commit("Rename the values page", "Renamed the values page.", "2022-03-01T10:00:00+00:00")
    repo.replace(M1, "due: 2022-06-30", "due: 2022-12-31")
    shas["c5"] = repo.commit("Move M1.2", "Moved M1.2 to December 2022.", "2022-04-04T10:00:00+01:00")
    repo.git("tag", "-a", "v2", "-m", "Spring update\n\nM1.2 moved to December.", date="2022-04-05T09:00:00+01:00")
    done = engine.run("mkdocs", "build", "--strict", cwd=root)
    assert done.returncode == 0, done.stderr
    shas["root"] = str(root)
    return shas


def site_of(second: dict[str, str]) -> Path:
    return Path(second["root"])


def updates(html) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """(date, notes) of each update listed at the end of a page."""
    return [
        (text_of(li.select_one(".tp-update__date")), [text_of(p) for p in li.select(".tp-update__note")])
        for li in html.select(".tp-page-history .tp-updates > li")
    ]


def test_the_wheel_carries_the_whole_package(engine: Engine) -> None:
    """Every file of the package (code, templates, assets, schemas) is in the wheel, and the plugin is registered."""
    with zipfile.ZipFile(engine.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = next(wheel.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    package = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "techplan").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert {n for n in names if not n.startswith("techplan-")} == package
    for expected in ("techplan/theme/partials/plan-milestones.html", "techplan/plan/schemas/milestones.schema.json"):
        assert expected in names
    assert "[mkdocs.plugins]\ntechplan = techplan.site.plugin:TechPlanPlugin" in entry_points
    assert "[properdocs.plugins]\ntechplan = techplan.site.plugin:TechPlanPlugin" in entry_points
    assert "[console_scripts]\ntechplan = techplan.cli:run" in entry_points


def test_the_environment_cannot_reach_this_checkout(engine: Engine, second: dict[str, str]) -> None:
    """The build's Python imports techplan from its own site-packages, and nothing from this checkout."""
    probe = "import json, sys, techplan; print(json.dumps({'file': techplan.__file__, 'path': sys.path}))"
    done = engine.run("python", "-c", probe, cwd=site_of(second))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    module = Path(found["file"]).resolve()
    assert module.is_relative_to(engine.venv.resolve()) and "site-packages" in module.parts
    assert not any((site_of(second) / entry).resolve().is_relative_to(REPO) for entry in found["path"])
    # The commands that build are the environment's own (pip writes a longer preamble for long paths).
    for command in ("mkdocs", "properdocs", "techplan"):
        preamble = (engine.venv / "bin" / command).read_text(encoding="utf-8").splitlines()[:3]
        assert any(str(engine.venv / "bin" / "python") in line for line in preamble), command


def test_the_techplan_command_works_from_the_wheel(engine: Engine, second: dict[str, str]) -> None:
    """The installed `techplan` command checks the plan and compares its revisions with the package's templates."""
    check = engine.run("techplan", "check", cwd=site_of(second))
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("The plan is clean: 2 phases, 2 milestones,")
    diff = engine.run("techplan", "diff", "--format", "html", "v1", "v2", cwd=site_of(second))
    assert diff.returncode == 0, diff.stderr
    html = BeautifulSoup(diff.stdout, "html.parser")
    assert "M1.2 (Agree the values) due date moved from 30 June 2022 to 31 December 2022: 6 months later." in text_of(
        html
    )
    assert [text_of(ins) for ins in html.find_all("ins") if "vision" in text_of(ins)] == [
        "[inserted: The vision comes first. ]"
    ]


def test_phase_page_has_its_milestones_table_and_references(second: dict[str, str]) -> None:
    html = page(site_of(second), "phase1-vision/")
    rows = html.select(".tp-milestones tbody tr")
    assert [row["id"] for row in rows] == ["M1.1", "M1.2"]
    cells = rows[1].find_all("td")
    assert [text_of(td) for td in cells[1:3]] == ["Status: In progress", "Plan team"]
    assert text_of(cells[3].time) == "31 December 2022"
    assert text_of(cells[3].select_one(".tp-slip summary")) == "Moved 1 time; first due 30 June 2022"
    assert [(a["href"], text_of(a)) for a in html.select("article p a.tp-ref")] == [
        ("#M1.1", "M1.1: Publish the vision"),
        ("#M1.2", "agree the values"),
    ]
    home = page(site_of(second), "").select_one("article p a.tp-ref")
    assert (home["href"], text_of(home)) == ("phase1-vision/#M1.2", "M1.2: Agree the values")


def test_pages_say_when_they_were_updated_and_list_their_updates(second: dict[str, str]) -> None:
    root = site_of(second)
    html = page(root, "phase1-vision/")
    assert text_of(html.select_one(".tp-page-meta p")) == "Last updated 4 April 2022 – see all updates"
    # The milestone moved in milestones.yml is an update of the phase page.
    assert updates(html) == [
        ("4 April 2022", ["Moved M1.2 to December 2022."]),
        ("1 February 2022", ["Explained why the vision comes first."]),
        ("10 January 2022", ["First publication of the plan."]),
    ]
    # The renamed page keeps its history; the typo fix is minor and not shown as an update.
    renamed = page(root, "phase1-vision/our-values/")
    assert text_of(renamed.select_one(".tp-page-meta p")) == "Last updated 1 March 2022 – see all updates"
    assert updates(renamed) == [
        ("1 March 2022", ["Renamed the values page."]),
        ("10 January 2022", ["First publication of the plan."]),
    ]


def test_whats_changed_the_feed_and_changes_json(second: dict[str, str]) -> None:
    root = site_of(second)
    entries = page(root, "whats-changed/").select(".tp-changes > li")
    assert [e["id"] for e in entries] == [f"change-{second[c][:12]}" for c in ("c5", "c4", "c2", "c1")]
    feed = feedparser.parse((root / "site/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Second plan: all changes"
    assert [e.title for e in feed.entries] == [
        "Moved M1.2 to December 2022.",
        "Renamed the values page.",
        "Explained why the vision comes first.",
        "First publication of the plan.",
    ]
    assert feed.entries[0].link == f"https://plans.example.net/second/whats-changed/#change-{second['c5'][:12]}"
    links = page(root, "phase1-vision/").select("head link[type='application/atom+xml']")
    assert [link["href"] for link in links] == ["../feed.xml", "feed.xml"]
    data = json.loads((root / "site/changes.json").read_text(encoding="utf-8"))
    assert data["commit"] == second["c5"] and data["shallow"] is False
    repo = GitRepo.__new__(GitRepo)
    repo.root = root
    assert sorted(data["files"]) == sorted(
        name.removeprefix("docs/").replace("values.md", "our-values.md") for name in FILES if name.startswith("docs/")
    )
    for path, events in data["files"].items():
        assert [e["commit"] for e in events] == repo.follow("docs/" + path), path
    values = data["files"]["phase1-vision/our-values.md"]
    assert [(e["commit"], e["major"]) for e in values] == [
        (second["c4"], True),
        (second["c3"], False),
        (second["c1"], True),
    ]


def test_revisions_have_their_pages_and_changes(second: dict[str, str]) -> None:
    root = site_of(second)
    items = page(root, "revisions/").select(".tp-revision-list > li")
    assert [li["id"] for li in items] == ["revision-v2", "revision-v1"]
    then = page(root, "revisions/v1/pages/phase1-vision/index.html")
    banner = text_of(then.select_one(".tp-revision-banner p"))
    assert banner == "Revision v1 of 11 January 2022 : First publication. This is the page as it stood then."
    assert text_of(then.find(id="M1.2").find_all("td")[3]) == "30 June 2022"
    changes = page(root, "revisions/v2/changes/")
    assert [text_of(li) for li in changes.select(".tp-data-changes li")] == [
        "M1.2 (Agree the values) due date moved from 30 June 2022 to 31 December 2022: 6 months later."
    ]


def test_assets_and_schemas_come_from_the_package(engine: Engine, second: dict[str, str]) -> None:
    """The engine's stylesheet and scripts are in the site and linked; its schemas are published."""
    root = site_of(second)
    html = page(root, "phase1-vision/")
    stylesheets = [link["href"] for link in html.select("head link[rel=stylesheet]")]
    scripts = [script["src"] for script in html.select("script[src]")]
    assert "../assets/stylesheets/techplan.css" in stylesheets
    assert "../assets/javascripts/techplan.js" in scripts
    compare = [script["src"] for script in page(root, "compare-revisions/").select("script[src]")]
    assert "../assets/javascripts/techplan-compare.js" in compare
    for asset in ("stylesheets/techplan.css", "javascripts/techplan.js", "javascripts/techplan-compare.js"):
        shipped = REPO / "techplan/theme/assets" / asset
        assert (root / "site/assets" / asset).read_bytes() == shipped.read_bytes(), asset
    for schema in ("phase", "milestones", "measures"):
        published = json.loads((root / f"site/schemas/{schema}.schema.json").read_text(encoding="utf-8"))
        shipped = REPO / f"techplan/plan/schemas/{schema}.schema.json"
        assert published == json.loads(shipped.read_text(encoding="utf-8")), schema
    # The YAML that editors work on is published as data, not as it is.
    assert not (root / "site/phase1-vision/milestones.yml").exists()
    assert (root / "site/data/milestones.json").exists()


def test_pages_ask_no_other_host_for_anything(second: dict[str, str]) -> None:
    """`theme: material` alone would load Google's fonts; the engine turns that off."""
    requests, checked = other_host_requests(site_of(second) / "site", "plans.example.net")
    assert requests == []
    assert checked > 50


def test_a_site_override_wins_over_the_engine_partial(engine: Engine, second: dict[str, str], tmp_path: Path) -> None:
    """A site's own custom_dir overrides any of the engine's templates, here the milestones table."""
    root = tmp_path / "overridden"
    shutil.copytree(site_of(second), root, symlinks=True, ignore=shutil.ignore_patterns("site", ".cache"))
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "theme: material", "theme:\n  name: material\n  custom_dir: overrides"
        ),
        encoding="utf-8",
    )
    partial = root / "overrides/partials/plan-milestones.html"
    partial.parent.mkdir(parents=True)
    partial.write_text(
        '<ul class="my-milestones">{% for m in milestones %}<li>{{ m.id }}: {{ m.title }}</li>{% endfor %}</ul>\n',
        encoding="utf-8",
    )
    done = engine.run("mkdocs", "build", "--strict", cwd=root)
    assert done.returncode == 0, done.stderr
    html = page(root, "phase1-vision/")
    assert [text_of(li) for li in html.select("ul.my-milestones li")] == [
        "M1.1: Publish the vision",
        "M1.2: Agree the values",
    ]
    assert html.select(".tp-milestones") == []
    # Everything else still comes from the engine.
    assert text_of(html.select_one(".tp-page-meta p")) == "Last updated 4 April 2022 – see all updates"


def test_properdocs_builds_the_same_site(engine: Engine, second: dict[str, str]) -> None:
    """ProperDocs, the maintained MkDocs 1.x fork, finds the plugin and builds the same files."""
    root = site_of(second)
    done = engine.run(
        "properdocs", "build", "--strict", "--config-file", "mkdocs.yml", "--site-dir", "site-properdocs", cwd=root
    )
    assert done.returncode == 0, done.stderr
    assert site_differences(root / "site", root / "site-properdocs") == []
