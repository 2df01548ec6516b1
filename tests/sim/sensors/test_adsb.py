"""ADS-B receiver: message loss, 25 ft altitude steps, manned aircraft only, identity."""

from __future__ import annotations

import numpy as np

from skywarden.geo import M_PER_FT
from skywarden.model import SensorKind, TargetClass
from skywarden.sim.calibration import binomial_ok, ring, sd_ok
from skywarden.sim.scenario import ADSBConfig, Site
from skywarden.sim.sensors.adsb import ADSBReceiver

SITE = Site(lat=31.8073, lon=-106.3764, alt_m=1220.0)


def rx(seed: int = 9, **kw: object) -> ADSBReceiver:
    p: dict[str, object] = {"id": "adsb1", "kind": "adsb", "site": SITE, "range_max_m": 250_000.0}
    p.update(kw)
    return ADSBReceiver(ADSBConfig.model_validate(p), np.random.default_rng(seed))


def test_message_loss_and_horizontal_noise() -> None:
    r = rx(message_loss=0.1, sigma_position_m=20.0)
    snap = ring(r.frame, 20_000, 30_000.0, up_m=2_000.0, kind=TargetClass.MANNED)
    sc = r.scan(snap)
    assert binomial_ok(len(sc.target_idx), 20_000, 0.9)
    i = sc.target_idx
    e0, n0, _ = r.frame.to_enu(snap.lat[i], snap.lon[i], snap.alt[i])
    e1, n1, _ = r.frame.to_enu(sc.lat, sc.lon, snap.alt[i])
    assert sd_ok(e1 - e0, 20.0) and sd_ok(n1 - n0, 20.0)


def test_altitude_is_quantised_to_25_ft() -> None:
    r = rx(message_loss=0.0)
    sc = r.scan(ring(r.frame, 500, 10_000.0, up_m=1_500.0, kind=TargetClass.MANNED))
    steps = sc.alt / (25 * M_PER_FT)
    assert np.allclose(steps, np.round(steps))


def test_reports_manned_only_with_icao_and_callsign() -> None:
    r = rx(message_loss=0.0)
    assert r.observe(ring(r.frame, 20, 5_000.0)) == []  # drones carry no ADS-B
    dets = r.observe(ring(r.frame, 20, 5_000.0, kind=TargetClass.MANNED))
    assert len(dets) == 20 and all(d.kind is SensorKind.ADSB for d in dets)
    assert dets[0].identity is not None
    assert (dets[0].identity.icao24, dets[0].identity.callsign) == ("a00001", "TEST1")
    assert len(r.observe(ring(r.frame, 20, 5_000.0, kind=TargetClass.MANNED, adsb=False))) == 0


def test_a_level_aircraft_reports_one_steady_altitude_off_by_its_altimeter_error() -> None:
    r = rx(message_loss=0.0)
    snap = ring(r.frame, 1, 20_000.0, up_m=3_000.0, kind=TargetClass.MANNED)
    snap.targets[0].attrs["baro_bias_m"] = 12.0
    alts = {float(r.scan(snap).alt[0]) for _ in range(50)}
    assert len(alts) == 1  # no per-message jitter
    (alt,) = alts
    assert abs(alt - (snap.alt[0] + 12.0)) <= 25 * M_PER_FT / 2 + 1e-9
