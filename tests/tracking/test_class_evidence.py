"""Bird against drone: each evidence term moves the odds the expected way, no further.

Correlated radar class reports count as independent opinions only as often as the
declaration can change; one direction finder's ray through a bird forms no lasting RF
memory; height above the drone ceiling and the radar cross-section are weak evidence;
the terms sum to the classifier's log-likelihoods.
"""

import math

import numpy as np
import pytest

from skywarden.tracking.classify import BIRD, DRONE, Classifier


def _lead(clf: Classifier, a: dict) -> float:
    """log P(drone) - log P(bird) of track 0."""
    ll = clf.log_likelihoods(a)
    return float(ll[0, DRONE] - ll[0, BIRD])


def _reports(clf: Classifier, declared: str, n: int, every_s: float, conf: float = 0.6) -> dict:
    """A track that got ``n`` reports ``declared``, ``every_s`` seconds apart."""
    a = clf.init(1)
    lik = clf.radar.likelihood("radar-1", {"class_report": declared, "class_confidence": conf})
    for _ in range(n):
        a["c_age_s"] += every_s  # what observe_kinematics does to the clock and memory
        a["c_cls"] = clf.radar.decay(a["c_cls"], every_s)
        clf.observe_class(a, np.array([0]), lik[None, :])
    return a


def test_a_burst_of_correlated_reports_counts_about_as_one() -> None:
    clf = Classifier()
    one = _reports(clf, "drone", 1, 1.0)
    burst = _reports(clf, "drone", 20, 1.0)  # 20 s of one declaration at 1 Hz
    spaced = _reports(clf, "drone", 5, 60.0)  # five declarations a minute apart
    base = _lead(clf, clf.init(1))
    single = _lead(clf, one) - base
    assert single > 0
    # the first report counts fully, the 19 that follow within its correlation time add
    # their chance of being fresh: sum (1 - exp(-1/20)) ~ 0.93 of one report, minus decay
    assert single < _lead(clf, burst) - base < 2.2 * single
    # declarations far apart are independent: they add up, to the cap
    assert _lead(clf, spaced) - base > 1.8 * single
    assert _lead(clf, spaced) - base <= clf.radar.cap_nats + 1e-9


def test_the_freshness_weight_is_the_chance_of_a_new_declaration() -> None:
    m = Classifier().radar
    w = m.freshness(np.array([0.0, m.correlation_s, np.inf]))
    np.testing.assert_allclose(w, [0.0, 1.0 - math.exp(-1.0), 1.0])


def test_bird_reports_move_a_track_towards_bird() -> None:
    clf = Classifier()
    base = _lead(clf, clf.init(1))
    assert _lead(clf, _reports(clf, "bird", 6, 30.0)) < base - 1.0


def test_one_sites_ray_through_a_bird_forms_no_lasting_rf_memory() -> None:
    clf = Classifier()
    bird, drone = clf.init(1), clf.init(1)
    for _ in range(60):  # a minute: one DF's ray passes the bird; two DFs fix the drone
        clf.observe_rf(bird, np.array([1.0]), dt=1.0)
        clf.observe_rf(drone, np.array([2.0]), dt=1.0)
    assert bird["c_rf_keep"][0] == 0.0
    assert drone["c_rf_keep"][0] == pytest.approx(clf.rf_keep_max_units)
    shared = clf.init(1)  # two sites, each bearing shared with another candidate
    for _ in range(60):
        clf.observe_rf(shared, np.array([1.2]), dt=1.0)
    assert shared["c_rf_keep"][0] == 0.0
    for _ in range(120):  # then two minutes of silence for both
        clf.observe_rf(bird, np.array([0.0]), dt=1.0)
        clf.observe_rf(drone, np.array([0.0]), dt=1.0)
    base = _lead(clf, clf.init(1))
    assert _lead(clf, bird) - base < 0.05  # the coincidence is forgotten (exp(-6) left)
    assert _lead(clf, drone) - base > 1.0  # the fixed emitter is remembered


def test_one_sites_credit_counts_as_one_coincidence_while_it_lasts() -> None:
    clf = Classifier()
    bird, drone = clf.init(1), clf.init(1)
    for _ in range(60):  # heard the whole minute: by one site only, or fixed by two
        clf.observe_rf(bird, np.array([1.0]), dt=1.0)
        clf.observe_rf(drone, np.array([2.0]), dt=1.0)
    assert bird["c_rf"][0] >= clf.rf_corroborate_units  # still corroboration, as before
    rf_bird = clf.log_likelihood_terms(bird)["rf"][0, DRONE]
    rf_drone = clf.log_likelihood_terms(drone)["rf"][0, DRONE]
    assert rf_bird == pytest.approx(clf.rf_unfixed_max_units / clf.rf_full_units * clf.rf_weight)
    assert rf_drone == pytest.approx(clf.rf_weight)


def _at_height(clf: Classifier, h: float) -> dict:
    a = clf.init(1)
    a["c_height"][:] = h
    a["c_speed"][:] = 10.0
    a["c_age_s"][:] = 60.0
    return a


def test_flying_above_the_drone_ceiling_leans_bird_but_boundedly() -> None:
    clf = Classifier()
    low, mid, high = (_lead(clf, _at_height(clf, h)) for h in (60.0, 300.0, 390.0))
    assert low > mid > high
    assert low - high <= clf.drone_ceiling_max_nats + 1e-9
    # below the ceiling the term is silent
    assert _lead(clf, _at_height(clf, 150.0)) == pytest.approx(low)


def test_a_drone_sized_echo_is_weak_evidence() -> None:
    clf = Classifier()
    a = clf.init(1)
    clf.observe_rcs(a, np.array([0]), np.array([-19.0]))  # as large birds echo
    for _ in range(10):
        clf.observe_rcs(a, np.array([0]), np.array([-19.0]))
    rcs = clf.log_likelihood_terms(a)["rcs"][0]
    assert abs(rcs[DRONE] - rcs[BIRD]) < 0.5


def test_the_terms_sum_to_the_log_likelihoods() -> None:
    clf = Classifier()
    a = _reports(clf, "bird", 3, 10.0)
    clf.observe_rf(a, np.array([2.0]), dt=1.0)
    a["c_height"][:] = 320.0
    terms = clf.log_likelihood_terms(a)
    assert {"prior", "rf", "radar_class", "height", "rcs", "jitter_turn"} <= set(terms)
    np.testing.assert_allclose(sum(terms.values()), clf.log_likelihoods(a))


def _track_probs(path: list[tuple[float, float, float]]) -> dict[str, float]:
    """Class probabilities of the one track a radar makes of ``path`` (ENU m, 1 Hz)."""
    from skywarden.geo import LocalFrame
    from skywarden.model import Detection, Position, SensorKind
    from skywarden.tracking import Tracker, TrackerConfig

    frame = LocalFrame(31.8, -106.4, 1200.0)
    tracker = Tracker(frame, TrackerConfig())
    t0 = 1_770_000_000.0
    ups: list = []
    for k, (x, y, z) in enumerate(path):
        lat, lon, alt = frame.to_geodetic(np.array([x]), np.array([y]), np.array([z]))
        d = Detection(
            t0 + k,
            "radar-1",
            SensorKind.RADAR,
            position=Position(float(lat[0]), float(lon[0]), float(alt[0])),
            attrs={"rcs_dbsm": -19.0},
        )
        ups += tracker.step(t0 + k, [d])
    return dict(ups[-1].class_probs)


def test_a_soaring_bird_high_up_reads_bird_a_low_run_and_hover_reads_drone() -> None:
    # drone: 60 s straight at 10 m/s, 60 m up, then 30 s hovering
    drone = [(10.0 * min(k, 60), 0.0, 60.0) for k in range(90)]
    # bird: circling a thermal (radius 30 m at 10 m/s, 1 m/s climb) from 250 m
    w = 10.0 / 30.0
    bird = [(30 * math.sin(w * k), 30 * math.cos(w * k), 250.0 + k) for k in range(90)]
    low = [(x, y, 60.0) for x, y, _ in bird]  # the same circles at a drone's height
    pd, pb, pl = _track_probs(drone), _track_probs(bird), _track_probs(low)
    assert pd["drone"] > 0.9 > pl["drone"] > pb["drone"]  # turning, then height too
    assert pb["bird"] > pl["bird"] > 0.5 > pd["bird"]
