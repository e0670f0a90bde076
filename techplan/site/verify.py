"""`techplan verify SITE`: build a site again from the repository and compare every byte.

The site's manifest.json names the commit, the tags, the as-at date and the versions that built
it. The rebuild happens in a temporary clone that shares the repository's objects (`git clone
--shared`: nothing of the user's work tree or branches is touched), at that commit, with exactly
those tags, and the result is compared file by file with the site: a folder is read once, a
site on the web is fetched once, file by file, with nothing but urllib. Exit status 0: every
file is what the commit builds; 1: some differ, are missing or are extra; 2: the site could not
be verified (no manifest, an unknown commit, other versions, a build that fails) and why.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as day_start
from pathlib import Path
from typing import Any, TextIO

from techplan._version import __version__
from techplan.cache import cache_folder
from techplan.errors import TechplanError
from techplan.history.git import GitError, NotARepository, Repository
from techplan.site.manifest import MANIFEST, Manifest, file_hashes, hash_file, read_manifest, versions

FETCH_WORKERS = 8
"""Files fetched at once from a site on the web."""
FETCH_TIMEOUT = 60
"""Seconds to wait for a server before giving up on a file."""
LARGEST_FILE = 256 * 1024 * 1024
"""No file of a site is read past this many bytes: a server that sends more differs anyway."""
SHOWN = 20
"""How many differing, missing or extra files are named one by one; the rest are counted."""
BUILDERS = {"MkDocs": "mkdocs", "ProperDocs": "properdocs"}
"""The command module that rebuilds a site, by the builder the manifest names."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class CannotVerify(TechplanError):
    """The site cannot be checked: the message says why and what to do."""

    status = 2


@dataclass(slots=True)
class Comparison:
    """What a site holds against what its commit builds."""

    checked: int = 0
    differs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    """For a differing text file, where it first differs."""

    @property
    def same(self) -> bool:
        """Whether every file is what the commit builds, and nothing is missing or extra."""
        return not (self.differs or self.missing or self.extra)


def shown(text: str) -> str:
    """Text from a site (a file name, a line) as a terminal may print it: control characters escaped."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 256 else
                        f"\\u{ord(match.group()):04x}", text)  # fmt: skip


class Site:
    """A built site to check: a folder on this machine, or an http(s) address."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.url: str | None = None
        self.folder: Path | None = None
        if re.match(r"^https?://", where, re.IGNORECASE):
            self.url = where if where.endswith("/") else where + "/"
        elif "://" in where:
            raise CannotVerify(f"{shown(where)} is neither a folder nor an http:// or https:// address")
        else:
            self.folder = Path(where)
            if not self.folder.is_dir():
                raise CannotVerify(
                    f"{shown(where)} is not a folder (give the built site's folder, or its https:// address)"
                )

    def read(self, path: str, limit: int = LARGEST_FILE) -> bytes | None:
        """A file of the site, or None if it has none; at most `limit` bytes and one more."""
        if self.folder is not None:
            try:
                with open(self.folder / path, "rb") as handle:
                    return handle.read(limit + 1)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                return None
            except OSError as error:
                raise CannotVerify(f"cannot read {shown(path)} in {shown(self.where)}: {error.strerror}") from None
        assert self.url is not None
        address = self.url + urllib.parse.quote(path)
        request = urllib.request.Request(address, headers={"User-Agent": f"techplan-verify/{__version__}"})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                return bytes(response.read(limit + 1))
        except urllib.error.HTTPError as error:
            if error.code in (404, 410):
                return None
            raise CannotVerify(f"{shown(address)} answered {error.code} {shown(str(error.reason))}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise CannotVerify(f"cannot fetch {shown(address)}: {shown(str(reason))}") from None

    def listing(self) -> dict[str, str] | None:
        """SHA-256 of every file in a folder site (the manifest included); None for a site on the web (no listing)."""
        if self.folder is None:
            return None
        hashes = file_hashes(self.folder)
        manifest = self.folder / MANIFEST
        if manifest.is_file():
            hashes[MANIFEST] = hash_file(manifest)
        return hashes


def verify(
    where: str,
    repo_path: Path,
    *,
    reuse_cache: bool = False,
    anyway: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Check a site against a rebuild of its commit; the exit status (0 verified, 1 differences, 2 could not verify)."""
    site = Site(where)
    data = site.read(MANIFEST, 64 * 1024 * 1024)
    if data is None:
        raise CannotVerify(
            f"{shown(where)} has no {MANIFEST}, so there is nothing to rebuild it from (a site built by techplan "
            "before manifests, or not by techplan)"
        )
    manifest = read_manifest(data, f"{shown(where)}/{MANIFEST}")
    _check_buildable(manifest)
    notes = _check_versions(manifest, anyway)
    for note in notes:
        print(f"note: {note}", file=err)
    try:
        repo = Repository(repo_path)
    except NotARepository:
        raise CannotVerify(
            f"{shown(str(repo_path))} is not in a git repository; run techplan verify in a clone of the plan's "
            "repository, or name one with --repo"
        ) from None
    try:
        _check_objects(repo, manifest)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="techplan-verify-") as temporary:
            folder = Path(temporary)
            cache = cache_folder(repo.root / Path(manifest.config).parent) if reuse_cache else folder / "cache"
            print(
                f"Building commit {manifest.commit[:12] if manifest.commit else ''} ({_revision(manifest)}) as at "
                f"{manifest.as_at.isoformat()} again, in a temporary clone…",
                file=err,
            )
            rebuilt = _rebuild(repo, manifest, folder, cache)
            built_in = time.monotonic() - started
            comparing = time.monotonic()
            comparison = compare(site, folder / "site", rebuilt, manifest, hashlib.sha256(data).hexdigest())
            print(
                f"Rebuilt in {built_in:.1f} s; compared {comparison.checked} files in "
                f"{time.monotonic() - comparing:.1f} s.",
                file=err,
            )
    finally:
        repo.close()
    return report(where, manifest, comparison, notes, out)


def _revision(manifest: Manifest) -> str:
    """The revision a manifest says its commit belongs to, for the progress line."""
    if manifest.revision is None:
        return "no revision"
    name, since = shown(manifest.revision), manifest.changes_since
    return f"revision {name}" if not since else f"revision {name} and {since} change{'s' if since != 1 else ''} since"


def _check_buildable(manifest: Manifest) -> None:
    """Refuse a site no commit can build again, saying why."""
    if manifest.commit is None:
        raise CannotVerify(
            "the site names no commit: it was built without the plan's git history (history: off), so it "
            "cannot be built again from the repository"
        )
    if manifest.uncommitted:
        names = ", ".join(shown(p) for p in manifest.uncommitted[:5]) + (" …" if len(manifest.uncommitted) > 5 else "")
        raise CannotVerify(
            f"the site was built with edits that were never committed ({names}), so no commit builds it; "
            "a published site is built from a clean checkout"
        )
    if manifest.shallow:
        raise CannotVerify(
            "the site was built from a shallow clone (history cut short), so its history pages cannot be built "
            "again from a full repository; build the site from a full clone (fetch-depth: 0) to make it verifiable"
        )
    if manifest.history == "off":
        raise CannotVerify("the site was built without history (history: off), so it names no commit to build")


def _check_versions(manifest: Manifest, anyway: bool) -> list[str]:
    """Refuse (unless `anyway`) a site built by another engine, builder or theme; notes on other packages."""
    builder = manifest.builder.get("name")
    if builder not in BUILDERS:
        raise CannotVerify(f"the site was built by {_v(builder)}, which techplan verify cannot run")
    here = versions(builder, __import__(BUILDERS[builder]).__version__)
    theirs = {"techplan": manifest.engine, builder: manifest.builder, "mkdocs-material": manifest.theme}
    ours = {"techplan": here["engine"], builder: here["builder"], "mkdocs-material": here["theme"]}
    problems = [
        f"{name}: the site was built with {_v(theirs[name].get('version'))}, this is {_v(ours[name]['version'])}"
        for name in theirs
        if theirs[name].get("version") != ours[name]["version"]
    ]
    if not problems and manifest.engine.get("digest") != here["engine"]["digest"]:
        problems.append(
            f"techplan: the site was built by {__version__} with other files (digest "
            f"{_v(manifest.engine.get('digest'))[:12]}, this one's is {here['engine']['digest'][:12]})"
        )
    notes = [
        f"{shown(name)} differs: the site was built with {_v(version)}, this is {_v(here['packages'].get(name))}"
        for name, version in sorted(manifest.packages.items())
        if here["packages"].get(name) != version
    ]
    if problems and not anyway:
        raise CannotVerify(
            "the site was built by other versions than are installed here, so a rebuild would not be the same "
            "build:\n  " + "\n  ".join(problems) + "\nInstall the versions that built it (its manifest.json names "
            "them), or rebuild anyway with --anyway"
        )
    return [*problems, *notes]


def _v(value: Any) -> str:
    """A version from a manifest, printable."""
    return shown(str(value)) if value is not None else "none"


def _check_objects(repo: Repository, manifest: Manifest) -> None:
    """Refuse a commit or tag the repository does not have, saying how to fetch it."""
    assert manifest.commit is not None
    wanted = [f"{manifest.commit}^{{commit}}", *manifest.tags.values()]
    output = repo.run_bytes("cat-file", "--batch-check", stdin=("\n".join(wanted) + "\n").encode()).decode()
    lines = output.splitlines()
    if not lines or lines[0].endswith("missing") or lines[0].split()[1:2] != ["commit"]:
        raise CannotVerify(
            f"commit {manifest.commit} is not in this repository: fetch it (git fetch origin) and run techplan "
            "verify again, or run it in the repository the site was built from"
        )
    missing = [
        name for (name, _), line in zip(manifest.tags.items(), lines[1:], strict=False) if line.endswith("missing")
    ]
    if missing:
        names = ", ".join(shown(name.removeprefix("refs/tags/")) for name in missing)
        raise CannotVerify(
            f"the site was built with tags this repository does not have ({names}): fetch them (git fetch --tags)"
        )


def _rebuild(repo: Repository, manifest: Manifest, folder: Path, cache: Path | None) -> dict[str, str]:
    """Build the manifest's commit in a temporary clone under `folder`; SHA-256 of every file built (manifest too)."""
    assert manifest.commit is not None
    clone = folder / "repo"
    try:
        # --shared: the clone reads the repository's objects in place, and writes nothing into it.
        repo.run_bytes("clone", "--quiet", "--shared", "--no-checkout", "--no-tags", str(repo.root), str(clone))
        clone_repo = Repository(clone)
        try:
            refs = "".join(f"create {name} {sha}\n" for name, sha in sorted(manifest.tags.items()))
            if refs:
                clone_repo.run_bytes("update-ref", "--stdin", stdin=refs.encode())
            clone_repo.run_bytes("-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", manifest.commit)
        finally:
            clone_repo.close()
    except GitError as error:
        raise CannotVerify(f"could not check out commit {manifest.commit[:12]} in a temporary clone: {error}") from None
    as_at = datetime.combine(manifest.as_at, day_start(0), tzinfo=UTC)
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": str(int(as_at.timestamp())),
        "TECHPLAN_HISTORY": manifest.history,
        "TECHPLAN_CACHE": str(cache) if cache is not None else "off",
        "NO_MKDOCS_2_WARNING": "1",
    }
    command = [
        sys.executable, "-m", BUILDERS[manifest.builder["name"]], "build", "--quiet",
        "--config-file", str(clone / manifest.config), "--site-dir", str(folder / "site"),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        said = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise CannotVerify(f"building commit {manifest.commit[:12]} again failed:\n{shown_lines(said)}")
    hashes = file_hashes(folder / "site")
    built_manifest = folder / "site" / MANIFEST
    if built_manifest.is_file():
        hashes[MANIFEST] = hash_file(built_manifest)
    return hashes


def shown_lines(text: str) -> str:
    """Several lines of output, each printable."""
    return "\n".join(shown(line) for line in text.splitlines())


def compare(
    site: Site, rebuilt_dir: Path, rebuilt: dict[str, str], manifest: Manifest, manifest_hash: str
) -> Comparison:
    """Every file the rebuild made against the site's, and every file the site has beyond them.

    A folder is listed and every file in it read once. A site on the web cannot be listed: each
    file the rebuild made, and each its own manifest lists, is fetched once (the manifest was already).
    """
    comparison = Comparison()
    listing = site.listing()
    kept: dict[str, bytes] = {}
    if listing is not None:
        theirs: dict[str, str | None] = dict(listing)
    else:
        wanted = sorted((set(rebuilt) | set(manifest.files)) - {MANIFEST})
        theirs, kept = _fetch_hashes(site, wanted, rebuilt_dir, rebuilt)
        theirs[MANIFEST] = manifest_hash
    for path in sorted(set(rebuilt) | {p for p, digest in theirs.items() if digest is not None}):
        comparison.checked += 1
        mine, their = rebuilt.get(path), theirs.get(path)
        if their is None:
            comparison.missing.append(path)
        elif mine is None:
            comparison.extra.append(path)
        elif mine != their:
            comparison.differs.append(path)
            if len(comparison.details) < SHOWN:
                their_bytes = kept[path] if path in kept else site.read(path) if site.folder is not None else None
                detail = first_difference(their_bytes, (rebuilt_dir / path).read_bytes())
                if detail:
                    comparison.details[path] = detail
    return comparison


def _fetch_hashes(
    site: Site, paths: list[str], rebuilt_dir: Path, rebuilt: dict[str, str]
) -> tuple[dict[str, str | None], dict[str, bytes]]:
    """SHA-256 of each file of a site on the web (None for one it does not have), fetched in a pool of
    connections; and the bytes of the first few that differ from the rebuild, to say where."""
    kept: dict[str, bytes] = {}

    def fetch(path: str) -> tuple[str, str | None]:
        built = rebuilt_dir / path
        # A file longer than its rebuild differs whatever follows: no need to fetch more of it.
        data = site.read(path, built.stat().st_size if path in rebuilt else LARGEST_FILE)
        if data is None:
            return path, None
        digest = hashlib.sha256(data).hexdigest()
        if path in rebuilt and digest != rebuilt[path] and len(kept) < SHOWN:
            kept[path] = data
        return path, digest

    with concurrent.futures.ThreadPoolExecutor(max_workers=FETCH_WORKERS) as pool:
        return dict(pool.map(fetch, paths)), kept


def first_difference(theirs: bytes | None, mine: bytes) -> str:
    """Where a text file first differs from its rebuild: the line, and a little of each side."""
    if theirs is None:
        return ""
    try:
        their_lines, my_lines = theirs.decode("utf-8").splitlines(), mine.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"{len(theirs)} bytes on the site, {len(mine)} rebuilt"
    for number, (their, my) in enumerate(zip(their_lines, my_lines, strict=False), start=1):
        if their != my:
            at = next((n for n, (a, b) in enumerate(zip(their, my, strict=False)) if a != b), min(len(their), len(my)))
            start = max(0, at - 30)
            theirs_then, mine_then = shown(their[start : at + 50]), shown(my[start : at + 50])
            return f'line {number}: the site has "{theirs_then}", the rebuild "{mine_then}"'
    if len(their_lines) != len(my_lines):
        return f"the site has {len(their_lines)} lines, the rebuild {len(my_lines)}"
    return "line endings or a final newline differ"


def report(where: str, manifest: Manifest, comparison: Comparison, notes: list[str], out: TextIO) -> int:
    """Say what was found, one file a line, with a summary; the exit status."""
    assert manifest.commit is not None
    what = f"commit {manifest.commit[:12]} as at {manifest.as_at.isoformat()}"
    if comparison.same:
        print(
            f"Verified: all {comparison.checked} files of {shown(where)} are byte for byte what {what} builds.",
            file=out,
        )
        return 0
    counts = ", ".join(
        f"{len(paths)} {label}"
        for label, paths in (
            ("differs" if len(comparison.differs) == 1 else "differ", comparison.differs),
            ("missing", comparison.missing),
            ("extra", comparison.extra),
        )
        if paths
    )
    print(
        f"Not verified: {shown(where)} is not what {what} builds ({counts}, of {comparison.checked} files).", file=out
    )
    for label, paths, meaning in (
        ("differs", comparison.differs, ""),
        ("missing", comparison.missing, " (the commit builds it; the site does not have it)"),
        ("extra", comparison.extra, " (the site has it; the commit does not build it)"),
    ):
        for path in paths[:SHOWN]:
            detail = comparison.details.get(path)
            print(f"{label}: {shown(path)}{meaning}{': ' + detail if detail else ''}", file=out)
        if len(paths) > SHOWN:
            print(f"{label}: … and {len(paths) - SHOWN} more", file=out)
    if notes:
        print("The versions differ (see the notes above), which may explain some differences.", file=out)
    return 1
