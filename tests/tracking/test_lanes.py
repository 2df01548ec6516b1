"""Lanes: windows of one sector through one tracker core give each window its own records.

The month will run a sector's windows side by side in one core (tracking/lanes.py).
What that owes: every lane's records are the ones a tracker of its own writes for that
window (the same tracks, statuses, identities, evidence, at the lane's own times), with
only the last bits of the floats of lanes moved 1,000 km east different; and nothing
crosses lanes, not even one drone's Remote ID serial flying in two windows at once.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from skywarden.model import Detection, SensorKind, TrackStatus, TrackUpdate
from skywarden.sim import Simulation, load_scenario
from skywarden.tracking import Tracker, TrackerConfig
from skywarden.tracking.classify import Classifier
from skywarden.tracking.lanes import LANE_SHIFT_M, LaneTracker, merge_lanes, unscope
from skywarden.tracking.records import ScanError, ScanGroup
from skywarden.tracking.rf_bias import RfBias

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso.yaml"
SECONDS = 90
HOUR = 3600.0

Window = list[tuple[float, list[Detection]]]


@cache
def _scenario():  # type: ignore[no-untyped-def]
    return load_scenario(SCENARIO)


@cache
def _window(seed: int, shift_s: float) -> tuple[tuple[float, tuple[Detection, ...]], ...]:
    """A simulated El Paso window, its times moved by ``shift_s`` (another hour)."""
    return tuple(
        (st.t + shift_s, tuple(dataclasses.replace(d, t=d.t + shift_s) for d in st.detections))
        for st in Simulation(_scenario(), seed=seed, duration_s=SECONDS).steps()
    )


def _alone(
    window: tuple[tuple[float, tuple[Detection, ...]], ...], config: TrackerConfig | None = None
) -> list[TrackUpdate]:
    tracker = Tracker(_scenario().frame, config)
    out: list[TrackUpdate] = []
    for t, dets in window:
        out += tracker.step(t, dets)
    return out + tracker.finish()


def _in_lanes(
    windows: list[tuple[tuple[float, tuple[Detection, ...]], ...]],
    config: TrackerConfig | None = None,
    fed: list[bool] | None = None,
) -> list[list[TrackUpdate]]:
    """Every window in a lane of its own; ``fed``: per step, some track has a finder
    slot (:meth:`.RfBias.feed`)."""
    lanes = LaneTracker(_scenario().frame, len(windows), config)
    for lane, w in enumerate(windows):
        lanes.begin(lane, w[0][0], 0.0)
    out: list[list[TrackUpdate]] = [[] for _ in windows]
    for k in range(min(len(w) for w in windows)):
        for lane, ups in enumerate(lanes.step(float(k), [w[k][1] for w in windows])):
            out[lane] += ups
        if fed is not None:
            a = lanes.core.table.a
            fed.append(bool(lanes.core.table.n and (a["c_rf_fslot"] >= 0).any()))
    for lane, ups in enumerate(lanes.finish()):
        out[lane] += ups
    return out


def _same_records(alone: list[TrackUpdate], lane: list[TrackUpdate], exact: bool) -> None:
    """The same records in the same order: track ids up to renaming (the lanes share one
    id counter), sensors as a set (their order is the core's first use of each), the
    floats equal (lane 0) or within a hair (shifted lanes)."""
    assert len(alone) == len(lane)
    names_a: dict[str, int] = {}
    names_b: dict[str, int] = {}
    for u, v in zip(alone, lane, strict=True):
        assert names_a.setdefault(u.track, len(names_a)) == names_b.setdefault(
            v.track, len(names_b)
        )
        assert (u.t, u.status, u.identities, u.callsign) == (
            v.t,
            v.status,
            v.identities,
            v.callsign,
        )
        assert (u.evidence, u.corroboration, u.rf_beside, u.rf_astray) == (
            v.evidence,
            v.corroboration,
            v.rf_beside,
            v.rf_astray,
        )
        assert sorted(u.sensors) == sorted(v.sensors)
        tol = 0.0 if exact else 1e-6
        assert np.abs(np.subtract(u.state, v.state)).max() <= tol
        assert (u.cov is None) == (v.cov is None)
        if u.cov is not None and v.cov is not None:
            assert np.abs(np.subtract(u.cov, v.cov)).max() <= (0.0 if exact else 1e-4)
        assert max(abs(u.class_probs[c] - v.class_probs[c]) for c in u.class_probs) <= tol


def test_each_lane_gets_the_records_its_own_tracker_writes() -> None:
    # three windows an hour apart; the third is the first's drones again (one Remote ID
    # serial in two lanes at once: scoped, each lane's drone keeps its own identity)
    windows = [_window(1, 0.0), _window(2, HOUR), _window(1, 2 * HOUR)]
    lanes = _in_lanes(windows)
    for i, w in enumerate(windows):
        _same_records(_alone(w), lanes[i], exact=i == 0)
    held = {k for u in lanes[2] for k in u.identities}
    assert any(k.startswith("rid:") for k in held)  # the scenario's Remote ID drones
    assert held == {k for u in lanes[0] for k in u.identities}
    assert all(unscope(k) == k for k in held)
    assert {u.t for u in lanes[2]} == {u.t + 2 * HOUR for u in lanes[0]}


def test_per_finder_sums_in_lanes_are_each_windows_own() -> None:
    # the per-finder follow sums (RfBias.per_finder) are per-track columns too: each
    # lane's verdicts are its own tracker's (wave 29)
    config = TrackerConfig(classifier=Classifier(rf_bias=RfBias(per_finder=True)))
    windows = [_window(1, 0.0), _window(2, HOUR)]
    fed: list[bool] = []
    lanes = _in_lanes(windows, config, fed)
    assert any(fed), "the scenario's direction finders fed the slots"
    for i, w in enumerate(windows):
        _same_records(_alone(w, config), lanes[i], exact=i == 0)


def test_a_lane_that_ends_ends_only_its_own_tracks() -> None:
    a, b = _window(1, 0.0), _window(2, HOUR)
    lanes = LaneTracker(_scenario().frame, 2)
    lanes.begin(0, a[0][0], 0.0)
    lanes.begin(1, b[0][0], 0.0)
    got: list[list[TrackUpdate]] = [[], []]
    half = len(a) // 2
    for k in range(len(b)):
        first = a[k][1] if k < half else None
        for lane, ups in enumerate(lanes.step(float(k), [first, b[k][1]])):
            got[lane] += ups
        if k == half - 1:
            ended = lanes.end(0, a[k][0] + 15.0)
            assert ended and all(u.status is TrackStatus.ENDED for u in ended)
            assert {u.t for u in ended} == {a[k][0] + 15.0}
            live = {u.track for u in got[0] if u.t == a[k][0]}
            assert live <= {u.track for u in ended}
    got[1] += lanes.finish()[1]
    _same_records(_alone(b), got[1], exact=False)
    assert not lanes.end(0, 0.0)  # an idle lane has nothing to end


def test_lane_misuse_is_refused_by_name() -> None:
    w = _window(1, 0.0)
    lanes = LaneTracker(_scenario().frame, 2)
    lanes.begin(0, w[0][0], 0.0)
    with pytest.raises(ScanError, match="idle lane 1"):
        lanes.step(0.0, [w[0][1], w[0][1]])
    with pytest.raises(ScanError, match="lane 0 is still running"):
        lanes.begin(0, w[0][0], 0.0)
    with pytest.raises(ScanError, match="1 scans for 2 lanes"):
        lanes.step(0.0, [w[0][1]])
    with pytest.raises(ValueError, match="lanes must be >= 1"):
        LaneTracker(_scenario().frame, 0)


def _group(sensor: str, x: float, t: float = 0.0) -> ScanGroup:
    return ScanGroup(
        t=t,
        sensor=sensor,
        kind=SensorKind.RADAR,
        z=np.array([[x, 0.0, 100.0]]),
        R=np.eye(3)[None] * 100,
    )


def test_merging_keeps_each_lanes_order_and_its_identity_rounds() -> None:
    a1, b1, a2, c2 = _group("a", 0.0), _group("b", 1.0), _group("a", 2.0), _group("c", 3.0)
    out = merge_lanes([[a1, b1], [c2, a2]])  # lane 1 fuses c before a: so must the core
    assert [g.sensor for g in out] == ["c", "a", "b"]
    assert out[1].z is not None and out[1].z[:, 0].tolist() == [0.0, 2.0]
    # an ADS-B receiver's two rounds of one second (one aircraft heard twice) stay apart
    r0, r1, s0 = _group("adsb", 0.0), _group("adsb", 1.0), _group("adsb", 5.0)
    out = merge_lanes([[r0, r1], [s0]])
    assert [None if g.z is None else g.z[:, 0].tolist() for g in out] == [[0.0, 5.0], [1.0]]
    # two lanes that order their sensors the other way round: no merge, each order kept
    out = merge_lanes([[a1, b1], [_group("b", 4.0), _group("a", 5.0)]])
    assert [g.sensor for g in out] == ["a", "b", "b", "a"]


def test_bearings_with_a_site_each_fit_as_each_sites_alone() -> None:
    from skywarden.tracking.bearings import BearingGate, Bearings

    rng = np.random.default_rng(5)
    here, there = np.array([0.0, 0.0, 10.0]), np.array([LANE_SHIFT_M, 0.0, 10.0])
    # tracks around each site, 2-6 km out; each site hears a bearing towards two of its own
    x = np.zeros((8, 6))
    x[:, :2] = rng.uniform(-6000, 6000, (8, 2))
    x[4:, 0] += LANE_SHIFT_M
    x[:, 2] = 120.0
    p = np.tile(np.eye(6) * 400.0, (8, 1, 1))

    def towards(site: np.ndarray, rows: list[int]) -> np.ndarray:
        d = x[rows, :2] - site[:2]
        return np.arctan2(d[:, 0], d[:, 1]) + rng.normal(0, 0.01, len(rows))

    az_a, az_b = towards(here, [0, 2]), towards(there, [5, 6])
    sig = np.full(2, 0.05)
    gate = BearingGate()
    a = gate.fit(Bearings(here, az_a, sig, range_m=10_000.0), x, p)
    b = gate.fit(Bearings(there, az_b, sig, range_m=10_000.0), x, p)
    both = gate.fit(
        Bearings(
            np.vstack([np.tile(here, (2, 1)), np.tile(there, (2, 1))]),
            np.r_[az_a, az_b],
            np.r_[sig, sig],
            range_m=10_000.0,
        ),
        x,
        p,
    )
    assert both.ti.tolist() == a.ti.tolist() + b.ti.tolist()
    assert both.dj.tolist() == a.dj.tolist() + (b.dj + 2).tolist()
    assert both.log_lik.tolist() == a.log_lik.tolist() + b.log_lik.tolist()
    assert both.covers.tolist() == (a.covers | b.covers).tolist()
    assert {0, 2} <= set(a.ti.tolist()) and {5, 6} <= set(b.ti.tolist())
