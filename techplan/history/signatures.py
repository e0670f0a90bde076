"""Signed revisions: each signed tag checked with `git verify-tag` against keys the repository names.

A build on CI has no keyring and no git config of its own, so the keys come from files committed
to the repository, named in mkdocs.yml: `extra.plan.allowed_signers` (SSH keys, in git's
allowed-signers format: `name key-type key` a line) and `extra.plan.signing_keys` (OpenPGP public
keys, ASCII-armored, imported into a keyring made for the check and deleted after it). Each
result is cached by the tag object and the keys, so a rebuild runs nothing.

An unsigned tag is fine: the revision says "not signed". A signature that does not verify is a
warning (a strict build stops on it): the tag was signed by a key the repository does not list,
was changed after signing, or its signature cannot be checked here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from techplan.cache import DiskCache
from techplan.history.git import GitError, Repository
from techplan.problems import WARNING, Problem

_SSH_GOOD = re.compile(r'Good "git" signature for (?P<name>.+?) with (?P<type>\S+) key (?P<key>\S+)')
_SSH_KEY = re.compile(r"signature with (?P<type>\S+) key (?P<key>SHA256:\S+)")
_GPG_STATUS = re.compile(r"^\[GNUPG:\] (?P<word>[A-Z_]+)(?: (?P<rest>.*))?$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Signature:
    """What a revision's tag says of who signed it, as checked at build time."""

    verified: bool
    """Whether git verified the signature against the repository's keys."""
    kind: str
    """SSH or OpenPGP."""
    signer: str = ""
    """The key's name as the site shows it: the allowed-signers name, the OpenPGP user id's name, or the
    key's fingerprint where the name is an email address (the site publishes no email addresses)."""
    key: str = ""
    """The key's fingerprint, when git said it."""
    reason: str = ""
    """Why the signature does not verify, for the build's warning and the revision's page."""


@dataclass(frozen=True, slots=True)
class Signers:
    """The keys a repository allows to sign its revisions: files in the repository, named in mkdocs.yml."""

    allowed_signers: Path | None = None
    """An SSH allowed-signers file."""
    signing_keys: Path | None = None
    """ASCII-armored OpenPGP public keys."""
    allowed_signers_name: str = ""
    """How messages name the allowed-signers file (its path as mkdocs.yml gives it)."""
    signing_keys_name: str = ""

    def fingerprint(self) -> str:
        """A key for everything the check depends on: the files' contents, and which tools are here to check with.

        A signature that could not be checked for want of ssh-keygen or gpg is checked again once they are.
        """
        digest = hashlib.sha256()
        for path in (self.allowed_signers, self.signing_keys):
            digest.update(b"-" if path is None else _read(path) + b"\0")
        digest.update(repr([shutil.which(tool) is not None for tool in ("ssh-keygen", "gpg")]).encode())
        return digest.hexdigest()


def _read(path: Path) -> bytes:
    """A keys file's bytes, or none if it cannot be read (the settings check said so already)."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def signers_of(root: Path, allowed_signers: str | None, signing_keys: str | None) -> Signers:
    """The keys files mkdocs.yml names (paths relative to its folder)."""
    return Signers(
        root / allowed_signers if allowed_signers else None,
        root / signing_keys if signing_keys else None,
        allowed_signers or "",
        signing_keys or "",
    )


def verify_tags(
    repo: Repository, tags: list[tuple[str, str, str]], signers: Signers, cache: DiskCache
) -> tuple[dict[str, Signature], list[Problem]]:
    """Check signed tags, each (name, tag object sha, kind of signature); the results by name, a warning per failure.

    One `git verify-tag` for each signed tag the cache has not seen with these keys; none for unsigned tags.
    """
    results: dict[str, Signature] = {}
    keys = signers.fingerprint()
    missing: list[tuple[str, str, str]] = []
    for name, sha, kind in tags:
        cached = cache.get("signature", f"{sha}:{keys}")
        if isinstance(cached, Signature):
            results[name] = cached
        else:
            missing.append((name, sha, kind))
    if missing:
        with _keyring(signers, any(kind == "OpenPGP" for _, _, kind in missing)) as (env, keyring_problem):
            for name, sha, kind in missing:
                if kind == "X.509":
                    result = Signature(
                        False,
                        kind,
                        reason="the tag is signed with an X.509 certificate (gpgsm), "
                        "which the site cannot check; sign revisions with an SSH or OpenPGP key",
                    )
                elif kind == "OpenPGP" and keyring_problem:
                    result = Signature(False, kind, reason=keyring_problem)
                else:
                    result = _verify(repo, sha, kind, signers, env)
                results[name] = result
                cache.put("signature", f"{sha}:{keys}", result)
    problems = [
        Problem(f"refs/tags/{name}", 1, "signature", result.reason, WARNING)
        for name, result in sorted(results.items())
        if not result.verified
    ]
    return results, problems


@contextlib.contextmanager
def _keyring(signers: Signers, openpgp: bool) -> Iterator[tuple[dict[str, str], str]]:
    """The environment `git verify-tag` runs in: a keyring of the repository's OpenPGP keys when needed.

    Yields the environment and, if the keyring cannot be made, why.
    """
    if not openpgp:
        yield {}, ""
        return
    if signers.signing_keys is None:
        yield (
            {},
            (
                "the tag is signed with an OpenPGP key, but mkdocs.yml names no keys to check it with; set "
                "extra.plan.signing_keys to a file of the OpenPGP public keys that may sign revisions "
                "(gpg --armor --export KEY > .github/signing-keys.asc)"
            ),
        )
        return
    gpg = shutil.which("gpg")
    if gpg is None:
        yield (
            {},
            "the tag is signed with an OpenPGP key, but gpg is not installed here to check it (apt-get install gnupg)",
        )
        return
    # Short: gpg's sockets live in its home folder, and socket paths are limited to about 100 bytes.
    home = tempfile.mkdtemp(prefix="tp-gpg-")
    env = {"GNUPGHOME": home}
    try:
        imported = subprocess.run(
            [gpg, "--batch", "--quiet", "--import", str(signers.signing_keys)],
            env={**os.environ, **env},
            capture_output=True,
            check=False,
        )
        problem = ""
        if imported.returncode != 0:
            said = " ".join(imported.stderr.decode("utf-8", "replace").split())[:300]
            problem = f"the OpenPGP keys in {signers.signing_keys_name} cannot be read (gpg says: {said})"
        yield env, problem
    finally:
        if shutil.which("gpgconf"):
            subprocess.run(["gpgconf", "--kill", "all"], env={**os.environ, **env}, capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


def _verify(repo: Repository, sha: str, kind: str, signers: Signers, env: dict[str, str]) -> Signature:
    """One tag's signature, checked by git against the repository's keys alone (never the user's own)."""
    allowed = str(signers.allowed_signers) if signers.allowed_signers is not None else os.devnull
    if kind == "SSH" and signers.allowed_signers is None:
        return Signature(
            False,
            kind,
            reason="the tag is signed with an SSH key, but mkdocs.yml names no allowed signers to check it with; "
            "set extra.plan.allowed_signers to a file listing the keys that may sign revisions, one a line, "
            'like: plan-team namespaces="git" ssh-ed25519 AAAA...',
        )
    if kind == "SSH" and shutil.which("ssh-keygen") is None:
        return Signature(
            False, kind, reason="the tag is signed with an SSH key, but ssh-keygen is not installed here to check it "
            "(apt-get install openssh-client)"
        )  # fmt: skip
    try:
        status, output, errors = repo.run_status(
            "-c", f"gpg.ssh.allowedSignersFile={allowed}", "-c", "gpg.program=gpg", "-c", "gpg.minTrustLevel=undefined",
            "verify-tag", "--raw", sha,
            env=env,
        )  # fmt: skip
    except GitError as error:
        return Signature(False, kind, reason=f"git could not check the signature: {error}")
    said = (output + errors).decode("utf-8", "replace")
    return _ssh_result(status, said, signers) if kind == "SSH" else _gpg_result(status, said, signers)


def _ssh_result(status: int, said: str, signers: Signers) -> Signature:
    """What `git verify-tag` said of an SSH signature."""
    good = _SSH_GOOD.search(said)
    if status == 0 and good:
        return Signature(True, "SSH", _publishable_name(good["name"], good["key"]), good["key"])
    key = _SSH_KEY.search(said)
    fingerprint = key["key"] if key else ""
    if "No principal matched" in said and key:
        reason = (
            f"the tag is signed with an SSH key ({fingerprint}) that {signers.allowed_signers_name} does not list; "
            "add the key there if it may sign revisions, or sign the tag again with a key it lists"
        )
    else:
        reason = f"the tag's SSH signature does not verify: {_said(said)}"
    return Signature(False, "SSH", key=fingerprint, reason=reason)


def _gpg_result(status: int, said: str, signers: Signers) -> Signature:
    """What `git verify-tag --raw` said of an OpenPGP signature, from gpg's status lines."""
    lines: dict[str, str] = {}
    for match in _GPG_STATUS.finditer(said):
        lines.setdefault(match["word"], match["rest"] or "")
    fingerprint = lines.get("VALIDSIG", "").split(" ", 1)[0]
    if status == 0 and "GOODSIG" in lines:
        user = lines["GOODSIG"].partition(" ")[2]
        name = user.split("<", 1)[0].strip() if "<" in user else user
        return Signature(True, "OpenPGP", _publishable_name(name, fingerprint), fingerprint)
    if "NO_PUBKEY" in lines:
        key = lines["NO_PUBKEY"].strip()
        reason = (
            f"the tag is signed with an OpenPGP key ({key}) that {signers.signing_keys_name} does not hold; add the "
            "public key there if it may sign revisions, or sign the tag again with a key it holds"
        )
    elif "BADSIG" in lines:
        reason = "the tag's OpenPGP signature does not match the tag: it was changed after it was signed"
    elif "EXPKEYSIG" in lines or "REVKEYSIG" in lines:
        reason = "the tag is signed with an OpenPGP key that has expired or been revoked"
    else:
        reason = f"the tag's OpenPGP signature does not verify: {_said(said)}"
    return Signature(False, "OpenPGP", key=fingerprint, reason=reason)


def _publishable_name(name: str, fingerprint: str) -> str:
    """A signer's name the site can publish: the name, or the key's fingerprint where the name is an email address."""
    name = " ".join(name.split())
    return fingerprint if not name or "@" in name else name


def _said(text: str) -> str:
    """What git or its tools said, on one line, without gpg's status lines and not too long."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("[GNUPG:]")]
    return " ".join(lines)[:300] or "no reason given"
