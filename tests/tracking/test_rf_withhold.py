"""Withholding an astray finder's bearings (``RfBias.astray_withhold``, wave 32): once
the per-finder follow test names a finder on a track, its bearings stop updating and
crediting that track, while the slot is still fed what the association scored, so the
verdict holds while the bearings keep fitting instead of fading and letting them back
(wave 31's design point)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from tests.tracking.test_rf_astray import _bird, _config, _own_link, _run, _target, _u

from skywarden.model import SensorKind
from skywarden.tracking import ScanGroup, TrackerConfig, TrackerCore
from skywarden.tracking.bearing_assoc import ScanFits
from skywarden.tracking.bearings import Bearings
from skywarden.tracking.classify import Classifier
from skywarden.tracking.config_file import ConfigFileError, config_from_mapping
from skywarden.tracking.rf_bias import RfBias

SIG = math.radians(3.0)
START = 5000.0 * _u(100.0) + np.array([0.0, 0.0, 100.0])
#: slowly across the finder's ray (its azimuth sweeps ~2 deg a minute), so a still
#: emitter's bearings keep fitting the track for some five minutes after the verdict
VELOCITY = 3.0 * _u(10.0)
#: a still emitter on the finder's ray to the target at 200 s
STILL_AZ = math.atan2(*(START + VELOCITY * 200.0)[:2])
TAU_S = RfBias().astray_tau_s


def _scan(k: int, rng: np.random.Generator, az: float) -> list[ScanGroup]:
    """One scan: the target's radar plot and the finder's bearing ``az`` (+ noise)."""
    t = float(k)
    z = (START + VELOCITY * t)[None, :] + rng.normal(0.0, 10.0, (1, 3))
    b = Bearings(np.zeros(3), np.array([az + rng.normal(0.0, SIG)]), np.array([SIG]), range_m=8e3)
    return [
        ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=np.eye(3)[None] * 100.0),
        ScanGroup(t, "rf-1", SensorKind.RF, bearings=b),
    ]


def _fly(bias: RfBias, scans: int, seed: int) -> tuple[TrackerCore, list[tuple[bool, float]]]:
    """The target crosses the ray of a still emitter; per scan, whether the finder is
    named astray on the target's track and the RF credit it gave the track."""
    rng = np.random.default_rng(seed)
    core = TrackerCore(TrackerConfig(classifier=Classifier(rf_bias=bias)), dims=3)
    seen: list[tuple[bool, float]] = []
    for k in range(scans):
        core.step(float(k), _scan(k, rng, STILL_AZ))
        a = core.table.a
        row = int(np.argmax(a["c_rf_resid"][:, 1]))
        hit = bias.astray_of(a, core.bearings.finder_ids["rf-1"])
        seen.append((bool(hit is not None and hit[row]), float(a["rf_credit"][row])))
    return core, seen


def test_an_astray_finder_is_withheld_and_its_verdict_holds() -> None:
    named = RfBias(per_finder=True)
    withheld = RfBias(per_finder=True, astray_withhold=True)
    _, only = _fly(named, 600, seed=1)
    _, held = _fly(withheld, 600, seed=1)
    first = next(k for k, (v, _) in enumerate(only) if v)
    assert first < 300  # the bearings stood still while the track swept
    assert next(k for k, (v, _) in enumerate(held) if v) == first
    assert held[: first + 1] == only[: first + 1]  # nothing changes before the verdict
    # without withholding the finder's bearings keep fitting for minutes, several of the
    # slot's fading times: fed only what was applied, the verdict would have lapsed
    last_fit = max(k for k, (_, c) in enumerate(only) if c > 0.0)
    assert last_fit - first > 2.0 * TAU_S
    after = held[first + 1 :]
    assert all(v for v, _ in after)  # it holds: the slot is fed what was scored
    assert all(c == 0.0 for _, c in after)  # and the finder credits the track no more


def test_a_withheld_bearing_updates_nothing_and_goes_to_the_pool() -> None:
    bias = RfBias(per_finder=True, astray_withhold=True)
    core, seen = _fly(bias, 300, seed=2)
    assert seen[-1][0]
    a = core.table.a
    row = int(np.argmax(a["c_rf_resid"][:, 1]))
    g = _scan(300, np.random.default_rng(3), STILL_AZ)[1]
    x, p, ref = a["x"], a["P"], a["rf_ref"]
    tentative = np.zeros(core.table.n, dtype=bool)
    free = core.bearings.decide(g, x, p, tentative, ScanFits(), ref)
    kept = core.bearings.decide(g, x, p, tentative, ScanFits(), ref, a)
    assert row in free.rows.tolist() and free.credit[row] > 0.0 and not free.pool[0]
    assert row not in kept.rows.tolist()
    assert (kept.credit[row], kept.took[row], bool(kept.fitted[row])) == (0.0, 0.0, False)
    assert kept.pool[0]  # only the withheld track explained it: another emitter's
    # what was scored is kept, and it is what holds the verdict
    assert kept.resid is not None and free.resid is not None
    assert np.array_equal(kept.resid, free.resid)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_s87_bird_loses_the_astray_finder_only(seed: int) -> None:
    window = _bird(seed)
    named = _run(window, _config(per_finder=True))
    held = _run(window, _config(per_finder=True, astray_withhold=True))
    bird_n, bird_h = _target(named), _target(held)
    first = next(u.t for u in bird_n if u.rf_astray)
    before = [u.to_dict() for u in named if u.t <= first]
    assert before == [u.to_dict() for u in held if u.t <= first]
    later = [u for u in bird_h if u.t > first]
    assert later and all(u.rf_astray == ("rf-S87-1",) for u in later)
    # rf-kbro, never named, still fits the bird: its bearings are not withheld
    assert any("rf_geometry" in u.corroboration for u in later)


@pytest.mark.parametrize(("seed", "speed", "heading_deg"), [(1, 7.6, 330.0), (3, 12.0, 60.0)])
def test_a_drones_own_link_is_never_withheld(seed: int, speed: float, heading_deg: float) -> None:
    window = _own_link(seed, speed * _u(heading_deg))
    named = _run(window, _config(per_finder=True))
    held = _run(window, _config(per_finder=True, astray_withhold=True))
    assert [u.to_dict() for u in named] == [u.to_dict() for u in held]


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"astray_withhold": True}, "needs classifier.rf_bias.per_finder"),
        ({"per_finder": True, "astray_withhold": "yes"}, "astray_withhold must be true or false"),
    ],
)
def test_bad_withhold_settings_are_refused(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RfBias(**kw)


def test_the_option_is_read_from_a_tracker_config_file() -> None:
    data = {"classifier": {"rf_bias": {"per_finder": True, "astray_withhold": True}}}
    assert config_from_mapping(data).classifier.rf_bias.astray_withhold
    assert not TrackerConfig().classifier.rf_bias.astray_withhold
    with pytest.raises(ConfigFileError, match="astray_withhold"):
        config_from_mapping({"classifier": {"rf_bias": {"astray_withhold": True}}})
