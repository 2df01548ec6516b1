"""A unit as ``bench/month_units.py`` writes it, for the tests of the benches that read
units (``month_diff``, ``month_warmup``)."""

from __future__ import annotations

from typing import Any


def unit_row(
    sector: str, t: float, verdict: str = "counted", truth: str = "month drone", w: float = 1.0
) -> dict[str, Any]:
    """One judged unit of ``sector`` first crossing at ``t``."""
    return {
        "unit": f"{sector}-{t}",
        "sector": sector,
        "day": 1,
        "t": t,
        "weight": w,
        "verdict": verdict,
        "why": "",
        "truth": truth,
        "tracks": [],
    }
