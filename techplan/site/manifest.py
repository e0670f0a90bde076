"""manifest.json: what a built site holds and what built it, so anyone can check a copy (`techplan verify`).

The manifest lists every file of the site but itself with its SHA-256, and names everything a
rebuild needs to give the same bytes: the commit, the tags it read, the as-at date, how history
was read, the config file, and the versions of the engine, MkDocs (or ProperDocs), the theme
and the Markdown packages. It is written last, after every other plugin has written its files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from techplan._version import __version__
from techplan.cache import engine_digest
from techplan.errors import TechplanError
from techplan.site.builtfrom import BuiltFrom

MANIFEST = "manifest.json"
"""Where the manifest lives in a built site."""
FORMAT = 1
"""The manifest's format; a reader refuses a format it does not know."""
PACKAGES = ("Markdown", "pymdown-extensions", "Jinja2", "Pygments", "GitPython")
"""Packages besides the engine, the builder and the theme whose versions can change a site's bytes."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


class ManifestError(TechplanError):
    """A manifest cannot be read or is not one this engine writes; the message says what is wrong."""

    status = 2


def versions(builder: str, builder_version: str) -> dict[str, Any]:
    """What built the site: the engine (version and a digest of its files), the builder, the theme, and key packages."""
    return {
        "engine": {"name": "techplan", "version": __version__, "digest": engine_digest()},
        "builder": {"name": builder, "version": builder_version},
        "theme": {"name": "mkdocs-material", "version": _version_of("mkdocs-material")},
        "packages": {name: _version_of(name) for name in PACKAGES},
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
    }


def _version_of(package: str) -> str | None:
    """An installed package's version, or None."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def file_hashes(site_dir: Path) -> dict[str, str]:
    """SHA-256 of every file in a built site but the manifest, by path relative to it (with forward slashes)."""
    return {path: hash_file(site_dir / path) for path in _site_files(site_dir)}


def _site_files(site_dir: Path) -> list[str]:
    """Every file of a built site but the manifest, by path relative to it (forward slashes), sorted."""
    paths = []
    for folder, _, names in os.walk(site_dir):
        relative = os.path.relpath(folder, site_dir)
        prefix = "" if relative == "." else Path(relative).as_posix() + "/"
        paths += [prefix + name for name in names]
    paths.sort()
    if MANIFEST in paths:
        paths.remove(MANIFEST)
    return paths


def hash_file(path: str | Path) -> str:
    """A file's SHA-256."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_FILES = "\0the site's files\0"
"""Where the files go in the manifest's text, written one at a time (`write_manifest`)."""


def write_manifest(
    site_dir: Path, built_from: BuiltFrom, built_by: dict[str, Any], site_url: str, known: dict[str, str]
) -> None:
    """Write a built site's manifest, listing every file of the site but itself with its SHA-256.

    `known` gives hashes computed as files were written (the archive's). The files are hashed
    and written one at a time: at 1,000 pages the list is 30,000 files, which as one dict and
    one string of JSON would be the build's largest use of memory, at its very end. The same
    build gives the same bytes: those of `json.dumps` with sorted keys, an indent of one, and
    text as it is.
    """
    head, tail = _render(built_from, built_by, site_url, _FILES).split(_dumps(_FILES).encode("utf-8"))
    paths = _site_files(site_dir)
    with open(site_dir / MANIFEST, "wb") as output:
        output.write(head)
        output.write(b"{" if paths else b"{}")
        for number, path in enumerate(paths):
            digest = known.get(path) or hash_file(site_dir / path)
            separator = "\n" if number == 0 else ",\n"
            output.write(f"{separator}  {_dumps(path)}: {_dumps(digest)}".encode())
        output.write(b"\n }" if paths else b"")
        output.write(tail)


def _dumps(text: str) -> str:
    """A string as the manifest's JSON writes it (`json.dumps`): quoted as it is when there is nothing to escape."""
    return f'"{text}"' if _NOTHING_TO_ESCAPE.fullmatch(text) else json.dumps(text, ensure_ascii=False)


_NOTHING_TO_ESCAPE = re.compile(r'[^\x00-\x1f"\\]*')
"""Text `json.dumps` (ensure_ascii=False) writes as it is, between quotes: no control character, quote or backslash."""


def _render(built_from: BuiltFrom, built_by: dict[str, Any], site_url: str, files: str) -> bytes:
    """The manifest's bytes with a string where the files go: no times in it but the as-at date."""
    source = built_from.source
    data = {
        "format": FORMAT,
        "site_url": site_url or None,
        "commit": source.commit,
        "commit_date": source.date.isoformat() if source.date else None,
        "uncommitted": list(built_from.uncommitted),
        "revision": None
        if source.revision is None
        else {
            "name": source.revision,
            "commit": source.revision_commit,
            "commits_since": source.commits_since,
            "changes_since": source.changes_since,
        },
        "tags": dict(source.tags),
        "as_at": built_from.as_at.isoformat(),
        "history": built_from.history,
        "shallow": built_from.shallow,
        "config": built_from.config,
        **built_by,
        "files": files,
    }
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Manifest:
    """A manifest as read back: what verify needs of it."""

    commit: str | None
    uncommitted: tuple[str, ...]
    tags: dict[str, str]
    as_at: date
    history: str
    shallow: bool
    config: str
    engine: dict[str, Any]
    builder: dict[str, Any]
    theme: dict[str, Any]
    packages: dict[str, Any]
    files: dict[str, str]
    site_url: str | None
    revision: str | None = None
    """The revision the commit belongs to, and the changes to the plan since it."""
    changes_since: int = 0


def read_manifest(data: bytes, where: str) -> Manifest:
    """Read a manifest's bytes, checking every field a rebuild relies on; ManifestError says what is wrong."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestError(f"{where} is not a manifest this engine can read: {error}") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{where} is not a manifest: expected a JSON object")
    problems: list[str] = []

    def need(key: str, kind: type | tuple[type, ...], check: Any = None) -> Any:
        value = raw.get(key)
        if not isinstance(value, kind) or (check is not None and not check(value)):
            problems.append(key)
            return None
        return value

    if raw.get("format") != FORMAT:
        raise ManifestError(
            f"{where} has format {raw.get('format')!r}; this engine reads format {FORMAT} (upgrade techplan)"
        )
    commit = raw.get("commit")
    if commit is not None and not (isinstance(commit, str) and _SHA.match(commit)):
        problems.append("commit")
    tags = need("tags", dict, lambda v: all(isinstance(k, str) and k.startswith("refs/tags/") and isinstance(s, str)
                                            and _SHA.match(s) and safe_ref(k) for k, s in v.items()))  # fmt: skip
    files = need(
        "files", dict, lambda v: all(isinstance(s, str) and _SHA256.match(s) and safe_path(k) for k, s in v.items())
    )
    as_at = need("as_at", str, lambda v: re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v))
    uncommitted = need("uncommitted", list, lambda v: all(isinstance(p, str) for p in v))
    history = need("history", str, lambda v: v in ("full", "partial", "off"))
    config = need("config", str, safe_path)
    parts = {name: need(name, dict) for name in ("engine", "builder", "theme", "packages")}
    site_url = raw.get("site_url")
    shallow = raw.get("shallow")
    revision: dict[str, Any] = raw["revision"] if isinstance(raw.get("revision"), dict) else {}
    revision_name = revision.get("name") if isinstance(revision.get("name"), str) else None
    since = revision["changes_since"] if isinstance(revision.get("changes_since"), int) else 0
    try:
        day = date.fromisoformat(as_at) if as_at else None
    except ValueError:
        day, problems = None, [*problems, "as_at"]
    if problems or day is None:
        raise ManifestError(f"{where} is not a valid manifest: {', '.join(sorted(set(problems)))} wrong or missing")
    return Manifest(
        commit=commit,
        uncommitted=tuple(uncommitted),
        tags=tags,
        as_at=day,
        history=history,
        shallow=shallow is True,
        config=config,
        engine=parts["engine"],
        builder=parts["builder"],
        theme=parts["theme"],
        packages=parts["packages"],
        files=files,
        site_url=site_url if isinstance(site_url, str) else None,
        revision=revision_name,
        changes_since=since,
    )


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_path(path: str) -> bool:
    """Whether a path from a manifest names a file inside the site: relative, no `..`, no control characters."""
    if not isinstance(path, str) or not path or path.startswith("/") or _UNSAFE.search(path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def safe_ref(refname: str) -> bool:
    """Whether a tag name from a manifest is one git could have written (`git check-ref-format`'s main rules)."""
    name = refname.removeprefix("refs/tags/")
    return (
        bool(name)
        and not _UNSAFE.search(name)
        and not any(c in name for c in " ~^:?*[")
        and ".." not in name
        and "@{" not in name
        and not name.endswith((".", ".lock", "/"))
        and all(part and not part.startswith(".") for part in name.split("/"))
    )
