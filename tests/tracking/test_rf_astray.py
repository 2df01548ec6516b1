"""The per-finder follow test (``RfBias.per_finder``): one finder's bearings that stood
still while the track swept across them, set apart from another finder's that did
follow (held-out seed 28, S87: a bird backed by rf-S87-1's bearings of a still emitter
while its bearing from that finder swept 11 deg; the pooled test, diluted by rf-kbro's
pairs some 50 deg away, said nothing; wave 29 design note)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from skywarden.geo import LocalFrame, bearing_deg
from skywarden.model import Bearing, Detection, Position, SensorKind, TrackUpdate
from skywarden.tracking import ScanGroup, Tracker, TrackerConfig, TrackerCore
from skywarden.tracking.bearings import Bearings
from skywarden.tracking.classify import Classifier
from skywarden.tracking.config_file import ConfigFileError, config_from_mapping
from skywarden.tracking.lanes import LaneTracker
from skywarden.tracking.rf_bias import FINDER_SUMS, RfBias

FRAME = LocalFrame(31.8, -106.4, 1200.0)
T0 = 1_770_887_340.0
SIGMA_DEG = 3.0


def _u(deg: float) -> np.ndarray:
    r = math.radians(deg)
    return np.array([math.sin(r), math.cos(r), 0.0])


# S87's geometry (design note, section 0): rf-kbro at the origin; the bird flies
# radially towards it from 7.6 km at 150 deg, 7.6 m/s; rf-S87-1 sees it first at
# 200 deg, 8.3 km, and its bearing to the bird sweeps 11 deg in 240 s.
KBRO = np.array([0.0, 0.0, 10.0])
START = 7600.0 * _u(150.0) + np.array([0.0, 0.0, 120.0])
S87 = START - 8300.0 * _u(200.0)
S87[2] = 10.0
VELOCITY = -7.6 * _u(150.0)
#: the still emitters: on rf-S87-1's ray to the bird at 120 s, 9.5 km out; on
#: rf-kbro's ray through the bird's whole path, 9.5 km out and 1.5 deg aside
AT_120 = START + VELOCITY * 120.0
STILL_S87 = S87 + 9500.0 * (AT_120 - S87) / np.linalg.norm(AT_120 - S87)
STILL_KBRO = KBRO + 9500.0 * _u(148.5)

Path = Callable[[float], np.ndarray]
#: per finder: its site, the emitter it hears (a function of the target's position
#: and time) and the chance a scan has its bearing
Hears = dict[str, tuple[np.ndarray, Callable[[np.ndarray, float], np.ndarray], float]]


def _geo(p: np.ndarray) -> tuple[float, float, float]:
    lat, lon, alt = FRAME.to_geodetic(float(p[0]), float(p[1]), float(p[2]))
    return float(lat), float(lon), float(alt)


def _window(path: Path, hears: Hears, scans: int, seed: int, t0: float = T0) -> list[Any]:
    """Per scan (t, detections): one radar plot of the target on ``path`` (10 m noise)
    and each finder's bearing (3 deg) towards the emitter it hears."""
    rng = np.random.default_rng(seed)
    cov = ((100.0, 0.0, 0.0), (0.0, 100.0, 0.0), (0.0, 0.0, 100.0))
    out = []
    for k in range(scans):
        t = t0 + k
        pos = path(float(k))
        lat, lon, alt = _geo(pos + rng.normal(0.0, 10.0, 3))
        dets = [Detection(t, "radar-1", SensorKind.RADAR, Position(lat, lon, alt, cov))]
        for name, (site, emitter, rate) in hears.items():
            if rng.random() >= rate:
                continue
            slat, slon, salt = _geo(site)
            elat, elon, _ = _geo(emitter(pos, float(k)))
            az = (bearing_deg(slat, slon, elat, elon) + rng.normal(0.0, SIGMA_DEG)) % 360.0
            b = Bearing(slat, slon, salt, az, SIGMA_DEG)
            dets.append(Detection(t, name, SensorKind.RF, bearing=b, attrs={"range_max_m": 1e4}))
        out.append((t, dets))
    return out


def _config(**kw: Any) -> TrackerConfig:
    return TrackerConfig(classifier=Classifier(rf_bias=RfBias(**kw)))


def _run(window: list[Any], config: TrackerConfig) -> list[TrackUpdate]:
    tracker = Tracker(FRAME, config)
    out: list[TrackUpdate] = []
    for t, dets in window:
        out += tracker.step(t, dets)
    return out + tracker.finish()


def _target(ups: list[TrackUpdate]) -> list[TrackUpdate]:
    """The updates of the radar's track (the first one the radar fed)."""
    name = next(u.track for u in ups if "radar-1" in u.sensors)
    return [u for u in ups if u.track == name]


def _bird(seed: int, scans: int = 250) -> list[Any]:
    return _window(
        lambda t: START + VELOCITY * t,
        {
            "rf-kbro": (KBRO, lambda _p, _t: STILL_KBRO, 0.9),
            "rf-S87-1": (S87, lambda _p, _t: STILL_S87, 0.7),
        },
        scans,
        seed,
    )


def _own_link(seed: int, velocity: np.ndarray = VELOCITY, scans: int = 300) -> list[Any]:
    def own(p: np.ndarray, _t: float) -> np.ndarray:
        return p

    return _window(
        lambda t: START + velocity * t,
        {"rf-kbro": (KBRO, own, 0.9), "rf-S87-1": (S87, own, 0.7)},
        scans,
        seed,
    )


def _without_astray(ups: list[TrackUpdate]) -> list[dict[str, Any]]:
    out = []
    for u in ups:
        d = u.to_dict()
        d.pop("rf_astray", None)
        out.append(d)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_bird_across_a_still_emitters_ray_goes_astray_at_that_finder_only(seed: int) -> None:
    window = _bird(seed)
    on = _run(window, _config(per_finder=True))
    bird = _target(on)
    assert {"rf-kbro", "rf-S87-1"} <= set(bird[-1].sensors)
    assert any("rf_geometry" in u.corroboration for u in bird)  # RF backs the bird
    assert not any(u.rf_beside for u in bird), "the pooled test is diluted, as at S87"
    astray = [u for u in bird if u.rf_astray]
    assert astray, "rf-S87-1's bearings stood still while the bird's swept 11 deg"
    assert astray[0].t - bird[0].t <= 150.0
    assert all(u.rf_astray == ("rf-S87-1",) for u in astray)  # never rf-kbro: no sweep
    # only recorded: every other output is the one without the option
    off = _run(window, _config())
    assert not any(u.rf_astray for u in off)
    assert _without_astray(on) == _without_astray(off)
    assert "rf_astray" in astray[0].to_dict() and "rf_astray" not in off[0].to_dict()


@pytest.mark.parametrize(
    ("seed", "speed", "heading_deg"),
    [(1, 7.6, 330.0), (2, 7.6, 330.0), (3, 12.0, 60.0), (4, 15.0, 240.0), (5, 0.0, 0.0)],
)
def test_a_drone_with_its_own_link_at_two_finders_never_goes_astray(
    seed: int, speed: float, heading_deg: float
) -> None:
    # along the bird's path (rf-S87-1's bearing sweeping 11 deg), across both finders'
    # rays, and hovering: the bearings follow, and nothing changes with the option
    window = _own_link(seed, speed * _u(heading_deg))
    on = _run(window, _config(per_finder=True))
    off = _run(window, _config())
    assert not any(u.rf_astray for u in on)
    assert [u.to_dict() for u in on] == [u.to_dict() for u in off]
    drone = _target(on)
    assert sum("rf_geometry" in u.corroboration for u in drone) > 250


@pytest.mark.parametrize("withhold", [False, True])
def test_lanes_record_what_each_window_alone_does(withhold: bool) -> None:
    # the bird and a drone side by side in one core, with their finders in both lanes;
    # withholding (wave 32) acts per track and finder, so per lane too
    windows = [_bird(1, 240), _own_link(2, scans=240)]
    config = _config(per_finder=True, astray_withhold=withhold)
    lanes = LaneTracker(FRAME, 2, config)
    for lane, w in enumerate(windows):
        lanes.begin(lane, w[0][0], 0.0)
    got: list[list[TrackUpdate]] = [[], []]
    for k in range(240):
        for lane, ups in enumerate(lanes.step(float(k), [w[k][1] for w in windows])):
            got[lane] += ups
    for lane, ups in enumerate(lanes.finish()):
        got[lane] += ups
    for w, mine in zip(windows, got, strict=True):
        alone = _run(w, config)
        assert len(alone) == len(mine)
        assert [u.rf_astray for u in alone] == [u.rf_astray for u in mine]
        assert [(u.t, u.corroboration, u.rf_beside) for u in alone] == [
            (u.t, u.corroboration, u.rf_beside) for u in mine
        ]
    assert any(u.rf_astray for u in got[0]) and not any(u.rf_astray for u in got[1])


def _core_fly(bias: RfBias, scans: int, seed: int) -> TrackerCore:
    """One finder at the origin, a drone 5 km out crossing its ray at 10 m/s."""
    rng = np.random.default_rng(seed)
    core = TrackerCore(TrackerConfig(classifier=Classifier(rf_bias=bias)), dims=3)
    start = 5000.0 * _u(100.0) + np.array([0.0, 0.0, 100.0])
    v = 10.0 * _u(10.0)
    sig = math.radians(3.0)
    for k in range(scans):
        t = float(k)
        pos = start + v * t
        z = pos[None, :] + rng.normal(0.0, 10.0, (1, 3))
        groups = [ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=np.eye(3)[None] * 100.0)]
        az = math.atan2(pos[0], pos[1]) + rng.normal(0.0, sig)
        b = Bearings(np.zeros(3), np.array([az]), np.array([sig]), range_m=8000.0)
        groups.append(ScanGroup(t, "rf-1", SensorKind.RF, bearings=b))
        core.step(t, groups)
    return core


def test_one_finders_slot_holds_the_pooled_sums() -> None:
    # with one finder and the same fading, the slot's regression is the pooled one
    bias = RfBias(per_finder=True, astray_tau_s=60.0)
    core = _core_fly(bias, 120, seed=4)
    a = core.table.a
    row = int(np.argmax(a["c_rf_resid"][:, 1]))
    assert a["c_rf_fslot"][row].tolist() == [core.bearings.finder_ids["rf-1"], -1.0, -1.0]
    slot = a["c_rf_fsums"][row : row + 1, 0]
    pooled = bias.follow_slope({k: a[k][row : row + 1] for k in ("c_rf_resid", "c_rf_follow")})
    alone = bias.follow_slope({"c_rf_resid": slot[:, :3], "c_rf_follow": slot[:, 3:9]})
    assert np.allclose(alone, pooled, rtol=1e-9, atol=1e-12)
    assert abs(pooled[0][0] - 1.0) < 0.3  # the drone's own link follows
    assert not bias.astray(a).any()
    sig2 = a["c_rf_fsums"][row, 0, 9] / a["c_rf_fsums"][row, 0, 1]
    assert abs(math.degrees(math.sqrt(sig2)) - 3.0) < 1e-9
    # off: no slot columns at all, nothing reported
    off = _core_fly(RfBias(), 5, seed=4)
    assert not {"c_rf_fslot", "c_rf_fsums", "rf_fref", "rf_fscan"} & set(off.table.a)
    assert RfBias().astray(off.table.a).shape == (off.table.n, 0)


def _one_group(az: float, ref: float, w: float = 1.0) -> tuple[np.ndarray, ...]:
    """One row's group sums: one pair of weight ``w`` at azimuth ``az`` (rad), residual
    0.01, S = 1e-3, measured from ``ref``."""
    x = math.remainder(az - ref, 2 * math.pi)
    nu, s = 0.01, 1e-3
    resid = np.array([[w * nu, w, w * w * s]])
    follow = np.array([[w * x, w * x * x, w * x * nu, w * w * s * x, w * w * s * x * x, w * 1e-6]])
    return resid, follow, np.array([ref]), np.array([w * 1e-3])


def _table(bias: RfBias, k: int = 1) -> dict[str, np.ndarray]:
    return bias.init(k)


def test_a_slot_measures_from_its_own_reference_across_the_wrap() -> None:
    bias = RfBias(per_finder=True)
    a = _table(bias)
    # the pooled reference is another finder's azimuth 50 deg off; this finder sees the
    # track due south, its azimuth wrapping from +179 to -179 deg
    ref = math.radians(130.0)
    for az in (179.0, -179.0):
        bias.feed(a, 7, *_one_group(math.radians(az), ref))
    assert a["c_rf_fslot"][0].tolist() == [7.0, -1.0, -1.0]
    assert abs(math.degrees(a["rf_fref"][0, 0]) - 179.0) < 1e-9
    f = a["rf_fscan"][0, 0]
    assert abs(math.degrees(f[3]) - 2.0) < 1e-9  # x = 0 and +2 deg, not -358
    assert abs(f[1] - 2.0) < 1e-12 and abs(f[9] - 2e-3) < 1e-15
    bias.observe(a, None, 1.0, None, a["rf_fscan"])  # the scan's sums join the slot's
    assert np.array_equal(a["c_rf_fsums"], a["rf_fscan"])
    bias.observe(a, None, 120.0)  # and fade over astray_tau_s
    q = math.exp(-1.0)
    assert np.allclose(a["c_rf_fsums"][0, 0, [1, 2]], [2.0 * q, 2e-3 * q * q])


def test_a_fourth_finder_takes_the_lightest_slot() -> None:
    bias = RfBias(per_finder=True)
    a = _table(bias)
    for fid, w in ((1, 5.0), (2, 0.5), (3, 2.0)):
        bias.feed(a, fid, *_one_group(0.1 * fid, 0.0, w))
    bias.feed(a, 4, *_one_group(0.4, 0.0, 1.0))
    assert a["c_rf_fslot"][0].tolist() == [1.0, 4.0, 3.0]
    assert a["rf_fscan"][0, 1, 1] == 1.0  # finder 2's half bearing is gone
    assert abs(a["rf_fref"][0, 1] - 0.4) < 1e-12
    bias.feed(a, 1, *_one_group(0.2, 0.0, 1.0))  # a known finder keeps its slot
    assert a["rf_fscan"][0, 0, 1] == 6.0 and abs(a["rf_fref"][0, 0] - 0.1) < 1e-12


def _slot(x: np.ndarray, nu: np.ndarray, sigma_deg: float, s_trk: float) -> np.ndarray:
    """One slot's sums of unit-weight pairs (azimuths ``x``, residuals ``nu``)."""
    s = math.radians(sigma_deg) ** 2 + s_trk
    n = float(len(x))
    return np.array(
        [
            nu.sum(),
            n,
            n * s,
            x.sum(),
            (x * x).sum(),
            (x * nu).sum(),
            s * x.sum(),
            s * (x * x).sum(),
            n * s_trk,
            n * math.radians(sigma_deg) ** 2,
        ]
    )


def test_the_verdict_needs_weight_a_sweep_and_a_short_share() -> None:
    bias = RfBias(per_finder=True)
    trk = math.radians(0.1) ** 2
    x = np.radians(np.linspace(-4.0, 4.0, 60))  # sd 2.3 deg
    few = np.radians(np.linspace(-4.0, 4.0, 8))
    narrow = np.radians(np.linspace(-0.8, 0.8, 2000))  # sd 0.46 deg, 7 errors short
    rows = [
        _slot(x, -x, 3.0, trk),  # stood still: astray
        _slot(x, np.zeros_like(x), 3.0, trk),  # followed
        _slot(x, -0.4 * x, 3.0, trk),  # followed 0.6 of the sweep
        _slot(few, -few, 3.0, trk),  # 8 bearings' worth: too few
        _slot(narrow, -narrow, 3.0, trk),  # under half a 3-deg error: a radial flight
        _slot(x, -x, 3.0, math.radians(1.0) ** 2),  # the track's own error is 1 deg
    ]
    n = len(rows)
    a = {"c_rf_fsums": np.stack(rows)[:, None, :], "c_rf_fslot": np.zeros((n, 1))}
    assert bias.astray(a)[:, 0].tolist() == [True] + [False] * (n - 1)
    loose = RfBias(per_finder=True, astray_min_sweep_sigmas=0.0)
    assert loose.astray(a)[:, 0].tolist() == [True, False, False, False, True, False]
    a["c_rf_fslot"][0, 0] = -1.0  # an empty slot says nothing
    assert not bias.astray(a)[0, 0]
    assert a["c_rf_fsums"].shape[-1] == FINDER_SUMS


@pytest.mark.parametrize(
    "kw",
    [
        {"astray_tau_s": 0.0},
        {"astray_min_weight": -1.0},
        {"astray_z": math.nan},
        {"astray_min_sweep_sigmas": -0.5},
        {"astray_slots": 0},
        {"astray_slots": 2.5},
        {"per_finder": "yes"},
    ],
)
def test_bad_astray_settings_are_refused(kw: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=rf"rf_bias\.{next(iter(kw))}"):
        RfBias(**kw)


def test_the_settings_are_read_from_a_tracker_config_file() -> None:
    data = {"classifier": {"rf_bias": {"per_finder": True, "astray_tau_s": 90, "astray_z": 5}}}
    bias = config_from_mapping(data).classifier.rf_bias
    assert (bias.per_finder, bias.astray_tau_s, bias.astray_z) == (True, 90.0, 5.0)
    assert bias.astray_slots == 3 and not TrackerConfig().classifier.rf_bias.per_finder
    with pytest.raises(ConfigFileError, match=r"classifier\.rf_bias\.astray_min_weight"):
        config_from_mapping({"classifier": {"rf_bias": {"astray_min_weight": 0}}})
    with pytest.raises(ConfigFileError, match="astray_tau"):
        config_from_mapping({"classifier": {"rf_bias": {"astray_tau": 90}}})
