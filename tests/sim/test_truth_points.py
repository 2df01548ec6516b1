"""Truth records checked as whole arrays: the same records, the same refusals."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from skywarden.model import InvalidRecord, TargetClass, TruthPoint
from skywarden.sim.engine import Simulation
from skywarden.sim.snapshot import Snapshot

T = 1_780_000_000.0


def test_trusted_truth_points_equal_checked_ones() -> None:
    snap = Snapshot.synthetic(
        T, np.array([31.8, 31.9]), np.array([-106.4, -106.5]), np.array([1200.0, 1300.0])
    )
    got = Simulation.truth_points(snap)
    want = [TruthPoint(**{f.name: getattr(p, f.name) for f in dataclasses.fields(p)}) for p in got]
    assert got == want
    assert all(type(p) is TruthPoint for p in got)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got[0].lat = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("alt", [40_000.0, float("nan")])
def test_a_bad_truth_point_is_refused_as_before(alt: float) -> None:
    snap = Snapshot.synthetic(
        T,
        np.array([31.8, 31.9]),
        np.array([-106.4, -106.5]),
        np.array([1200.0, alt]),
        kind=TargetClass.MANNED,
    )
    with pytest.raises(InvalidRecord, match="alt_m"):
        Simulation.truth_points(snap)
