"""Benchmark whole-site builds against a plain Material build of the same pages.

For each size, a synthetic plan repository is generated once (bench/out/), then built
three ways, each several times, and the median wall time reported:

- plain:          Material, the same pages, no hooks (the baseline);
- techplan-cold:  the techplan plugin, full git history, empty disk cache;
- techplan-warm:  the same with the disk cache a previous build left (.cache/techplan), as a
                  rebuild, `make serve` or a CI job that keeps the cache gets;
- git-date:       Material with mkdocs-git-revision-date-localized-plugin, the usual way to show
                  page dates from git (one git call per page).

    python bench/run.py                       # 200 pages / 5,000 commits and 1,000 / 20,000
    python bench/run.py --sizes 200x5000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from make_repo import generate

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
OUT = HERE / "out"

COMMON = """\
site_name: Synthetic plan
site_url: https://plan.example.org/
docs_dir: plan
theme:
  name: material
  font: false
{theme_extra}
plugins:
  - search
{plugins}
markdown_extensions:
  - attr_list
  - tables
  - toc:
      permalink: true
"""
VARIANTS = {
    "plain": COMMON.format(theme_extra="", plugins=""),
    "techplan-cold": COMMON.format(theme_extra="", plugins="  - techplan") + "extra:\n  plan:\n    today: 2024-04-30\n"
    "    feedback: mailto:plan@example.org\n",
    "git-date": COMMON.format(theme_extra="", plugins="  - git-revision-date-localized"),
}


VARIANTS["techplan-warm"] = VARIANTS["techplan-cold"]


def repository(pages: int, commits: int, tags: int) -> Path:
    """The synthetic repository for a size, generated on first use."""
    root = OUT / f"repo-{pages}x{commits}"
    if not (root / ".git").exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating {root.name} ...", flush=True)
        generate(root, pages, commits, tags)
    for name, config in VARIANTS.items():
        (root / f"mkdocs-{name}.yml").write_text(config)
    return root


def time_build(root: Path, variant: str) -> float:
    """Wall time of one whole `mkdocs build`, in seconds."""
    site = OUT / f"site-{root.name}-{variant}"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if variant == "techplan-cold":
        shutil.rmtree(root / ".cache", ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / f"mkdocs-{variant}.yml"), "-d", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{variant} build of {root.name} failed:\n{result.stderr[-3000:]}")
    return elapsed


def time_diff(root: Path, base: str, head: str, first: bool = False) -> float:
    """Wall time of `techplan diff BASE HEAD` (Markdown), with the cache a build left.

    `first` forgets the page text earlier diffs converted, as for the first diff of a range.
    """
    if first:
        for kept in (root / ".cache" / "techplan").glob("*/diff-pages"):
            shutil.rmtree(kept)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "techplan", "-f", str(root / "mkdocs-techplan-warm.yml"), "diff", base, head],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"techplan diff failed:\n{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200x5000x20,1000x20000x50", help="PAGESxCOMMITSxTAGS, comma separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", default="plain,techplan-cold,techplan-warm,git-date")
    args = parser.parse_args()
    variants = args.variants.split(",")
    rows = []
    for size in args.sizes.split(","):
        pages, commits, tags = (int(part) for part in size.split("x"))
        root = repository(pages, commits, tags)
        times = {variant: [] for variant in variants}
        for _ in range(args.repeat):
            for variant in variants:  # interleaved, so drift in machine load hits all alike
                times[variant].append(time_build(root, variant))
        medians = {variant: statistics.median(values) for variant, values in times.items()}
        if tags >= 2:
            # The first diff of a range converts every page version it has not seen; later ones reuse that.
            for name, base in (("diff", f"v{tags - 1}"), ("diff-all", "v1")):
                medians[f"{name}-first"] = statistics.median(
                    time_diff(root, base, f"v{tags}", first=True) for _ in range(3)
                )
                medians[name] = statistics.median(time_diff(root, base, f"v{tags}") for _ in range(3))
        rows.append((pages, commits, tags, medians))
        print(
            f"{pages} pages, {commits} commits, {tags} tags: " + ", ".join(f"{v} {medians[v]:.2f} s" for v in variants),
            flush=True,
        )
    print()
    print(
        "| pages | commits | tags | plain | techplan cold | ratio | techplan warm | ratio | git-revision-date | ratio |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for pages, commits, tags, m in rows:
        plain = m.get("plain", float("nan"))
        cells = [f"{pages:,}", f"{commits:,}", str(tags), f"{plain:.2f} s"]
        for variant in ("techplan-cold", "techplan-warm", "git-date"):
            value = m.get(variant)
            cells += [f"{value:.2f} s", f"{value / plain:.2f}x"] if value is not None else ["–", "–"]
        print("| " + " | ".join(cells) + " |")
    print()
    for pages, _commits, tags, m in rows:
        if "diff" in m:
            print(
                f"techplan diff on {pages:,} pages: v{tags - 1} to v{tags} {m['diff-first']:.2f} s "
                f"(again {m['diff']:.2f} s), v1 to v{tags} {m['diff-all-first']:.2f} s (again {m['diff-all']:.2f} s)"
            )


if __name__ == "__main__":
    main()
