"""Evaluation against truth: purity, completeness, identity switches, time to class."""

import numpy as np
import pytest

from skywarden.geo import LocalFrame
from skywarden.model import Identity, TargetClass, TrackStatus, TrackUpdate, TruthPoint
from skywarden.tracking.evaluation import evaluate

FRAME = LocalFrame(31.76, -106.43, 1150.0)
T0 = 1_770_778_800.0


def _truth(
    t: float, name: str, x: float, kind: TargetClass = TargetClass.DRONE, icao: str | None = None
) -> TruthPoint:
    lat, lon, alt = FRAME.to_geodetic(x, 0.0, 50.0)
    ident = Identity(icao24=icao) if icao else None
    return TruthPoint(t, name, kind, "test", lat, lon, alt, (10.0, 0.0, 0.0), ident)


def _update(t: float, track: str, x: float, best: str) -> TrackUpdate:
    lat, lon, alt = FRAME.to_geodetic(x, 0.0, 50.0)
    probs = dict.fromkeys(("drone", "manned", "bird", "unknown"), 0.0)
    probs[best] = 1.0
    return TrackUpdate(
        t,
        track,
        TrackStatus.CONFIRMED,
        lat,
        lon,
        alt,
        (10.0, 0.0, 0.0),
        (x, 0.0, 50.0, 10.0, 0.0, 0.0),
        None,
        probs,
    )


def test_perfect_tracks_score_perfectly() -> None:
    truth = [
        _truth(T0 + k, n, x + 10 * k) for k in range(10) for n, x in (("a", 0.0), ("b", 5000.0))
    ]
    tracks = [
        _update(T0 + k, tr, x + 10 * k, "drone")
        for k in range(10)
        for tr, x in (("T1", 0.0), ("T2", 5000.0))
    ]
    s = evaluate(truth, tracks, FRAME).summary()
    assert s["mean_gospa_m"] == pytest.approx(0.0, abs=1e-3)
    assert s["mean_track_purity"] == 1.0 and s["mean_completeness"] == 1.0
    assert s["identity_switches"] == 0
    assert s["confusion"]["drone"]["drone"] == 20


def test_a_track_swap_counts_switches_and_lowers_purity() -> None:
    truth, tracks = [], []
    for k in range(10):
        truth += [_truth(T0 + k, "a", 0.0 + 10 * k), _truth(T0 + k, "b", 2000.0 + 10 * k)]
        swap = k >= 5
        tracks += [
            _update(T0 + k, "T2" if swap else "T1", 0.0 + 10 * k, "drone"),
            _update(T0 + k, "T1" if swap else "T2", 2000.0 + 10 * k, "drone"),
        ]
    ev = evaluate(truth, tracks, FRAME)
    assert ev.summary()["identity_switches"] == 2
    assert ev.purity == {"T1": 0.5, "T2": 0.5}


def test_missing_coverage_and_late_classification() -> None:
    truth = [_truth(T0 + k, "a", 10.0 * k) for k in range(10)]
    tracks = [_update(T0 + k, "T1", 10.0 * k, "bird" if k < 7 else "drone") for k in range(4, 10)]
    ev = evaluate(truth, tracks, FRAME, first_detection={"a": T0 + 1})
    assert ev.completeness["a"] == pytest.approx(0.6)
    assert ev.time_to_class["a"] == pytest.approx(6.0)  # detected at +1, right at +7
    assert ev.time_to_class_from_track["a"] == pytest.approx(3.0)  # tracked from +4
    assert ev.drones_classified_within(10.0) == (1, 1)
    assert ev.drones_classified_within(5.0) == (0, 1)


def test_adsb_aircraft_called_drone_is_counted() -> None:
    truth = [_truth(T0 + k, "jet", 100.0 * k, TargetClass.MANNED, icao="abcdef") for k in range(3)]
    tracks = [_update(T0 + k, "T1", 100.0 * k, "drone" if k == 1 else "manned") for k in range(3)]
    s = evaluate(truth, tracks, FRAME).summary()
    assert s["adsb_targets"] == 1 and s["adsb_updates_classified_drone"] == 1


def test_far_apart_points_are_not_matched() -> None:
    truth = [_truth(T0, "a", 0.0)]
    tracks = [_update(T0, "T1", 500.0, "drone")]
    ev = evaluate(truth, tracks, FRAME, assoc_m=100.0)
    assert ev.completeness["a"] == 0.0 and ev.purity["T1"] == 0.0
    assert np.isclose(ev.gospa[0].distance, np.sqrt(100.0**2))
