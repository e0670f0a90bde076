"""Time redlines of big pages: the word-level diff in-process, and `techplan diff` on a repository.

In-process, three synthetic pages compare a version with an edited one:

- edited:    800 blocks (about 40,000 words), one block in twenty reworded, a few added or removed;
- rewritten: 300 blocks whose middle 100 are all rewritten, so pairing compares many candidates;
- long:      one block of 4,000 words, every tenth sentence reworded.

Then `techplan diff` between two tags of a small repository whose one big page changed as in
"edited" (first run, with the page text not yet cached, and again, with it cached).

    python bench/redline.py
    python bench/redline.py --repeat 9
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from make_repo import WORDS, generate
from run import VARIANTS

from techplan.compare.redline import Block, redline

EXTRA = "the a of to and in for with by on we will every each new".split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS + EXTRA) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", ",", ";"]).replace(",", ".")


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def reword(rng: random.Random, text: str) -> str:
    """Insert, drop or replace a few words, as an editor does."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.4:
            words.insert(at, rng.choice(WORDS + EXTRA))
        elif roll < 0.7 and len(words) > 3:
            del words[at]
        else:
            words[at] = rng.choice(WORDS) + ("," if rng.random() < 0.2 else "")
    return " ".join(words)


def edited_page(rng: random.Random, blocks: int) -> tuple[list[Block], list[Block]]:
    old = []
    for number in range(blocks):
        if number % 12 == 0:
            old.append(Block("h2", f"Section {number // 12 + 1}: {sentence(rng)}"))
        else:
            old.append(Block(rng.choice(["p", "p", "li"]), paragraph(rng, rng.randint(2, 5))))
    new = []
    for block in old:
        roll = rng.random()
        if roll < 0.05:
            new.append(Block(block.kind, reword(rng, block.text)))
        elif roll < 0.06:
            continue
        elif roll < 0.07:
            new += [block, Block("p", paragraph(rng, 3))]
        else:
            new.append(block)
    return old, new


def rewritten_page(rng: random.Random) -> tuple[list[Block], list[Block]]:
    old = [Block("p", paragraph(rng, 3)) for _ in range(300)]
    new = old[:100] + [Block("p", paragraph(rng, 3)) for _ in range(100)] + old[200:]
    return old, new


def long_block(rng: random.Random) -> tuple[list[Block], list[Block]]:
    sentences = [sentence(rng) for _ in range(300)]
    changed = [reword(rng, s) if n % 10 == 0 else s for n, s in enumerate(sentences)]
    return [Block("p", " ".join(sentences))], [Block("p", " ".join(changed))]


def median_time(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_techplan_diff(repeat: int) -> tuple[float, float]:
    """`techplan diff v3 v4` on a repository whose big page was edited between the two tags."""
    rng = random.Random(3)
    old, new = edited_page(rng, 800)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        generate(root, 10, 40, 2)
        (root / "mkdocs.yml").write_text(VARIANTS["techplan-warm"])
        env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
        git = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
        page = root / "plan" / "phase1-vision" / "big.md"
        for tag, blocks in (("v3", old), ("v4", new)):
            lines = ["# A big page", ""]
            for block in blocks:
                lines += [("## " if block.kind == "h2" else "- " if block.kind == "li" else "") + block.text, ""]
            page.write_text("\n".join(lines))
            subprocess.run([*git, "add", "-A"], cwd=root, check=True, env=env)
            subprocess.run([*git, "commit", "-qm", "Big page"], cwd=root, check=True, env=env)
            subprocess.run([*git, "tag", "-a", tag, "-m", f"Revision {tag}"], cwd=root, check=True, env=env)
        command = [sys.executable, "-m", "techplan", "diff", "v3", "v4"]

        def run() -> None:
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(done.stderr)

        def first() -> None:
            shutil.rmtree(root / ".cache", ignore_errors=True)
            run()

        return median_time(first, repeat), median_time(run, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    cases = {"edited": edited_page(rng, 800), "rewritten": rewritten_page(rng), "long": long_block(rng)}
    for name, (old, new) in cases.items():
        words = sum(len(b.text.split()) for b in old)
        seconds = median_time(lambda old=old, new=new: redline(old, new), args.repeat)
        print(f"redline {name}: {len(old)} blocks, {words:,} words: {seconds * 1000:.1f} ms", flush=True)
    first, again = time_techplan_diff(args.repeat)
    print(f"techplan diff, big page edited: first {first:.2f} s, again {again:.2f} s")


if __name__ == "__main__":
    main()
