"""Signed revisions: tags signed with SSH or OpenPGP keys made in the test, checked against the repository's keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import GitRepo
from plansite import MKDOCS_YML, build, page, techplan, write_site

from techplan.cache import DiskCache
from techplan.history.git import Repository
from techplan.history.revisions import list_tags, read_revisions, sign_revisions, signature_kind
from techplan.history.signatures import signers_of

SSH_KEYGEN = shutil.which("ssh-keygen")
GPG = shutil.which("gpg")


def need(tool: str | None, package: str) -> str:
    """A tool's path; the test skips without it (or fails, where CI insists: TECHPLAN_REQUIRE_BROWSER)."""
    if tool is None:
        what = f"the test needs a tool that is not installed (apt-get install {package}; .ci/ensure-browser does)"
        if os.environ.get("TECHPLAN_REQUIRE_BROWSER"):
            pytest.fail(f"{what} (TECHPLAN_REQUIRE_BROWSER is set, so this is a failure, not a skip)")
        pytest.skip(what)
    return tool


SIGNED_CONFIG = MKDOCS_YML.replace(
    "    today: 2021-04-15\n", "    today: 2021-04-15\n    allowed_signers: .github/allowed_signers\n"
)


def said(element: object) -> str:
    """An element's text as a reader reads it."""
    return " ".join(element.get_text().split())  # type: ignore[attr-defined]


def ssh_key(folder: Path, name: str) -> tuple[Path, str]:
    """A new SSH key pair made for the test: the private key's path and the public key's line."""
    key = folder / name
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(key)], check=True)  # type: ignore[list-item]
    public = key.with_suffix(".pub").read_text().split()
    return key, f"{public[0]} {public[1]}"


def ssh_fingerprint(key: Path) -> str:
    """The SHA256 fingerprint ssh-keygen gives a key."""
    output = subprocess.run([SSH_KEYGEN, "-l", "-f", str(key)], check=True, capture_output=True, text=True).stdout  # type: ignore[list-item]
    return output.split()[1]


def signed_tag(repo: GitRepo, name: str, message: str, date: str, key: Path) -> None:
    """An annotated tag signed with an SSH key."""
    repo.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "tag", "-s", name, "-m", message, date=date)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """The mini plan with v1 signed by an allowed key and v2 not signed, built."""
    need(SSH_KEYGEN, "openssh-client")
    keys = tmp_path_factory.mktemp("keys")
    team, team_public = ssh_key(keys, "team")
    other, _ = ssh_key(keys, "other")
    root = tmp_path_factory.mktemp("signed")
    repo = GitRepo(root)
    write_site(root, commit=False, config=SIGNED_CONFIG)
    repo.write(".github/allowed_signers", f'plan-team namespaces="git" {team_public}\n')
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    signed_tag(repo, "v1", "First revision", "2021-01-05T09:00:00+00:00", team)
    repo.replace("plan/roadmap.md", "# Roadmap", "# The roadmap")
    repo.commit("Retitle", "Retitled the roadmap.", "2021-02-01T09:00:00+00:00")
    repo.git("tag", "-a", "v2", "-m", "Second revision", date="2021-02-02T09:00:00+00:00")
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root, {"team": team, "other": other}


def test_a_revision_signed_with_an_allowed_ssh_key_says_who_signed_it_verified(
    signed: tuple[Path, dict[str, Path]],
) -> None:
    root, _ = signed
    banner = page(root, "revisions/v1/").select_one(".tp-revision-banner .tp-signature")
    assert said(banner) == (
        "Revision v1 is signed by plan-team, verified: the tag's SSH signature matches a key the repository lists."
    )
    footer = page(root, "revisions/v1/pages/phase1-vision/index.html").select_one(".tp-archive-footer")
    assert said(footer).endswith("(signed by plan-team, verified).")


def test_an_unsigned_revision_says_so(signed: tuple[Path, dict[str, Path]]) -> None:
    root, _ = signed
    assert said(page(root, "revisions/v2/").select_one(".tp-signature")) == "Revision v2 is not signed."
    assert said(page(root, "revisions/v2/").select_one(".tp-archive-footer")).endswith("(the tag is not signed).")


def test_a_tag_signed_by_a_key_the_repository_does_not_list_fails_the_build(
    signed: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    root, keys = signed
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", str(root), str(clone)], check=True, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    )
    repo = GitRepo(clone)
    signed_tag(repo, "v3", "Third revision", "2021-03-01T09:00:00+00:00", keys["other"])
    result = build(clone)
    assert result.returncode == 1
    assert (
        "refs/tags/v3:1: warning: signature: the tag is signed with an SSH key "
        f"({ssh_fingerprint(keys['other'])}) that "
        ".github/allowed_signers does not list; add the key there if it may sign revisions, or sign the tag again "
        "with a key it lists"
    ) in result.stderr
    # Not strict: the build goes on, and the revision says its signature is not verified.
    repo.replace("mkdocs.yml", "strict: true", "strict: false")
    repo.commit("Not strict", None, "2021-03-02T09:00:00+00:00")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(clone / "site")],
        cwd=clone,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown = said(page(clone, "revisions/v3/").select_one(".tp-signature"))
    assert shown.startswith(
        "Revision v3 is signed, but the signature is not verified: the tag is signed with an SSH key"
    )


def test_a_tag_changed_after_signing_does_not_verify(signed: tuple[Path, dict[str, Path]], tmp_path: Path) -> None:
    root, keys = signed
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    repo = GitRepo(clone)
    signed_tag(repo, "v3", "Third revision", "2021-03-01T09:00:00+00:00", keys["team"])
    # The same signature on a message someone changed afterwards: a tag object written by hand.
    body = repo.git_bytes("cat-file", "tag", "v3").replace(b"Third revision", b"Third revision!")
    forged = repo.write_object("tag", body)
    repo.git("update-ref", "refs/tags/v3", forged)
    result = build(clone)
    assert result.returncode == 1
    assert "refs/tags/v3:1: warning: signature: the tag's SSH signature does not verify" in result.stderr


def test_a_signer_named_by_an_email_address_is_shown_by_fingerprint(tmp_path: Path) -> None:
    need(SSH_KEYGEN, "openssh-client")
    key, public = ssh_key(tmp_path, "key")
    root = tmp_path / "repo"
    repo = GitRepo(root)
    write_site(root, commit=False, config=SIGNED_CONFIG)
    repo.write(".github/allowed_signers", f"sam.example@personal.example {public}\n")
    repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
    signed_tag(repo, "v1", "First revision", "2021-01-05T09:00:00+00:00", key)
    result = build(root)
    assert result.returncode == 0, result.stderr
    shown = said(page(root, "revisions/v1/").select_one(".tp-signature"))
    assert shown.startswith(f"Revision v1 is signed by {ssh_fingerprint(key)}, verified")
    assert not [p for p in (root / "site").rglob("*.html") if "personal.example" in p.read_text(encoding="utf-8")]


def test_signatures_are_checked_once_per_tag_and_keys(signed: tuple[Path, dict[str, Path]]) -> None:
    """One `git verify-tag` per signed tag, none for an unsigned one, none at all once the cache holds the result."""
    root, _ = signed
    repo = Repository(root)
    calls: list[tuple[str, ...]] = []
    run_status = repo.run_status

    def counted(*args: str, env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
        calls.append(args)
        return run_status(*args, env=env)

    repo.run_status = counted  # type: ignore[method-assign]
    try:
        revisions, _, _ = read_revisions(repo, list_tags(repo), "v*", "plan/", ())
        assert [(r.name, r.signed) for r in revisions] == [("v1", "SSH"), ("v2", "")]
        signers = signers_of(root, ".github/allowed_signers", None)
        cache = DiskCache(None)
        checked, problems = sign_revisions(repo, revisions, signers, cache)
        assert problems == [] and len(calls) == 1 and "verify-tag" in calls[0]
        assert checked[0].signature is not None and checked[0].signature.signer == "plan-team"
        assert checked[1].signature is None
        again, _ = sign_revisions(repo, revisions, signers, cache)
        assert again == checked and len(calls) == 1
        # Other keys are another question: asked again.
        other_keys = signers_of(root, "mkdocs.yml", None)
        _, problems = sign_revisions(repo, revisions, other_keys, cache)
        assert len(calls) == 2 and [p.path for p in problems] == ["refs/tags/v1"]
    finally:
        repo.close()


def test_a_revision_signed_with_an_openpgp_key_names_the_key_without_its_email(tmp_path: Path) -> None:
    need(GPG, "gnupg")
    home = Path(
        subprocess.run(
            ["mktemp", "-d", "/tmp/tp-gpg-test.XXXXXX"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    gpg_env = {**os.environ, "GNUPGHOME": str(home)}
    try:
        subprocess.run(
            [GPG, "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", "Plan Team <plan.team@personal.example>",
             "ed25519", "sign", "never"],
            env=gpg_env, check=True, capture_output=True,
        )  # type: ignore[list-item]  # fmt: skip
        listing = subprocess.run(
            [GPG, "--with-colons", "--list-keys"], env=gpg_env, capture_output=True, text=True, check=True
        )  # type: ignore[list-item]
        fingerprint = next(line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr"))
        root = tmp_path / "repo"
        repo = GitRepo(root)
        config = MKDOCS_YML.replace(
            "    today: 2021-04-15\n", "    today: 2021-04-15\n    signing_keys: keys/plan.asc\n"
        )
        write_site(root, commit=False, config=config)
        exported = subprocess.run(
            [GPG, "--armor", "--export", fingerprint], env=gpg_env, capture_output=True, check=True
        )  # type: ignore[list-item]
        (root / "keys").mkdir()
        (root / "keys/plan.asc").write_bytes(exported.stdout)
        repo.commit("Publish", "First publication.", "2021-01-04T09:00:00+00:00")
        subprocess.run(
            ["git", "-c", f"user.signingkey={fingerprint}", "-c", "user.name=Plan Team",
             "-c", "user.email=plan@example.org",
             "tag", "-s", "v1", "-m", "First revision"],
            cwd=root, env={**gpg_env, "GIT_CONFIG_GLOBAL": os.devnull}, check=True, capture_output=True,
        )  # fmt: skip
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=gpg_env, capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)
    # The build has no keyring of its own: the key comes from keys/plan.asc alone.
    result = build(root)
    assert result.returncode == 0, result.stderr
    shown = said(page(root, "revisions/v1/").select_one(".tp-signature"))
    assert (
        shown
        == "Revision v1 is signed by Plan Team, verified: the tag's OpenPGP signature matches a key the repository "
        "lists."
    )
    assert not [p for p in (root / "site").rglob("*.html") if "personal.example" in p.read_text(encoding="utf-8")]
    # Without the key file, the same tag cannot be verified.
    repo.replace("mkdocs.yml", "    signing_keys: keys/plan.asc\n", "")
    repo.commit("Forget the keys", None, "2021-01-06T09:00:00+00:00")
    result = build(root)
    assert result.returncode == 1
    assert (
        "refs/tags/v1:1: warning: signature: the tag is signed with an OpenPGP key, but mkdocs.yml names no keys"
        in result.stderr
    )


def test_the_kind_of_signature_is_read_from_the_tag_message() -> None:
    assert signature_kind("Title\n\nSummary.\n") == ""
    assert signature_kind("Title\n-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n") == "SSH"
    assert signature_kind("Title\n-----BEGIN PGP SIGNATURE-----\r\nabc\n") == "OpenPGP"
    assert signature_kind("Title\n-----BEGIN SIGNED MESSAGE-----\nabc\n") == "X.509"
    # Only at the start of a line, as git reads it: a message quoting a marker is not signed.
    assert signature_kind("Title: the -----BEGIN SSH SIGNATURE----- line\n") == ""


def test_a_keys_file_that_is_not_in_the_repository_is_a_problem_at_its_line(tmp_path: Path) -> None:
    config = MKDOCS_YML.replace("    today: 2021-04-15\n", "    today: 2021-04-15\n    allowed_signers: ../keys\n")
    write_site(tmp_path, config=config)
    (tmp_path.parent / "keys").write_text("outside\n")
    result = techplan(tmp_path, "check")
    assert result.returncode == 1
    line = config.splitlines().index("    allowed_signers: ../keys") + 1
    assert (
        f'mkdocs.yml:{line}: extra.plan.allowed_signers: "../keys" is not a file in the repository; give the path '
        "of one relative to mkdocs.yml, like .github/allowed_signers"
    ) in result.stdout
