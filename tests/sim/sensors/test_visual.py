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


def _mixed(v: VisualReports, t: float) -> Snapshot:
    """40 drones at 2 km, 40 birds at 600 m and 40 more at 1.5 km, in one snapshot."""
    parts = [
        ring(v.frame, 40, 2_000.0, t=t),
        ring(v.frame, 40, 600.0, t=t, kind=TargetClass.BIRD),
        ring(v.frame, 40, 1_500.0, t=t, kind=TargetClass.BIRD),
    ]
    fields: dict[str, object] = {"t": t, "targets": [tg for p in parts for tg in p.targets]}
    for name in ("lat", "lon", "alt", "vel", "rcs_m2", "is_drone", "is_manned", "link"):
        fields[name] = np.concatenate([getattr(p, name) for p in parts])
    for name in ("remote_id", "adsb"):
        fields[name] = np.concatenate([getattr(p, name) for p in parts])
    return Snapshot(**fields)  # type: ignore[arg-type]


def _run(v: VisualReports, ticks: int) -> list[tuple[float, float, float, str]]:
    out = []
    for k in range(ticks):
        for d in v.observe(_mixed(v, T_NIGHT + k)):
            assert d.position is not None
            out.append((d.t, d.position.lat, d.position.lon, d.attrs["reported_as"]))
    return out


def test_birds_near_the_observers_are_taken_for_drones() -> None:
    """With a bird rate, birds within bird_range_max_m are reported as drones at that
    rate; birds beyond it never; and the drones' reports stay exactly as without it."""
    plain = _run(observers(reports_per_target_hour=36.0, delay_s=(0.0, 0.0)), 600)
    v = observers(
        reports_per_target_hour=36.0,
        delay_s=(0.0, 0.0),
        bird_reports_per_target_hour=36.0,
        bird_range_max_m=1_000.0,
    )
    got = _run(v, 600)
    assert all(r[3] == "drone" for r in got)
    # the birds' reports come from their own stream: every drone report is unchanged
    assert set(plain) <= set(got)
    extra = sorted(set(got) - set(plain))
    # 40 near birds x 600 s at 36/h = 0.01/s: mean 240 (the far birds at 1.5 km: none)
    n, p = 40 * 600, 0.01
    assert abs(len(extra) - n * p) <= 4.5 * np.sqrt(n * p * (1 - p))
    e, nn, _ = v.frame.to_enu(
        np.array([r[1] for r in extra]), np.array([r[2] for r in extra]), np.zeros(len(extra))
    )
    # reported around the 600 m ring (300 m noise), not the 1.5 km one
    assert 500.0 < float(np.median(np.hypot(e, nn))) < 800.0


def test_bird_rate_is_checked() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="bird_reports_per_target_hour"):
        observers(bird_reports_per_target_hour=-1.0)
