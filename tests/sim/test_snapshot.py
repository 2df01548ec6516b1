"""Snapshots: map coordinates (ENU east/north, altitude MSL) placed on the ellipsoid."""

from __future__ import annotations

import numpy as np

from skywarden.geo import LocalFrame, distance_m
from skywarden.model import TargetClass
from skywarden.sim.snapshot import Snapshot
from skywarden.sim.target import Target

FRAME = LocalFrame(31.76, -106.43, 1150.0)
T0 = 1_770_778_800.0


def _still(tid: str, x: float, y: float, alt: float, kind: TargetClass) -> Target:
    xyz = np.tile([x, y, alt], (5, 1))
    return Target(
        tid,
        kind,
        "test",
        T0,
        xyz,
        np.zeros((5, 3)),
        0.01,
        link=np.ones(5, dtype=bool) if kind is TargetClass.DRONE else None,
    )


def test_level_flight_far_out_keeps_its_altitude_above_sea_level() -> None:
    """30 km out the ENU plane is ~70 m above the ground: altitude must not inherit that."""
    far = _still("far", 30_000.0, 0.0, 1250.0, TargetClass.DRONE)
    snap = Snapshot.of(T0 + 2, [far], FRAME)
    assert snap.alt[0] == 1250.0
    d = float(distance_m(FRAME.lat0, FRAME.lon0, snap.lat[0], snap.lon[0]))
    # 30 km measured ~1.2 km above the ellipsoid is R / (R + h) of that on its surface.
    assert abs(d - 30_000.0 * 6_371_000.0 / (6_371_000.0 + 1_220.0)) < 1.0
    _, _, z = FRAME.to_enu(snap.lat[0], snap.lon[0], snap.alt[0])
    assert 60.0 < 100.0 - z < 80.0  # the curvature drop the ENU plane would have added


def test_flags_follow_the_targets() -> None:
    tgs = [
        _still("d", 0, 0, 1200, TargetClass.DRONE),
        _still("m", 10, 0, 2000, TargetClass.MANNED),
        _still("b", 20, 0, 1200, TargetClass.BIRD),
    ]
    tgs[1].adsb = True
    snap = Snapshot.of(T0, tgs, FRAME)
    assert len(snap) == 3
    assert snap.is_drone.tolist() == [True, False, False]
    assert snap.is_manned.tolist() == [False, True, False]
    assert snap.link.tolist() == [True, False, False]
    assert snap.adsb.tolist() == [False, True, False]
    assert len(Snapshot.of(T0, [], FRAME)) == 0
