"""All git access goes through here: git commands run as processes of their own, raising GitError.

No library in between (GitPython took longer to import than most builds spend in git). Git is
needed only for history: nothing runs git until a Repository is opened, so
`techplan check`, `techplan schema`, the edit commands and builds without history run on a
machine with no git at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from techplan.errors import TechplanError

NO_GIT = (
    "git is not installed (or not on PATH), so the plan's history cannot be read. Install git "
    "(Debian/Ubuntu: apt-get install git), or build without history: TECHPLAN_HISTORY=off "
    "(or extra.plan.history: off in mkdocs.yml)"
)
"""What to say when history is needed and there is no git to read it with."""

_CONFIG = (
    "-c", "log.showSignature=false", "-c", "i18n.logOutputEncoding=UTF-8", "-c", "core.quotePath=false",
    "-c", "color.ui=never",
)  # fmt: skip
"""Settings that keep git's output in the shape the parsers read, whatever the user's own config says."""


class GitError(TechplanError):
    """A git command failed; the message is git's own."""


class NotARepository(GitError):
    """The folder is not inside a git work tree (a downloaded archive, say)."""


class GitUnavailable(GitError):
    """There is no git command to run."""


class UntrustedRepository(GitError):
    """Git refuses to work in a repository owned by someone else (git's safe.directory)."""


def _git() -> str:
    """The git command to run; GitUnavailable when there is none."""
    command = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"
    if shutil.which(command) is None:
        raise GitUnavailable(NO_GIT)
    return command


class Repository:
    """The git repository holding the plan."""

    def __init__(self, path: Path) -> None:
        self._git = _git()
        self.root = _work_tree(Path(path).resolve())
        """The top of the work tree; git paths are relative to it."""
        # Git's messages in English, whatever the locale: errors are recognised by what they say.
        self._env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}

    def run_bytes(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run a git command in the work tree; its output as bytes, exactly as git wrote it."""
        status, output, errors = self._run(args, stdin, self._env)
        if status:
            stderr = errors.decode("utf-8", "replace").strip()
            raise _error(stderr, f"git {args[0]} failed with status {status}")
        return output

    def run_status(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
        """Run a git command whose failure is an answer (`git verify-tag`): its exit status, output and errors."""
        return self._run(args, None, {**self._env, **(env or {})})

    def _run(self, args: tuple[str, ...], stdin: bytes | None, env: dict[str, str]) -> tuple[int, bytes, bytes]:
        """One git process, no shell: its exit status, output and errors."""
        try:
            done = subprocess.run(
                [self._git, *_CONFIG, *args],
                cwd=self.root,
                input=stdin,
                stdin=None if stdin is not None else subprocess.DEVNULL,
                capture_output=True,
                env=env,
                check=False,
            )
        except FileNotFoundError:
            raise GitUnavailable(NO_GIT) from None
        return done.returncode, done.stdout, done.stderr

    def run(self, *args: str) -> str:
        """Run a git command in the work tree; its output as text (bytes that are not UTF-8 replaced)."""
        return self.run_bytes(*args).decode("utf-8", errors="replace")

    def head(self) -> str | None:
        """The full sha of HEAD, or None in a repository with no commits yet."""
        status, output, errors = self._run(("rev-parse", "--verify", "--quiet", "HEAD"), None, self._env)
        if status == 0:
            return output.decode().strip() or None
        stderr = errors.decode("utf-8", "replace").strip()
        if stderr:
            raise _error(stderr, "git rev-parse failed")
        return None

    def is_shallow(self) -> bool:
        """Whether history was cut short (`git clone --depth`), as CI checkouts often are."""
        return self.run("rev-parse", "--is-shallow-repository").strip() == "true"

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of objects by sha, from one `git cat-file --batch` fed every sha at once.

        An object the repository does not have (a partial clone, a submodule's commit) is left
        out of the result rather than failing the read: callers say what they could not read.
        """
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        output = self.run_bytes("cat-file", "--batch", stdin=("\n".join(wanted) + "\n").encode())
        contents: dict[str, bytes] = {}
        position = 0
        for sha in wanted:
            end = output.find(b"\n", position)
            if end < 0:
                break
            header = output[position:end].split()
            if len(header) != 3 or not header[2].isdigit():
                position = end + 1  # "<sha> missing": no contents follow
                continue
            size = int(header[2])
            contents[sha] = output[end + 1 : end + 1 + size]
            position = end + 2 + size
        return contents

    def tree(self, commit: str, folder: str) -> dict[str, str]:
        """The files under a folder at a commit: blob sha by path relative to the folder (`folder` ends in /)."""
        output = self.run_bytes("ls-tree", "-r", "-z", "--full-tree", commit, "--", folder)
        files = {}
        for entry in output.split(b"\0"):
            meta, _, path = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == b"blob":
                files[os.fsdecode(path).removeprefix(folder)] = parts[2].decode()
        return files

    def close(self) -> None:
        """Nothing to stop: each command is a process of its own, finished when it returns."""


def _work_tree(path: Path) -> Path:
    """The top of the git work tree holding a path: the nearest folder, upwards, with a .git in it."""
    if not path.exists():
        raise NotARepository(str(path))
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    raise NotARepository(str(path))


def _error(stderr: str, fallback: str) -> GitError:
    """The error for a failed git command, naming an untrusted repository as such."""
    if "dubious ownership" in stderr:
        return UntrustedRepository(
            "git does not trust this repository because it belongs to another user, so its history cannot "
            f"be read. Git says: {' '.join(stderr.split())}"
        )
    return GitError(stderr or fallback)
