"""The evidence gate: which drone tracks may stop traffic, and on what evidence.

DESIGN, "evidence before disruption": a runway pause or a TFR rests on a track that is a
drone at ``evidence.min_p_drone``, exists at ``evidence.min_p_exist`` (the tracker's
IPDA-style existence probability) and is *corroborated*: ``min_kinds`` independent kinds
of evidence among ``counting_kinds`` (the tracker's ``TrackUpdate.corroboration``; a
Remote ID serial on the track counts as ``remote_id``), or *persistence*: a runway hazard
at that probability, continuously (gaps up to ``persistence_gap_s``), for
``persistence_s``, or for ``persistence_one_kind_s`` when the track already has one
counting kind. A track that is a hazard but not verified is answered with ``verify``.

:class:`EvidenceGate` keeps each track's persistence clock in arrays indexed by the
analyzer's track rows, so one step over thousands of tracks is a few array operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from skywarden.airspace.policy import Evidence
from skywarden.airspace.track_table import Batch
from skywarden.model import EVIDENCE_KINDS

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

PERSISTENCE = "persistence"

# How each kind reads in a recommendation's reasons.
WORDS = {
    "radar_class": "radar classifier",
    "rf_geometry": "RF bearings fit",
    "remote_id": "Remote ID broadcast",
    "visual": "visual report",
    "kinematics": "drone-like motion",
}


@lru_cache(maxsize=1024)
def kinds_of(corroboration: tuple[str, ...], has_rid: bool) -> tuple[str, ...]:
    """All evidence kinds on a track, in ``EVIDENCE_KINDS`` order (cached: tracks carry
    a handful of distinct combinations, asked for every step)."""
    got = set(corroboration)
    if has_rid:
        got.add("remote_id")
    return tuple(k for k in EVIDENCE_KINDS if k in got)


@dataclass(frozen=True)
class Verdicts:
    """The gate's answer for one batch (arrays aligned with the batch)."""

    kinds: list[tuple[str, ...]]  # every kind present (kinematics included)
    n_counting: IntArray  # kinds that count towards min_kinds
    strong: BoolArray  # p_drone and p_exist at the evidence floors
    corroborated: BoolArray  # strong and min_kinds counting kinds
    held_s: FloatArray  # seconds the track has been a strong hazard without a break
    persisted: BoolArray  # strong hazard for persistence_s
    verified: BoolArray  # may cause a pause or a TFR

    def evidence(self, k: int) -> tuple[str, ...]:
        """What a measure caused by track ``k`` rests on: its kinds, plus persistence
        when that is what verified it."""
        if self.persisted[k] and not self.corroborated[k]:
            return (*self.kinds[k], PERSISTENCE)
        return self.kinds[k]


class EvidenceGate:
    """Per-track persistence clocks and the verified / corroborated masks."""

    def __init__(self, spec: Evidence) -> None:
        self.spec = spec
        self.counting = frozenset(spec.counting_kinds)
        self._counted: dict[tuple[str, ...], int] = {}  # per kinds_of answer
        self.since = np.full(64, np.nan)
        self.last = np.full(64, -np.inf)

    def grow(self, n: int) -> None:
        if n > len(self.since):
            extra = max(n, 2 * len(self.since)) - len(self.since)
            self.since = np.concatenate([self.since, np.full(extra, np.nan)])
            self.last = np.concatenate([self.last, np.full(extra, -np.inf)])

    def forget(self, rows: IntArray) -> None:
        self.since[rows] = np.nan
        self.last[rows] = -np.inf

    def n_counting(self, kinds: tuple[str, ...]) -> int:
        """How many of ``kinds`` count towards ``min_kinds`` (memoised per combination:
        tracks carry a handful of distinct ones, asked for every step)."""
        n = self._counted.get(kinds)
        if n is None:
            n = self._counted[kinds] = sum(k in self.counting for k in kinds)
        return n

    def step(self, t: float, b: Batch, hazard: BoolArray) -> Verdicts:
        """Verdicts for batch ``b`` at time ``t``; ``hazard`` marks the tracks that would
        cause a pause now (in a corridor within the pause range, or closing on one)."""
        spec = self.spec
        self.grow(b.row_cap)
        kinds = [
            kinds_of(tuple(u.corroboration), r)
            for u, r in zip(b.updates, b.has_rid.tolist(), strict=True)
        ]
        n_counting = np.array([self.n_counting(ks) for ks in kinds], dtype=np.intp)
        strong = (b.p_drone >= spec.min_p_drone) & (b.p_exist >= spec.min_p_exist)
        rows = b.rows
        live = hazard & strong
        broken = ~(t - self.last[rows] <= spec.persistence_gap_s) | np.isnan(self.since[rows])
        start = rows[live & broken]
        self.since[start] = t
        self.last[rows[live]] = t
        # A hazard that stopped (or weakened) longer ago than the gap restarts the clock.
        stopped = rows[~live & (t - self.last[rows] > spec.persistence_gap_s)]
        self.since[stopped] = np.nan
        held = np.where(live, t - self.since[rows], 0.0)
        persisted = live & (held >= spec.persistence_s)
        if spec.persistence_one_kind_s is not None:
            # one independent kind already + a shorter watch (policy.yaml says why)
            persisted |= live & (n_counting >= 1) & (held >= spec.persistence_one_kind_s)
        corroborated = strong & (n_counting >= spec.min_kinds)
        return Verdicts(
            kinds=kinds,
            n_counting=n_counting,
            strong=strong,
            corroborated=corroborated,
            held_s=held,
            persisted=persisted,
            verified=corroborated | persisted,
        )


def describe(v: Verdicts, k: int, p_drone: float, spec: Evidence, gate_note: bool) -> str:
    """One line in words: "drone 0.93; radar classifier + RF bearings fit; 42 s a runway
    hazard"; with ``gate_note``, what an unverified track still lacks."""
    kinds = v.kinds[k]
    said = " + ".join(WORDS[x] for x in kinds) if kinds else "no corroborating evidence"
    if len(kinds) == 1:
        said += " only"
    parts = [f"drone {p_drone:.2f}", said]
    if v.held_s[k] > 0:
        parts.append(f"{v.held_s[k]:.0f} s a runway hazard")
    if v.persisted[k] and not v.corroborated[k]:
        one = spec.persistence_one_kind_s
        watch = one if one is not None and v.n_counting[k] >= 1 else spec.persistence_s
        parts.append(f"verified by persistence ({watch:g} s)")
    elif gate_note and not v.verified[k]:
        one = spec.persistence_one_kind_s
        alt = f" ({one:g} s with one kind)" if one is not None else ""
        parts.append(
            f"unverified: a pause needs drone >= {spec.min_p_drone:g} with {spec.min_kinds} "
            f"kinds of evidence or {spec.persistence_s:g} s as a hazard{alt}"
        )
    return "; ".join(parts)
