"""Build real plan sites in temporary folders, and read the HTML a reader gets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from gitrepo import GitRepo

REPO = Path(__file__).resolve().parents[1]

MKDOCS_YML = """\
site_name: Mini plan
site_url: https://plan.example.org/
repo_url: https://git.example.org/team/plan
edit_uri: edit/main/plan/
docs_dir: plan
strict: true
theme:
  name: material
  font: false
  features:
    - content.action.edit
hooks:
  - {hooks}
plugins:
  - search
markdown_extensions:
  - attr_list
  - tables
  - toc:
      permalink: true
validation:
  links:
    anchors: warn
    unrecognized_links: warn
extra:
  plan:
    today: 2021-04-15
    feedback: mailto:plan-feedback@example.org
"""

MINI_PLAN: dict[str, str] = {
    "plan/index.md": """\
        # Mini plan

        ## Where each phase stands

        [[phases]]

        ## Coming due

        [[coming-due]]
        """,
    "plan/roadmap.md": """\
        # Roadmap

        [[roadmap]]
        """,
    "plan/phase1-vision/phase.yml": """\
        title: Vision
        summary: Why the plan exists.
        status: published
        consultation:
          opens: 2021-04-01
          closes: 2021-05-31
        """,
    "plan/phase1-vision/index.md": """\
        # Phase 1: Vision

        We start with [[M1.1]] and then [[M1.2|the second step]].

        ## Milestones

        [[milestones]]
        """,
    "plan/phase1-vision/milestones.yml": """\
        # yaml-language-server: $schema=../../techplan/plan/schemas/milestones.schema.json
        milestones:
          - id: M1.1
            title: Publish the vision
            owner: NHSX
            due: 2020-09-30
            status: done
            summary: The vision, published for consultation.

          - id: M1.2
            title: Agree the values
            owner: Plan team
            due: 2021-06-30
            status: in-progress
            depends_on: [M1.1]
            summary: Values agreed with *staff* and patients, after [[M1.1]].
        """,
    "plan/phase2-measures/phase.yml": """\
        title: Measures
        summary: How success is measured.
        status: draft
        """,
    "plan/phase2-measures/index.md": """\
        # Phase 2: Measures

        See [[K1]].
        """,
    "plan/phase2-measures/milestones.yml": """\
        milestones:
          - id: M2.1
            title: Agree the measures
            owner: Plan team
            due: 2021-03-31
            status: delayed
            depends_on: [M1.1]
            summary: A short list of measures.
        """,
    "plan/phase2-measures/measures.yml": """\
        measures:
          - id: K1
            title: Trusts with an electronic patient record
            theme: digital-maturity
            unit: percent
            baseline: {date: 2020-03-31, value: 60}
            target: {date: 2024-03-31, value: 100}
            actuals:
              - {date: 2022-03-31, value: 80}
              - {date: 2021-03-31, value: 65}
            source: Digital maturity assessment
        """,
}
"""A small plan whose every figure is easy to work out by hand. Today is 15 April 2021."""


def write_site(root: Path, files: dict[str, str] | None = None, config: str | None = None, commit: bool = True) -> Path:
    """Write mkdocs.yml and plan files into root, committed to a new git repository unless told not to.

    The path of mkdocs.yml.
    """
    files = MINI_PLAN if files is None else files
    config_text = (config or MKDOCS_YML).format(hooks=REPO / "hooks" / "techplan_hooks.py")
    (root / "mkdocs.yml").write_text(config_text, encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    if commit:
        GitRepo(root).commit("Publish the plan", "First publication.", "2021-01-04T09:00:00+00:00")
    return root / "mkdocs.yml"


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace text in one of the site's files, failing loudly if the text is not there."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _env(**extra: str) -> dict[str, str]:
    """A hermetic environment: no user or system git config, no Material banner."""
    return {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        **extra,
    }


def build(root: Path, *options: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a real, strict `mkdocs build` of the site in root, with more options and environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site"), *options],
        cwd=root,
        capture_output=True,
        text=True,
        env=_env(**env),
        check=False,
    )


def techplan(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real `techplan` command in root, with more environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "techplan", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=_env(**env),
        check=False,
    )


def page(root: Path, url: str) -> BeautifulSoup:
    """The built HTML of a page, by its URL (`phase1-vision/`), parsed."""
    path = root / "site" / url
    if url == "" or url.endswith("/"):
        path = path / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(element: object) -> str:
    """An element's text with whitespace collapsed, as a reader would read it."""
    return " ".join(element.get_text(" ").split())  # type: ignore[attr-defined]


FETCHED = (
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("image", "href"),
    ("use", "href"),
    ("form", "action"),
)
"""(element, attribute): what a browser fetches, or sends, by itself. Links readers follow are not here."""

_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
"""A URL that names a host: https://..., //host/..."""


def other_host_requests(site: Path, own_host: str) -> tuple[list[str], int]:
    """What the built site's pages and stylesheets would ask of hosts but its own; and how many URLs were checked."""
    found: list[str] = []
    checked = 0

    def elsewhere(url: str) -> bool:
        return bool(_HOST.match(url)) and urlsplit(url if "://" in url else "https:" + url).hostname != own_host

    for path in sorted(site.rglob("*.html")):
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in FETCHED:
            for element in html.find_all(tag):
                value = element.get(attribute)
                if value is None:
                    continue
                checked += 1
                urls = (
                    [part.split()[0] for part in value.split(",") if part.strip()] if "srcset" in attribute else [value]
                )
                found += [f"{path.relative_to(site)}: <{tag} {attribute}={url}>" for url in urls if elsewhere(url)]
        styles = [s.get_text() for s in html.find_all("style")] + [e["style"] for e in html.select("[style]")]
        found += [f"{path.relative_to(site)}: <style> {style[:80]}" for style in styles if _css_reaches_out(style)]
    for path in sorted(site.rglob("*.css")):
        css = path.read_text(encoding="utf-8")
        checked += 1
        if _css_reaches_out(css):
            found.append(f"{path.relative_to(site)}: url() or @import")
    return found, checked


def _css_reaches_out(css: str) -> bool:
    """Whether CSS loads anything from a URL that names a host, or imports anything at all."""
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    return "@import" in css.lower() or any(_HOST.match(url) for url in urls)


GENERATOR = re.compile(r'<meta name="generator" content="[^"]*">')
"""The one line where a MkDocs build and a ProperDocs build of the same site may differ."""


def site_differences(site: Path, other: Path) -> list[str]:
    """The files two builds of a site do not share or that differ, but for the generator each page names.

    The manifest is left out: it names the builder, and the hash of every page that names it.
    """
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {"manifest.json"}
    others = {p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file()} - {"manifest.json"}
    differing = sorted(files ^ others)
    for name in sorted(files & others):
        left, right = (site / name).read_bytes(), (other / name).read_bytes()
        if name.endswith(".html"):
            left, right = (GENERATOR.sub("", text.decode("utf-8")).encode() for text in (left, right))
        if left != right:
            differing.append(name)
    return differing
