"""Where the coverage-adjusted estimate's error comes from: sensed stretches or unsensed.

The estimate of a month (``analytics/coverage.py``) is a count where the sensors watch and
a rate assumption where they do not: an unsensed stretch gets the watched stretches'
crossings per km, times the rate model's relative weight. Its error against truth is then
two different things, and only one of them is the chain's:

* on **sensed** stretches, the incursion rule's count divided by the modelled detection
  probability, against the incursions that crossed there: the chain's error (and the
  detection model's);
* on **unsensed** stretches, the expected number against the number that happened to
  cross there: Poisson noise in the truth's draw that no sensor could have seen, plus any
  error of the rate assumption (here the simulator's own weights, so none by design).

``estimate_split`` reports both parts as shares of all the truth (they add up to the
total error), and the unsensed share of the truth against what the rate model expected,
so a month whose draw put more crossings in the unwatched stretches than the model
expects is not read as a counting error. Like the rest of the bench, it reads truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _err(value: float, truth: int) -> float | None:
    return round((value - truth) / truth, 4) if truth else None


def estimate_split(
    border: Mapping[str, Any],
    truth: Iterable[Mapping[str, Any]],
    segments: Sequence[Mapping[str, Any]],
    unfinished: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The estimate's error split between sensed and unsensed stretches.

    ``border``: the month's ``border.json``; ``truth``: ``truth_incursions.jsonl`` records
    (``stretch`` is the tile whose stretch the incursion crossed); ``segments``: the
    coverage record's stretches (``sector``, ``estimated``); sectors in ``unfinished`` are
    left out of everything, as the counts leave them out.
    """
    sensed = {str(s["id"]): bool(s.get("sensed")) for s in border["sectors"]}
    weight = {True: 0.0, False: 0.0}
    for s in border["sectors"]:
        if str(s["id"]) in unfinished:
            continue
        km = float(s["stretch_km"][1]) - float(s["stretch_km"][0])
        weight[bool(s.get("sensed"))] += km * float(s.get("rate_weight_per_km", 1.0))
    n = {True: 0, False: 0}
    for r in truth:
        owner = str(r.get("stretch") or r.get("sector"))
        if owner in unfinished or owner not in sensed:
            continue
        n[sensed[owner]] += 1
    est = {True: 0.0, False: 0.0}
    for seg in segments:
        owner = str(seg["sector"])
        if owner in sensed and owner not in unfinished:
            est[sensed[owner]] += float(seg["estimated"])
    total = n[True] + n[False]
    parts = {
        label: {
            "truth": n[key],
            "estimated": round(est[key], 1),
            "error_vs_its_truth": _err(est[key], n[key]),
            "share_of_total_error": round((est[key] - n[key]) / total, 4) if total else None,
        }
        for label, key in (("sensed", True), ("unsensed", False))
    }
    w_all = weight[True] + weight[False]
    return {
        **parts,
        "unsensed_share": {
            "truth": round(n[False] / total, 4) if total else None,
            "rate_model": round(weight[False] / w_all, 4) if w_all else None,
        },
        "note": "the two shares of the total error add up to it; on unsensed stretches "
        "the estimate is the rate model's expectation, so its error there is the truth's "
        "draw (Poisson), not the chain's count",
    }


def split_row(split: Mapping[str, Any]) -> tuple[str, str, str]:
    """One table row: the two parts of the estimate's error."""
    s, u, share = split["sensed"], split["unsensed"], split["unsensed_share"]

    def pct(v: float | None) -> str:
        return "-" if v is None else f"{v:+.1%}"

    def frac(v: float | None) -> str:  # None: no truth (a month planned with none)
        return "-" if v is None else f"{v:.1%}"

    return (
        "  estimate error: sensed + unsensed",
        f"{pct(s['share_of_total_error'])} {pct(u['share_of_total_error'])}",
        f"sensed {s['estimated']:.0f} for {s['truth']}; unsensed {u['estimated']:.0f} for"
        f" {u['truth']} (truth's unsensed share {frac(share['truth'])}, the rate model's"
        f" {frac(share['rate_model'])})",
    )
