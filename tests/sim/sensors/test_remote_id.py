"""Remote ID receiver: message loss, GNSS noise, compliant drones only, range limit."""

from __future__ import annotations

import numpy as np

from skywarden.model import SensorKind
from skywarden.sim.calibration import binomial_ok, ring, sd_ok
from skywarden.sim.scenario import RemoteIDConfig, Site
from skywarden.sim.sensors.remote_id import RemoteIDReceiver

SITE = Site(lat=31.77, lon=-106.47, alt_m=1200.0)


def rx(seed: int = 5, **kw: object) -> RemoteIDReceiver:
    p: dict[str, object] = {"id": "rid1", "kind": "remote_id", "site": SITE, "range_max_m": 4_000.0}
    p.update(kw)
    return RemoteIDReceiver(RemoteIDConfig.model_validate(p), np.random.default_rng(seed))


def test_message_loss_rate() -> None:
    r = rx(message_loss=0.3)
    sc = r.scan(ring(r.frame, 20_000, 2_000.0))
    assert sc.eligible.all()
    assert binomial_ok(len(sc.target_idx), 20_000, 0.7)


def test_position_noise_is_the_configured_gnss_error() -> None:
    r = rx(message_loss=0.0, sigma_position_m=3.0, sigma_altitude_m=4.0)
    snap = ring(r.frame, 10_000, 1_500.0, up_m=80.0)
    sc = r.scan(snap)
    e0, n0, u0 = r.frame.to_enu(snap.lat, snap.lon, snap.alt)
    e1, n1, u1 = r.frame.to_enu(sc.lat, sc.lon, sc.alt)
    assert sd_ok(e1 - e0, 3.0) and sd_ok(n1 - n0, 3.0) and sd_ok(u1 - u0, 4.0)


def test_only_compliant_drones_within_range() -> None:
    r = rx(message_loss=0.0)
    assert len(r.scan(ring(r.frame, 50, 1_000.0, remote_id=False)).target_idx) == 0
    assert len(r.scan(ring(r.frame, 50, 4_100.0)).target_idx) == 0


def test_detection_carries_serial_operator_and_velocity() -> None:
    r = rx(message_loss=0.0)
    d = r.observe(ring(r.frame, 3, 1_000.0, velocity=(4.0, -3.0, 0.5)))[0]
    assert d.kind is SensorKind.REMOTE_ID
    assert d.identity is not None and d.identity.rid_serial == "1581ETEST"
    assert d.identity.operator_lat is not None
    assert d.velocity is not None and abs(d.velocity[0] - 4.0) < 3.0
    assert d.position is not None and d.position.cov is not None


def test_height_above_takeoff_when_the_takeoff_point_is_known() -> None:
    r = rx(message_loss=0.0, sigma_altitude_m=4.0)
    snap = ring(r.frame, 400, 1_000.0, up_m=80.0)
    for tg in snap.targets:
        tg.attrs["takeoff_alt_m"] = float(snap.alt[0]) - 60.0
    heights = np.array([d.attrs["height_above_takeoff_m"] for d in r.observe(snap)])
    assert abs(heights.mean() - 60.0) < 4.5 * 4.0 / np.sqrt(400) + 0.1
    assert "height_above_takeoff_m" not in r.observe(ring(r.frame, 3, 500.0))[0].attrs
