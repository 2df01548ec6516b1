"""Visual sighting reports: sparse (rate per target-hour), late (delay), coarse (noise)."""

from __future__ import annotations

import numpy as np

from skywarden.model import SensorKind, TargetClass
from skywarden.sim.calibration import T_NIGHT, ring
from skywarden.sim.scenario import Site, VisualConfig
from skywarden.sim.sensors.visual import VisualReports
from skywarden.sim.snapshot import Snapshot

SITE = Site(lat=31.76, lon=-106.487, alt_m=1150.0)


def observers(seed: int = 11, **kw: object) -> VisualReports:
    p: dict[str, object] = {"id": "v1", "kind": "visual", "site": SITE, "range_max_m": 3_000.0}
    p.update(kw)
    return VisualReports(VisualConfig.model_validate(p), np.random.default_rng(seed))


def _at(snap: Snapshot, t: float) -> Snapshot:
    return Snapshot(**{**snap.__dict__, "t": t})


def test_report_rate_delay_and_order() -> None:
    v = observers(reports_per_target_hour=6.0, delay_s=(30.0, 120.0))
    snap = ring(v.frame, 100, 1_000.0)
    ticks = 1_800
    got = []
    for k in range(ticks + 121):  # run on until every delayed report has arrived
        got.extend(
            v.observe(
                _at(snap, T_NIGHT + k)
                if k < ticks
                else _at(Snapshot.of(T_NIGHT + k, [], v.frame), T_NIGHT + k)
            )
        )
    # Sightings ~ binomial(100 targets x 1800 s, 6/3600 per second): mean 300.
    n, p = 100 * ticks, 6.0 / 3600.0
    assert abs(len(got) - n * p) <= 4.5 * np.sqrt(n * p * (1 - p))
    delays = np.array([d.t - d.attrs["observed_t"] for d in got])
    assert delays.min() >= 30.0 and delays.max() <= 120.0
    assert abs(delays.mean() - 75.0) < 4.5 * (90.0 / np.sqrt(12)) / np.sqrt(len(got)) + 0.5
    assert [d.t for d in got] == sorted(d.t for d in got)
    assert all(d.kind is SensorKind.VISUAL and d.attrs["reported_as"] == "drone" for d in got)


def test_position_is_coarse() -> None:
    v = observers(reports_per_target_hour=3600.0, delay_s=(0.0, 0.0), sigma_position_m=300.0)
    snap = ring(v.frame, 4_000, 1_000.0)
    got = v.observe(snap)
    assert len(got) == 4_000  # p = 1 per second, no delay
    lat = np.array([d.position.lat for d in got])  # type: ignore[union-attr]
    lon = np.array([d.position.lon for d in got])  # type: ignore[union-attr]
    e1, n1, _ = v.frame.to_enu(lat, lon, snap.alt)
    e0, n0, _ = v.frame.to_enu(snap.lat, snap.lon, snap.alt)
    assert 270.0 < float(np.std(e1 - e0)) < 330.0 and 270.0 < float(np.std(n1 - n0)) < 330.0


def test_birds_and_far_targets_go_unreported() -> None:
    v = observers(reports_per_target_hour=3600.0, delay_s=(0.0, 0.0))
    assert v.observe(ring(v.frame, 50, 1_000.0, kind=TargetClass.BIRD)) == []
    assert v.observe(ring(v.frame, 50, 3_500.0)) == []
