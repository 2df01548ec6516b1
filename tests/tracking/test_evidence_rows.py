"""The evidence lines of all reported rows at once are each row's own lines."""

from __future__ import annotations

import math

import numpy as np

from skywarden.tracking.classify import Classifier
from skywarden.tracking.rf_bias import RfBias


def _varied(clf: Classifier, k: int = 40, seed: int = 3) -> dict[str, np.ndarray]:
    """``k`` rows whose features straddle every threshold the lines name."""
    rng = np.random.default_rng(seed)
    a = clf.init(k)
    a["x"] = np.zeros((k, 6))
    a["c_adsb"][:] = rng.integers(0, 2, k)
    a["c_rid"][:] = rng.integers(0, 2, k)
    a["c_rf"][:] = rng.choice([0.0, 0.04, 0.05, 2.5], k)
    a["c_ncls"][:] = rng.integers(0, 4, k)
    a["c_cls"][:] = rng.normal(0.0, 2.0, (k, 4))
    a["c_speed"][:] = rng.choice([np.nan, 3.0, 30.0, 80.0], k)
    a["c_speed_var"][:] = rng.uniform(0.0, 6.0, k)
    a["c_head_c"][:] = rng.uniform(-1.0, 1.0, k)
    a["c_head_s"][:] = rng.uniform(-1.0, 1.0, k)
    a["c_moving_s"][:] = rng.uniform(0.0, 20.0, k)
    a["c_turn"][:] = rng.uniform(0.0, 0.3, k)
    a["c_flock"][:] = rng.integers(0, 3, k)
    a["c_vz_mean"][:] = rng.uniform(-3.0, 3.0, k)
    a["c_hover_s"][:] = rng.uniform(0.0, 5.0, k)
    a["c_height"][:] = rng.choice([np.nan, 50.0, 200.0, 900.0], k)
    a["c_nrcs"][:] = rng.integers(0, 2, k)
    a["c_rcs"][:] = rng.normal(-10.0, 5.0, k)
    # bearings that run beside some tracks: a large mean residual over enough weight
    w = rng.choice([0.0, 10.0], k)
    a["c_rf_resid"][:, 0] = w * np.radians(rng.choice([0.5, 9.0], k))
    a["c_rf_resid"][:, 1] = w
    a["c_rf_resid"][:, 2] = w * math.radians(1.0) ** 2
    return a


def test_all_rows_at_once_are_each_rows_own_lines() -> None:
    clf = Classifier()
    a = _varied(clf)
    table = clf.evidence_rows(a)
    assert len(table) == 40
    assert table == [clf.evidence(a, i) for i in range(40)]
    words = {line.split(":")[0].split(" ")[0] for rows in table for line in rows}
    # every kind of line occurs in this table, so the comparison covers each
    for kind in ("ADS-B", "Remote", "RF", "radar", "speed", "heading", "turning", "flies"):
        assert kind in words, kind
    assert any(line.startswith("RF: the bearings that fit run") for rows in table for line in rows)


def test_a_radar_line_names_the_best_class_and_its_lead() -> None:
    clf = Classifier()
    a = _varied(clf, k=2)
    a["c_ncls"][:] = [0.0, 3.0]
    a["c_cls"][1] = [0.1, 2.0, 0.5, -1.0]
    lines = clf.evidence_rows(a)[1]
    want = f"radar classifier: manned (x{math.exp(1.5):.1f} over the next class, 3 reports)"
    assert want in lines
    assert not any(line.startswith("radar classifier") for line in clf.evidence_rows(a)[0])


def test_rf_notes_of_all_rows_are_each_rows_note() -> None:
    clf = Classifier()
    a = _varied(clf)
    bias = RfBias()
    notes = bias.notes(a)
    assert notes == [bias.note(a, i) for i in range(40)]
    assert any(n is not None for n in notes) and any(n is None for n in notes)


def test_no_rows_no_lines() -> None:
    clf = Classifier()
    a = clf.init(0)
    a["x"] = np.zeros((0, 6))
    assert clf.evidence_rows(a) == []
