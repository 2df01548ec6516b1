"""Every unit of a month's incursion rule, judged against the simulator's truth.

``bench/month.py`` gives the month's totals; this lists the units behind them that
matter for the error: the units the rule **counted** that were not a planned incursion
(birds, clutter, background drones) and the planned incursions it **set apart**
(suspected, first seen in the US, origin unseen). For each: sector, time, weight (1 in an
incursion window, ~288 in a quiet sample), what it was (the nearest true target within
300 m, ``bench/month.py``'s attribution), the rule's reason, the evidence share the rule
read, the sensors of its tracks and the tracks themselves, so the next engineer can go
straight to the track updates.

A diagnostic that reads truth, as ``bench/month.py``'s attribution does; no count does.

    python bench/month_units.py --from /tmp/m8/month --out /tmp/m8/units.json
    python bench/month_units.py --from /tmp/m8/month --all     # every unit
    python bench/month_units.py --from /tmp/m8/month --rf-beside-s 0  # one rule off
    python bench/month_units.py --from /tmp/m8/month --param rf_located_m=inf  # any
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from month import attribution  # the bench next door
from month import parse_params as month_params

#: roles that are the month's planned incursions
PLANNED = "month drone"


def judge(month: Path, **changed: Any) -> list[dict[str, Any]]:
    """Every northbound unit of the incursion rule with its verdict and its truth role
    (``changed``: the rule's parameters to set, by their ``CountingRule`` names)."""
    from skywarden.analytics import counting, sources, unit_checks

    mat = sources.load(month)
    p = counting.CountingRule(**changed)
    judged = [(u, k, why) for u, k, why in counting.judged(mat, params=p) if u.weight > 0.0]
    roles: dict[str, str] = {}
    attribution(month, {"all": [u for u, _, _ in judged]}, roles=roles)
    t0 = float(json.loads((month / "border.json").read_text())["start_t"])
    rows = []
    for u, kind, why in judged:
        spans = unit_checks.unit_spans(mat, u)
        shares = unit_checks.evidence_shares(mat, spans, u, p)
        sensors = sorted({s for sp in spans for s in sp.sensors_by(u.t + p.alert_window_s)})
        rows.append(
            {
                "unit": u.id,
                "sector": u.sector,
                "day": int((u.t - t0) // 86400.0) + 1,
                "t": round(u.t, 1),
                "weight": round(u.weight, 1),
                "verdict": kind or "counted",
                "why": why or "",
                "truth": roles.get(u.id, "?"),
                "evidence": [sum(x[0] for x in shares), sum(x[1] for x in shares)]
                if shares
                else None,
                "sensors": sensors,
                "tracks": list(u.tracks),
            }
        )
    return rows


def wrong(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The units that make the count's error: counted and not planned, or planned and
    set apart."""
    return [r for r in rows if (r["verdict"] == "counted") != (r["truth"] == PLANNED)]


def table(rows: list[dict[str, Any]]) -> Table:
    t = Table(title="incursion units (truth: nearest true target within 300 m)")
    for c in ("unit", "sector", "day", "weight", "verdict", "truth", "evidence", "sensors"):
        t.add_column(c, justify="right" if c in ("day", "weight") else "left")
    for r in rows:
        ev = f"{r['evidence'][0]}/{r['evidence'][1]}" if r["evidence"] else "-"
        sensors = ",".join(s.split("-", 1)[-1] for s in r["sensors"])
        t.add_row(
            r["unit"],
            r["sector"],
            str(r["day"]),
            f"{r['weight']:g}",
            r["verdict"],
            r["truth"],
            ev,
            sensors[:40],
        )
    return t


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Weighted totals by verdict and truth, and the units in quiet samples."""
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        cell = out.setdefault(r["verdict"], {})
        cell[r["truth"]] = round(cell.get(r["truth"], 0.0) + r["weight"], 1)
    return {
        "by_verdict_and_truth": out,
        "quiet_sample_units": [r["unit"] for r in rows if r["weight"] > 1.0],
    }


def parse_params(items: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` items as the rule's parameters (:func:`month.parse_params`)."""
    return month_params(items, "month_units")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="src", type=Path, required=True, help="a month directory")
    ap.add_argument("--out", type=Path, default=None, help="write every unit here (JSON)")
    ap.add_argument("--all", action="store_true", help="print every unit, not only the wrong")
    ap.add_argument(
        "--rf-beside-s",
        type=float,
        default=None,
        help="the rule's off-ray scope (stats --rf-beside-s; 0: not asked), to see what it costs",
    )
    ap.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set any of the rule's parameters (CountingRule's field names, e.g. "
        "rf_located_m=inf), to see what it costs; repeatable",
    )
    args = ap.parse_args()
    if not (args.src / "border.json").is_file():
        raise SystemExit(f"month_units: {args.src} is not a month directory (no border.json)")
    changed = parse_params(args.param)
    if args.rf_beside_s is not None:
        changed["rf_beside_s"] = args.rf_beside_s
    rows = judge(args.src, **changed)
    shown = rows if args.all else wrong(rows)
    console = Console(width=max(Console().width, 140))
    console.print(table(shown))
    s = summary(rows)
    console.print(json.dumps(s["by_verdict_and_truth"], indent=1))
    if args.out is not None:
        args.out.write_text(json.dumps({"summary": s, "units": rows}, indent=1) + "\n")
        console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
