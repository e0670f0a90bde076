"""Past versions of a milestones file, parsed once for their due dates and their records: the same as read apart."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

import techplan.cache as techplan_cache
import techplan.history.past as past_module
from techplan.history.past import PastReader

PATH = "plan/phase1-vision/milestones.yml"

FIELDS = {
    "id": ["M1.1", "M1.2", "M1.1", "m1", "M2.1", "[M1.3]"],
    "title": ["Publish the vision", "", "'unclosed", '=HYPERLINK("x")', "a\u202eb"],
    "owner": ["NHSX", "~", "[a, b]"],
    "due": ["2021-03-31", "2021-02-30", "soon", "2021-03-31T10:00:00", "~", "99999-01-01"],
    "status": ["planned", "done", "finished", "~"],
    "summary": ["Plain words.", "[[M1.2]]", "<script>x</script>", "|"],
}

record = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in FIELDS.items()}).map(
    lambda fields: "  - " + "\n    ".join(f"{name}: {value}" for name, value in fields.items()) + "\n"
)
whole_file = st.one_of(
    st.lists(record, max_size=4).map(lambda records: ("milestones:\n" + "".join(records)).encode()),
    st.sampled_from(
        [
            b"",
            b"milestones: []\n",
            b"milestones:\n  - id: M1.1\n    due: 2021-03-31\n",  # a due date, the rest missing
            b"milestones: &a [*a]\n",
            b"milestones:\n  - id: &a [1, 1]\n  - b: &b [*a, *a, *a]\n  - c: [*b, *b, *b]\n",
            b"\xff\xfe milestones",
            b"milestones:\n  - id: M1.1\n  due: [\n",
            b"- just\n- a\n- list\n",
            b"[" * 200,
        ]
    ),
)


def read(contents: dict[str, bytes], order: list[str], shared: bool) -> tuple[object, object, object, int]:
    """Dues, then records, of the versions in order (commits c0, c1, ...), by a fresh reader; and the parses made."""
    techplan_cache._MEMORY.clear()  # each reading starts from nothing, as a first build does
    parses = 0
    parse = past_module.parse_yaml_bytes

    def counted(data: bytes, path: str):  # type: ignore[no-untyped-def]
        nonlocal parses
        parses += 1
        return parse(data, path)

    past_module.parse_yaml_bytes = counted
    try:
        reader = PastReader(lambda shas: {sha: contents[sha] for sha in shas if sha in contents})
        versions = [(blob, f"c{index}", PATH) for index, blob in enumerate(order)]
        if shared:
            reader.make_records_with_dues([(blob, PATH, 1) for blob in order])
        dues = reader.dues(versions)
        records = reader.records([(blob, commit, path, 1) for blob, commit, path in versions])
    finally:
        past_module.parse_yaml_bytes = parse
        techplan_cache._MEMORY.clear()
    return dues, records, reader.notes, parses


@settings(max_examples=150, deadline=None)
@given(files=st.lists(whole_file, min_size=1, max_size=5), picks=st.lists(st.integers(0, 5), min_size=1, max_size=8))
def test_one_parse_reads_what_two_did(files: list[bytes], picks: list[int]) -> None:
    contents = {hashlib.sha1(data).hexdigest(): data for data in files}
    blobs = [*contents, "0" * 40]  # the last is not in the repository
    order = [blobs[pick % len(blobs)] for pick in picks]
    *apart, parses_apart = read(contents, order, shared=False)
    *together, parses_together = read(contents, order, shared=True)
    assert together == apart
    present = len({blob for blob in order if blob in contents})
    assert parses_apart == 2 * present
    assert parses_together == present
