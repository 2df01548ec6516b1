"""The sector process's collector settings: set within, restored after."""

from __future__ import annotations

import gc

import pytest

from skywarden.commands.month_gc import SECTOR_GEN0, sector_gc


def test_sector_gc_sets_and_restores_thresholds() -> None:
    old = gc.get_threshold()
    with sector_gc():
        assert gc.get_threshold() == (SECTOR_GEN0, old[1], old[2])
        assert gc.get_freeze_count() > 0  # the objects alive at entry are frozen
    assert gc.get_threshold() == old
    assert gc.get_freeze_count() == 0


def _fail_within() -> None:
    with sector_gc(gen0=5_000):
        assert gc.get_threshold()[0] == 5_000
        raise RuntimeError("sector failed")


def test_sector_gc_restores_after_an_error() -> None:
    old = gc.get_threshold()
    with pytest.raises(RuntimeError, match="sector failed"):
        _fail_within()
    assert gc.get_threshold() == old


def test_cycles_made_within_are_still_collected() -> None:
    class Node:
        other: object = None

    with sector_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2
