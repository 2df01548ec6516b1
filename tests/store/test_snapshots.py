"""State snapshots: pickled stage state, big rebuilt objects left out, newest two kept."""

from __future__ import annotations

import types

import pytest

from skywarden.store import Database, snapshots


class Stage:
    """A stand-in stage: mutable state, a read-only config mapping, a big shared index."""

    def __init__(self, index: list[int]) -> None:
        self.index = index
        self.config = types.MappingProxyType({"gate": 9.21})
        self.counter = 0


def test_a_snapshot_round_trips_and_rebinds_static_objects() -> None:
    big = list(range(100_000))
    st = Stage(big)
    st.counter = 41
    blob = snapshots.dumps({"stage": st}, {"index": big})
    assert len(blob) < 1000  # the index is referred to, not copied
    fresh = list(range(100_000))
    back = snapshots.loads(blob, {"index": fresh})["stage"]
    assert back.counter == 41 and back.config["gate"] == 9.21
    assert back.index is fresh
    with pytest.raises(snapshots.SnapshotError, match="not rebuilt"):
        snapshots.loads(blob, {})
    with pytest.raises(snapshots.SnapshotError, match="unreadable"):
        snapshots.loads(b"not a pickle")


def test_the_fingerprint_follows_the_configuration() -> None:
    assert snapshots.fingerprint(["a"]) == snapshots.fingerprint(["a"])
    assert snapshots.fingerprint(["a"]) != snapshots.fingerprint(["b"])


def test_only_the_newest_two_of_this_code_are_kept_and_read(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        for k in range(4):
            snapshots.put(s, "src", 100.0 + k, k + 1, "code-a", bytes([k]))
        snapshots.put(s, "src", 110.0, 11, "code-b", b"other code")
        snapshots.put(s, "other", 200.0, 1, "code-a", b"other source")
    with db.session() as s:
        got = snapshots.latest(s, "src", "code-a", t_max=1e9)
        # the "code-b" row is newer, so only one of code-a survives the trimming
        assert [(t, n) for t, n, _ in got] == [(103.0, 4)]
        assert snapshots.latest(s, "src", "code-b", t_max=109.0) == []  # after the cursor
        assert [b for _, _, b in snapshots.latest(s, "other", "code-a", 1e9)] == [b"other source"]
    db.dispose()
