"""The radar's class reports measured against their confusion matrix and SNR law.

Counts are compared with their expectation by a chi-square goodness-of-fit test at
p >= 1e-4 (a correct model fails with probability below 1e-4); fractions by the
binomial bound of ``calibration.binomial_ok``. Seeds are fixed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from skywarden.model import TargetClass
from skywarden.sim import Simulation, load_scenario
from skywarden.sim.calibration import T_NIGHT, binomial_ok, ring
from skywarden.sim.scenario import (
    CLASSIFIER_CLASSES,
    DEFAULT_CONFUSION,
    ClassifierConfig,
    RadarConfig,
    ScenarioError,
    Site,
    parse_scenario,
)
from skywarden.sim.sensors.classifier import (
    ClassReporter,
    confusion_array,
    effective,
    skill,
    snr_margin_db,
)
from skywarden.sim.sensors.radar import Radar
from skywarden.sim.snapshot import Snapshot

SITE = Site(lat=31.78, lon=-106.63, alt_m=1175.0)
SCENARIO = Path(__file__).parents[3] / "scenarios" / "el-paso.yaml"


def radar(classifier: dict[str, object] | None = None, seed: int = 1, **kw: object) -> Radar:
    params: dict[str, object] = {
        "id": "tower",
        "kind": "radar",
        "site": SITE,
        "range_max_m": 9_000.0,
        "range_50_m": 4_500.0,
        "false_alarms_per_scan": 0.0,
        "classifier": classifier,
    }
    params.update(kw)
    return Radar(RadarConfig.model_validate(params), np.random.default_rng(seed))


def expected_counts(r: Radar, row: int, rcs_dbsm: np.ndarray, range_m: np.ndarray) -> np.ndarray:
    """Sum over plots of the row of the matrix in force at each plot's SNR."""
    assert r.classifier is not None
    w = skill(snr_margin_db(rcs_dbsm, range_m, r.cfg.range_50_m), r.classifier.cfg)
    return effective(r.classifier.matrix, w)[:, row, :].sum(axis=0)


@pytest.mark.parametrize("kind", [TargetClass.DRONE, TargetClass.BIRD, TargetClass.MANNED])
def test_reports_follow_the_confusion_matrix(kind: TargetClass) -> None:
    # Independent targets (fresh ids, no memory) close in: the nominal matrix rules.
    r = radar({"correlation_s": 0})
    snap = ring(r.frame, 10_000, 600.0, kind=kind, rcs_m2=0.01)
    dets = r.observe(snap)
    got = Counter(d.attrs["class_report"] for d in dets)
    obs = np.array([got.get(c, 0) for c in CLASSIFIER_CLASSES])
    rcs = np.array([d.attrs["rcs_dbsm"] for d in dets])
    rng_m = np.array([d.attrs["range_m"] for d in dets])
    row = CLASSIFIER_CLASSES.index(str(kind))
    exp = expected_counts(r, row, rcs, rng_m)
    assert stats.chisquare(obs, exp).pvalue >= 1e-4
    # ... and close in, the matrix in force is the nominal one within a few percent.
    nominal = np.array([DEFAULT_CONFUSION[str(kind)][c] for c in CLASSIFIER_CLASSES])
    assert np.abs(exp / exp.sum() - nominal).max() < 0.03


def test_false_alarms_are_reported_from_the_clutter_row() -> None:
    r = radar({}, false_alarms_per_scan=50.0)
    snap = Snapshot.of(T_NIGHT, [], r.frame)  # an empty sky: every plot is a false alarm
    dets = [d for _ in range(200) for d in r.observe(snap)]
    got = Counter(d.attrs["class_report"] for d in dets)
    obs = np.array([got.get(c, 0) for c in CLASSIFIER_CLASSES])
    rcs = np.array([d.attrs["rcs_dbsm"] for d in dets])
    rng_m = np.array([d.attrs["range_m"] for d in dets])
    exp = expected_counts(r, CLASSIFIER_CLASSES.index("clutter"), rcs, rng_m)
    assert len(dets) > 5_000 and stats.chisquare(obs, exp).pvalue >= 1e-4


def test_skill_and_confidence_fade_with_range() -> None:
    r = radar({"correlation_s": 0})
    correct, confidence = [], []
    for rng_m in (800.0, 2_500.0, 4_000.0, 7_000.0):
        snap = ring(r.frame, 5_000, rng_m, kind=TargetClass.BIRD, rcs_m2=0.01)
        dets = r.observe(snap)
        correct.append(np.mean([d.attrs["class_report"] == "bird" for d in dets]))
        confidence.append(np.mean([d.attrs["class_confidence"] for d in dets]))
    assert correct == sorted(correct, reverse=True)
    assert confidence == sorted(confidence, reverse=True)
    assert correct[0] > 0.75 and correct[-1] < 0.35  # near a uniform guess (0.25) far out
    assert confidence[0] > 0.7 and confidence[-1] < 0.35


def test_the_law_is_the_stated_logistic_blend() -> None:
    cfg = ClassifierConfig()
    # 0.01 m^2 at range_50: 0 dB margin; twice as close: +12 dB (R^-4).
    m = snr_margin_db(np.array([-20.0, -20.0]), np.array([4_500.0, 2_250.0]), 4_500.0)
    assert m == pytest.approx([0.0, 40 * np.log10(2)])
    w = skill(np.array([cfg.snr50_db]), cfg)
    assert w[0] == pytest.approx(0.5)
    eff = effective(confusion_array(cfg), w)[0]
    assert eff == pytest.approx(0.5 * confusion_array(cfg) + 0.5 * 0.25)
    assert eff.sum(axis=1) == pytest.approx(np.ones(4))


def test_confidence_is_calibrated_and_blind_to_truth() -> None:
    # Same SNR, different truths: the stated confidence of a "drone" report does not
    # depend on whether the target was a drone or a bird.
    r = radar({"correlation_s": 0})
    conf: dict[str, list[float]] = {}
    for kind in (TargetClass.DRONE, TargetClass.BIRD):
        snap = ring(r.frame, 10_000, 1_500.0, kind=kind, rcs_m2=0.01)
        dets = r.observe(snap)
        conf[str(kind)] = [
            d.attrs["class_confidence"] for d in dets if d.attrs["class_report"] == "drone"
        ]
    a, b = conf["drone"], conf["bird"]
    assert all(0.0 <= c <= 1.0 for c in a + b)
    assert stats.mannwhitneyu(a, b).pvalue >= 1e-4


def test_declarations_persist_per_target() -> None:
    cfg = ClassifierConfig(correlation_s=20.0)
    rep = ClassReporter(cfg, 1.0, np.random.default_rng(3))
    rows = np.full(2_000, CLASSIFIER_CLASSES.index("bird"), dtype=np.intp)
    margin = np.full(2_000, 40.0)  # full skill
    ids: list[str | None] = [f"b{i}" for i in range(2_000)]
    first, _ = rep.report(rows, margin, ids)
    second, _ = rep.report(rows, margin, ids)
    keep = np.exp(-1.0 / 20.0)
    p_row = confusion_array(cfg)[CLASSIFIER_CLASSES.index("bird")]
    same = keep + (1 - keep) * float((p_row**2).sum())
    assert binomial_ok(int((first == second).sum()), 2_000, same)
    # False alarms (no id) never persist.
    fa, _ = rep.report(rows, margin, [None] * 2_000)
    fb, _ = rep.report(rows, margin, [None] * 2_000)
    assert binomial_ok(int((fa == fb).sum()), 2_000, float((p_row**2).sum()))


def test_no_classifier_no_reports_and_the_plots_are_unchanged() -> None:
    plain, classed = radar(None, seed=7), radar({}, seed=7)
    snap = ring(plain.frame, 300, 3_000.0, kind=TargetClass.DRONE)
    a, b = plain.observe(snap), classed.observe(snap)
    assert a and len(a) == len(b)
    assert not any("class_report" in d.attrs for d in a)
    assert all(d.attrs["class_report"] in CLASSIFIER_CLASSES for d in b)
    strip = {"class_report", "class_confidence"}
    assert [(d.position, {k: v for k, v in d.attrs.items() if k not in strip}) for d in b] == [
        (d.position, dict(d.attrs)) for d in a
    ]
    assert "classifier" not in plain.describe()
    assert classed.describe()["classifier"]["confusion"] == DEFAULT_CONFUSION


def test_el_paso_towers_publish_their_matrix_in_sector_json() -> None:
    sim = Simulation(load_scenario(SCENARIO), seed=1, duration_s=10)
    by_id = {s["id"]: s for s in sim.describe()["sensors"]}
    towers = [k for k in by_id if k.startswith("radar-tower-")]
    assert len(towers) == 8
    for k in towers:
        assert by_id[k]["classifier"]["confusion"] == DEFAULT_CONFUSION
    assert "classifier" not in by_id["radar-kelp"]  # the airport's surveillance radar
    reports = [
        d.attrs for s in sim.steps() for d in s.detections if d.sensor.startswith("radar-")
    ]
    assert any("class_report" in a for a in reports)
    assert all(("class_report" in a) == ("class_confidence" in a) for a in reports)


def _doc(classifier: object) -> dict[str, object]:
    return {
        "sector": {
            "name": "t",
            "origin": {"lat": 31.76, "lon": -106.43, "alt_m": 1150.0},
            "extent_m": 30_000,
            "ground_alt_m": 1150.0,
            "start": "2026-02-11T03:00:00Z",
            "duration_s": 60,
        },
        "sensors": [
            {
                "id": "r",
                "kind": "radar",
                "site": {"lat": 31.77, "lon": -106.47, "alt_m": 1200.0},
                "range_max_m": 9000,
                "classifier": classifier,
            }
        ],
    }


@pytest.mark.parametrize(
    ("classifier", "words"),
    [
        ({"confusion": {**DEFAULT_CONFUSION, "bird": {**DEFAULT_CONFUSION["bird"], "drone": 0.2}}},
         "row 'bird' sums to"),
        ({"confusion": {k: v for k, v in DEFAULT_CONFUSION.items() if k != "manned"}}, "rows must"),
        ({"confusion": {**DEFAULT_CONFUSION, "drone": {"drone": 1.0}}}, "row 'drone': columns"),
        ({"snr_width_db": 0}, "greater than 0"),
        ({"threshold": 0.9}, "Extra inputs"),
    ],
)
def test_bad_classifier_blocks_name_the_key(classifier: object, words: str) -> None:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(_doc(classifier), "x.yaml")
    assert "sensors[0].classifier" in str(e.value) and words in str(e.value)
