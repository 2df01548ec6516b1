"""Persistence with one counting kind: one verification deadline instead of three."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from pydantic import ValidationError

from skywarden.airspace import load_policy
from skywarden.airspace.evidence import EvidenceGate, describe
from skywarden.airspace.policy import Evidence
from skywarden.airspace.track_table import TrackTable


def _one(fx, table: TrackTable, t: float, **kw):
    x, y, alt = fx.runway_point("22", 1852.0, 60.0)
    u = fx.leg("D", [(0, x, y, alt), (1, x, y, alt)], **kw)[0]
    return table.ingest([replace(u, t=t)])


def _first_verified(fx, frame, **kw) -> int | None:
    spec = load_policy().evidence
    gate, table = EvidenceGate(spec), TrackTable(frame)
    for s in range(0, 240):
        v = gate.step(fx.T0 + s, _one(fx, table, fx.T0 + s, **kw), np.ones(1, dtype=bool))
        if v.verified[0]:
            return s
    return None


def test_one_kind_shortens_the_watch_and_no_kind_keeps_the_long_one(fx, frame):
    spec = load_policy().evidence
    assert spec.persistence_one_kind_s is not None
    assert spec.persistence_one_kind_s < spec.persistence_s
    rf = _first_verified(fx, frame, p_drone=0.95, corroboration=("rf_geometry",))
    nothing = _first_verified(fx, frame, p_drone=0.95)
    hover = _first_verified(fx, frame, p_drone=0.95, corroboration=("kinematics",))
    assert rf == spec.persistence_one_kind_s
    assert nothing == spec.persistence_s
    assert hover == spec.persistence_s  # kinematics does not count, here either


def test_the_line_says_which_watch_verified_it(fx, frame):
    spec = load_policy().evidence
    gate, table = EvidenceGate(spec), TrackTable(frame)
    s = int(spec.persistence_one_kind_s or 0)
    for k in range(s + 1):
        b = _one(fx, table, fx.T0 + k, p_drone=0.95, corroboration=("rf_geometry",))
        v = gate.step(fx.T0 + k, b, np.ones(1, dtype=bool))
    assert v.verified[0] and v.evidence(0) == ("rf_geometry", "persistence")
    assert f"verified by persistence ({s} s)" in describe(v, 0, 0.95, spec, gate_note=True)


def test_a_one_kind_watch_longer_than_the_plain_one_is_refused():
    d = load_policy().evidence.model_dump()
    d["persistence_one_kind_s"] = d["persistence_s"] + 1
    with pytest.raises(ValidationError, match="persistence_one_kind_s"):
        Evidence(**d)
