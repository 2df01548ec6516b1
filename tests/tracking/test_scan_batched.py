"""A scan's geodesy is done in one PROJ call (and one geodesic call) for all its groups:
each group's numbers must be those of a transform of its own points alone."""

from __future__ import annotations

import numpy as np

from skywarden.geo import LocalFrame, destination
from skywarden.model import Bearing, Detection, Identity, Position, SensorKind
from skywarden.tracking import TrackerConfig
from skywarden.tracking.scan import scan_groups

FRAME = LocalFrame(26.05, -97.6, 20.0)
T = 1_780_000_000.0


def _scan() -> list[Detection]:
    rng = np.random.default_rng(7)
    dets: list[Detection] = []
    for s in range(3):  # three radars, a few plots each
        for _ in range(2 + s):
            lat, lon = 26.05 + rng.uniform(-0.1, 0.1), -97.6 + rng.uniform(-0.1, 0.1)
            cov = ((25.0, 0.0, 0.0), (0.0, 25.0, 0.0), (0.0, 0.0, 100.0))
            pos = Position(lat, lon, float(rng.uniform(50, 400)), cov)
            dets.append(Detection(T, f"radar-{s}", SensorKind.RADAR, position=pos))
    for k in range(2):  # Remote ID with velocities, one far from the origin
        pos = Position(26.05 + 3.0 * k, -97.6 + 2.0 * k, 120.0)
        dets.append(
            Detection(
                T,
                "rid-1",
                SensorKind.REMOTE_ID,
                position=pos,
                velocity=(12.0, -3.0, 1.5),
                velocity_sigma=0.5,
                identity=Identity(rid_serial=f"SN{k}"),
            )
        )
    for s, (lat, lon) in enumerate([(26.0, -97.7), (26.1, -97.5)]):  # two DF sites
        for b in (10.0, 200.5, 359.0)[: 2 + s]:
            brg = Bearing(lat, lon, 30.0, b, 2.0)
            dets.append(Detection(T, f"rf-{s}", SensorKind.RF, bearing=brg))
    return dets


def test_each_group_has_the_numbers_of_its_own_transform() -> None:
    dets = _scan()
    groups = scan_groups(FRAME, TrackerConfig(), dets)
    assert [g.sensor for g in groups] == ["radar-0", "radar-1", "radar-2", "rid-1", "rf-0", "rf-1"]
    for g in groups:
        own = [d for d in dets if d.sensor == g.sensor]
        if g.bearings is None:
            assert g.z is not None
            lat = np.array([d.position.lat for d in own if d.position])
            lon = np.array([d.position.lon for d in own if d.position])
            alt = np.array([d.position.alt_m for d in own if d.position])
            x, y, z = FRAME.to_enu(lat, lon, alt)
            assert np.array_equal(g.z, np.stack([x, y, z], axis=1))
            if g.kind == SensorKind.REMOTE_ID:
                v = np.array([d.velocity for d in own], dtype=float)
                assert g.velocity is not None
                assert np.array_equal(g.velocity, FRAME.vectors_to_frame(lat, lon, v))
        else:
            b0 = own[0].bearing
            assert b0 is not None
            brg = np.array([d.bearing.bearing_deg for d in own if d.bearing])
            site = np.array(FRAME.to_enu(b0.sensor_lat, b0.sensor_lon, b0.sensor_alt_m))
            lat2, lon2 = destination(
                np.full(brg.shape, b0.sensor_lat),
                np.full(brg.shape, b0.sensor_lon),
                brg,
                np.full(brg.shape, 1000.0),
            )
            x2, y2, _ = FRAME.to_enu(lat2, lon2, np.full(brg.shape, b0.sensor_alt_m))
            assert np.array_equal(g.bearings.site, site)
            assert np.array_equal(g.bearings.azimuth, np.arctan2(x2 - site[0], y2 - site[1]))
