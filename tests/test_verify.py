"""Verifiable publication: pages name what built them, the manifest lists every file, `techplan verify` checks a copy.

Real repositories, real builds, and the real command: a site passes untouched and fails after a
one-byte change, as a folder and over HTTP; what cannot be verified says why, with status 2.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

import pytest
from gitrepo import GitRepo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plansite import MKDOCS_YML, _env, build, page, write_site

from techplan.site.builtfrom import BuildSource, BuiltFrom
from techplan.site.manifest import write_manifest


def tag(repo: GitRepo, name: str, message: str, date: str) -> None:
    repo.git("tag", "-a", name, "-m", message, date=date)


def verify(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real `techplan verify` in a folder."""
    return subprocess.run(
        [sys.executable, "-m", "techplan", "verify", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(**env),
        check=False,
    )


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini plan published as v1 and v2, built at v2's commit."""
    root = tmp_path_factory.mktemp("tagged")
    repo = GitRepo(root)
    write_site(root, commit=False)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    tag(repo, "v1", "First revision", "2021-01-05T09:00:00+00:00")
    repo.replace("plan/phase1-vision/index.md", "We start with", "First, we start with")
    repo.commit("Reword", "Reworded the vision.", "2021-02-01T09:00:00+00:00")
    tag(repo, "v2", "Second revision\n\nThe vision reworded.", "2021-02-02T09:00:00+00:00")
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


def said(element: object) -> str:
    """An element's text as a reader reads it: whitespace collapsed, none added between elements."""
    return " ".join(element.get_text().split())  # type: ignore[attr-defined]


def footer(root: Path, url: str) -> str:
    """What a page's footer says of where it was built from."""
    return said(page(root, url).select_one(".md-footer .tp-built-from"))


def test_every_page_names_its_commit_revision_and_as_at_date(tagged: Path) -> None:
    head = GitRepo(tagged).head()
    shown = footer(tagged, "phase1-vision/")
    assert shown == (
        f"Built from commit {head[:12]} of 1 February 2021. This is revision v2, “Second revision”. "
        "Shown as at 15 April 2021. "
        "Manifest (every file's checksum, to check a copy of this site with techplan verify)."
    )
    html = page(tagged, "phase1-vision/").select_one(".md-footer .tp-built-from")
    links = {a.get_text(" ", strip=True): a["href"] for a in html.find_all("a")}
    assert links == {
        head[:12]: f"https://git.example.org/team/plan/commit/{head}",
        "revision v2": "../revisions/v2/",
        "Manifest": "../manifest.json",
    }
    assert (tagged / "site/revisions/v2/index.html").is_file()
    # Every page says it, the generated ones and the 404 page too; the 404 page links from the site's root.
    for url in ("", "whats-changed/", "revisions/", "roadmap/"):
        assert footer(tagged, url) == shown, url
    missing = page(tagged, "404.html").select_one(".md-footer .tp-built-from")
    assert said(missing) == shown
    assert {a["href"] for a in missing.find_all("a")} >= {"/revisions/v2/", "/manifest.json"}


def test_a_point_in_time_page_names_its_own_revision_and_commit(tagged: Path) -> None:
    repo = GitRepo(tagged)
    v1 = repo.git("rev-parse", "v1^{commit}").strip()
    shown = said(page(tagged, "revisions/v1/pages/phase1-vision/index.html").select_one(".tp-archive-footer"))
    assert shown == f"From revision v1, tagged on commit {v1[:12]} (the tag is not signed)."
    shown = said(page(tagged, "revisions/v2/").select_one(".tp-archive-footer"))
    assert shown.startswith(f"From revision v2, tagged on commit {repo.head()[:12]}")


def test_the_footer_counts_changes_to_the_plan_since_the_revision(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert "No revision of the plan has been published yet." in footer(tmp_path, "")
    tag(repo, "v1", "First revision", "2021-01-05T09:00:00+00:00")
    # A commit outside the plan (the site's own files) leaves the plan as the revision has it.
    repo.write("README.md", "About this repository.\n")
    repo.commit("Add a readme", None, "2021-01-06T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert "The plan reads as in revision v1; later commits changed no file of the plan." in footer(tmp_path, "")
    repo.replace("plan/roadmap.md", "# Roadmap", "# The roadmap")
    repo.commit("Retitle", None, "2021-01-07T09:00:00+00:00")
    repo.replace("plan/index.md", "# Mini plan", "# The mini plan")
    repo.commit("Retitle the home page", "Retitled.", "2021-01-08T09:00:00+00:00")
    assert build(tmp_path).returncode == 0
    assert "The plan is revision v1 with 2 changes since." in footer(tmp_path, "")
    changes = page(tmp_path, "").select_one(".tp-built-from a[href$='whats-changed/']")
    assert changes is not None and changes.get_text() == "changes"
    manifest = json.loads((tmp_path / "site/manifest.json").read_text())
    assert manifest["revision"] == {"name": "v1", "commit": repo.git("rev-parse", "v1^{commit}").strip(),
                                    "commits_since": 3, "changes_since": 2}  # fmt: skip


def test_uncommitted_edits_are_said_as_such_and_cannot_be_verified(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    write_site(tmp_path, commit=False)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    repo.replace("plan/roadmap.md", "# Roadmap", "# Roadmap, being edited")
    assert build(tmp_path).returncode == 0
    shown = footer(tmp_path, "roadmap/")
    assert shown.startswith(
        f"A preview, not a published version: built from commit {repo.head()[:12]} "
        "with edits not yet committed to 1 file."
    )
    assert "Built from commit" not in shown
    manifest = json.loads((tmp_path / "site/manifest.json").read_text())
    assert manifest["uncommitted"] == ["plan/roadmap.md"]
    result = verify(tmp_path, "site")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "built with edits that were never committed (plan/roadmap.md)" in result.stderr


def test_a_build_without_history_names_no_commit(tmp_path: Path) -> None:
    write_site(tmp_path, commit=False)
    assert build(tmp_path, TECHPLAN_HISTORY="off").returncode == 0
    assert footer(tmp_path, "").startswith("Built without the plan's git history, so no commit is named.")
    manifest = json.loads((tmp_path / "site/manifest.json").read_text())
    assert manifest["commit"] is None and manifest["history"] == "off"
    GitRepo(tmp_path)  # a repository, but the site names no commit to build
    result = verify(tmp_path, "site")
    assert result.returncode == 2
    assert "the site names no commit" in result.stderr


def test_the_manifest_lists_every_file_and_what_built_it(tagged: Path) -> None:
    site = tagged / "site"
    manifest = json.loads((site / "manifest.json").read_text())
    repo = GitRepo(tagged)
    assert manifest["commit"] == repo.head()
    assert manifest["commit_date"] == "2021-02-01T09:00:00+00:00"
    assert manifest["as_at"] == "2021-04-15"
    assert manifest["history"] == "full" and manifest["shallow"] is False and manifest["uncommitted"] == []
    assert manifest["config"] == "mkdocs.yml"
    assert manifest["tags"] == {
        "refs/tags/v1": repo.git("rev-parse", "v1").strip(),
        "refs/tags/v2": repo.git("rev-parse", "v2").strip(),
    }
    assert manifest["engine"]["name"] == "techplan" and len(manifest["engine"]["digest"]) == 64
    assert manifest["builder"]["name"] == "MkDocs" and manifest["builder"]["version"].startswith("1.6.")
    assert manifest["theme"]["name"] == "mkdocs-material"
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == files
    assert {"search/search_index.json", "sitemap.xml.gz", "revisions/v1/index.html", "404.html"} <= files
    for name in files:
        assert manifest["files"][name] == hashlib.sha256((site / name).read_bytes()).hexdigest(), name
    # Written a file at a time, it reads as the standard library writes it: sorted keys, one space a level.
    assert (site / "manifest.json").read_bytes() == json_bytes(manifest)


def json_bytes(data: object) -> bytes:
    """What the manifest's bytes are, written at once by the standard library."""
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# Names a site's files could have: any text a file system takes, nested up to three deep.
_NAME = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/\0"), min_size=1, max_size=8).filter(
    lambda name: name not in (".", "..") and len(name.encode()) < 200
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_NAME, min_size=1, max_size=3), max_size=12), st.data())
def test_the_manifest_lists_any_file_names_as_json_would(
    tmp_path: Path, paths: list[list[str]], data: st.DataObject
) -> None:
    site = Path(tempfile.mkdtemp(dir=tmp_path))
    written: dict[str, bytes] = {}
    for parts in paths:
        target = site.joinpath(*parts)
        if any(folder.is_file() for folder in target.parents) or target.is_dir():
            continue  # a file where a folder would go, or a folder where a file would
        target.parent.mkdir(parents=True, exist_ok=True)
        written["/".join(parts)] = data.draw(st.binary(max_size=40))
        target.write_bytes(written["/".join(parts)])
    known = {path: "0" * 64 for path in list(written)[:2]}  # hashes the archive gives, taken as given
    built_from = BuiltFrom(as_at=date(2024, 4, 30), history="full", source=BuildSource(commit="a" * 40))
    write_manifest(site, built_from, {"engine": {"name": "techplan"}}, "https://plan.example.org/", known)
    raw = (site / "manifest.json").read_bytes()
    manifest = json.loads(raw)
    assert raw == json_bytes(manifest)
    assert manifest["files"] == {
        path: known.get(path) or hashlib.sha256(body).hexdigest() for path, body in written.items()
    }
    assert manifest["commit"] == "a" * 40 and manifest["site_url"] == "https://plan.example.org/"


def copy_site(tagged: Path, target: Path) -> Path:
    """A copy of the built site to tamper with."""
    shutil.copytree(tagged / "site", target)
    return target


def test_verify_passes_an_untouched_site_and_names_every_file_changed(tagged: Path, tmp_path: Path) -> None:
    before = GitRepo(tagged).git("for-each-ref"), GitRepo(tagged).git("status", "--porcelain", "--ignored")
    result = verify(tagged, "site")
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(json.loads((tagged / "site/manifest.json").read_text())["files"]) + 1
    assert result.stdout == (
        f"Verified: all {count} files of site are byte for byte what commit {GitRepo(tagged).head()[:12]} "
        "as at 2021-04-15 builds.\n"
    )
    # The rebuild happened elsewhere: no ref, branch, file or folder of the repository changed.
    assert (GitRepo(tagged).git("for-each-ref"), GitRepo(tagged).git("status", "--porcelain", "--ignored")) == before
    # With the repository's cache (what the build left in .cache/techplan): the same answer.
    result = verify(tagged, "site", "--cache")
    assert result.returncode == 0, result.stdout + result.stderr
    site = copy_site(tagged, tmp_path / "copy")
    target = site / "phase1-vision/index.html"
    data = bytearray(target.read_bytes())
    at = data.index(b"First, we start with")
    data[at] = ord("f")  # one byte of one page
    target.write_bytes(bytes(data))
    result = verify(tagged, str(site))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Not verified: {site} is not what commit {GitRepo(tagged).head()[:12]} as at 2021-04-15 builds "
        f"(1 differs, of {count} files)."
    )
    assert lines[1].startswith("differs: phase1-vision/index.html: line ")
    assert 'the site has "' in lines[1] and "first, we start with" in lines[1] and "First, we start with" in lines[1]
    assert len(lines) == 2


def test_verify_names_missing_and_extra_files_and_a_changed_manifest(tagged: Path, tmp_path: Path) -> None:
    site = copy_site(tagged, tmp_path / "copy")
    (site / "feed.xml").unlink()
    (site / "phase1-vision/notes.txt").write_text("Not built from the commit.\n")
    manifest = json.loads((site / "manifest.json").read_text())
    manifest["files"]["phase1-vision/notes.txt"] = hashlib.sha256(b"Not built from the commit.\n").hexdigest()
    (site / "manifest.json").write_text(json.dumps(manifest))
    result = verify(tagged, str(site))
    assert result.returncode == 1
    assert "(1 differs, 1 missing, 1 extra, of " in result.stdout
    assert "differs: manifest.json" in result.stdout
    assert "missing: feed.xml (the commit builds it; the site does not have it)" in result.stdout
    assert "extra: phase1-vision/notes.txt (the site has it; the commit does not build it)" in result.stdout


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_verify_checks_a_site_on_the_web_fetching_each_file_once(tagged: Path, tmp_path: Path) -> None:
    site = copy_site(tagged, tmp_path / "copy")
    requests: list[str] = []

    class Counting(_QuietHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Counting, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        result = verify(tagged, address)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith(f"Verified: all {len(requests)} files of {address} are byte for byte")
        assert sorted(requests) == sorted(set(requests))  # each file once
        (site / "roadmap/index.html").write_bytes(
            (site / "roadmap/index.html").read_bytes().replace(b"Roadmap", b"Roadmop", 1)
        )
        result = verify(tagged, address + "/")
        assert result.returncode == 1
        assert "differs: roadmap/index.html: line " in result.stdout
    finally:
        server.shutdown()
        server.server_close()


def test_verify_uses_the_tags_the_site_was_built_with(tagged: Path, tmp_path: Path) -> None:
    """A revision tagged after the build is not part of that build; one deleted since still is."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(tagged), str(clone)], check=True, env=_env())
    repo = GitRepo(clone)
    repo.git("tag", "-d", "v1")
    tag(repo, "v3", "A later revision", "2021-05-01T09:00:00+00:00")
    result = verify(clone, str(tagged / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    # Without the tag object at all, the site cannot be built again.
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    result = verify(clone, str(tagged / "site"))
    assert result.returncode == 2
    assert (
        "the site was built with tags this repository does not have (v1): fetch them (git fetch --tags)"
        in result.stderr
    )


def test_what_cannot_be_verified_says_why(tagged: Path, tmp_path: Path) -> None:
    site = copy_site(tagged, tmp_path / "copy")
    manifest_path = site / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    # Not a repository.
    elsewhere = tmp_path / "nowhere"
    elsewhere.mkdir()
    result = verify(elsewhere, str(site))
    assert (result.returncode, result.stdout) == (2, "")
    assert "is not in a git repository" in result.stderr
    # A commit the repository does not have.
    manifest_path.write_text(json.dumps({**manifest, "commit": "f" * 40}))
    result = verify(tagged, str(site))
    assert result.returncode == 2
    assert f"commit {'f' * 40} is not in this repository: fetch it" in result.stderr
    # Another engine.
    manifest_path.write_text(json.dumps({**manifest, "engine": {**manifest["engine"], "version": "0.0.1"}}))
    result = verify(tagged, str(site))
    assert result.returncode == 2
    assert "techplan: the site was built with 0.0.1, this is " in result.stderr
    # ... which --anyway rebuilds regardless: only the manifest then differs.
    result = verify(tagged, str(site), "--anyway")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "(1 differs, of " in result.stdout and "differs: manifest.json" in result.stdout
    # A manifest naming a file outside the site.
    manifest_path.write_text(json.dumps({**manifest, "files": {"../../etc/passwd": "0" * 64}}))
    result = verify(tagged, str(site))
    assert result.returncode == 2
    assert "is not a valid manifest: files wrong or missing" in result.stderr
    # No manifest at all.
    manifest_path.unlink()
    result = verify(tagged, str(site))
    assert result.returncode == 2
    assert "has no manifest.json" in result.stderr
    assert verify(tagged, str(tmp_path / "no-such-site")).returncode == 2
    # A site on the web that does not answer.
    result = verify(tagged, "http://127.0.0.1:9/")
    assert result.returncode == 2
    assert result.stderr.startswith("techplan: cannot fetch http://127.0.0.1:9/manifest.json: ")


def test_verify_on_another_day_in_another_folder_passes_the_demo(demo_built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The demo (nine revisions, merges, renames), checked by a rebuild on another day, in another folder, cold."""
    faketime = shutil.which("faketime")
    command = [
        sys.executable,
        "-m",
        "techplan",
        "verify",
        str(demo_built.root / "site"),
        "--repo",
        str(demo_built.root),
    ]
    if faketime:
        command = [faketime, "2034-06-01 08:00:00", *command]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=_env(), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Verified: all ")


def test_a_second_config_file_is_rebuilt_from_its_own_folder(tmp_path: Path) -> None:
    """A plan whose mkdocs.yml is not at the repository's root: the manifest names it, verify builds it."""
    repo = GitRepo(tmp_path)
    (tmp_path / "docs-site").mkdir()
    write_site(tmp_path / "docs-site", commit=False, config=MKDOCS_YML)
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    assert build(tmp_path / "docs-site").returncode == 0
    manifest = json.loads((tmp_path / "docs-site/site/manifest.json").read_text())
    assert manifest["config"] == "docs-site/mkdocs.yml"
    result = verify(tmp_path, "docs-site/site")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_site_built_with_properdocs_is_rebuilt_with_properdocs(tmp_path: Path) -> None:
    write_site(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path, capture_output=True, text=True, env=_env(), check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = verify(tmp_path, "site")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "site/manifest.json").read_text())
    assert manifest["builder"]["name"] == "ProperDocs"
