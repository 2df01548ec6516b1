"""The evidence gate alone: kinds that count, the floors, the persistence clock."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.airspace import load_policy
from skywarden.airspace.evidence import EvidenceGate, describe, kinds_of
from skywarden.airspace.track_table import TrackTable


@pytest.fixture
def gate() -> EvidenceGate:
    """The shipped gate with a 60 s persistence (the clock is what is tested here)."""
    return EvidenceGate(load_policy().evidence.model_copy(update={"persistence_s": 60.0}))


def one(fx, table: TrackTable, t: float, **kw):
    from dataclasses import replace

    x, y, alt = fx.runway_point("22", 1852.0, 60.0)
    u = fx.leg("D", [(0, x, y, alt), (1, x, y, alt)], **kw)[0]
    return table.ingest([replace(u, t=t)])


def test_remote_id_on_the_track_counts_and_kinds_keep_their_order():
    assert kinds_of(("visual", "radar_class"), has_rid=True) == (
        "radar_class",
        "remote_id",
        "visual",
    )
    assert kinds_of((), has_rid=False) == ()


@pytest.mark.parametrize(
    ("kw", "verified"),
    [
        ({"p_drone": 0.95, "corroboration": ("radar_class", "rf_geometry")}, True),
        ({"p_drone": 0.95, "corroboration": ("radar_class", "kinematics")}, False),
        ({"p_drone": 0.95, "corroboration": ("radar_class",), "rid": True}, True),
        ({"p_drone": 0.85, "corroboration": ("radar_class", "rf_geometry")}, False),
        ({"p_drone": 0.95, "corroboration": ("radar_class", "visual"), "p_exist": 0.8}, False),
    ],
)
def test_two_counting_kinds_at_the_floors_verify_at_once(gate, fx, frame, kw, verified):
    b = one(fx, TrackTable(frame), fx.T0, **kw)
    v = gate.step(fx.T0, b, np.ones(1, dtype=bool))
    assert bool(v.verified[0]) is verified
    assert not v.persisted[0]


def test_persistence_clock_survives_short_gaps_and_restarts_after_long_ones(gate, fx, frame):
    table = TrackTable(frame)
    held = []
    # Hazard 0..40 s, a 4 s gap (<= 5 s tolerated), hazard 45..70 s: persisted at 60 s.
    for s in [*range(0, 41), *range(45, 71)]:
        b = one(fx, table, fx.T0 + s, p_drone=0.95)
        v = gate.step(fx.T0 + s, b, np.ones(1, dtype=bool))
        held.append((s, float(v.held_s[0]), bool(v.verified[0])))
    assert held[-1] == (70, 70.0, True)
    assert next(s for s, _, ok in held if ok) == 60
    assert v.evidence(0) == ("persistence",)
    # Out of the hazard 10 s (> gap): the clock starts again from zero.
    for s in range(71, 81):
        gate.step(fx.T0 + s, one(fx, table, fx.T0 + s, p_drone=0.95), np.zeros(1, dtype=bool))
    v = gate.step(fx.T0 + 81, one(fx, table, fx.T0 + 81, p_drone=0.95), np.ones(1, dtype=bool))
    assert v.held_s[0] == 0.0 and not v.verified[0]


def test_a_one_second_dip_is_a_blip_but_a_long_one_restarts_the_clock(gate, fx, frame):
    table = TrackTable(frame)
    first_ok = None
    for s in range(0, 80):
        p = 0.5 if s in (0, 20) else 0.95  # below the 0.9 floor for single seconds
        v = gate.step(fx.T0 + s, one(fx, table, fx.T0 + s, p_drone=p), np.ones(1, dtype=bool))
        assert bool(v.strong[0]) is (p >= 0.9)
        if first_ok is None and v.verified[0]:
            first_ok = s
    assert first_ok == 61  # the clock started at 1 s and ran through the dip at 20 s
    for s in range(80, 90):  # 10 s below the floor: longer than the 5 s gap
        gate.step(fx.T0 + s, one(fx, table, fx.T0 + s, p_drone=0.5), np.ones(1, dtype=bool))
    v = gate.step(fx.T0 + 90, one(fx, table, fx.T0 + 90, p_drone=0.95), np.ones(1, dtype=bool))
    assert v.held_s[0] == 0.0 and not v.verified[0]


def test_describe_says_it_in_words(gate, fx, frame):
    spec = gate.spec
    b = one(fx, TrackTable(frame), fx.T0, p_drone=0.93, corroboration=("radar_class",))
    v = gate.step(fx.T0, b, np.ones(1, dtype=bool))
    line = describe(v, 0, 0.93, spec, gate_note=True)
    assert line.startswith("drone 0.93; radar classifier only")
    assert "unverified: a pause needs drone >= 0.9 with 2 kinds of evidence or 60 s" in line
