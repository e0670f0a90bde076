"""Benchmark the runs users actually have, against a plain Material build of the same pages.

For each size a synthetic plan repository is generated once (bench/out/, see make_repo.py)
and cloned afresh for each benchmark, so every invocation measures the same history. In each
round, whole-process wall times of `mkdocs build`:

- plain:   Material alone on the same pages (the baseline, timed in every round);
- first:   the techplan plugin with an empty disk cache and no site folder (a new CI runner, a fresh clone);
- rebuild: again, nothing changed (a rebuild with the cache kept);
- commit:  after one new commit with a change note (the usual CI run after a merge);
- tag:     after a new revision tag on that commit.

Then: one page saved while `mkdocs serve` runs (the rebuild MkDocs reports, plain and
techplan); `techplan diff` between the first and last revision and between adjacent ones, on
a first run; peak memory of a first build, a rebuild and a build after one commit against
plain's (the largest process's, and all of a build's processes' together); and, with
--lighthouse, Lighthouse (mobile) on every page type of both sites, served the same way.

    python bench/run.py                                 # 200 pages / 5,000 commits and 1,000 / 20,000
    python bench/run.py --sizes 200x5000x20 --repeat 5 --write bench/out/latest.md
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from make_repo import generate

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
OUT = HERE / "out"
LIGHTHOUSE = HERE / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
TRASH = OUT / "trash"

COMMON = """\
site_name: Synthetic plan
site_url: https://plan.example.org/
docs_dir: plan
theme:
  name: material
  font: false
plugins:
  - search
{plugins}
markdown_extensions:
  - attr_list
  - tables
  - toc:
      permalink: true
"""
CONFIGS = {
    "plain": COMMON.format(plugins=""),
    "techplan": COMMON.format(plugins="  - techplan")
    + "extra:\n  plan:\n    today: 2024-04-30\n    feedback: mailto:plan@example.org\n",
}
SCENARIOS = ("first", "rebuild", "commit", "tag")
GOALS = {"first": 2.0, "rebuild": 1.05, "commit": 1.10, "tag": 1.20, "serve": 1.10}
"""The ratios to plain each run should stay within (issue: builds as fast as a plain Material build)."""
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass
class Size:
    """One repository size and what was measured on it."""

    pages: int
    commits: int
    tags: int
    times: dict[str, list[float]] = field(default_factory=dict)
    memory: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Peak memory in kB, the largest process's and all together (MEASURED): plain's, and this site's
    first build, rebuild and build after one commit."""
    lighthouse: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """(performance, accessibility) by page type, by site."""

    @property
    def label(self) -> str:
        return f"{self.pages:,} pages, {self.commits:,} commits, {self.tags} tags"

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])

    def ratio(self, name: str) -> float:
        """The median over the rounds of this scenario's time against plain's in the same round.

        Plain is timed in every round, so a host that speeds up or slows down between rounds moves both.
        """
        return statistics.median(
            ours / plain for ours, plain in zip(self.times[name], self.times["plain"], strict=True)
        )


def set_aside(path: Path) -> None:
    """Move a folder out of the way, to be deleted when the run ends (`empty_trash`).

    Deleting a 1,000-page site and its cache (30,000 files) just before a timed build slowed that
    build's own file writes by up to a fifth on the development VM (ext4 with online discard): a
    first build measured the last one's deletion with it. A new runner or a fresh clone deletes
    nothing first.
    """
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{sum(1 for _ in TRASH.iterdir())}-{path.name}")


def empty_trash() -> None:
    """Delete what `set_aside` moved, and let the file system finish with it before anything is timed."""
    shutil.rmtree(TRASH, ignore_errors=True)
    os.sync()


def repository(size: Size) -> Path:
    """A fresh clone of the synthetic repository for a size (generated on first use)."""
    origin = OUT / f"repo-{size.pages}x{size.commits}x{size.tags}"
    if not (origin / ".git").exists():
        shutil.rmtree(origin, ignore_errors=True)
        print(f"generating {origin.name} ...", flush=True)
        generate(origin, size.pages, size.commits, size.tags)
    work = OUT / f"work-{size.pages}x{size.commits}x{size.tags}"
    set_aside(work)
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True, env=ENV)
    git(work, "config", "user.name", "Bench")
    git(work, "config", "user.email", "bench@example.org")
    for name, config in CONFIGS.items():
        (work / f"mkdocs-{name}.yml").write_text(config)
    (work / ".git" / "info" / "exclude").write_text("mkdocs-*.yml\n.cache/\n")
    return work


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True, env=ENV).stdout


MEASURED = """\
import os, resource, subprocess, sys, time


def together(root):
    # The proportional set size (kB) of a process and every process under it: a page shared by n
    # of them counts 1/n in each, so the sum is the memory they hold between them.
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as stat:
                    parents[int(name)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
    tree, total = [root], 0
    for pid in tree:  # grows as each process's children are found
        tree += [child for child, parent in parents.items() if parent == pid]
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith(b"Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


process = subprocess.Popen(sys.argv[1:])
peak = 0
while process.poll() is None:
    peak = max(peak, together(process.pid))
    time.sleep(0.1)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, peak, file=sys.stderr)
sys.exit(process.returncode)
"""
"""Runs a build and prints its peak memory (kB): the largest of its processes', and all of them together.

Through this small process, not straight from the benchmark's: a child's peak counts the memory
of the process that started it until it runs its program (Linux records the parent's high-water
mark at exec), and the benchmark itself holds a generated repository's history (200 MB at
1,000 pages), which an earlier version of this script reported as plain Material's peak.

The largest process's peak is what the issue's goal names (plain Material has one process). A
build that forks (the point-in-time views' writer and its workers) holds more between its
processes than any one of them: every tenth of a second, the processes' proportional set sizes
(each shared page counted once, split between its sharers) are summed, and the largest sum kept.
Sampled, so it can miss a peak shorter than that; and the sampling takes time, so no build timed
for the tables runs through this script.
"""


def build(root: Path, config: str, memory: bool = False) -> tuple[float, tuple[int, int]]:
    """Wall time (s) of one whole `mkdocs build`, and with `memory` its peak memory (kB; else 0, 0).

    The memory is the largest process's and all of them together (MEASURED), whose start and
    sampling add to the time.
    """
    site = OUT / f"site-{root.name}-{config}"
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / f"mkdocs-{config}.yml"), "-d", str(site)]
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", MEASURED, *command] if memory else command,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
        check=False,
    )
    elapsed = time.perf_counter() - start
    errors = process.stderr.decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{config} build of {root.name} failed:\n{errors[-3000:]}")
    if not memory:
        return elapsed, (0, 0)
    largest, together = (int(kb) for kb in errors.strip().splitlines()[-1].split())
    return elapsed, (largest, together)


def one_commit(root: Path, round_number: int) -> None:
    """A merge's worth of change: one page reworded, with a change note."""
    pages = sorted((root / "plan").rglob("page-*.md"))
    path = pages[round_number * 7 % len(pages)]
    path.write_text(path.read_text() + f"\nA new paragraph, round {round_number}.\n")
    git(root, "commit", "-qam", f"Reword a page\n\nChange-note: Added a paragraph (round {round_number}).")


def one_tag(root: Path, size: Size, round_number: int) -> None:
    name = f"v{size.tags + round_number + 1}"
    git(root, "tag", "-a", name, "-m", f"Revision {name}\n\nA benchmark revision.")


def serve_rebuild(root: Path, config: str, port: int) -> float:
    """The rebuild time `mkdocs serve` reports after one page is saved."""
    page = sorted((root / "plan").rglob("page-*.md"))[0]
    with_ctrl_c = (  # `python -m mkdocs`, taking Ctrl-C even when the benchmark runs as a background job
        "import signal, sys; from mkdocs.__main__ import cli; "
        "signal.signal(signal.SIGINT, signal.default_int_handler); sys.argv[0] = 'mkdocs'; cli()"
    )
    config_file = str(root / f"mkdocs-{config}.yml")
    process = subprocess.Popen(
        [sys.executable, "-c", with_ctrl_c, "serve", "-f", config_file, "-a", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    built = re.compile(r"Documentation built in ([0-9.]+) seconds")
    try:
        assert process.stderr is not None
        times: list[float] = []
        rebuilt = threading.Event()

        def save() -> None:
            # Let the watcher settle, then save; it can miss a save made as it starts: save again until it rebuilds.
            wait = 1.0
            while not rebuilt.wait(wait):
                page.write_text(page.read_text() + "\nSaved while serving.\n")
                wait = 20.0

        saver = threading.Thread(target=save, daemon=True)
        for line in process.stderr:
            if match := built.search(line):
                times.append(float(match.group(1)))
                if len(times) == 1:
                    saver.start()
                else:
                    return times[-1]
        raise SystemExit(f"mkdocs serve ({config}) stopped before rebuilding")
    finally:
        rebuilt.set()
        # Ctrl-C, not SIGTERM: the server deletes the site it built in a temporary folder only then.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        git(root, "checkout", "-q", "--", str(page))


def diff_time(root: Path, base: str, head: str) -> float:
    """Wall time of a first `techplan diff BASE HEAD` (Markdown): the diff's page cache emptied first."""
    for kept in (root / ".cache" / "techplan").glob("*/diff-pages"):
        shutil.rmtree(kept)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "techplan", "-f", str(root / "mkdocs-techplan.yml"), "diff", base, head],
        cwd=root,
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"techplan diff failed:\n{result.stderr[-2000:]}")
    return elapsed


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files as static hosts do (text gzipped when the browser accepts it), without a log line per request."""

    _TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".csv", ".txt", ".ics")

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        compressible = path.is_file() and path.suffix in self._TEXT and self.path.endswith(("/", path.suffix))
        if not compressible or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()  # and a folder without its slash is redirected
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """A site folder served on 127.0.0.1, as a static host would; its address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def page_types(site: Path) -> dict[str, str]:
    """A page of each kind the site has, by kind: path under the site's root."""

    def first(pattern: str) -> str | None:
        found = sorted(site.glob(pattern))
        return found[0].relative_to(site).as_posix() if found else None

    kinds = {
        "home": "",
        "phase page": "phase2-roadmap/",
        "roadmap": "roadmap/",
        "measures": "phase5-measures/",
        "what's changed": "whats-changed/",
        "milestone page": (first("milestones/M*/index.html") or "-").removesuffix("index.html"),
        "point-in-time page": first("revisions/*/pages/phase2-roadmap/*.html") or "-",
        "redline": (first("revisions/*/changes/index.html") or "-").removesuffix("index.html"),
        "compare": "compare-revisions/",
        "whole plan": "print/",
    }
    return {kind: path for kind, path in kinds.items() if path == "" or (site / path).exists()}


def lighthouse(url: str, runs: int) -> tuple[int, int]:
    """Lighthouse's mobile performance and accessibility scores (0-100) for a page, the median of some runs."""
    scores = [_lighthouse_once(url) for _ in range(runs)]
    return round(statistics.median(s[0] for s in scores)), min(s[1] for s in scores)


def _lighthouse_once(url: str) -> tuple[int, int]:
    """One Lighthouse run (mobile, its default): performance and accessibility scores."""
    report = OUT / "lighthouse.json"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
    subprocess.run(
        ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
         "--only-categories=performance,accessibility", f"--chrome-flags={flags} --disable-sync --no-first-run"],
        check=True, env={**ENV, "CHROME_PATH": shutil.which("chromium") or "chromium"}, timeout=300,
    )  # fmt: skip
    categories = json.loads(report.read_text())["categories"]
    return round(categories["performance"]["score"] * 100), round(categories["accessibility"]["score"] * 100)


def measure(size: Size, repeat: int, lighthouse_runs: int) -> None:
    """Every scenario for one size, `repeat` rounds, plain timed in each."""
    root = repository(size)
    for name in ("plain", *SCENARIOS):
        size.times[name] = []
    for round_number in range(repeat):
        size.times["plain"].append(build(root, "plain")[0])
        for folder in (root / ".cache", OUT / f"site-{root.name}-techplan"):  # as on a new runner
            set_aside(folder)
        size.times["first"].append(build(root, "techplan")[0])
        size.times["rebuild"].append(build(root, "techplan")[0])
        one_commit(root, round_number)
        size.times["commit"].append(build(root, "techplan")[0])
        one_tag(root, size, round_number)
        size.times["tag"].append(build(root, "techplan")[0])
        print(f"  round {round_number + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in size.times.items()))
    # Apart from the timed rounds, whose times then have no launcher or sampling in them.
    size.memory["plain"] = build(root, "plain", memory=True)[1]
    for folder in (root / ".cache", OUT / f"site-{root.name}-techplan"):
        set_aside(folder)
    size.memory["first"] = build(root, "techplan", memory=True)[1]
    size.memory["rebuild"] = build(root, "techplan", memory=True)[1]
    one_commit(root, repeat)
    size.memory["commit"] = build(root, "techplan", memory=True)[1]
    size.times["serve-plain"] = [serve_rebuild(root, "plain", 8801) for _ in range(repeat)]
    size.times["serve-techplan"] = [serve_rebuild(root, "techplan", 8802) for _ in range(repeat)]
    if size.tags >= 2:
        last = f"v{size.tags}"
        size.times["diff-all"] = [diff_time(root, "v1", last) for _ in range(repeat)]
        size.times["diff-adjacent"] = [diff_time(root, f"v{size.tags - 1}", last) for _ in range(repeat)]
    if lighthouse_runs:
        for config in CONFIGS:
            site = OUT / f"site-{root.name}-{config}"
            build(root, config)
            kinds = page_types(OUT / f"site-{root.name}-techplan")
            with served(site) as address:
                size.lighthouse[config] = {
                    kind: lighthouse(address + path, lighthouse_runs)
                    for kind, path in kinds.items()
                    if (site / path).exists() or not path
                }


def report(sizes: list[Size]) -> str:
    """The results as Markdown: the build table, serve, diff, memory and Lighthouse."""
    lines = [
        "| repository | plain | first build, empty cache | rebuild, nothing changed | after one new commit "
        "| after a new revision tag |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        plain = size.median("plain")
        cells = [size.label, f"{plain:.2f} s"]
        for name in SCENARIOS:
            value, ratio = size.median(name), size.ratio(name)
            mark = "" if ratio <= GOALS[name] else " ✗"
            cells.append(f"{value:.2f} s ({ratio:.2f}x{mark})")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Goals: {', '.join(f'{k} ≤ {v:.2f}x' for k, v in GOALS.items())}; ✗ marks a miss.", ""]
    for size in sizes:
        plain, ours = size.median("serve-plain"), size.median("serve-techplan")
        (plain_largest, plain_together) = size.memory["plain"]
        builds = [("a first build", "first"), ("a rebuild", "rebuild"), ("after one new commit", "commit")]
        largest = ", ".join(
            f"{what} {size.memory[name][0] / 1024:.0f} MB ({size.memory[name][0] / plain_largest:.2f}x)"
            for what, name in builds
        )
        together = ", ".join(
            f"{what} {size.memory[name][1] / 1024:.0f} MB ({size.memory[name][1] / plain_together:.2f}x)"
            for what, name in builds
        )
        lines.append(
            f"- {size.label}: saving one page during `mkdocs serve` rebuilds in {ours:.2f} s against plain's "
            f"{plain:.2f} s ({ours / plain:.2f}x); peak memory of the largest process, against plain's "
            f"{plain_largest / 1024:.0f} MB: {largest}; of all a build's processes together, against plain's "
            f"{plain_together / 1024:.0f} MB: {together}"
        )
        if "diff-all" in size.times:
            lines.append(
                f"- {size.label}: first `techplan diff` v1 to v{size.tags} {size.median('diff-all'):.2f} s; "
                f"adjacent revisions {size.median('diff-adjacent'):.2f} s"
            )
    for size in sizes:
        if not size.lighthouse:
            continue
        lines += ["", f"Lighthouse (mobile), {size.label}: performance (accessibility)", ""]
        lines += ["| page | plain Material | this site |", "| --- | ---: | ---: |"]
        ours = size.lighthouse.get("techplan", {})
        plain_scores = size.lighthouse.get("plain", {})
        for kind, (performance, accessibility) in ours.items():
            baseline = plain_scores.get(kind)
            shown = f"{baseline[0]} ({baseline[1]})" if baseline else "– (no such page)"
            lines.append(f"| {kind} | {shown} | {performance} ({accessibility}) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200x5000x20,1000x20000x50", help="PAGESxCOMMITSxTAGS, comma separated")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each scenario (the median is reported)")
    parser.add_argument(
        "--lighthouse",
        type=int,
        default=0,
        metavar="RUNS",
        help="also score every page type with Lighthouse, RUNS times",
    )
    parser.add_argument("--write", type=Path, help="write the results (Markdown) to this file too")
    args = parser.parse_args()
    empty_trash()  # what an interrupted run left
    sizes = []
    for spec in args.sizes.split(","):
        pages, commits, tags = (int(part) for part in spec.split("x"))
        size = Size(pages, commits, tags)
        print(f"{size.label}:", flush=True)
        measure(size, args.repeat, args.lighthouse)
        sizes.append(size)
    empty_trash()
    text = report(sizes)
    print()
    print(text)
    if args.write:
        args.write.write_text(text)


if __name__ == "__main__":
    main()
