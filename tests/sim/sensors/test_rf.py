"""RF direction finder: intercept probability, bearing noise, who it can hear."""

from __future__ import annotations

import numpy as np

from skywarden.geo import bearing_deg
from skywarden.model import SensorKind, TargetClass
from skywarden.sim.calibration import T_NIGHT, binomial_ok, ring, sd_ok
from skywarden.sim.scenario import RFConfig, Site
from skywarden.sim.sensors.rf import DirectionFinder

SITE = Site(lat=31.762, lon=-106.489, alt_m=1180.0)


def df(seed: int = 3, **kw: object) -> DirectionFinder:
    p: dict[str, object] = {"id": "rf1", "kind": "rf", "site": SITE, "range_max_m": 8_000.0}
    p.update(kw)
    return DirectionFinder(RFConfig.model_validate(p), np.random.default_rng(seed))


def test_intercept_probability_and_bearing_noise() -> None:
    s = df(pd=0.7, sigma_bearing_deg=2.5)
    snap = ring(s.frame, 20_000, 5_000.0)
    sc = s.scan(snap)
    assert binomial_ok(len(sc.target_idx), 20_000, 0.7)
    err = (sc.bearing_deg - sc.true_bearing_deg + 180.0) % 360.0 - 180.0
    assert sd_ok(err, 2.5)
    # The true bearing is the geodesic azimuth from the site.
    i = sc.target_idx[:50]
    ref = bearing_deg(np.full(50, SITE.lat), np.full(50, SITE.lon), snap.lat[i], snap.lon[i])
    assert np.allclose(sc.true_bearing_deg[:50], ref)


def test_hears_only_drones_with_an_active_link_in_range() -> None:
    s = df(pd=1.0)
    assert len(s.scan(ring(s.frame, 100, 5_000.0, link=False)).target_idx) == 0
    assert len(s.scan(ring(s.frame, 100, 5_000.0, kind=TargetClass.MANNED)).target_idx) == 0
    assert len(s.scan(ring(s.frame, 100, 9_000.0)).target_idx) == 0
    assert len(s.scan(ring(s.frame, 100, 7_000.0)).target_idx) == 100


def test_emits_bearing_only_detections_from_the_site() -> None:
    s = df(pd=1.0, sigma_bearing_deg=3.0, update_s=2)
    snap = ring(s.frame, 10, 2_000.0)
    assert s.observe(snap)  # T_NIGHT is even: due
    dets = s.observe(snap)
    assert all(d.kind is SensorKind.RF and d.position is None for d in dets)
    b = dets[0].bearing
    assert b is not None and (b.sensor_lat, b.sensor_lon, b.sigma_deg) == (SITE.lat, SITE.lon, 3.0)
    assert all(0.0 <= d.bearing.bearing_deg < 360.0 for d in dets)  # type: ignore[union-attr]
    odd = type(snap)(**{**snap.__dict__, "t": T_NIGHT + 1})
    assert s.observe(odd) == []  # every 2 s only
