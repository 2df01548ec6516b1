"""The ``border.json`` manifest of a border month (docs/month.md documents every key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from skywarden.sim.border_sectors import Tile, coverage_km
from skywarden.sim.month import POST_S, PRE_S, SCHEMA, MonthPlan, rate_weight


def manifest(plan: MonthPlan, version: str) -> dict[str, Any]:
    """The ``border.json`` document (docs/month.md)."""
    iso = "%Y-%m-%dT%H:%M:%SZ"
    sectors = [_sector(plan, t) for t in plan.tiles]
    return {
        "schema": SCHEMA,
        "skywarden_version": version,
        "seed": plan.seed,
        "start_t": plan.start_t,
        "end_t": plan.end_t,
        "start": datetime.fromtimestamp(plan.start_t, UTC).strftime(iso),
        "end": datetime.fromtimestamp(plan.end_t, UTC).strftime(iso),
        "days": plan.days,
        "border": {
            "source": "Natural Earth 1:10m boundary (src/skywarden/data/border_us_mx.geojson)",
            "length_km": round(plan.line.length_km, 3),
            "km_origin": "west end (Pacific), measured geodesically along the shipped line",
        },
        "tiling": {
            "tile_km": plan.tile_km,
            "overlap_margin_km": plan.margin_km,
            "note": "each sector's square covers its stretch plus the margin: neighbours"
            " overlap by at least twice the margin along the line",
        },
        "sampling": {
            "incursion_window_pre_s": PRE_S,
            "incursion_window_post_s": POST_S,
            "quiet_s_per_day": plan.quiet_s,
            "warmup_s": plan.warmup_s,
            **({"warmup_fed_s": plan.warmup_fed_s} if plan.warmup_fed_s is not None else {}),
            "note": "events in a window count with its weight: 1 in incursion windows,"
            " quiet time / sampled quiet time in quiet samples, 0 in the warm-up before"
            " each (see docs/month.md)",
        },
        "rate_model": plan.model.to_dict(),
        "incursions_in_truth": len(plan.incursions),
        "sectors": sectors,
    }


def _sector(plan: MonthPlan, t: Tile) -> dict[str, Any]:
    """One ``sectors[]`` entry: the tile, its sensors with the border km each covers, its
    windows and the scenario it ran."""
    sensors = []
    for s in t.doc["sensors"]:
        rng_m = float(s.get("range_max_m", 0.0))
        site = (float(s["site"]["lat"]), float(s["site"]["lon"]))
        covers = coverage_km(plan.line, site, rng_m) if s["kind"] in {"radar", "rf"} else []
        # the scenario's own sensor entry (id, kind, site, model parameters) and the
        # stretch of border within its range
        sensors.append({**s, "covers_border_km": covers})
    wins = plan.windows.get(t.id, [])
    la0, lo0 = plan.line.at(t.km0)
    la1, lo1 = plan.line.at(t.km1)
    return {
        "id": t.id,
        "name": t.doc["sector"]["name"],
        "stretch_km": [round(t.km0, 3), round(t.km1, 3)],
        "stretch_ends": [
            [round(float(lo0), 6), round(float(la0), 6)],
            [round(float(lo1), 6), round(float(la1), 6)],
        ],
        "origin": {"lat": t.origin[0], "lon": t.origin[1]},
        "extent_m": t.extent_m,
        "ground_alt_m": t.ground_alt_m,
        "polygon": t.polygon(),
        "airports": t.airports,
        "sensed": t.sensed,
        "unsensed_reason": t.unsensed_reason,
        "simulated": t.id in plan.windows,
        "run_dir": f"sectors/{t.id}" if t.id in plan.windows else None,
        "rate_weight_per_km": rate_weight(t, plan.model),
        "sensors": sensors,
        "windows": [w.to_dict() for w in wins],
        "simulated_s": {
            k: sum(w.seconds for w in wins if w.kind == k) for k in ("incursion", "quiet", "warmup")
        },
        "scenario": t.doc,
    }
