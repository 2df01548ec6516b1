"""A ``Stats`` record to report on, in its JSON form, with hostile names where data
carries names (sectors, airports, incident kinds, method texts, notes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from skywarden.analytics import Stats

# What a stored name could be: markup, a script, a ReportLab tag and mathtext all at once.
HOSTILE = "<img src=x onerror=\"window.__pwned=1\"><script>alert(1)</script><font size=99>$x^2$"
T0 = 1_769_904_000.0  # 2026-02-01T00:00:00Z


def _stats(hostile: str = HOSTILE) -> dict[str, Any]:
    import h3

    cells = [
        h3.latlng_to_cell(31.7543, -106.4367, 8),  # El Paso (partners get resolution 7)
        h3.latlng_to_cell(31.7550, -106.4400, 8),
        h3.latlng_to_cell(31.3340, -110.9410, 8),  # Nogales
    ]
    hot = []
    for n, c in enumerate(cells):
        lat, lon = h3.cell_to_latlng(c)
        hot.append({"cell": c, "resolution": 8, "count": 7 - 2 * n, "lat": lat, "lon": lon})
    record = {
        "source": "/srv/month/2026-02",
        "kind": "month",
        "period": {"start": T0, "end": T0 + 3 * 86400, "start_iso": None, "end_iso": None},
        "rule": "incursion",
        "counts": [
            {"rule": "alert", "count": 4321, "method": "every sensor's alert"},
            {"rule": "track", "count": 1777, "method": "fused tracks that crossed"},
            {"rule": "incursion", "count": 1234, "method": f"de-duplicated: {hostile}"},
        ],
        "breakdown": {
            "by_sector": {"el-paso": 700, hostile: 534},
            "by_day": {"2026-02-01": 400, "2026-02-02": 410, "2026-02-03": 424},
            "by_hour": [40 + h for h in range(24)],
            "by_weekday": {"Sun": 400, "Mon": 410, "Tue": 424},
            "by_direction": {"N": 1100, "S": 134},
            "identified": 41,
        },
        "coverage": {
            "border_km": 3141.0,
            "sets": [
                {"name": "radar-secret-site", "sensors": ["radar-7"], "share": 0.31,
                 "mean_p_detect": 0.8},
                {"name": "all", "sensors": ["radar-7", "rf-2"], "share": 0.58,
                 "mean_p_detect": 0.7},
            ],
            "p_detect_mean": 0.41,
            "counted": 1234,
            "estimated": 1500.0,
            "unseen": 266.0,
            "low": 1420.0,
            "high": 1610.0,
            "confidence": 0.95,
            "method": "counted / P(detect) per segment",
            "assumptions": ["crossings uniform along a segment"],
            "segments": [],
        },
        "hotspots": hot,
        "behaviours": {
            "drops": 17,
            "loiters": 23,
            "drop_points": [{"t": T0, "lat": 31.75431, "lon": -106.43671, "sector": "el-paso",
                             "track": "T000042"}],
            "loiter_points": [],
        },
        "runway_pauses": [
            {"airport": "KELP", "minutes": 45.5, "by_runway": {"26L": 45.5}, "measures": 3},
            {"airport": hostile, "minutes": 12.0, "by_runway": {}, "measures": 1},
        ],
        "incidents_by_kind": {"border_crossing": 900, hostile: 5},
        "sectors": ["el-paso", hostile],
        "notes": ["internal: radar-7 was down on 2026-02-02"],
    }
    # through the real record: a field renamed there fails here, not in production
    return Stats.model_validate(record).model_dump(mode="json")


@pytest.fixture
def make_stats() -> Callable[..., dict[str, Any]]:
    """A function: ``make_stats(hostile=...)`` -> a Stats record in JSON form."""
    return _stats


@pytest.fixture
def hostile() -> str:
    return HOSTILE
