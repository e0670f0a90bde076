"""The compare page's script: its own Node tests, and its wording checked against the Python it mirrors.

The script (techplan/theme/assets/javascripts/techplan-compare.js) says what changed in the data in the same
words as techplan.compare.datadiff, and reads a page's blocks as techplan.compare.redline does. These tests run the
same inputs through both and expect the same answers.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import markdown
import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

from techplan.compare.datadiff import describe_shift, diff_plans
from techplan.compare.redline import extract_blocks
from techplan.plan.formatting import format_value
from techplan.plan.model import MILESTONE_STATUS_LABELS, Location, Measure, Milestone, Plan, Point

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "techplan" / "theme" / "assets" / "javascripts" / "techplan-compare.js"
NODE_TESTS = REPO / "tests" / "js" / "compare.test.js"
NODE = shutil.which("node")


def _need_node() -> str:
    """The path to node, or skip the test saying why (fail instead where CI sets TECHPLAN_REQUIRE_BROWSER)."""
    if NODE is None:
        missing = "node not installed: the compare page's script cannot be tested without Node.js"
        if os.environ.get("TECHPLAN_REQUIRE_BROWSER"):
            pytest.fail(f"{missing} (TECHPLAN_REQUIRE_BROWSER is set, so this is a failure, not a skip)")
        pytest.skip(missing)
    return NODE


def _run_js(body: str, payload: object) -> Any:
    """Run JavaScript with the compare script as `compare` and the payload as `input`; return what it prints."""
    node = _need_node()
    program = (
        f"const compare = require({json.dumps(str(SCRIPT))});\n"
        "const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));\n"
        f"{body}\n"
    )
    done = subprocess.run(
        [node, "-e", program], input=json.dumps(payload), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_node_tests_pass() -> None:
    """tests/js/compare.test.js: diffs, wording, extraction and rendering, in Node."""
    node = _need_node()
    done = subprocess.run(
        [node, "--test", str(NODE_TESTS)], capture_output=True, text=True, timeout=300, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


# Data snapshots: random but reproducible, covering every kind of change datadiff describes.

STATUSES = list(MILESTONE_STATUS_LABELS)
UNITS = ["percent", "days", "hours", "minutes", "count", "score"]
VALUES = [0, 1, 1.0, 2, 2.5, 0.125, 0.375, 2.675, 83, 83.5, 99.999, 0.005, 1234567, 1234.5678, -3, -0.25, 1e6 + 0.5]
MILESTONE_IDS = ["M1.1", "M1.2", "M1.3", "M1.10", "M1.11", "M2.1", "M2.2", "M2.10", "M3.1", "M10.1"]
MEASURE_IDS = ["K1", "K2", "K3", "K10", "K11", "K1.1"]
START = date(2019, 1, 1)


def _day(rng: random.Random) -> str:
    """A random date; often a month end, where describe_shift has its special case."""
    day = START + timedelta(days=rng.randrange(365 * 7))
    if rng.random() < 0.3:
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return day.isoformat()


def _milestone(rng: random.Random, record_id: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "title": rng.choice(["Agree the values", "Publish the roadmap", "Fund “digital” teams", "Go live"]),
        "phase": int(record_id[1:].split(".")[0]),
        "owner": rng.choice(["Plan team", "Board", "NHSX"]),
        "due": _day(rng),
        "status": rng.choice(STATUSES),
        "depends_on": rng.sample(MILESTONE_IDS, rng.randrange(4)),
        "summary": rng.choice(["Agree the plan's values.", "Publish\nthe  roadmap.", ""]),
    }


def _measure(rng: random.Random, record_id: str) -> dict[str, Any]:
    actual_days = sorted({_day(rng) for _ in range(rng.randrange(4))})
    return {
        "id": record_id,
        "title": rng.choice(["Trusts with records", "Waiting time", "Staff trained"]),
        "theme": "digital-maturity",
        "unit": rng.choice(UNITS),
        "description": "",
        "baseline": {"date": _day(rng), "value": rng.choice(VALUES)},
        "target": {"date": _day(rng), "value": rng.choice(VALUES)},
        "actuals": [{"date": day, "value": rng.choice(VALUES)} for day in actual_days],
        "source": "Survey",
    }


def _mutate(rng: random.Random, record: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record with a few fields taken from a fresh random one (or respaced)."""
    changed = json.loads(json.dumps(record))
    for field in rng.sample(sorted(fresh), rng.randrange(4)):
        if field not in ("id", "phase"):
            changed[field] = fresh[field]
    if "summary" in changed and rng.random() < 0.2:
        changed["summary"] = "  " + changed["summary"].replace(" ", "\n ") + "\n"  # same words, new spacing
    if "actuals" in changed and changed["actuals"] and rng.random() < 0.3:
        changed["actuals"][0]["value"] = rng.choice(VALUES)
    return changed


def _snapshot_pair(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two versions of the data: records kept (some changed), removed and added."""
    old: dict[str, list[dict[str, Any]]] = {"milestones": [], "measures": []}
    new: dict[str, list[dict[str, Any]]] = {"milestones": [], "measures": []}
    for key, ids, make in (("milestones", MILESTONE_IDS, _milestone), ("measures", MEASURE_IDS, _measure)):
        for record_id in rng.sample(ids, len(ids)):
            fate = rng.random()
            if fate < 0.15:
                old[key].append(make(rng, record_id))
            elif fate < 0.3:
                new[key].append(make(rng, record_id))
            elif fate < 0.9:
                record = make(rng, record_id)
                old[key].append(record)
                new[key].append(_mutate(rng, record, make(rng, record_id)))
    return old, new


def _plan(data: dict[str, Any]) -> Plan:
    """A Plan holding a data snapshot's milestones and measures (no phases: data.json has none)."""
    where = Location("plan/milestones.yml", 1)

    def point(raw: dict[str, Any]) -> Point:
        return Point(date.fromisoformat(raw["date"]), raw["value"])

    milestones = tuple(
        Milestone(
            id=m["id"], title=m["title"], owner=m["owner"], due=date.fromisoformat(m["due"]), status=m["status"],
            depends_on=tuple(m["depends_on"]), summary=m["summary"], phase=m["phase"], location=where,
        )
        for m in data["milestones"]
    )  # fmt: skip
    measures = tuple(
        Measure(
            id=m["id"], title=m["title"], theme=m["theme"], unit=m["unit"], description=m["description"],
            baseline=point(m["baseline"]), target=point(m["target"]), actuals=tuple(point(a) for a in m["actuals"]),
            source=m["source"], phase=1, location=where,
        )
        for m in data["measures"]
    )  # fmt: skip
    return Plan(phases=(), milestones=milestones, measures=measures)


def test_data_changes_read_exactly_as_python_says_them() -> None:
    """The script's diffData gives datadiff.diff_plans' changes, word for word, field for field."""
    rng = random.Random(20200701)
    pairs = [_snapshot_pair(rng) for _ in range(300)]
    # And a hand-made one with a known answer, in case the random ones drift into saying nothing.
    old = {"milestones": [_milestone(random.Random(1), "M1.2")], "measures": []}
    old["milestones"][0]["due"] = "2021-06-30"
    new = json.loads(json.dumps(old))
    new["milestones"][0]["due"] = "2021-09-30"
    pairs.append((old, new))

    expected = [[asdict(change) for change in diff_plans(_plan(a), _plan(b))] for a, b in pairs]
    actual = _run_js(
        "console.log(JSON.stringify(input.map(([a, b]) => compare.diffData(a, b))));", [list(p) for p in pairs]
    )
    assert expected[-1][0]["text"] == "M1.2 due date moved from 30 June 2021 to 30 September 2021: 3 months later."
    kinds = {change["kind"] for changes in expected for change in changes}
    assert kinds >= {
        "added", "removed", "retitled", "due", "status", "owner", "depends", "summary", "baseline", "target",
        "actual-added", "actual-changed", "actual-removed", "unit",
    }  # fmt: skip
    for (a, b), want, got in zip(pairs, expected, actual, strict=True):
        assert got == want, json.dumps({"old": a, "new": b}, ensure_ascii=False)


def test_shifts_and_values_read_as_python_says_them() -> None:
    """describe_shift and format_value, on many dates and values."""
    rng = random.Random(7)
    shifts = [(_day(rng), _day(rng)) for _ in range(2000)]
    shifts += [
        (a, (date.fromisoformat(a) + timedelta(days=rng.randrange(1, 120))).isoformat()) for a, _ in shifts[:500]
    ]
    values = [(v, u) for v in VALUES for u in UNITS]
    values += [(round(rng.uniform(-5000, 5000), rng.randrange(5)), rng.choice(UNITS)) for _ in range(2000)]
    values += [(n / 8, "count") for n in range(-40, 40)] + [(n / 1000, "percent") for n in range(0, 3000, 7)]
    got = _run_js(
        "console.log(JSON.stringify({"
        "shifts: input.shifts.map(([a, b]) => compare.describeShift(a, b)),"
        "values: input.values.map(([v, u]) => compare.formatValue(v, u))}));",
        {"shifts": shifts, "values": values},
    )
    assert got["shifts"] == [describe_shift(date.fromisoformat(a), date.fromisoformat(b)) for a, b in shifts]
    assert got["values"] == [format_value(v, u) for v, u in values]


PAGE = """\
# Phase 1: Vision

Our plan has *three* parts,
with a [link](other.md) and `code` &amp; entities&nbsp;here.

## Values {#values}

- Open by default
    - Publish everything
    - Explain why
- User needs first<br>always

| Id | Title | Due |
|----|-------|-----|
| M1.1 | Agree values | 30 June 2021 |
| M1.2 |  | |

Term
:   Its definition.

!!! note "Why this matters"
    It matters because it does.

```python
print("a  <b>")
```

<figure><svg><text>1,234</text></svg><figcaption>A chart</figcaption></figure>
<p><span class="tp-status"><span class="tp-visually-hidden">Status: </span>Done</span></p>
<script>var hidden = "<p>not text</p>";</script>
<!-- a comment -->

Footnote here[^1].

[^1]: The footnote.
"""


def _tree(node: Tag) -> list[Any]:
    """A parsed element's children as JSON: text as strings, elements as [tag, class, children]."""
    children: list[Any] = []
    for child in node.children:
        if isinstance(child, Comment | Declaration | Doctype | CData | ProcessingInstruction):
            continue
        if isinstance(child, NavigableString):
            children.append(str(child))
        elif isinstance(child, Tag):
            classes = child.get("class")
            class_text = " ".join(classes) if isinstance(classes, list) else classes
            children.append([child.name, class_text, _tree(child)])
    return children


def test_blocks_are_read_as_python_reads_them() -> None:
    """The script's extractBlocks, on the DOM of a rendered page, gives redline.extract_blocks' blocks."""
    content = markdown.markdown(
        PAGE,
        extensions=["toc", "tables", "def_list", "footnotes", "admonition", "attr_list", "pymdownx.superfences"],
        extension_configs={"toc": {"permalink": True}},
    )
    banner = '<div class="tp-revision-banner" role="note"><p>Revision v2 of 1 July 2020.</p></div>'
    article = BeautifulSoup(f'<article id="content">{banner}\n{content}</article>', "html.parser").article
    assert article is not None
    expected = [{"kind": block.kind, "text": block.text} for block in extract_blocks(content)]
    got = _run_js(
        """
        const element = ([tag, classes, children]) => ({
          nodeType: 1, tagName: tag.toUpperCase(),
          childNodes: children.map((c) => (typeof c === "string" ? { nodeType: 3, nodeValue: c } : element(c))),
          getAttribute: (name) => (name === "class" ? classes : null),
        });
        console.log(JSON.stringify(compare.extractBlocks(element(["article", null, input]))));
        """,
        _tree(article),
    )
    assert {"kind": "tr", "text": "M1.1 | Agree values | 30 June 2021"} in expected
    assert got == expected
