"""A false Remote ID is worse than none: the airspace stage's consequences of the flag.

The tracker flags a track whose Remote ID claims the sensors contradict with an evidence
line ``false_remote_id: ...`` (skywarden.tracking.identity_check). Here: such a track
is never compliant (no ``remote_id`` evidence, the ``no_remote_id`` factor), scores the
``false_remote_id`` factor on top, and the explanation names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from skywarden.airspace import Analyzer, load_policy
from skywarden.airspace.evidence import kinds_of
from skywarden.airspace.policy import parse_policy
from skywarden.airspace.threat import FACTORS, FactorInputs, factor_values, weight_vector
from skywarden.airspace.track_table import TrackTable
from skywarden.model import TrackUpdate
from skywarden.tracking.identity_check import FALSE_REMOTE_ID
from skywarden.yamlconfig import load_yaml

from .conftest import FRAME, leg

FLAG = f"{FALSE_REMOTE_ID}: claimed position 1.8 km from radar/RF track T000007"


def flagged(ups: list[TrackUpdate]) -> list[TrackUpdate]:
    return [replace(u, evidence=(*u.evidence, FLAG)) for u in ups]


def test_a_flagged_remote_id_counts_neither_as_identity_nor_as_evidence() -> None:
    honest = leg("T1", [(0, 0, 0, 1250), (10, 100, 0, 1250)], rid=True)
    lying = flagged(leg("T2", [(0, 0, 500, 1250), (10, 100, 500, 1250)], rid=True))
    b = TrackTable(FRAME).ingest([honest[-1], lying[-1]])
    assert b.has_rid.tolist() == [True, False]
    assert b.false_rid is not None and b.false_rid.tolist() == [False, True]
    assert "remote_id" in kinds_of((), bool(b.has_rid[0]))
    assert "remote_id" not in kinds_of((), bool(b.has_rid[1]))


def inputs(has_rid: bool, false_rid: bool) -> FactorInputs:
    one = np.ones(1)
    return FactorInputs(
        p_drone=0.9 * one,
        path_distance_m=20_000.0 * one,
        closing_strength=0.0 * one,
        in_corridor=np.zeros(1, dtype=bool),
        height_agl_m=50.0 * one,
        behaviour=0.0 * one,
        has_rid=np.array([has_rid]),
        crossed_recently=np.zeros(1, dtype=bool),
        false_rid=np.array([false_rid]),
    )


def test_a_false_identity_scores_worse_than_no_identity_and_than_an_honest_one() -> None:
    sc = load_policy().scoring
    w = weight_vector(sc)

    def score(has_rid: bool, false_rid: bool) -> float:
        return float((factor_values(inputs(has_rid, false_rid), sc) @ w)[0])

    honest, silent, lying = score(True, False), score(False, False), score(False, True)
    assert honest < silent < lying
    assert lying - silent == sc.weights.false_remote_id == 10.0


def test_the_analyzer_explains_the_false_identity(
    analyzer: Analyzer, run: Callable[..., dict[str, list]]
) -> None:
    out = run(analyzer, flagged(leg("T9", [(0, 0, 0, 1250), (20, 200, 0, 1250)], rid=True)))
    s = [st["T9"] for st in out["scores"] if "T9" in st][-1]
    assert s.contributions["false_remote_id"] == 10.0
    assert s.contributions["no_remote_id"] == 10.0
    assert any("false Remote ID" in r for r in s.reasons)
    assert set(s.contributions) == set(FACTORS)


def test_a_site_policy_without_the_weight_loads_with_the_shipped_one() -> None:
    from skywarden.airspace.policy import default_policy_path

    doc = load_yaml(default_policy_path())
    del doc["scoring"]["weights"]["false_remote_id"]
    assert parse_policy(doc, "site.yaml").scoring.weights.false_remote_id == 10.0
