"""``Tracker``: Detection records in, TrackUpdate records out, in the sector's frame.

Examples of the heterogeneous sensors: RF direction finders alone, radar with ADS-B
identities, Remote ID, visual sightings that may start but never confirm a track.
"""

import numpy as np
import pytest

from skywarden.geo import LocalFrame, bearing_deg
from skywarden.model import (
    Bearing,
    Detection,
    Identity,
    Position,
    SensorKind,
    TrackStatus,
)
from skywarden.tracking import ScanError, Tracker, TrackerConfig

FRAME = LocalFrame(31.76, -106.43, 1150.0)
T0 = 1_770_778_800.0


def _pos(
    t: float, sensor: str, kind: SensorKind, enu: np.ndarray, sigma: float, **kw: object
) -> Detection:
    lat, lon, alt = FRAME.to_geodetic(float(enu[0]), float(enu[1]), float(enu[2]))
    cov = tuple(tuple(float(v) for v in row) for row in np.eye(3) * sigma**2)
    return Detection(t=t, sensor=sensor, kind=kind, position=Position(lat, lon, alt, cov), **kw)  # type: ignore[arg-type]


DF_SITES = {
    "rf-a": np.array([-3000.0, 0.0, 20.0]),
    "rf-b": np.array([3000.0, 500.0, 10.0]),
    "rf-c": np.array([0.0, -3500.0, 0.0]),
}


def _bearing(
    t: float, sensor: str, target: np.ndarray, sigma_deg: float, rng: np.random.Generator
) -> Detection:
    s = DF_SITES[sensor]
    slat, slon, salt = FRAME.to_geodetic(*map(float, s))
    tlat, tlon, _ = FRAME.to_geodetic(*map(float, target))
    b = (float(bearing_deg(slat, slon, tlat, tlon)) + rng.normal(0, sigma_deg)) % 360.0
    return Detection(
        t=t,
        sensor=sensor,
        kind=SensorKind.RF,
        bearing=Bearing(slat, slon, salt, b, sigma_deg),
        attrs={"protocol": "ocusync"},
    )


def test_rf_triangulation_alone_initiates_a_track_within_its_expected_error() -> None:
    rng = np.random.default_rng(4)
    tracker = Tracker(FRAME, TrackerConfig(rf_default_height_m=60.0))
    start, vel = np.array([400.0, 2500.0, 60.0]), np.array([3.0, -2.0, 0.0])
    updates = []
    for k in range(12):
        target = start + vel * k
        dets = [_bearing(T0 + k, s, target, 2.0, rng) for s in DF_SITES]
        updates = tracker.step(T0 + k, dets)
    assert len(updates) == 1
    u = updates[0]
    assert u.status == TrackStatus.CONFIRMED
    assert set(u.sensors) == set(DF_SITES)
    truth = start + vel * 11
    x = np.array(FRAME.to_enu(u.lat, u.lon, u.alt_m))
    err = x[:2] - truth[:2]
    cov = np.array(u.cov)[:2, :2]
    assert float(err @ np.linalg.solve(cov, err)) < 13.8  # inside its 99.9 % ellipse
    assert float(np.hypot(*err)) < 3.0 * float(np.sqrt(np.trace(cov)))
    assert u.best_class.value == "drone"
    assert any("RF" in e for e in u.evidence)


def test_radar_and_adsb_fuse_into_one_manned_track_that_keeps_its_identity() -> None:
    rng = np.random.default_rng(5)
    tracker = Tracker(FRAME)
    ident = Identity(icao24="a1b2c3", callsign="SWA1234")
    start, vel = np.array([-8000.0, 3000.0, 900.0]), np.array([70.0, -5.0, -3.5])
    for k in range(10):
        p = start + vel * k
        dets = [_pos(T0 + k + 0.2, "radar-1", SensorKind.RADAR, p + rng.normal(0, 20, 3), 25.0)]
        if k % 2 == 0:
            dets.append(
                _pos(
                    T0 + k + 0.5,
                    "adsb-1",
                    SensorKind.ADSB,
                    p + rng.normal(0, 10, 3),
                    15.0,
                    identity=ident,
                    velocity=tuple(vel),
                )
            )
        ups = tracker.step(T0 + k + 1, dets)
    assert len(ups) == 1
    u = ups[0]
    assert u.identities == ("icao:a1b2c3",)
    assert u.callsign == "SWA1234"
    assert set(u.sensors) == {"radar-1", "adsb-1"}
    assert u.best_class.value == "manned" and u.class_probs["drone"] < 1e-3
    assert u.track.startswith("T") and len(u.track) == 7


def test_remote_id_makes_a_drone_and_two_serials_never_merge() -> None:
    tracker = Tracker(FRAME)
    a, b = np.array([100.0, 100.0, 50.0]), np.array([140.0, 100.0, 50.0])  # 40 m apart
    for k in range(6):
        dets = [
            _pos(
                T0 + k,
                "rid-1",
                SensorKind.REMOTE_ID,
                a,
                30.0,
                identity=Identity(rid_serial="AAA111"),
            ),
            _pos(
                T0 + k,
                "rid-1",
                SensorKind.REMOTE_ID,
                b,
                30.0,
                identity=Identity(rid_serial="BBB222"),
            ),
        ]
        ups = tracker.step(T0 + k, dets)
    assert sorted(u.identities for u in ups) == [("rid:AAA111",), ("rid:BBB222",)]
    assert all(u.best_class.value == "drone" for u in ups)


def test_visual_sightings_alone_never_confirm_a_track() -> None:
    tracker = Tracker(FRAME)
    for k in range(10):
        d = _pos(T0 + k, "visual-1", SensorKind.VISUAL, np.array([0.0, 1000.0, 100.0]), 300.0)
        assert tracker.step(T0 + k, [d]) == []


def test_detections_later_than_the_scan_wait_for_their_scan() -> None:
    tracker = Tracker(FRAME)
    later = _pos(T0 + 5, "radar-1", SensorKind.RADAR, np.array([0.0, 0.0, 50.0]), 20.0)
    tracker.step(T0, [later])
    assert tracker.core.table.n == 0
    tracker.step(T0 + 5, [])
    assert tracker.core.table.n == 1


def test_time_going_backwards_is_an_error() -> None:
    tracker = Tracker(FRAME)
    tracker.step(T0 + 10, [])
    with pytest.raises(ScanError, match="backwards"):
        tracker.step(T0 + 5, [])


def test_finish_ends_every_confirmed_track() -> None:
    tracker = Tracker(FRAME)
    for k in range(5):
        tracker.step(
            T0 + k,
            [_pos(T0 + k, "radar-1", SensorKind.RADAR, np.array([10.0 * k, 0.0, 50.0]), 10.0)],
        )
    ended = tracker.finish()
    assert len(ended) == 1 and ended[0].status == TrackStatus.ENDED
    assert tracker.step(T0 + 6, []) == []


@pytest.mark.parametrize("reports_per_s", [1, 2, 4])
def test_adsb_heard_several_times_a_second_keeps_one_track(reports_per_s: int) -> None:
    """A receiver hears an airliner about twice a second: one track, one identity."""
    tracker = Tracker(FRAME, TrackerConfig())
    ident = Identity(icao24="a1b2c3", callsign="AAL1")
    tracks: set[str] = set()
    for k in range(20):
        dets = []
        for j in range(reports_per_s):
            t = T0 + k + j / reports_per_s
            enu = np.array([70.0 * (t - T0), 0.0, 900.0])
            dets.append(
                _pos(
                    t,
                    "adsb-1",
                    SensorKind.ADSB,
                    enu,
                    15.0,
                    velocity=(70.0, 0.0, 0.0),
                    identity=ident,
                )
            )
        tracks |= {u.track for u in tracker.step(T0 + k + 0.99, dets)}
    assert len(tracks) == 1
    last = tracker.step(T0 + 20.99, [])
    assert last and last[0].identities == ("icao:a1b2c3",)
    assert last[0].best_class.value == "manned"
