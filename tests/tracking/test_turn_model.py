"""The turn models (``TrackerConfig.turn_rate_deg_s``): a drone that turns 90 deg at
speed keeps its track under the Doppler gate.

The case (the 30-day month's one false unit, S05 day 3, docs/notes/wave18.md): a
surveillance drone flies north at 8 m/s, turns east 200 m short of the line, and the
radar sees it every few seconds. Cruise predicts it still going north and hover has it
braking to a stop; the plots after the turn have a radial speed both put far off, the
Doppler gate refuses them and the track coasts north over the line."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from skywarden.model import SensorKind
from skywarden.tracking import InvalidConfig, ScanGroup, TrackerConfig, TrackerCore
from skywarden.tracking.doppler import DopplerPlots
from skywarden.tracking.filters import IMMFilter
from skywarden.tracking.motion import ConstantVelocity, CoordinatedTurn

from .test_doppler import _plot_cov

GAP_S = 5  # after its first 20 s the radar sees the drone every 5 s (S05's radars: 2-12 s)
RADAR_TO_DRONE = np.array(
    [-4500.0, -500.0, 0.0]
)  # west of the radar: flying north, across its beam


def _plot(t: float, pos: np.ndarray, vel: np.ndarray, rng: np.random.Generator) -> ScanGroup:
    """One plot of a radar at the frame's origin with the simulated radars' errors."""
    cov = _plot_cov(pos)
    z = rng.multivariate_normal(pos, cov)[None, :]
    los = pos / np.linalg.norm(pos)
    vr = np.array([float(los @ vel) + rng.normal(0.0, 0.5)])
    return ScanGroup(
        t, "radar", SensorKind.RADAR, z=z, R=cov[None], doppler=DopplerPlots(vr, np.zeros((1, 3)))
    )


def _turn(seed: int, turn_rate: float | None) -> tuple[float, int]:
    """The drone flies north at 8 m/s for 60 s, then turns east over 4 s (a quarter
    circle, 3.1 m/s^2) and flies on at 8 m/s (seen every second for 20 s, then every
    ``GAP_S``). The
    largest distance from the drone of the track that held it at 50 s, over the scans
    from 62 s that see the drone (inf once that track is gone), and how many other
    tracks were reported after 50 s."""
    cfg = TrackerConfig(turn_rate_deg_s=turn_rate)
    core = TrackerCore(components=cfg.components(3, classify=False))
    rng = np.random.default_rng(seed)
    pos = RADAR_TO_DRONE + np.array([0.0, 0.0, 120.0])
    held: int | None = None
    others: set[int] = set()
    worst = 0.0
    for k in range(130):
        heading = np.radians(min(max(k - 60, 0), 4) * 22.5)  # 0 (north) to 90 deg (east)
        vel = 8.0 * np.array([np.sin(heading), np.cos(heading), 0.0])
        pos = pos + vel if k else pos
        seen = k < 20 or k % GAP_S == 0
        groups = [_plot(float(k), pos, vel, rng)] if seen else []
        live = core.step(float(k), groups).live
        tracks = {int(i): x[:3] for i, x in zip(live.get("id", []), live.get("x", []), strict=True)}
        if k == 50:
            held = min(tracks, key=lambda i: float(np.linalg.norm(tracks[i] - pos)))
        if k > 50:
            others.update(set(tracks) - {held})
        if k >= 62 and seen:
            d = float(np.linalg.norm(tracks[held] - pos)) if held in tracks else np.inf
            worst = max(worst, d)
    return worst, len(others)


SEEDS = range(1, 13)


def test_with_the_turn_model_the_track_follows_the_turn() -> None:
    runs = [_turn(seed, turn_rate=20.0) for seed in SEEDS]
    assert all(worst < 200.0 and others == 0 for worst, others in runs), runs


def test_without_it_the_doppler_gate_loses_some_turning_drones() -> None:
    # the failure the model is for: the cruise/hover IMM refuses the plots after the
    # turn (2 of these 12 drones: the track coasts on and is dropped)
    lost = [seed for seed in SEEDS if not np.isfinite(_turn(seed, turn_rate=None)[0])]
    assert lost == [2, 11]


def test_the_turn_models_are_a_left_and_right_pair_and_off_by_default() -> None:
    default = TrackerConfig().make_filter(3)
    assert isinstance(default, IMMFilter) and len(default.models) == 2
    four = TrackerConfig(turn_rate_deg_s=20.0).make_filter(3)
    assert isinstance(four, IMMFilter)
    assert [m.name for m in four.models] == ["cv", "hover", "left", "right"]
    assert len(four.stay_per_s) == len(four.mu0) == 4


def test_a_coordinated_turn_keeps_the_speed_and_turns_the_velocity() -> None:
    w = np.radians(20.0)
    f, q = CoordinatedTurn(w).matrices(4.5, 3)
    x = f @ np.array([0.0, 0.0, 50.0, 0.0, 8.0, 0.0])  # north at 8 m/s, 4.5 s at 20 deg/s
    assert np.hypot(x[3], x[4]) == pytest.approx(8.0)
    assert np.degrees(np.arctan2(x[4], x[3])) == pytest.approx(90.0 + 90.0)  # now west
    r = 8.0 / w  # on the circle of radius v / omega about (-r, 0)
    assert np.hypot(x[0] + r, x[1]) == pytest.approx(r) and x[2] == 50.0
    assert q.shape == (6, 6) and np.allclose(q, ConstantVelocity(q=0.5).matrices(4.5, 3)[1])
    with pytest.raises(ValueError, match="omega"):
        CoordinatedTurn(0.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, 181.0, float("nan"), "10"])
def test_a_bad_turn_rate_is_refused_by_name(bad: Any) -> None:
    with pytest.raises(InvalidConfig, match="turn_rate_deg_s"):
        replace(TrackerConfig(), turn_rate_deg_s=bad)


def test_turn_models_without_the_imm_are_refused_not_ignored() -> None:
    with pytest.raises(InvalidConfig, match=r"turn_rate_deg_s.*imm"):
        TrackerConfig(filter="cv", turn_rate_deg_s=20.0)
