"""Threat score: every point traced to a named factor; attack only with evidence."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.airspace import load_policy
from skywarden.airspace.threat import (
    ATTACK_INDICATOR,
    FACTORS,
    INCURSION,
    OBSERVATION,
    SAFETY_HAZARD,
    FactorInputs,
    categories,
    explain,
    factor_values,
    weight_vector,
)


def inputs(**kw) -> FactorInputs:
    base = dict(
        p_drone=np.array([0.9]),
        path_distance_m=np.array([20_000.0]),
        closing_strength=np.array([0.0]),
        in_corridor=np.array([False]),
        height_agl_m=np.array([50.0]),
        behaviour=np.array([0.0]),
        has_rid=np.array([True]),
        crossed_recently=np.array([False]),
    )
    base.update({k: np.array([v]) for k, v in kw.items()})
    return FactorInputs(**base)


def score(attack: bool = False, **kw):
    pol = load_policy()
    inp = inputs(**kw)
    vals = factor_values(inp, pol.scoring)
    cats = categories(vals, inp.in_corridor, np.array([attack]))
    return explain(["T1"], np.array([0.0]), vals, weight_vector(pol.scoring), cats, inp)[0]


def test_contributions_add_up_to_the_score_and_name_every_factor():
    s = score(path_distance_m=500.0, in_corridor=True, has_rid=False)
    assert set(s.contributions) == set(FACTORS)
    assert sum(s.contributions.values()) == pytest.approx(s.score)
    # 10 x 0.9 drone + 25 x exp(-1/3) proximity + 15 corridor altitude + 10 no Remote ID
    assert s.score == pytest.approx(9.0 + 25 * np.exp(-500 / 1500) + 15 + 10)
    assert s.reasons[0].startswith("+18 500 m from the nearest runway")


def test_a_far_compliant_drone_scores_low_and_is_an_observation():
    s = score()
    assert s.score < 12
    assert s.category == OBSERVATION


def test_a_border_crossing_is_an_incursion_not_an_attack():
    s = score(crossed_recently=True, has_rid=False, behaviour=1.0)
    assert s.category == INCURSION
    assert s.contributions["border_crossing"] == 15


def test_near_a_runway_is_a_safety_hazard_even_after_a_crossing():
    s = score(crossed_recently=True, path_distance_m=200.0)
    assert s.category == SAFETY_HAZARD


def test_attack_only_with_explicit_evidence():
    worst = dict(
        crossed_recently=True,
        path_distance_m=0.0,
        closing_strength=1.0,
        in_corridor=True,
        behaviour=1.0,
        has_rid=False,
        p_drone=1.0,
    )
    assert score(**worst).score == pytest.approx(100.0)
    assert score(**worst).category == SAFETY_HAZARD
    assert score(**worst, attack=True).category == ATTACK_INDICATOR


def test_analyzer_marks_attack_only_from_track_evidence(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0
    plain = fx.leg("P", [(0, x, y, 1300), (30, x + 300, y, 1300)])
    out = run(analyzer, plain)
    assert {s["P"].category for s in out["scores"] if "P" in s} == {OBSERVATION}
    from dataclasses import replace

    tagged = [
        replace(u, track="A", evidence=("attack: payload release seen on EO",)) for u in plain
    ]
    out = run(analyzer, tagged)
    assert {s["A"].category for s in out["scores"] if "A" in s} == {ATTACK_INDICATOR}
