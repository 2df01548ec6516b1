"""Evidence that fades, radar class reports through a confusion matrix, existence."""

import math

import numpy as np
import pytest

from skywarden.geo import LocalFrame
from skywarden.model import Detection, Position, SensorKind
from skywarden.tracking import ScanError, ScanGroup, TrackerConfig, TrackerCore
from skywarden.tracking.classify import BIRD, DRONE, MANNED, Classifier
from skywarden.tracking.classreport import DEFAULT_CONFUSION
from skywarden.tracking.existence import Existence
from skywarden.tracking.scan import scan_groups

T0 = 1_770_000_000.0


def _drone_prob_with_rf(clf: Classifier, a: dict) -> float:
    clf.update_probabilities(a)
    return float(a["probs"][0, DRONE])


def test_the_rf_term_fades_after_the_link_goes_silent() -> None:
    clf = Classifier()
    a = clf.init(1)
    for _ in range(10):  # two sites agree for ten scans
        clf.observe_rf(a, np.array([2.0]), dt=1.0)
    heard = float(a["c_rf"][0])
    p_heard = _drone_prob_with_rf(clf, a)
    lead_heard = np.diff(clf.log_likelihoods(a)[0, [BIRD, DRONE]])[0]
    assert heard >= clf.rf_full_units
    for _ in range(60):  # then a minute of silence
        clf.observe_rf(a, np.array([0.0]), dt=1.0)
    assert a["c_rf"][0] == pytest.approx(heard * math.exp(-60.0 / clf.rf_tau_s))
    assert _drone_prob_with_rf(clf, a) < p_heard
    lead_silent = np.diff(clf.log_likelihoods(a)[0, [BIRD, DRONE]])[0]
    base = np.diff(clf.log_likelihoods(clf.init(1))[0, [BIRD, DRONE]])[0]
    # the RF share of the drone-vs-bird odds is at most half what it was when heard
    assert lead_silent - base <= 0.5 * (lead_heard - base) + 1e-9
    # what stays is a slowly fading memory, at most half weight
    keep = clf.rf_keep_max_units
    assert keep * math.exp(-60.0 / clf.rf_keep_tau_s) <= a["c_rf_keep"][0] < keep
    assert clf.corroboration(a, 0.0)[0, 1] is np.False_  # no longer recent RF geometry


def test_the_rf_term_is_capped() -> None:
    clf = Classifier()
    a = clf.init(1)
    for _ in range(500):
        clf.observe_rf(a, np.array([3.0]), dt=1.0)
    assert a["c_rf"][0] == pytest.approx(clf.rf_cap_units)


@pytest.mark.parametrize("declared, col", [("drone", 0), ("bird", 1), ("clutter", 3)])
def test_a_class_report_moves_the_odds_by_the_confusion_matrix_ratio(
    declared: str, col: int
) -> None:
    clf = Classifier()
    a = clf.init(1)
    clf.update_probabilities(a)
    before = a["probs"][0].copy()
    lik = clf.radar.likelihood("radar-1", {"class_report": declared, "class_confidence": 1.0})
    clf.observe_class(a, np.array([0]), lik[None, :])
    clf.update_probabilities(a)
    after = a["probs"][0]
    m = np.asarray(DEFAULT_CONFUSION)  # rows/cols drone, bird, manned, clutter
    # the likelihood of each true class, relative to the best, no lower than the cap
    rel = np.log(m[:, col]) - np.log(m[:, col].max())
    lik_rel = np.exp(np.maximum(rel, -clf.radar.cap_nats))
    ratio = (after[DRONE] / after[BIRD]) / (before[DRONE] / before[BIRD])
    assert ratio == pytest.approx(lik_rel[0] / lik_rel[1], rel=1e-9)
    ratio_m = (after[DRONE] / after[MANNED]) / (before[DRONE] / before[MANNED])
    assert ratio_m == pytest.approx(lik_rel[0] / lik_rel[2], rel=1e-9)
    if declared in ("drone", "bird"):  # within the cap: exactly the matrix ratio
        assert ratio == pytest.approx(m[0, col] / m[1, col], rel=1e-9)


def test_a_report_at_chance_confidence_carries_nothing() -> None:
    clf = Classifier()
    lik = clf.radar.likelihood("r", {"class_report": "drone", "class_confidence": 0.25})
    np.testing.assert_allclose(lik, lik[0])


def test_correlated_class_reports_cannot_run_away() -> None:
    clf = Classifier()
    a = clf.init(1)
    lik = clf.radar.likelihood("r", {"class_report": "drone"})
    for _ in range(200):
        clf.observe_class(a, np.array([0]), lik[None, :])
    c = a["c_cls"][0]
    assert c.max() - c.min() == pytest.approx(clf.radar.cap_nats)


def test_a_bad_class_report_is_an_error_naming_the_attribute() -> None:
    frame = LocalFrame(31.8, -106.4, 1200.0)
    d = Detection(
        T0,
        "radar-1",
        SensorKind.RADAR,
        position=Position(31.8, -106.4, 1250.0),
        attrs={"class_report": "helicopter"},
    )
    with pytest.raises(ScanError, match="class_report"):
        scan_groups(frame, TrackerConfig(), [d])
    d2 = Detection(
        T0,
        "radar-1",
        SensorKind.RADAR,
        position=Position(31.8, -106.4, 1250.0),
        attrs={"class_report": "drone", "class_confidence": 1.7},
    )
    with pytest.raises(ScanError, match="class_confidence"):
        scan_groups(frame, TrackerConfig(), [d2])


def test_class_reports_reach_the_track_through_the_scan() -> None:
    frame = LocalFrame(31.8, -106.4, 1200.0)
    core = TrackerCore(TrackerConfig(), dims=3)
    for k in range(8):
        d = Detection(
            T0 + k,
            "radar-1",
            SensorKind.RADAR,
            position=Position(31.8 + 1e-5 * k, -106.4, 1250.0),
            attrs={"class_report": "drone", "class_confidence": 0.9},
        )
        core.step(T0 + k, scan_groups(frame, TrackerConfig(), [d]))
    a = core.table.a
    assert a["c_ncls"][0] == 8
    assert core.classifier is not None
    corr = core.classifier.corroboration(a, T0 + 7)
    assert corr[0, 0]  # radar_class


def test_p_exist_rises_with_hits_and_falls_with_misses() -> None:
    ex = Existence(detection_probability=0.9, clutter_density=1e-6)
    p = np.array([0.5])
    for _ in range(3):
        new = ex.update(p, np.array([True]), np.array([math.log(100.0)]), 1.0)
        assert new[0] > p[0]
        p = new
    for _ in range(3):
        new = ex.update(p, np.array([False]), np.array([-np.inf]), 1.0)
        assert new[0] < p[0]
        p = new
    assert p[0] < 0.1


def test_a_track_reports_rising_then_falling_p_exist() -> None:
    core = TrackerCore(TrackerConfig(report_min_p_exist=0.0), dims=2)
    seen = []
    for k in range(14):
        z = np.array([[100.0 + 5.0 * k, 200.0]]) if k < 10 else np.empty((0, 2))
        r = np.broadcast_to(np.eye(2) * 25.0, (z.shape[0], 2, 2)).copy()
        live = core.step(float(k), [ScanGroup(float(k), "radar", SensorKind.RADAR, z=z, R=r)])
        live = live.live
        if live and live["id"].shape[0]:
            seen.append(float(live["p_exist"][0]))
    assert len(seen) >= 8
    peak = int(np.argmax(seen))
    assert seen[peak] > 0.95 and seen[-1] < 0.5
    assert all(np.diff(seen[peak:]) < 0)


def test_rf_corroboration_needs_most_of_the_bearings_that_fit_the_track() -> None:
    clf = Classifier()
    a = clf.init(2)
    for _ in range(30):  # two sites fit both tracks; the first takes 0.9 of each, the second 0.3
        clf.observe_rf(a, np.array([1.8, 0.6]), dt=1.0, fits=np.array([2.0, 2.0]))
    assert a["c_rf"][1] >= clf.rf_corroborate_units  # enough units on their own
    np.testing.assert_allclose(clf.rf_share(a), [0.9, 0.3])
    assert clf.corroboration(a, 0.0)[:, 1].tolist() == [True, False]
    # without fits (a caller that has none), every credited site counts as fitted
    b = clf.init(1)
    for _ in range(30):
        clf.observe_rf(b, np.array([2.0]), dt=1.0)
    assert clf.rf_share(b)[0] == pytest.approx(1.0)
    assert bool(clf.corroboration(b, 0.0)[0, 1])
