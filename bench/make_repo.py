"""Generate a synthetic plan repository: many pages, a long history, renames, merges and tags.

The history is written with `git fast-import`, so 20,000 commits take seconds. Everything is
seeded: the same arguments make the same repository.

    python bench/make_repo.py --pages 200 --commits 5000 --tags 20 bench/out/repo-200
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PHASES = ("phase1-vision", "phase2-roadmap", "phase3-enablers", "phase4-delivery", "phase5-measures")
STATUSES = ("planned", "in-progress", "at-risk", "delayed", "done")
OWNERS = ("NHSX", "NHS Digital", "Integrated care systems", "NHS trusts")
WORDS = (
    "care records digital trusts patients staff systems data standards funding services local national "
    "providers shared security outcomes access online tools training information governance platform "
    "interoperability workforce community hospital primary social research adoption evidence plan"
).split()
TEAM = "Plan team <plan-team@example.org>"


@dataclass
class Plan:
    """The files of the plan as they stand, so each commit can change them."""

    files: dict[str, str] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    milestones: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(8, 16))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, refs: list[str]) -> str:
    text = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
    if refs and rng.random() < 0.5:
        text += f" See [[{rng.choice(refs)}]]."
    return text


def page_text(rng: random.Random, title: str, refs: list[str]) -> str:
    sections = [f"# {title}", "", paragraph(rng, refs), ""]
    for number in range(rng.randint(2, 4)):
        sections += [f"## Section {number + 1}", "", paragraph(rng, refs), ""]
    return "\n".join(sections)


def milestones_text(items: list[dict[str, str]]) -> str:
    lines = ["milestones:"]
    for item in items:
        lines += [
            f"  - id: {item['id']}",
            f"    title: {item['title']}",
            f"    owner: {item['owner']}",
            f"    due: {item['due']}",
            f"    status: {item['status']}",
            f"    summary: {item['summary']}",
            "",
        ]
    return "\n".join(lines)


def measures_text(actuals: int) -> str:
    lines = ["measures:"]
    for number in range(1, 9):
        lines += [
            f"  - id: K{number}",
            f"    title: Measure {number}",
            "    theme: digital-maturity",
            "    unit: percent",
            "    baseline: {date: 2020-03-31, value: 40}",
            "    target: {date: 2024-03-31, value: 90}",
            "    actuals:",
        ]
        for step in range(actuals):
            lines.append(
                f"      - {{date: {2020 + (step // 12) + 1}-{step % 12 + 1:02d}-28, value: {min(89, 41 + step)}}}"
            )
        lines += ["    source: Synthetic data", ""]
    return "\n".join(lines)


def initial_plan(rng: random.Random, pages: int) -> Plan:
    plan = Plan()
    for number, folder in enumerate(PHASES, start=1):
        plan.files[f"plan/{folder}/phase.yml"] = (
            f"title: Phase {number}\nsummary: Synthetic phase {number}.\nstatus: published\n"
        )
        plan.milestones[folder] = [
            {
                "id": f"M{number}.{n}",
                "title": f"Milestone {number}.{n}",
                "owner": rng.choice(OWNERS),
                "due": f"{rng.randint(2020, 2024)}-{rng.randint(1, 12):02d}-28",
                "status": rng.choice(STATUSES),
                "summary": sentence(rng),
            }
            for n in range(1, 11)
        ]
        plan.files[f"plan/{folder}/milestones.yml"] = milestones_text(plan.milestones[folder])
    plan.files["plan/phase5-measures/measures.yml"] = measures_text(1)
    refs = [m["id"] for items in plan.milestones.values() for m in items] + [f"K{n}" for n in range(1, 9)]
    plan.files["plan/index.md"] = "# Synthetic plan\n\n[[phases]]\n\n[[coming-due]]\n"
    plan.files["plan/roadmap.md"] = "# Roadmap\n\n[[roadmap]]\n"
    for folder in PHASES:
        plan.files[f"plan/{folder}/index.md"] = page_text(rng, f"Overview of {folder}", refs)
    for number in range(pages - 2 - len(PHASES)):
        folder = PHASES[number % len(PHASES)]
        path = f"plan/{folder}/page-{number:04d}.md"
        plan.files[path] = page_text(rng, f"Page {number}", refs)
    plan.pages = sorted(p for p in plan.files if p.endswith(".md"))
    return plan


class Stream:
    """Writes a git fast-import stream."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.mark = 0

    def data(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.chunks.append(b"data %d\n" % len(raw) + raw + b"\n")

    def commit(
        self,
        branch: str,
        when: datetime,
        message: str,
        parents: list[int],
        changes: list[str],
        contents: dict[str, str],
    ) -> int:
        self.mark += 1
        stamp = f"{int(when.timestamp())} +0000"
        self.chunks.append(f"commit refs/heads/{branch}\nmark :{self.mark}\n".encode())
        self.chunks.append(f"author {TEAM} {stamp}\ncommitter {TEAM} {stamp}\n".encode())
        self.data(message)
        if parents:
            self.chunks.append(f"from :{parents[0]}\n".encode())
        for parent in parents[1:]:
            self.chunks.append(f"merge :{parent}\n".encode())
        for change in changes:
            if change.startswith(("D ", "R ")):
                self.chunks.append(change.encode() + b"\n")
            else:
                self.chunks.append(f"M 100644 inline {change}\n".encode())
                self.data(contents[change])
        return self.mark

    def tag(self, name: str, mark: int, when: datetime, message: str) -> None:
        self.chunks.append(f"tag {name}\nfrom :{mark}\ntagger {TEAM} {int(when.timestamp())} +0000\n".encode())
        self.data(message)


def generate(root: Path, pages: int, commits: int, tags: int, seed: int = 1) -> None:
    """Create the repository at root."""
    rng = random.Random(seed)
    plan = initial_plan(rng, pages)
    refs = [m["id"] for items in plan.milestones.values() for m in items]
    stream = Stream()
    when = datetime(2020, 7, 1, 9, tzinfo=UTC)
    step = timedelta(minutes=max(1, int(4 * 365 * 24 * 60 / commits)))
    head = stream.commit(
        "main", when, "Publish the plan\n\nChange-note: First publication.\n", [], sorted(plan.files), plan.files
    )
    tag_every = max(1, commits // max(1, tags))
    made, tagged, actuals = 1, 0, 1
    while made < commits:
        when += step
        note = rng.random() < 0.4
        if made % 25 == 0 and made + 3 <= commits:
            # A pull request: two commits on a branch, merged with a merge commit.
            branch_marks = [head]
            changed: set[str] = set()
            for _ in range(2):
                path = rng.choice(plan.pages)
                plan.files[path] += "\n" + paragraph(rng, refs) + "\n"
                changed.add(path)
                message = "Edit on a branch\n" + ("\nChange-note: Improved a page.\n" if rng.random() < 0.5 else "")
                branch_marks.append(stream.commit("side", when, message, [branch_marks[-1]], [path], plan.files))
                when += step
            head = stream.commit(
                "main", when, "Merge pull request\n", [head, branch_marks[-1]], sorted(changed), plan.files
            )
            made += 3
        else:
            roll = rng.random()
            if roll < 0.03:
                old = rng.choice([p for p in plan.pages if "/page-" in p])
                new = re.sub(r"(-r[0-9]+)?\.md$", f"-r{made}.md", old)
                plan.files[new] = plan.files.pop(old)
                plan.pages[plan.pages.index(old)] = new
                changes, message = [f'R "{old}" "{new}"'], "Rename a page"
            elif roll < 0.18:
                folder = rng.choice(PHASES)
                item = rng.choice(plan.milestones[folder])
                item["due"] = f"{rng.randint(2020, 2024)}-{rng.randint(1, 12):02d}-28"
                item["status"] = rng.choice(STATUSES)
                path = f"plan/{folder}/milestones.yml"
                plan.files[path] = milestones_text(plan.milestones[folder])
                changes, message = [path], f"Re-forecast {item['id']}"
            elif roll < 0.20 and actuals < 40:
                actuals += 1
                path = "plan/phase5-measures/measures.yml"
                plan.files[path] = measures_text(actuals)
                changes, message = [path], "Add actuals"
            elif roll < 0.30:
                path = rng.choice(plan.pages)
                plan.files[path] = plan.files[path].rstrip("\n") + (
                    "\n" if plan.files[path].endswith("\n\n") else "\n\n"
                )
                changes, message = [path], "Spacing"
            else:
                path = rng.choice(plan.pages)
                lines = plan.files[path].split("\n")
                lines[rng.randrange(2, len(lines))] = paragraph(rng, refs)
                plan.files[path] = "\n".join(lines)
                changes, message = [path], "Reword a paragraph"
            message += "\n" + (f"\nChange-note: {sentence(rng)}\n" if note else "")
            head = stream.commit("main", when, message, [head], changes, plan.files)
            made += 1
        if made >= tag_every * (tagged + 1) and tagged < tags:
            tagged += 1
            stream.tag(f"v{tagged}", head, when, f"Revision {tagged}\n\nSynthetic revision {tagged}.\n")
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream.chunks), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    subprocess.run(["git", "branch", "-q", "-D", "side"], cwd=root, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--tags", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    generate(args.folder, args.pages, args.commits, args.tags, args.seed)


if __name__ == "__main__":
    main()
