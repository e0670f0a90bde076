"""The repository's documents: the generated field reference is current, and every link in them resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plansite import REPO

from techplan.cli import main
from techplan.plan.reference import END, START, reference_markdown, update_reference
from techplan.plan.spec import FILES, SITE_OPTIONS, Field, RecordSpec

DOCUMENTS = ["README.md", "REFERENCE.md", "ARCHITECTURE.md", "bench/RESULTS.md", "plan/contributing.md"]
FIX = "run `make reference` (or .venv/bin/techplan reference --write REFERENCE.md) and commit REFERENCE.md"


def test_reference_says_what_spec_declares() -> None:
    text = (REPO / "REFERENCE.md").read_text(encoding="utf-8")
    assert text == update_reference(text), f"REFERENCE.md is out of date with techplan/plan/spec.py: {FIX}"


def field_names(spec: RecordSpec, prefix: str = "") -> list[str]:
    """Every field a staff member can write, nested ones by their dotted names, worked out from the spec alone."""
    names = []
    for f in spec.fields:
        if f.flat and f.record is not None:
            names += field_names(f.record)
            continue
        names.append(prefix + f.name)
        if f.record is not None:
            names += field_names(f.record, prefix + f.name + ".")
    return names


@pytest.mark.parametrize("spec", [*FILES.values(), SITE_OPTIONS], ids=lambda s: s.noun)
def test_reference_has_a_row_for_every_field_with_its_meaning(spec: RecordSpec) -> None:
    rows = {}
    for line in reference_markdown().splitlines():
        match = re.match(r"\| `([a-z_.]+)` \| (.*) \|$", line)
        if match:
            rows.setdefault(match.group(1), []).append(match.group(2))
    names = field_names(spec)
    assert names
    for name in names:
        assert name in rows, name
        spec_field = _find(spec, name)
        assert any(row.endswith(" ".join(spec_field.description.split())) for row in rows[name]), name
        for choice in spec_field.choices:
            assert any(f"`{choice}`" in row for row in rows[name]), (name, choice)


def _find(spec: RecordSpec, dotted: str) -> Field:
    """The field a dotted name names, looked up through nested records and flat lists."""
    head, _, rest = dotted.partition(".")
    for f in spec.fields:
        if f.flat and f.record is not None and f.record.field(head) is not None:
            return _find(f.record, dotted)
        if f.name == head:
            return f if not rest or f.record is None else _find(f.record, rest)
    raise KeyError(dotted)


def test_reference_command_rewrites_only_between_the_markers(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    document = tmp_path / "REFERENCE.md"
    document.write_text(f"# Before\n\n{START}\nstale table\n{END}\n\nAfter, kept.\n", encoding="utf-8")
    assert main(["reference", "--write", str(document)]) == 0
    text = document.read_text(encoding="utf-8")
    assert text.startswith("# Before\n\n" + START + "\n")
    assert text.endswith(END + "\n\nAfter, kept.\n")
    assert "stale table" not in text
    assert "| `depends_on` | list of ids | no |" in text
    assert "wrote the reference" in capsys.readouterr().out
    assert main(["reference", "--write", str(document)]) == 0
    assert document.read_text(encoding="utf-8") == text
    assert "is up to date" in capsys.readouterr().out


def test_reference_command_refuses_a_file_without_markers(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    document = tmp_path / "notes.md"
    document.write_text("# Notes\n", encoding="utf-8")
    assert main(["reference", "--write", str(document)]) == 2
    assert document.read_text(encoding="utf-8") == "# Notes\n"
    error = capsys.readouterr().err
    assert "no place for the reference" in error and START in error
    assert main(["reference", "--write", str(tmp_path / "missing.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def github_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as dashes."""
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"#{1,6} (.+)", line)
        if match is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        number = counts.get(slug, 0)
        counts[slug] = number + 1
        anchors.add(slug if number == 0 else f"{slug}-{number}")
    return anchors


def test_github_anchors_are_worked_out_as_github_does() -> None:
    text = "# What `changes.json` says\n## History notes and `techplan check --history`\n## Merges\n## Merges\n"
    assert github_anchors(text) == {
        "what-changesjson-says",
        "history-notes-and-techplan-check---history",
        "merges",
        "merges-1",
    }


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_link_between_the_documents_resolves(document: str) -> None:
    path = REPO / document
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links or document in ("ARCHITECTURE.md", "bench/RESULTS.md")  # the others link
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue  # https:, mailto:: not fetched
        target, _, anchor = link.partition("#")
        if document.startswith("plan/") and not target.endswith(".md"):
            continue  # a page of the site (../roadmap/), checked by the strict build
        resolved = (path.parent / target).resolve() if target else path
        assert resolved.exists(), f"{document}: {link}: no such file"
        if anchor and resolved.suffix == ".md":
            assert anchor in github_anchors(resolved.read_text(encoding="utf-8")), (
                f"{document}: {link}: no such heading"
            )


def test_contributing_links_to_the_reference_on_the_git_host_at_headings_it_has() -> None:
    guide = (REPO / "plan/contributing.md").read_text(encoding="utf-8")
    anchors = github_anchors((REPO / "REFERENCE.md").read_text(encoding="utf-8"))
    links = re.findall(r"\]\(https://github\.com/example/techplan/blob/main/REFERENCE\.md#([^)]+)\)", guide)
    assert links
    for anchor in links:
        assert anchor in anchors, anchor
