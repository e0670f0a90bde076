"""Real git repositories for tests: hermetic config, fixed authors and dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

HERMETIC = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "TZ": "UTC",
}


class GitRepo:
    """A git repository in a folder, driven with the real git command."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(
        self,
        *args: str,
        date: str = "2020-07-01T09:00:00+01:00",
        author: str = "Policy Editor",
        email: str = "policy.editor@personal.example",
    ) -> str:
        """Run git with a fixed identity and date; its output."""
        env = {
            **os.environ,
            **HERMETIC,
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        result = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"git {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def git_bytes(self, *args: str, stdin: bytes = b"") -> bytes:
        """Run git with bytes in and out, for objects no porcelain command would write."""
        env = {**os.environ, **HERMETIC}
        result = subprocess.run(["git", *args], cwd=self.root, env=env, input=stdin, capture_output=True, check=False)
        assert result.returncode == 0, f"git {' '.join(args)} failed: {result.stderr.decode(errors='replace')}"
        return result.stdout

    def write_object(self, kind: str, content: bytes) -> str:
        """Store an object exactly as given, however malformed (`git hash-object --literally`); its sha."""
        return self.git_bytes("hash-object", "-t", kind, "-w", "--literally", "--stdin", stdin=content).decode().strip()

    def craft_commit(
        self,
        message: bytes,
        committer: bytes = b"Policy Editor <policy.editor@personal.example> 1609750800 +0000",
        author: bytes | None = None,
    ) -> str:
        """Commit the work tree as it is with a hand-written commit object (odd dates, bytes); HEAD moves to it."""
        self.git("add", "-A")
        tree = self.git("write-tree").strip()
        parent = self.head()
        content = b"tree %s\nparent %s\nauthor %s\ncommitter %s\n\n%s" % (
            tree.encode(),
            parent.encode(),
            author or committer,
            committer,
            message,
        )
        sha = self.write_object("commit", content)
        self.git("update-ref", "HEAD", sha)
        return sha

    def write(self, name: str, text: str) -> None:
        """Write a file in the work tree."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace text in a file, failing loudly if the text is not there."""
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def commit(
        self, message: str, note: str | None = None, date: str = "2020-07-01T09:00:00+01:00", **identity: str
    ) -> str:
        """Commit everything; with a Change-note trailer if a note is given. The new sha."""
        if note is not None:
            message += f"\n\nChange-note: {note}"
        self.git("add", "-A", date=date)
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date, **identity)
        return self.head()

    def merge(
        self, branch: str, message: str, note: str | None = None, date: str = "2020-07-01T09:00:00+01:00", *options: str
    ) -> str:
        """Merge a branch into the current one with a merge commit, as a pull request does."""
        if note is not None:
            message += f"\n\nChange-note: {note}"
        self.git("merge", "-q", "--no-ff", *options, branch, "-m", message, date=date)
        return self.head()

    def head(self) -> str:
        """The full sha of HEAD."""
        return self.git("rev-parse", "HEAD").strip()

    def follow(self, path: str) -> list[str]:
        """What `git log --first-parent --follow -- path` lists: the shas, newest first."""
        return self.git("log", "--first-parent", "--follow", "--format=%H", "--", path).split()
