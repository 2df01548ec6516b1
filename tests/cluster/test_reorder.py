"""Scans of several edges put in time order for one sector's stage loop (cluster.reorder)."""

from __future__ import annotations

import pytest

from skywarden.cluster.reorder import Release, Reorder


def _flat(rs: list[Release[str]]) -> list[tuple[float, list[str], bool]]:
    return [(r.t, r.items, r.late) for r in rs]


def test_one_edge_is_released_as_it_closes() -> None:
    r: Reorder[str] = Reorder(lag_s=3.0)
    assert [_flat(r.push("a", t, f"a{t}")) for t in (1.0, 2.0, 3.0)] == [
        [(1.0, ["a1.0"], False)],
        [(2.0, ["a2.0"], False)],
        [(3.0, ["a3.0"], False)],
    ]
    assert len(r) == 0


def test_two_edges_interleave_in_time_order_and_equal_times_merge() -> None:
    r: Reorder[str] = Reorder(lag_s=3.0)
    out: list[tuple[float, list[str], bool]] = []
    # b's scans are half a second off a's, and published a little later
    for edge, t in [("a", 0.0), ("b", 0.5), ("a", 1.0), ("a", 2.0), ("b", 1.5), ("b", 2.0)]:
        out += _flat(r.push(edge, t, f"{edge}{t}"))
    assert out == [
        (0.0, ["a0.0"], False),  # b not heard yet: a alone is active
        (0.5, ["b0.5"], False),  # a has passed 0.5
        (1.0, ["a1.0"], False),  # held until b passed 1.0
        (1.5, ["b1.5"], False),
        (2.0, ["a2.0", "b2.0"], False),  # one tracker scan
    ]
    assert r.late == 0


def test_a_scan_at_or_before_the_released_time_is_late_and_clamped() -> None:
    r: Reorder[str] = Reorder(lag_s=3.0)
    r.push("a", 5.0, "a5")
    assert _flat(r.push("b", 4.0, "b4")) == [(5.0, ["b4"], True)]
    assert _flat(r.push("b", 5.0, "b5")) == [(5.0, ["b5"], True)]
    assert r.late == 2


def test_an_edge_lagging_more_than_lag_s_is_not_waited_for_and_then_is_late() -> None:
    r: Reorder[str] = Reorder(lag_s=2.0)
    r.push("a", 1.0, "a1")
    r.push("b", 1.0, "b1")
    assert _flat(r.push("a", 2.0, "a2")) == []  # waits for b
    assert _flat(r.push("a", 3.0, "a3")) == []  # b is 2 s behind: still waited for
    assert _flat(r.push("a", 4.0, "a4")) == [
        (2.0, ["a2"], False),
        (3.0, ["a3"], False),
        (4.0, ["a4"], False),
    ]  # b is 3 s behind the newest: no longer waited for
    assert _flat(r.push("b", 2.0, "b2")) == [(4.0, ["b2"], True)]  # late: at the released time


def test_flush_releases_everything_held_in_order() -> None:
    r: Reorder[str] = Reorder(lag_s=5.0)
    r.push("a", 1.0, "a1")
    r.push("b", 1.0, "b1")
    r.push("a", 3.0, "a3")
    r.push("a", 2.0, "a2")  # an edge restarted with an earlier time: held, not late
    assert len(r) == 2
    assert _flat(r.flush()) == [(2.0, ["a2"], False), (3.0, ["a3"], False)]
    assert len(r) == 0 and r.released_t == 3.0


def test_a_duplicate_close_moves_its_edge_on() -> None:
    r: Reorder[str] = Reorder(lag_s=5.0)
    r.push("a", 1.0, "a1")
    r.push("b", 1.0, "b1")
    assert _flat(r.push("a", 2.0, "a2")) == []
    assert _flat(r.seen("b", 2.0)) == [(2.0, ["a2"], False)]


def test_a_lag_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="lag_s must be > 0"):
        Reorder(lag_s=0.0)
