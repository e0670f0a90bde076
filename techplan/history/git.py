"""All git access goes through here: a thin wrapper over GitPython that raises GitError."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

import git as gitpython

from techplan.errors import TechplanError


class GitError(TechplanError):
    """A git command failed; the message is git's own."""


class NotARepository(GitError):
    """The folder is not inside a git work tree (a downloaded archive, say)."""


class Repository:
    """The git repository holding the plan."""

    def __init__(self, path: Path) -> None:
        try:
            self._repo = gitpython.Repo(path, search_parent_directories=True)
        except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError) as error:
            raise NotARepository(str(path)) from error
        if self._repo.working_tree_dir is None:
            raise NotARepository(str(path))
        self.root = Path(self._repo.working_tree_dir).resolve()
        """The top of the work tree; git paths are relative to it."""

    def run(self, *args: str) -> str:
        """Run a git command in the work tree; its output as text."""
        try:
            output = self._repo.git.execute(["git", *args], stdout_as_string=False, strip_newline_in_stdout=False)
        except gitpython.GitCommandError as error:
            stderr = error.stderr.strip().removeprefix("stderr: ").strip("'\n ")
            raise GitError(stderr or str(error)) from error
        assert isinstance(output, bytes)
        return output.decode("utf-8", errors="replace")

    def head(self) -> str | None:
        """The full sha of HEAD, or None in a repository with no commits yet."""
        try:
            return self._repo.head.commit.hexsha
        except ValueError:
            return None

    def is_shallow(self) -> bool:
        """Whether history was cut short (`git clone --depth`), as CI checkouts often are."""
        return self.run("rev-parse", "--is-shallow-repository").strip() == "true"

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of blobs by sha, from one `git cat-file --batch` fed every sha at once."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        process = self._repo.git.execute(["git", "cat-file", "--batch"], as_process=True, istream=subprocess.PIPE)
        output, errors = process.communicate(("\n".join(wanted) + "\n").encode())
        if process.returncode:
            raise GitError(errors.decode("utf-8", "replace").strip())
        contents: dict[str, bytes] = {}
        position = 0
        for sha in wanted:
            end = output.index(b"\n", position)
            header = output[position:end].split()
            if len(header) != 3:
                raise GitError(f"cannot read blob {sha}: {output[position:end].decode('utf-8', 'replace')}")
            size = int(header[2])
            contents[sha] = output[end + 1 : end + 1 + size]
            position = end + 2 + size
        return contents

    def close(self) -> None:
        """Stop the git processes GitPython keeps running."""
        self._repo.close()
