"""Explained threat score: named factors, each contribution kept, plus the kind of threat.

``score = sum(weight_f * value_f)`` over the factors of the policy (values in [0, 1],
weights summing to 100, plus ``false_remote_id``: a Remote ID the sensors contradict
adds its points on top, so a lying drone ranks above any honest worst case), so every
point of a score can be traced to a factor and a person can see *why* a track ranks
where it does. Factor values are computed for all tracks of
a step at once (:func:`factor_values`), then one :class:`ThreatScore` per track keeps the
contributions and plain-language reasons.

The *category* keeps incursion, safety hazard and attack apart, because they call for
different people and different measures: a smuggling run across the border is an
``incursion`` (border security); a drone near a runway or its approach path is a
``safety_hazard`` (the tower); ``attack_indicator`` is only ever set from explicit
evidence on the track (an ``attack:`` tag from an operator or intelligence source),
never inferred from kinematics, because that word closes airspace and moves troops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.airspace._arrays import columns
from skywarden.airspace.policy import Scoring
from skywarden.geo import M_PER_FT

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FACTORS = (
    "drone_class",
    "approach_proximity",
    "closing",
    "manned_altitude",
    "behaviour",
    "no_remote_id",
    "border_crossing",
    "false_remote_id",
)

INCURSION = "incursion"
SAFETY_HAZARD = "safety_hazard"
ATTACK_INDICATOR = "attack_indicator"
OBSERVATION = "observation"


@dataclass(frozen=True, slots=True)
class ThreatScore:
    """A track's score at time ``t``: total, per-factor points, category and reasons.

    ``points`` holds each factor's contribution in :data:`FACTORS` order; the
    ``contributions`` mapping and the plain-language ``reasons`` are derived on demand, so
    scoring 10,000 tracks a second does not format 10,000 explanations nobody reads.
    """

    track: str
    t: float
    score: float
    points: tuple[float, ...]
    category: str
    p_drone: float = 0.0
    path_distance_m: float = float("inf")

    @property
    def contributions(self) -> dict[str, float]:
        return dict(zip(FACTORS, self.points, strict=True))

    @property
    def reasons(self) -> tuple[str, ...]:
        """``+25 420 m from the nearest runway/approach path``, largest first."""
        out = []
        for f, pts in sorted(self.contributions.items(), key=lambda kv: -kv[1]):
            if pts < 0.5:
                continue
            arg = self.p_drone if f == "drone_class" else self.path_distance_m
            out.append(f"+{pts:.0f} {_REASON[f].format(arg)}")
        return tuple(out)

    def to_dict(self) -> dict[str, object]:
        return {
            "track": self.track,
            "t": self.t,
            "score": round(self.score, 1),
            "contributions": {k: round(v, 1) for k, v in self.contributions.items()},
            "category": self.category,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class FactorInputs:
    """Per-track inputs of one step (arrays of equal length)."""

    p_drone: FloatArray
    path_distance_m: FloatArray  # to the nearest runway / approach / departure path
    closing_strength: FloatArray  # 0..1, 1 = closest approach imminent
    in_corridor: BoolArray
    height_agl_m: FloatArray
    behaviour: FloatArray  # 0..1 from recent loiter/drop/group events
    has_rid: BoolArray  # a Remote ID that was not flagged as false
    crossed_recently: BoolArray
    # the tracker flagged the track's Remote ID as contradicted by the sensors; a flagged
    # track also has has_rid False, so it scores no_remote_id AND false_remote_id:
    # a false identity is worse than none. None: no track flagged.
    false_rid: BoolArray | None = None


def factor_values(inp: FactorInputs, scoring: Scoring) -> FloatArray:
    """(n, len(FACTORS)) factor values in [0, 1], vectorised."""
    band_m = scoring.manned_band_agl_ft * M_PER_FT
    manned_alt = np.where(inp.in_corridor, 1.0, np.where(inp.height_agl_m > band_m, 0.7, 0.0))
    cols = [
        np.clip(inp.p_drone, 0.0, 1.0),
        np.exp(-np.maximum(inp.path_distance_m, 0.0) / scoring.proximity_scale_m),
        np.clip(inp.closing_strength, 0.0, 1.0),
        manned_alt,
        np.clip(inp.behaviour, 0.0, 1.0),
        (~inp.has_rid).astype(float),
        inp.crossed_recently.astype(float),
        (
            np.zeros(len(inp.p_drone))
            if inp.false_rid is None
            else inp.false_rid.astype(float)
        ),
    ]
    return columns(cols)


def weight_vector(scoring: Scoring) -> FloatArray:
    w = scoring.weights
    return np.array([getattr(w, f) for f in FACTORS], dtype=float)


def categories(values: FloatArray, in_corridor: BoolArray, attack_evidence: BoolArray) -> list[str]:
    """Attack only with evidence; else hazard near runways; else incursion; else observation."""
    prox = values[:, FACTORS.index("approach_proximity")]
    closing = values[:, FACTORS.index("closing")]
    crossed = values[:, FACTORS.index("border_crossing")]
    hazard = in_corridor | (closing > 0) | (prox > 0.5)
    cat = np.where(
        attack_evidence,
        ATTACK_INDICATOR,
        np.where(hazard, SAFETY_HAZARD, np.where(crossed > 0, INCURSION, OBSERVATION)),
    )
    return [str(c) for c in cat]


_REASON = {
    "drone_class": "classified drone with p={:.2f}",
    "approach_proximity": "{:.0f} m from the nearest runway/approach path",
    "closing": "closing on a runway path",
    "manned_altitude": "in the altitude band of manned traffic",
    "behaviour": "recent loiter/drop/group behaviour",
    "no_remote_id": "no Remote ID broadcast",
    "border_crossing": "crossed the border recently",
    "false_remote_id": "false Remote ID: its claims contradict the sensors",
}


def explain(
    tracks: list[str],
    t: FloatArray,
    values: FloatArray,
    weights: FloatArray,
    cats: list[str],
    inp: FactorInputs,
) -> list[ThreatScore]:
    """One :class:`ThreatScore` per track (contributions = value x weight per factor)."""
    contrib = values * weights[None, :]
    totals = contrib.sum(axis=1).tolist()
    rows = contrib.tolist()
    tl = t.tolist()
    pd = inp.p_drone.tolist()
    dist = inp.path_distance_m.tolist()
    return [
        ThreatScore(tid, tl[k], totals[k], tuple(rows[k]), cats[k], pd[k], dist[k])
        for k, tid in enumerate(tracks)
    ]
