"""Classification from evidence: decisive cooperative identity, RF links, kinematics."""

import numpy as np

from skywarden.tracking.classify import BIRD, CLASSES, DRONE, MANNED, UNKNOWN, Classifier


def _tracks(k: int, clf: Classifier) -> dict[str, np.ndarray]:
    a = clf.init(k)
    a["x"] = np.zeros((k, 6))
    return a


def _run(clf: Classifier, a: dict[str, np.ndarray], seconds: int) -> None:
    for _ in range(seconds):
        clf.observe_kinematics(a, 1.0, 3)
        clf.update_probabilities(a)


def test_no_evidence_is_honestly_unknown() -> None:
    clf = Classifier()
    a = clf.init(1)
    clf.update_probabilities(a)
    assert CLASSES[int(np.argmax(a["probs"][0]))] == "unknown"
    assert clf.evidence(a, 0) == ["no evidence yet"]


def test_adsb_is_decisive_even_for_a_slow_hovering_helicopter() -> None:
    clf = Classifier()
    a = _tracks(1, clf)
    a["c_adsb"][0] = 1.0
    a["c_rf"][0] = 3.0  # even with a stray RF bearing on it
    _run(clf, a, 20)  # zero velocity: a hover
    assert int(np.argmax(a["probs"][0])) == MANNED
    assert a["probs"][0, DRONE] < 1e-3
    assert any("ADS-B" in e for e in clf.evidence(a, 0))


def test_remote_id_and_rf_link_make_a_drone() -> None:
    clf = Classifier()
    a = _tracks(2, clf)
    a["x"][:, 3] = 12.0  # 12 m/s, as fast as a bird
    a["c_rid"][0] = 1.0
    clf.observe_rf(a, np.array([0, 2]))  # second track: two direction finders agree
    clf.observe_rf(a, np.array([0, 2]))
    clf.observe_rf(a, np.array([0, 2]))
    _run(clf, a, 6)
    assert (np.argmax(a["probs"], axis=1) == DRONE).all()


def test_one_direction_finder_counts_less_than_a_cross_fix() -> None:
    clf = Classifier()
    a = clf.init(2)
    clf.observe_rf(a, np.array([1, 2]))
    assert a["c_rf"][0] < a["c_rf"][1]


def test_kinematics_separate_manned_birds_and_hovering_drones() -> None:
    clf = Classifier()
    a = _tracks(3, clf)
    a["x"][0, 3] = 70.0  # airliner on approach
    a["x"][0, 2] = 600.0
    a["x"][1, 3] = 10.0  # slow, no link, no Remote ID: most likely a bird
    a["x"][2, 5] = 2.0  # straight up at 2 m/s, no ground speed: a rotorcraft
    _run(clf, a, 10)
    best = np.argmax(a["probs"], axis=1).tolist()
    assert best == [MANNED, BIRD, DRONE]
    assert any("hovered" in e for e in clf.evidence(a, 2))
    assert a["probs"][:, UNKNOWN].max() < 0.5


def test_probabilities_sum_to_one() -> None:
    clf = Classifier()
    rng = np.random.default_rng(0)
    a = _tracks(50, clf)
    a["x"][:, 3:] = rng.normal(0, 30, (50, 3))
    a["c_rf"] = rng.uniform(0, 4, 50)
    _run(clf, a, 5)
    assert np.allclose(a["probs"].sum(axis=1), 1.0)
