"""Live hold-fire: an airliner on approach to KELP 26R crosses the El Paso laser's fan."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from skywarden.geo import LocalFrame
from skywarden.laser.holdfire import CLEAR, HOLD, HoldFire
from skywarden.laser.plan import load_laser_plan
from skywarden.model import TrackStatus, TrackUpdate
from skywarden.refdata import airport

ApproachFn = Callable[..., list[TrackUpdate]]

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-laser.yaml"
PLAN = load_laser_plan(SCENARIO)
_KELP = airport("KELP")
SECTOR = LocalFrame(_KELP.lat, _KELP.lon, _KELP.elevation_m)  # the conftest's sector frame


def _drone_in_fan(hold: HoldFire, t: float, track: str = "D1") -> TrackUpdate:
    """A hovering drone 3 km out at bearing 60, elevation 8 from the laser."""
    vol = hold.volume
    r, az, el = 3000.0, math.radians(60.0), math.radians(8.0)
    lat, lon, alt = vol.frame.to_geodetic(
        r * math.cos(el) * math.sin(az), r * math.cos(el) * math.cos(az), r * math.sin(el)
    )
    x, y, z = SECTOR.to_enu(lat, lon, alt)
    return TrackUpdate(
        t, track, TrackStatus.CONFIRMED, lat, lon, alt, (0.0, 0.0, 0.0), (x, y, z, 0.0, 0.0, 0.0),
        None, {"drone": 0.95, "bird": 0.05},
    )  # fmt: skip


def test_airliner_on_approach_holds_before_entering_and_clears_after_leaving(
    approach: ApproachFn,
) -> None:
    hold = HoldFire(PLAN, SECTOR)
    airliner = approach("26R", from_nm=36.0, to_nm=5.0)
    inside = hold.volume.contains(
        np.array([u.lat for u in airliner]),
        np.array([u.lon for u in airliner]),
        np.array([u.alt_m for u in airliner]),
    )
    assert not inside[0] and not inside[-1], "the approach must start and end outside the fan"
    k_in = int(np.argmax(inside))
    k_out = len(inside) - int(np.argmax(inside[::-1]))  # first sample after it has left
    drone = _drone_in_fan(hold, airliner[0].t)
    states = []
    for u in airliner:
        d = hold.decide(u.t, [u, dataclasses.replace(drone, t=u.t)], target="D1")
        states.append(d.state)
        if d.state == HOLD:
            assert d.tracks == ["T000001"]  # never the drone being engaged
    t_in = airliner[k_in].t
    by_t = {u.t: s for u, s in zip(airliner, states, strict=True)}
    # Well before it can reach the volume: the laser may fire.
    assert by_t[t_in - 90] == CLEAR
    # Before it enters (within the 60 s look-ahead): HOLD, and all the way through.
    assert all(s == HOLD for s in states[k_in - 45 : k_out])
    # After it has left, and is more than the 300 m track-error margin outside (it leaves
    # through the side of the fan at a shallow angle, so that takes ~15 s): CLEAR again.
    x, y, z = hold.volume.frame.to_enu(
        np.array([u.lat for u in airliner]),
        np.array([u.lon for u in airliner]),
        np.array([u.alt_m for u in airliner]),
    )
    # (the predicted positions, 2 s apart, are tested with half a step's flight added)
    near = hold.volume.contains_enu(x, y, z, hold.volume_margin_m + 80.0 * hold.step_s / 2)
    k_clear = len(near) - int(np.argmax(near[::-1]))
    assert k_out < k_clear < k_out + 30
    late = [
        (k, hold.decide(airliner[k].t, [airliner[k]]).reasons)
        for k in range(k_clear, len(states))
        if states[k] != CLEAR
    ]
    assert not late, late[:3]
    reason = hold.decide(airliner[k_in - 30].t, [airliner[k_in - 30]]).reasons[0]
    assert "predicted inside" in reason and "T000001 (manned)" in reason


def test_drones_alone_do_not_hold_but_unclassified_tracks_do() -> None:
    hold = HoldFire(PLAN, SECTOR)
    drone = _drone_in_fan(hold, PLAN.start_t)
    assert hold.decide(PLAN.start_t, [drone]).state == CLEAR
    unknown = dataclasses.replace(drone, track="U7", class_probs={"unknown": 0.6, "drone": 0.4})
    d = hold.decide(PLAN.start_t, [drone, unknown])
    assert d.state == HOLD and d.tracks == ["U7"]
    assert "inside the hazard volume" in d.reasons[0]
    # An ended track is history, not traffic.
    ended = dataclasses.replace(unknown, status=TrackStatus.ENDED)
    assert hold.decide(PLAN.start_t, [drone, ended]).state == CLEAR


def test_a_track_with_a_non_finite_state_holds_naming_it() -> None:
    """Fail closed: a track with NaN in its state could be anywhere, also in the beam."""
    hold = HoldFire(PLAN, SECTOR)
    ok = _drone_in_fan(hold, 1_770_783_000.0)  # a drone alone: CLEAR
    assert hold.decide(ok.t, [ok]).state == CLEAR
    lost = dataclasses.replace(ok, track="T7-000042", state=(math.nan, *ok.state[1:]))
    d = hold.decide(ok.t, [ok, lost])
    assert d.state == HOLD and d.tracks == ["T7-000042"]
    assert d.reasons == ["T7-000042 has a non-finite position or velocity"]


def test_aircraft_in_the_beam_path_to_the_target_is_named(approach: ApproachFn) -> None:
    hold = HoldFire(PLAN, SECTOR)
    airliner = approach("26R")
    u = next(
        u
        for u in airliner
        if hold.volume.contains(np.array([u.lat]), np.array([u.lon]), np.array([u.alt_m]))[0]
    )
    x, y, z = hold.volume.frame.to_enu(u.lat, u.lon, u.alt_m)
    az = math.degrees(math.atan2(x, y)) % 360.0
    el = math.degrees(math.atan2(z, math.hypot(x, y)))
    d = hold.decide(u.t, [u], target=(az + 0.3, el))
    assert d.state == HOLD
    assert any("off the beam path to the target" in r for r in d.reasons)


def test_target_outside_the_fan_or_lost_holds() -> None:
    hold = HoldFire(PLAN, SECTOR)
    d = hold.decide(PLAN.start_t, [], target=(200.0, 10.0))  # toward the city
    assert d.state == HOLD and "outside the fan" in d.reasons[0]
    hold.designate("D404")
    d = hold.decide(PLAN.start_t, [])
    assert d.state == HOLD and "not a live track" in d.reasons[0]
    hold.designate(None)
    assert hold.decide(PLAN.start_t, []).state == CLEAR


def test_geographic_fallback_matches_the_sector_state(approach: ApproachFn) -> None:
    # Same airliner with and without a sector-frame state: identical decisions.
    hold = HoldFire(PLAN, SECTOR)
    with_state = approach("26R", dt=20.0)
    without = [dataclasses.replace(u, state=()) for u in with_state]
    a = [hold.decide(u.t, [u]).state for u in with_state]
    b = [hold.decide(u.t, [u]).state for u in without]
    assert a == b and HOLD in a and CLEAR in a


def test_rigid_transform_is_exact_to_centimetres(approach: ApproachFn) -> None:
    hold = HoldFire(PLAN, SECTOR)
    u = approach("26R", from_nm=20.0, to_nm=19.0)[0]
    _, pos_state, _, _, _ = hold._arrays([u])
    _, pos_geo, _, _, _ = hold._arrays([dataclasses.replace(u, state=())])
    assert np.allclose(pos_state, pos_geo, atol=0.05)


@pytest.mark.parametrize("n", [0, 1, 250])
def test_decide_arrays_shapes(n: int) -> None:
    hold = HoldFire(PLAN, SECTOR)
    rng = np.random.default_rng(1)
    pos = rng.uniform(-60_000, 60_000, (n, 3))
    pos[:, 2] = rng.uniform(0, 12_000, n)
    vel = rng.uniform(-200, 200, (n, 3))
    d = hold.decide_arrays(0.0, [f"T{i}" for i in range(n)], pos, vel, np.ones(n, bool))
    assert d.state in (HOLD, CLEAR)
    assert set(d.tracks) <= {f"T{i}" for i in range(n)}
