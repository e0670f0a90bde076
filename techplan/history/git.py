"""All git access goes through here: a thin wrapper over GitPython that raises GitError.

Git is needed only for history: nothing imports GitPython until a Repository is opened, so
`techplan check`, `techplan schema`, the edit commands and builds without history run on a
machine with no git at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

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


def _gitpython() -> Any:
    """GitPython, imported on first use; GitUnavailable when there is no git to drive."""
    if shutil.which(os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git") is None:
        raise GitUnavailable(NO_GIT)
    # GitPython checks for git when imported; the check above already said what is wrong.
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    try:
        import git as gitpython
    except ImportError as error:  # pragma: no cover - GitPython is a dependency
        raise GitUnavailable(f"{NO_GIT} ({error})") from None
    return gitpython


class Repository:
    """The git repository holding the plan."""

    def __init__(self, path: Path) -> None:
        gitpython = _gitpython()
        try:
            self._repo = gitpython.Repo(path, search_parent_directories=True)
        except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError) as error:
            raise NotARepository(str(path)) from error
        if self._repo.working_tree_dir is None:
            raise NotARepository(str(path))
        self._errors = gitpython.GitCommandError
        self.root = Path(self._repo.working_tree_dir).resolve()
        """The top of the work tree; git paths are relative to it."""

    def run_bytes(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run a git command in the work tree; its output as bytes, exactly as git wrote it."""
        try:
            if stdin is None:
                output = self._repo.git.execute(
                    ["git", *_CONFIG, *args], stdout_as_string=False, strip_newline_in_stdout=False
                )
            else:
                process = self._repo.git.execute(["git", *_CONFIG, *args], as_process=True, istream=subprocess.PIPE)
                output, errors = process.communicate(stdin)
                if process.returncode:
                    raise _error(errors.decode("utf-8", "replace"), f"git {args[0]} failed")
        except self._errors as error:
            stderr = (error.stderr or "").strip().removeprefix("stderr: ").strip("'\n ")
            raise _error(stderr, str(error)) from None
        except FileNotFoundError:
            raise GitUnavailable(NO_GIT) from None
        assert isinstance(output, bytes)
        return output

    def start_bytes(self, *args: str) -> Callable[[], bytes]:
        """Start a git command; calling what this returns waits for its output (as `run_bytes` gives it) or error.

        Git writes to a temporary file, not a pipe, so it runs to the end on a core of its own
        while the caller works, with no thread to read from it.
        """
        output, errors = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 - closed by result()
        process = self._start(args, subprocess.DEVNULL, output, errors)

        outcome: list[bytes | GitError] = []

        def result() -> bytes:
            if not outcome:
                with output, errors:
                    status = process.wait()
                    output.seek(0)
                    errors.seek(0)
                    said = errors.read().decode("utf-8", "replace").strip()
                    outcome.append(_error(said, f"git {args[0]} failed") if status else output.read())
            if isinstance(outcome[0], GitError):
                raise outcome[0]
            return outcome[0]

        return result

    def run_status(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
        """Run a git command whose failure is an answer (`git verify-tag`): its exit status, output and errors."""
        try:
            status, output, errors = self._repo.git.execute(
                ["git", *_CONFIG, *args],
                with_extended_output=True,
                with_exceptions=False,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
                env=env,
            )
        except FileNotFoundError:
            raise GitUnavailable(NO_GIT) from None
        # GitPython decodes what git said on stderr, whatever it was asked for stdout.
        errors = errors.encode("utf-8") if isinstance(errors, str) else bytes(errors)
        return int(status), bytes(output), errors

    def run(self, *args: str) -> str:
        """Run a git command in the work tree; its output as text (bytes that are not UTF-8 replaced)."""
        return self.run_bytes(*args).decode("utf-8", errors="replace")

    def head(self) -> str | None:
        """The full sha of HEAD, or None in a repository with no commits yet.

        Read from the refs alone, with no git process: asking GitPython for HEAD's commit starts a
        `git cat-file` to look the object up.
        """
        try:
            return str(self._repo.head.dereference_recursive(self._repo, "HEAD"))
        except ValueError:
            return None

    def is_shallow(self) -> bool:
        """Whether history was cut short (`git clone --depth`), as CI checkouts often are."""
        return self.run("rev-parse", "--is-shallow-repository").strip() == "true"

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of objects by sha, from one `git cat-file --batch` fed every sha at once.

        An object the repository does not have (a partial clone, a submodule's commit) is left
        out of the result rather than failing the read: callers say what they could not read.
        """
        # Git writes to a temporary file, read back blob by blob: the whole output and the blobs cut
        # from it are never in memory together (a long history's pages are tens of megabytes).
        wanted = list(dict.fromkeys(shas))
        return {
            sha: data
            for batch in self.blob_batches(wanted, len(wanted), read_first=True)
            for sha, data in batch.items()
        }

    def blob_batches(self, shas: Iterable[str], size: int, *, read_first: bool = False) -> Iterator[dict[str, bytes]]:
        """`blobs`, a batch of `size` at a time as git writes them: one git process, one pass over its packs.

        Each batch is used while git reads the next; no more than a batch is in memory at once.
        Git's error, if it fails, is raised after the batches it gave (the objects it found).
        With `read_first`, git writes them all to a temporary file and ends before the first
        batch: for a reader that takes its time, beside which git would hold its packs and its
        cache of deltas (100 MB at 1,000 pages) until the last.
        """
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return
        with tempfile.TemporaryFile() as names, tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as output:
            names.write(("\n".join(wanted) + "\n").encode())  # from a file: git never waits on a writer
            names.seek(0)
            process = self._start(("cat-file", "--batch"), names, output if read_first else subprocess.PIPE, errors)
            try:
                if read_first:
                    process.wait()
                    output.seek(0)
                stream = output if read_first else process.stdout
                assert stream is not None
                batch: dict[str, bytes] = {}
                for sha in wanted:
                    header = stream.readline().split()
                    if not header:
                        break
                    if len(header) != 3 or not header[2].isdigit():
                        continue  # "<sha> missing": no contents follow
                    data = stream.read(int(header[2]))
                    if len(data) != int(header[2]):
                        break  # git stopped part way through an object: its error, below
                    batch[sha] = data
                    stream.read(1)  # the newline after each object
                    if len(batch) == size:
                        yield batch
                        batch = {}
                if process.wait():
                    errors.seek(0)
                    raise _error(errors.read().decode("utf-8", "replace").strip(), "git cat-file failed")
                if batch:
                    yield batch
            finally:  # a reader that stops early: git stops too
                if process.poll() is None:
                    process.kill()
                if process.stdout is not None:
                    process.stdout.close()
                process.wait()

    def _start(
        self, args: Sequence[str], stdin: int | IO[bytes], stdout: int | IO[bytes], stderr: IO[bytes]
    ) -> subprocess.Popen[bytes]:
        """Start git, as GitPython runs it, reading from and writing to these (files, or pipes)."""
        try:
            return subprocess.Popen(
                [os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git", *_CONFIG, *args],
                cwd=self.root,
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                env={**os.environ, "LANGUAGE": "C", "LC_ALL": "C"},  # as GitPython runs git
            )
        except FileNotFoundError:
            for stream in (stdin, stdout, stderr):
                if not isinstance(stream, int):
                    stream.close()
            raise GitUnavailable(NO_GIT) from None

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
        """Stop the git processes GitPython keeps running."""
        self._repo.close()


def _error(stderr: str, fallback: str) -> GitError:
    """The error for a failed git command, naming an untrusted repository as such."""
    if "dubious ownership" in stderr:
        return UntrustedRepository(
            "git does not trust this repository because it belongs to another user, so its history cannot "
            f"be read. Git says: {' '.join(stderr.split())}"
        )
    return GitError(stderr or fallback)
