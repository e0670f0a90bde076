"""`techplan diff --output`: a regular file is replaced whole; devices, pipes and streams are written in place."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from plansite import _env, edit, techplan, write_site

from techplan.files import WriteError, write_output


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed plan with one uncommitted change, so `techplan diff HEAD` has something to say."""
    root = tmp_path_factory.mktemp("output")
    write_site(root)
    edit(root, "plan/phase1-vision/milestones.yml", "status: in-progress", "status: done")
    return root


@pytest.fixture(scope="module")
def expected(repo: Path) -> str:
    """What `techplan diff HEAD` writes to standard output: every target must get exactly this."""
    result = techplan(repo, "diff", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "M1.2 status changed from in progress to done." in result.stdout
    return result.stdout


def diff_to(repo: Path, target: Path | str) -> subprocess.CompletedProcess[str]:
    """Run `techplan diff HEAD --output TARGET`."""
    return techplan(repo, "diff", "HEAD", "--output", str(target))


def test_a_regular_file_is_replaced_whole_keeping_its_permissions(repo: Path, expected: str, tmp_path: Path) -> None:
    target = tmp_path / "diff.md"
    target.write_text("an older report, longer than the new one " * 100, encoding="utf-8")
    target.chmod(0o640)
    inode = target.stat().st_ino
    result = diff_to(repo, target)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8") == expected
    # Renamed into place (a new inode), not rewritten in place where a crash could leave half of it.
    assert target.stat().st_ino != inode
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["diff.md"]


def test_a_new_file_and_its_folders_are_created(repo: Path, expected: str, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2024" / "diff.md"
    result = diff_to(repo, target)
    assert (result.returncode, result.stderr) == (0, "")
    assert target.read_text(encoding="utf-8") == expected


def test_a_symlinked_file_stays_a_symlink(repo: Path, expected: str, tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert diff_to(repo, link).returncode == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == expected


def test_a_read_only_file_is_refused_and_unchanged(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "diff.md"
    target.write_bytes(b"keep me\n")
    target.chmod(0o444)
    result = diff_to(repo, target)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"techplan: {target} is read-only (its permissions are -r--r--r--); nothing was written. If it should "
        f"change, make it writable first (chmod u+w {target}) and run the command again\n"
    )
    assert target.read_bytes() == b"keep me\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert os.listdir(tmp_path) == ["diff.md"]


def test_a_folder_is_refused(repo: Path, tmp_path: Path) -> None:
    result = diff_to(repo, tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"techplan: {tmp_path} is a folder; give the name of a file in it, like {tmp_path / 'diff.md'}\n"
    )
    assert os.listdir(tmp_path) == []


def test_a_fifo_is_written_in_place(repo: Path, expected: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        """Read the pipe to its end, as a program at its other end would."""
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    # A daemon: if the command never opens the pipe, the test fails instead of hanging.
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = diff_to(repo, fifo)
    reader.join(timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert received == [expected.encode("utf-8")]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_unix_socket_is_written_in_place(repo: Path, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "sock"
    received: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        server.settimeout(60)

        def serve() -> None:
            """Accept one connection and read it to its end."""
            connection, _ = server.accept()
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
                received.append(b"".join(chunks))

        listener = threading.Thread(target=serve, daemon=True)
        listener.start()
        result = diff_to(repo, path)
        listener.join(timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    assert received == [expected.encode("utf-8")]
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_dev_null_stays_a_device(repo: Path) -> None:
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    result = diff_to(repo, "/dev/null")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("target", ["-", "/dev/stdout"])
def test_standard_output(repo: Path, expected: str, target: str) -> None:
    result = diff_to(repo, target)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")


def test_standard_error(repo: Path, expected: str) -> None:
    result = diff_to(repo, "/dev/stderr")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", expected)


def test_dev_stdout_redirected_to_a_file_writes_into_that_file(repo: Path, expected: str, tmp_path: Path) -> None:
    # /dev/stdout then names the shell's open file: replacing that file would leave the shell
    # writing to a deleted copy, so it is written through the open descriptor instead.
    log = tmp_path / "log.txt"
    with open(log, "wb") as stream:
        stream.write(b"before\n")
        stream.flush()
        inode = os.fstat(stream.fileno()).st_ino
        result = subprocess.run(
            [sys.executable, "-m", "techplan", "diff", "HEAD", "--output", "/dev/stdout"],
            cwd=repo,
            stdout=stream,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            check=False,
        )
    assert (result.returncode, result.stderr) == (0, "")
    assert log.read_text(encoding="utf-8") == "before\n" + expected
    assert log.stat().st_ino == inode


def test_write_output_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    inside_a_file = tmp_path / "file.md" / "inside.md"
    (tmp_path / "file.md").write_text("x", encoding="utf-8")
    with pytest.raises(WriteError) as refused:
        write_output(inside_a_file, b"data")
    assert refused.value.message == f"could not write {inside_a_file}: Not a directory"
    assert (tmp_path / "file.md").read_text(encoding="utf-8") == "x"
