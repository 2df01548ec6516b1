"""Remote ID spoofers in the simulator: their lies, their truth record, and no side effects.

A spoofer is a smuggler broadcasting a Remote ID that lies; turning spoofing on must
leave every honest target and every non-Remote-ID detection of the run unchanged
(separate random streams), and truth must say who lies and how. The last test runs the
tracker over a short spoofed night and sees the liars flagged.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from skywarden.model import Identity, SensorKind, TargetClass
from skywarden.sim import Simulation, parse_scenario
from skywarden.sim.scenario import Scenario
from skywarden.sim.spoofing import Spoof, steal_identities
from skywarden.sim.target import Target
from skywarden.tracking import Tracker, TrackerConfig
from skywarden.tracking.identity_check import is_flagged
from skywarden.tracking.rid_serial import serial_problem

SCENARIO = Path(__file__).parents[2] / "scenarios" / "el-paso.yaml"
TOWERS = ("radar-tower-3", "radar-tower-4", "radar-tower-5")


def border_scene(spoofing: dict[str, Any] | None, hobby: int = 0, birds: int = 0) -> Scenario:
    """Three border towers with a Remote ID receiver each; smugglers, a few extras."""
    doc = yaml.safe_load(SCENARIO.read_text())
    towers = [s for s in doc["sensors"] if s["id"] in TOWERS]
    rid = [
        {"id": f"rid-{s['id'][6:]}", "kind": "remote_id", "site": s["site"], "range_max_m": 4000}
        for s in towers
    ]
    doc["sensors"] = towers + rid
    smugglers: dict[str, Any] = {"per_hour": 12}
    if spoofing is not None:
        smugglers["spoofing"] = spoofing
    doc["traffic"] = {
        "smugglers": smugglers,
        "convoys": {"per_hour": 0},
        "surveillance": {"count": 0},
        "hobby": {"count": hobby, "remote_id_fraction": 1.0, "area_radius_m": 3000},
        "overflights": {"per_hour": 0},
        "birds": {"count": birds},
    }
    doc["sector"]["airports"] = []
    return parse_scenario(doc, "border-scene.yaml")


def run(scn: Scenario, seconds: float, seed: int = 1) -> list[Any]:
    return list(Simulation(scn, seed=seed, duration_s=seconds).steps())


@pytest.fixture(scope="module")
def spoofed() -> list[Any]:
    return run(border_scene({"fraction": 1.0}, hobby=2, birds=3), 240)


def liars(steps: list[Any]) -> dict[str, dict[str, Any]]:
    return {p.target: dict(p.spoof) for s in steps for p in s.truth if p.spoof}


def test_spoofing_leaves_honest_targets_and_other_sensors_unchanged(spoofed: list[Any]) -> None:
    honest = run(border_scene(None, hobby=2, birds=3), 240)
    lying = liars(spoofed)
    assert lying, "with fraction 1 every smuggler lies"

    def truth(steps: list[Any]) -> list[tuple[Any, ...]]:
        return [
            (p.t, p.target, p.lat, p.lon, p.alt_m)
            for s in steps
            for p in s.truth
            if p.target not in lying
        ]

    def plots(steps: list[Any]) -> list[dict[str, Any]]:
        return [d.to_dict() for s in steps for d in s.detections if d.kind != SensorKind.REMOTE_ID]

    assert truth(spoofed) == truth(honest)
    assert plots(spoofed) == plots(honest)
    smugglers = {p.target for s in honest for p in s.truth if p.role == "smuggler"}
    assert smugglers == set(lying), "the same flights fly; only their broadcasts differ"


def test_truth_records_each_lie_and_nothing_for_honest_targets(spoofed: list[Any]) -> None:
    for s in spoofed:
        for p in s.truth:
            d = p.to_dict()
            assert ("spoof" in d) == (p.role == "smuggler")
            if p.role == "smuggler":
                assert d["spoof"]["mode"] in {
                    "stolen_serial",
                    "false_position",
                    "false_speed",
                    "far_operator",
                    "malformed_serial",
                }
                assert type(p).from_dict(d).spoof == d["spoof"]


def heard(steps: list[Any], serial: str) -> list[tuple[Any, Any]]:
    """(detection, truth point) pairs of the broadcasts of ``serial``."""
    out = []
    for s in steps:
        truth = {p.identity.rid_serial: p for p in s.truth if p.identity is not None}
        for d in s.detections:
            if d.kind == SensorKind.REMOTE_ID and d.identity.rid_serial == serial:
                out.append((d, truth[serial]))
    return out


@pytest.mark.parametrize("mode", ["false_position", "false_speed", "malformed_serial"])
def test_each_broadcast_carries_its_lie(mode: str) -> None:
    steps = run(border_scene({"fraction": 1.0, "modes": [mode]}), 240)
    scn = border_scene(None)
    pairs = []
    for p in {p.target: p for s in steps for p in s.truth if p.spoof}.values():
        pairs += heard(steps, p.identity.rid_serial)
    assert pairs, "some spoofer must be heard by the towers' receivers"
    for d, p in pairs:
        sp = p.spoof
        x, y, _ = scn.frame.to_enu(d.position.lat, d.position.lon, d.position.alt_m)
        tx, ty, _ = scn.frame.to_enu(p.lat, p.lon, p.alt_m)
        if mode == "false_position":
            off = math.hypot(sp["offset_e_m"], sp["offset_n_m"])
            assert 300.0 <= off <= 3000.0
            assert math.hypot(x - tx - sp["offset_e_m"], y - ty - sp["offset_n_m"]) < 25.0
        elif mode == "false_speed":
            f = sp["speed_factor"]
            assert 0.1 <= f <= 0.5
            assert abs(d.velocity[0] - f * p.velocity[0]) < 0.5 * 5
            assert math.hypot(x - tx, y - ty) < 25.0
        else:
            assert serial_problem(d.identity.rid_serial) is not None


def test_a_stolen_serial_copies_an_airborne_honest_drone_identity() -> None:
    one = np.zeros((5, 3))
    owner = Identity(rid_serial="1581E0123456789ABCD", operator_lat=31.8, operator_lon=-106.4)
    honest = Target("hobby-00-000", TargetClass.DRONE, "hobby", 0.0, one, one, 0.01,
                    identity=owner, remote_id=True)  # fmt: skip
    thief = Target("smuggler-0001", TargetClass.DRONE, "smuggler", 0.0, one, one, 0.01,
                   identity=Identity(rid_serial="1581EAAAAAAAAAAAAAA"), remote_id=True,
                   attrs={"spoof": Spoof("stolen_serial", pick=0.3)})  # fmt: skip
    steal_identities([thief], [honest])
    assert thief.identity == owner
    assert thief.attrs["spoof"].to_dict()["victim"] == "hobby-00-000"


def test_a_short_spoofed_run_gets_its_liars_flagged_and_nobody_else() -> None:
    scn = border_scene({"fraction": 1.0, "modes": ["false_position"]})
    sim = Simulation(scn, seed=1, duration_s=90)
    tracker = Tracker(scn.frame, TrackerConfig())
    serials: set[str] = set()
    flagged: dict[str, list[str]] = {}
    for step in sim.steps():
        serials |= {
            p.identity.rid_serial
            for p in step.truth
            if p.spoof and p.identity is not None and p.identity.rid_serial
        }
        for u in tracker.step(step.t, step.detections):
            if is_flagged(u):
                flagged[u.track] = [i[4:] for i in u.identities]
    claimed = {s for ids in flagged.values() for s in ids}
    assert claimed and claimed <= serials
    twins = [t for t, ids in flagged.items() if not ids]
    assert twins, "the radar track of the lying drone is flagged too"
