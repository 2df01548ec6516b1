"""The off-ray test: one finder's bearings that fit a track but run beside it are
another emitter's (held-out month seed 13, S24: a bird crossing the ray of a patrol
drone beyond the radar's reach, counted as an incursion until wave 13)."""

import math
from collections.abc import Callable

import numpy as np
import pytest

from skywarden.model import SensorKind
from skywarden.tracking import ScanGroup, TrackerConfig, TrackerCore
from skywarden.tracking.bearings import Bearings
from skywarden.tracking.classify import Classifier
from skywarden.tracking.rf_bias import RfBias

SITE = np.array([0.0, 0.0, 0.0])
SIGMA = math.radians(3.0)


def _azimuth(p: np.ndarray) -> float:
    return math.atan2(p[0] - SITE[0], p[1] - SITE[1])


Emitter = Callable[[np.ndarray, float], np.ndarray]


def _fly(
    target: np.ndarray,
    velocity: np.ndarray,
    emitter: Emitter,
    scans: int,
    seed: int,
    bias: RfBias | None = None,
) -> list[tuple[bool, bool]]:
    """A radar sees ``target`` (flying at ``velocity``); the one finder hears a link at
    ``emitter`` (a function of the target's position; the radar does not see it).
    Returns per scan (rf_geometry corroboration, rf_beside) of the target's track."""
    rng = np.random.default_rng(seed)
    cfg = TrackerConfig(classifier=Classifier(rf_bias=bias or RfBias()))
    core = TrackerCore(cfg, dims=3)
    clf = core.classifier
    assert clf is not None
    out = []
    for k in range(scans):
        t = float(k)
        pos = target + velocity * t
        z = pos[None, :] + rng.normal(0.0, 10.0, (1, 3))
        r = np.eye(3)[None] * 100.0
        groups = [ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=r)]
        az = _azimuth(emitter(pos, t)) + rng.normal(0.0, SIGMA)
        b = Bearings(SITE, np.array([az]), np.array([SIGMA]), range_m=8000.0)
        groups.append(ScanGroup(t, "rf-1", SensorKind.RF, bearings=b))
        core.step(t, groups)
        a = core.table.a
        if core.table.n == 0:
            out.append((False, False))
            continue
        row = int(np.argmin(np.linalg.norm(a["x"][:, :3] - pos, axis=1)))
        out.append((bool(clf.corroboration(a, t)[row, 1]), bool(clf.rf_bias.beside(a)[row])))
    return out


def test_a_bird_crossing_an_untracked_drones_ray_is_found_beside_it() -> None:
    # The patrol hovers 7.4 km out at 104 deg; the bird, 5.2 km out, flies across its
    # ray at 12 m/s (seed 13 S24: the bird's bearing swept 13 deg in 80 s).
    patrol = 7400.0 * np.array([math.sin(math.radians(104)), math.cos(math.radians(104)), 0])
    start = 5200.0 * np.array([math.sin(math.radians(107)), math.cos(math.radians(107)), 0])
    start[2] = 150.0
    heading = math.radians(20.0)
    v = 12.0 * np.array([math.sin(heading), math.cos(heading), 0.0])
    got = _fly(start, v, lambda _p, _t: patrol, 120, seed=3)
    corroborated = [c for c, _ in got]
    beside = [b for _, b in got]
    assert any(corroborated[:40]), "on the ray the bearings fit the bird at first"
    assert any(beside), "the residuals keep one sign as the bird leaves the ray"
    first = beside.index(True)
    # once beside, the bearings corroborate nothing
    assert not any(corroborated[first:])
    # without the test (the tracker until wave 13) they went on corroborating the bird
    off = _fly(start, v, lambda _p, _t: patrol, 120, seed=3, bias=RfBias(z_max=1e9))
    assert any(c for c, _ in off[first:])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_drone_with_its_own_link_is_never_found_beside_it(seed: int) -> None:
    # The same geometry, the link now the target's own: ten minutes, never beside.
    start = 5200.0 * np.array([math.sin(math.radians(107)), math.cos(math.radians(107)), 0])
    start[2] = 80.0
    heading = math.radians(20.0)
    v = 12.0 * np.array([math.sin(heading), math.cos(heading), 0.0])
    got = _fly(start, v, lambda p, _t: p, 600, seed=seed)
    assert not any(b for _, b in got)
    assert sum(c for c, _ in got) > 480  # from its first seconds on (RF builds up)


def test_the_test_allows_a_finders_systematic_error() -> None:
    # 200 bearings all 2 deg off: 14 standard errors of pure noise, but within
    # 3 x sqrt(err^2 + 1 deg^2) of a finder's calibration allowance
    s = math.radians(3.0) ** 2
    nu = math.radians(2.0)
    a = {"c_rf_resid": np.array([[200 * nu, 200.0, 200 * s]])}
    assert not RfBias().beside(a)[0]
    assert RfBias(sigma_bias_deg=0.0).beside(a)[0]
    a = {"c_rf_resid": np.array([[200 * 2 * nu, 200.0, 200 * s]])}  # 4 deg off
    assert RfBias().beside(a)[0]
    assert abs(RfBias().offset_deg(a)[0] - 4.0) < 1e-9


def test_sums_fade_and_an_empty_track_is_not_beside() -> None:
    bias = RfBias(tau_s=60.0)
    a = bias.init(2)
    bias.observe(a, np.array([[0.1, 1.0, 0.01], [0.0, 0.0, 0.0]]), 0.0)
    bias.observe(a, None, 60.0)
    q = math.exp(-1.0)
    assert np.allclose(a["c_rf_resid"][0], [0.1 * q, q, 0.01 * q * q])
    assert not bias.beside(a)[1]


@pytest.mark.parametrize(
    "kw",
    [
        {"z_max": 0.0},
        {"tau_s": -1.0},
        {"sigma_bias_deg": -0.5},
        {"z_max": math.nan},
        {"min_bearings": 0},
    ],
)
def test_bad_settings_are_refused(kw: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="rf_bias"):
        RfBias(**kw)


def test_a_verdict_lapses_when_the_fits_stop_and_needs_a_few_bearings() -> None:
    s = math.radians(3.0) ** 2
    off = math.radians(5.5)
    bias = RfBias()
    a = {"c_rf_resid": np.array([[20 * off, 20.0, 20 * s]])}
    assert bias.beside(a)[0]
    bias.observe(a, None, 60.0)  # a minute without a fit: 7 bearings' worth left
    assert bias.beside(a)[0]
    bias.observe(a, None, 120.0)  # three: the offset stands still, its support is gone
    assert not bias.beside(a)[0]
    # ten weak fits, a bearing's worth in all, 5.5 deg off (seed 4, S80's coasting
    # smuggler at 425 s): 4 standard errors, but too little to speak
    weak = {"c_rf_resid": np.array([[10 * 0.1 * off, 1.0, 10 * 0.01 * s]])}
    assert not bias.beside(weak)[0]
    assert RfBias(min_bearings=0.5).beside(weak)[0]
