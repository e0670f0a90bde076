"""`make serve`: the preview rebuilds on a save and tells the open page to reload."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from plansite import REPO, edit, write_site

WITH_CTRL_C = (
    "import signal, sys; from mkdocs.__main__ import cli; "
    "signal.signal(signal.SIGINT, signal.default_int_handler); sys.argv[0] = 'mkdocs'; cli()"
)
"""`python -m mkdocs`, taking Ctrl-C even when started where it is ignored (a job a shell put in the background)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, timeout: float = 5) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def serve_command() -> list[str]:
    """The flags `make serve` passes to mkdocs serve, read from the Makefile."""
    recipe = next(line.strip() for line in (REPO / "Makefile").read_text().splitlines() if "mkdocs serve" in line)
    flags = recipe.split("mkdocs serve", 1)[1].split()
    assert "--livereload" in flags
    command: list[str] = []
    for flag in flags:
        if flag == "--dev-addr" or flag.startswith("$("):
            continue  # the test picks its own free port
        command.append(str(REPO / flag) if command[-1:] == ["--watch"] else flag)
    return command


@pytest.mark.slow
def test_serve_rebuilds_and_reloads_after_an_edit(tmp_path: Path) -> None:
    write_site(tmp_path)
    scratch = tmp_path / "tmp"  # mkdocs serve builds into a temporary folder here
    scratch.mkdir()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", WITH_CTRL_C, "serve", *serve_command(), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "TMPDIR": str(scratch)},
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                html = fetch(base + "phase1-vision/")
                break
            except OSError:
                assert time.monotonic() < deadline, "the preview server did not start"
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.2)
        assert "Publish the vision" in html
        epoch = re.search(r"livereload\(([0-9]+), ([0-9]+)\)", html)
        assert epoch, "the page has no live-reload script"
        with ThreadPoolExecutor(1) as pool:
            # The open page long-polls the server; the answer changes when a rebuild is ready.
            poll = pool.submit(fetch, f"{base}livereload/{epoch[1]}/{epoch[2]}", 60)
            time.sleep(0.5)
            edit(tmp_path, "plan/phase1-vision/milestones.yml", "Publish the vision", "Publish the new vision")
            assert int(poll.result(timeout=60)) > int(epoch[1])
        assert "Publish the new vision" in fetch(base + "phase1-vision/")
    finally:
        # Ctrl-C, as a person stops it: the server then deletes the site it built in a temporary folder.
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert not list(scratch.iterdir()), "mkdocs serve left its temporary site behind"
