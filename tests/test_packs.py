"""Packs: the cache's small entries kept many to a file, read back whatever happened to the files in between."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techplan import cache as techplan_cache
from techplan import packs
from techplan.cache import DiskCache, finish_packs
from techplan.packs import MAX_PACKS, OPEN_AT_MOST, PackStore, read_packs
from techplan.site.forked import Forked

KIND = "dues"
"""A packed kind (techplan.cache._PACKED)."""


@pytest.fixture(autouse=True)
def _own_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new process would: no packs read, nothing remembered."""
    monkeypatch.setattr(techplan_cache, "_STORES", {})
    monkeypatch.setattr(techplan_cache, "_MEMORY", {})


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finish this "process's" packs, and forget all it read and remembered, as the next build starts."""
    finish_packs()
    monkeypatch.setattr(techplan_cache, "_STORES", {})
    monkeypatch.setattr(techplan_cache, "_MEMORY", {})


def pack_files(root: Path, kind: str = KIND) -> list[str]:
    """The names of a kind's packs, oldest first (and anything else in its folder)."""
    [folder] = root.glob(f"*/{kind}")
    return sorted(os.listdir(folder))


def test_entries_are_read_back_in_this_process_before_the_pack_is_finished_and_in_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DiskCache(tmp_path)
    values = {f"blob-{n}": {"M1.1": f"2021-0{n % 9 + 1}-01", "text": "x" * n} for n in range(200)}
    for key, value in values.items():
        cache.put(KIND, key, value)
    monkeypatch.setattr(techplan_cache, "_MEMORY", {})  # read from the pack being written, not from memory
    assert {key: cache.get(KIND, key) for key in values} == values
    new_process(monkeypatch)
    files = pack_files(tmp_path)
    assert len(files) == 1 and files[0].endswith(".pack")  # one file, not one an entry
    assert {key: DiskCache(tmp_path).get(KIND, key) for key in values} == values
    assert DiskCache(tmp_path).get(KIND, "blob-never-written") is None


def test_another_process_reads_what_one_wrote_and_a_forked_copy_adds_its_own(tmp_path: Path) -> None:
    """A forked copy reads the pack it inherited but never appends to it: what it adds is a pack of its own."""
    cache = DiskCache(tmp_path)
    cache.put(KIND, "parent-before", "before the fork")
    child = os.fork()
    if child == 0:  # pragma: no cover - the forked copy; what it wrote is checked below
        ok = False
        try:
            cache.put(KIND, "child", "from the copy")
            techplan_cache._MEMORY.clear()  # read from the pack its parent was writing at the fork
            ok = cache.get(KIND, "parent-before") == "before the fork" and cache.get(KIND, "child") == "from the copy"
            finish_packs()  # a copy's finish leaves its parent's pack alone
        finally:
            os._exit(0 if ok else 3)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    cache.put(KIND, "parent-after", "after the fork")
    finish_packs()
    assert len(pack_files(tmp_path)) == 2
    script = (
        "import sys; from techplan.cache import DiskCache; "
        "c = DiskCache(__import__('pathlib').Path(sys.argv[1])); "
        "print([c.get('dues', k) for k in ('parent-before', 'child', 'parent-after')])"
    )
    read = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert read.stdout.strip() == "['before the fork', 'from the copy', 'after the fork']"


def test_packs_are_merged_before_they_pile_up_and_what_is_forgotten_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build a day adds a pack; past MAX_PACKS they are merged into one, keeping every entry."""
    for build_number in range(3 * MAX_PACKS):
        DiskCache(tmp_path).put(KIND, f"blob-{build_number}", build_number)
        new_process(monkeypatch)
        assert len(pack_files(tmp_path)) <= MAX_PACKS
    cache = DiskCache(tmp_path)
    assert [cache.get(KIND, f"blob-{n}") for n in range(3 * MAX_PACKS)] == list(range(3 * MAX_PACKS))
    # Told which entries it still uses, a build drops the rest once they are a quarter or more of the packs.
    wanted = {f"blob-{n}" for n in range(3 * MAX_PACKS) if n % 2 == 0}
    cache.forget_all_but(KIND, wanted)
    new_process(monkeypatch)
    [folder] = tmp_path.glob(f"*/{KIND}")
    assert len(pack_files(tmp_path)) == 1
    assert len(read_packs(str(folder))) == len(wanted)
    cache = DiskCache(tmp_path)
    assert {key: cache.get(KIND, key) for key in wanted} == {key: int(key[5:]) for key in wanted}
    assert cache.get(KIND, "blob-1") is None
    # A few forgotten among many stay until they are a quarter: no pack is rewritten for them.
    cache.forget_all_but(KIND, wanted - {"blob-0"})
    before = pack_files(tmp_path)
    new_process(monkeypatch)
    assert pack_files(tmp_path) == before


def test_many_packs_left_by_forked_copies_are_read_without_a_file_open_for_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked copies each leave a pack; past OPEN_AT_MOST the older ones' entries are copied, not held open."""
    cache = DiskCache(tmp_path)
    copies = OPEN_AT_MOST + 8
    for number in range(copies):
        child = os.fork()
        if child == 0:  # pragma: no cover - a forked copy: what it leaves is checked below
            try:
                cache.put(KIND, f"k{number % 10}", number)
            finally:
                os._exit(0)
        os.waitpid(child, 0)
    [folder] = tmp_path.glob(f"*/{KIND}")
    assert len(pack_files(tmp_path)) == copies
    new_process(monkeypatch)
    cache = DiskCache(tmp_path)
    # Each key reads as the last copy left it.
    assert [cache.get(KIND, f"k{n}") for n in range(10)] == [
        max(i for i in range(copies) if i % 10 == n) for n in range(10)
    ]
    held = [
        os.readlink(f"/proc/self/fd/{fd}")
        for fd in os.listdir("/proc/self/fd")
        if os.path.exists(f"/proc/self/fd/{fd}")
    ]
    assert sum(link.startswith(str(folder)) for link in held) <= OPEN_AT_MOST + 1  # the packs kept open, and its own
    new_process(monkeypatch)
    assert len(pack_files(tmp_path)) == 1
    cache = DiskCache(tmp_path)
    assert [cache.get(KIND, f"k{n}") for n in range(10)] == [
        max(i for i in range(copies) if i % 10 == n) for n in range(10)
    ]


def test_work_handed_to_a_forked_copy_leaves_one_pack_and_a_pool_worker_it_forks_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy that says it will finish (as techplan.site.forked does) adds to one pack; its own copies, a pack each."""
    cache = DiskCache(tmp_path)

    def work() -> int:
        for number in range(20):
            cache.put(KIND, f"copy-{number}", number)
        grandchild = os.fork()  # as a pool's worker: it ends without finishing anything
        if grandchild == 0:  # pragma: no cover - checked below through what it left
            try:
                cache.put(KIND, "worker", "from the worker")
            finally:
                os._exit(0)
        os.waitpid(grandchild, 0)
        return len([name for name in pack_files(tmp_path) if name.endswith(packs.SUFFIX)])

    assert Forked(work, "writing entries").result() == 1  # the worker's pack; the copy's is named as it ends
    assert len(pack_files(tmp_path)) == 2 and all(name.endswith(packs.SUFFIX) for name in pack_files(tmp_path))
    new_process(monkeypatch)
    cache = DiskCache(tmp_path)
    assert [cache.get(KIND, f"copy-{n}") for n in range(20)] == list(range(20))
    assert cache.get(KIND, "worker") == "from the worker"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short (a disk filled up, a copy interrupted)
        lambda data: b"not a pack",
        lambda data: data[:-16] + b"\xff" * 8 + data[-8:],  # the index said to start past the end
        lambda data: b"",
    ],
    ids=["cut short", "not a pack", "index out of place", "empty"],
)
def test_a_damaged_pack_is_passed_over_and_its_entries_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    cache = DiskCache(tmp_path)
    cache.put(KIND, "kept", "in a good pack")
    new_process(monkeypatch)
    DiskCache(tmp_path).put(KIND, "lost", "in the pack that is damaged")
    new_process(monkeypatch)
    [folder] = tmp_path.glob(f"*/{KIND}")
    damaged = folder / pack_files(tmp_path)[-1]
    damaged.write_bytes(damage(damaged.read_bytes()))  # type: ignore[operator]
    cache = DiskCache(tmp_path)
    assert cache.get(KIND, "kept") == "in a good pack"
    assert cache.get(KIND, "lost") is None
    cache.put(KIND, "lost", "made again")
    new_process(monkeypatch)
    assert DiskCache(tmp_path).get(KIND, "lost") == "made again"


def test_a_pack_another_build_merged_away_is_still_read_by_a_build_that_opened_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    DiskCache(tmp_path).put(KIND, "early", 1)
    new_process(monkeypatch)
    reader = PackStore(str(next(tmp_path.glob(f"*/{KIND}"))))
    assert reader.get(packs_key("early")) is not None  # opened: its index read
    for n in range(MAX_PACKS + 1):  # meanwhile another build merges every pack, deleting the one read
        DiskCache(tmp_path).put(KIND, f"later-{n}", n)
        new_process(monkeypatch)
    assert len(pack_files(tmp_path)) < MAX_PACKS
    assert pickle.loads(reader.get(packs_key("early")) or b"") == 1
    reader.close()


def test_a_temporary_pack_left_by_a_killed_build_is_ignored_then_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    DiskCache(tmp_path).put(KIND, "kept", 1)
    new_process(monkeypatch)
    [folder] = tmp_path.glob(f"*/{KIND}")
    left = folder / "00000000000000000001-99999.pack.tmp"
    left.write_bytes(b"half a pack")
    assert DiskCache(tmp_path).get(KIND, "kept") == 1
    assert left.exists()  # perhaps a build still writing it
    os.utime(left, (1, 1))
    monkeypatch.setattr(techplan_cache, "_STORES", {})
    monkeypatch.setattr(techplan_cache, "_MEMORY", {})
    assert DiskCache(tmp_path).get(KIND, "kept") == 1
    assert not left.exists()


def packs_key(key: str) -> str:
    """The name a cache key is stored under (techplan.cache._name)."""
    return techplan_cache._name(key)


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.integers(0, 6), st.binary(max_size=40)),
        st.tuples(st.just("forget"), st.sets(st.integers(0, 6))),
        st.tuples(st.just("new build")),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(OPERATIONS)
def test_packs_hold_what_a_dictionary_would(tmp_path_factory: pytest.TempPathFactory, operations: list[tuple]) -> None:
    """Whatever builds put, forget and finish, every entry still wanted reads back as last put, nothing else appears,
    and a kind never has more than MAX_PACKS packs."""
    root = tmp_path_factory.mktemp("packs")
    saved = techplan_cache._STORES, techplan_cache._MEMORY
    techplan_cache._STORES, techplan_cache._MEMORY = {}, {}
    try:
        model: dict[str, bytes] = {}
        cache = DiskCache(root)
        for operation in operations:
            if operation[0] == "put":
                key = f"k{operation[1]}"
                cache.put(KIND, key, operation[2])
                model[key] = operation[2]
            elif operation[0] == "forget":
                wanted = {f"k{n}" for n in operation[1]}
                cache.forget_all_but(KIND, wanted)
                model = {key: value for key, value in model.items() if key in wanted}
            else:
                finish_packs()
                techplan_cache._STORES, techplan_cache._MEMORY = {}, {}
                cache = DiskCache(root)
                folders = list(root.glob(f"*/{KIND}"))
                assert not folders or len([n for n in os.listdir(folders[0]) if n.endswith(packs.SUFFIX)]) <= MAX_PACKS
                # Forgotten entries may linger until merged; the wanted ones read back as last put.
                stored = read_packs(str(folders[0])) if folders else {}
                assert {packs_key(key) for key in model} <= set(stored)
                assert {key: cache.get(KIND, key) for key in model} == model
        for key, value in model.items():
            assert cache.get(KIND, key) == value
        finish_packs()
    finally:
        techplan_cache._STORES, techplan_cache._MEMORY = saved
