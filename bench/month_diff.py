"""Two runs of the same month, unit by unit: what a tracker or rule change did to the count.

A tracker setting (``month run --tracker-config``) changes every track of a month, so its
totals can move for reasons that cancel. This matches the incursion rule's units of two
month directories of the same plan (same seed and days) by sector and crossing time and
lists what changed: units only one run has, and matched units whose verdict or truth
differs, with the weighted change of the count and of its planned and false parts.

Each side is a month directory (judged by ``bench/month_units.py``'s ``judge``) or that
bench's ``--out`` JSON. Reads truth only to name what a unit was, as ``month_units`` does.

    python bench/month_diff.py /work/m/base /work/m/turn [--tol-s 5] [--out diff.json]
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
from month_units import PLANNED, judge  # the bench next door

Unit = dict[str, Any]


def load_units(path: Path) -> list[Unit]:
    """A side's units: judged from a month directory, or read from ``month_units --out``."""
    if path.is_dir():
        if not (path / "border.json").is_file():
            raise SystemExit(f"month_diff: {path} is not a month directory (no border.json)")
        return judge(path)
    if not path.is_file():
        raise SystemExit(f"month_diff: {path}: no such month directory or units file")
    try:
        units = json.loads(path.read_text())["units"]
    except (ValueError, KeyError, TypeError) as e:
        raise SystemExit(f"month_diff: {path}: not a month_units --out file ({e})") from None
    return list(units)


def match(
    a: list[Unit], b: list[Unit], tol_s: float
) -> tuple[list[tuple[Unit, Unit]], list[Unit], list[Unit]]:
    """Pairs of units of the same sector whose crossing times are within ``tol_s``
    (closest pairs first, each unit used once), and the units of each side left over."""
    by_sector: dict[str, list[int]] = {}
    for j, ub in enumerate(b):
        by_sector.setdefault(ub["sector"], []).append(j)
    cand = []
    for i, ua in enumerate(a):
        for j in by_sector.get(ua["sector"], []):
            dt = abs(float(ua["t"]) - float(b[j]["t"]))
            if dt <= tol_s:
                cand.append((dt, i, j))
    cand.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in cand:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    pairs.sort(key=lambda p: (p[0]["sector"], p[0]["t"]))
    return (
        pairs,
        [u for i, u in enumerate(a) if i not in used_a],
        [u for j, u in enumerate(b) if j not in used_b],
    )


def _counted(u: Unit) -> bool:
    return u["verdict"] == "counted"


def _weighted(units: list[Unit]) -> dict[str, float]:
    """The count's weighted parts: planned incursions counted and anything else counted."""
    planned = sum(u["weight"] for u in units if _counted(u) and u["truth"] == PLANNED)
    false = sum(u["weight"] for u in units if _counted(u) and u["truth"] != PLANNED)
    return {
        "counted": round(planned + false, 1),
        "planned": round(planned, 1),
        "false": round(false, 1),
    }


def diff(a: list[Unit], b: list[Unit], tol_s: float) -> dict[str, Any]:
    """What differs between the two sides, and what it does to the count."""
    pairs, only_a, only_b = match(a, b, tol_s)
    changed = [
        {"a": ua, "b": ub}
        for ua, ub in pairs
        if ua["verdict"] != ub["verdict"] or ua["truth"] != ub["truth"]
    ]
    wa, wb = _weighted(a), _weighted(b)
    return {
        "units": {"a": len(a), "b": len(b)},
        "matched": len(pairs),
        "matched_same": len(pairs) - len(changed),
        "changed": changed,
        "only_a": only_a,
        "only_b": only_b,
        "count_a": wa,
        "count_b": wb,
        "count_change": {k: round(wb[k] - wa[k], 1) for k in wa},
        "tol_s": tol_s,
        "method": (
            "units of the incursion rule (weight > 0) of each side, matched within a sector by"
            f" crossing time within {tol_s:g} s, closest first, each once; truth is the nearest"
            " true target within 300 m (bench/month.py's attribution)"
        ),
    }


def table(d: dict[str, Any]) -> Table:
    """The differing units, one row each."""
    t = Table(
        title=f"units that differ ({d['matched_same']} of {d['matched']} matched are the same)"
    )
    for c in ("side", "sector", "day", "t", "weight", "verdict", "truth", "why"):
        t.add_column(c, justify="right" if c in ("day", "t", "weight") else "left")

    def row(side: str, u: Unit) -> None:
        t.add_row(
            side,
            u["sector"],
            str(u["day"]),
            f"{u['t']:.1f}",
            f"{u['weight']:g}",
            u["verdict"],
            u["truth"],
            str(u.get("why", ""))[:40],
        )

    for c in d["changed"]:
        row("a", c["a"])
        row("b", c["b"])
    for u in d["only_a"]:
        row("a only", u)
    for u in d["only_b"]:
        row("b only", u)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", type=Path, help="month directory or month_units --out JSON (the base)")
    ap.add_argument("b", type=Path, help="the same, for the run with the change")
    ap.add_argument("--tol-s", type=float, default=5.0, help="crossing times this close match")
    ap.add_argument("--out", type=Path, default=None, help="write the difference here (JSON)")
    args = ap.parse_args()
    if not args.tol_s >= 0.0:
        raise SystemExit(f"month_diff: --tol-s {args.tol_s}: must be >= 0")
    d = diff(load_units(args.a), load_units(args.b), args.tol_s)
    console = Console(width=max(Console().width, 140))
    console.print(table(d))
    console.print(
        f"units a {d['units']['a']}, b {d['units']['b']}; matched {d['matched']}"
        f" ({d['matched_same']} the same), only a {len(d['only_a'])}, only b {len(d['only_b'])}"
    )
    for k in ("counted", "planned", "false"):
        console.print(
            f"{k:>8}: a {d['count_a'][k]:,.1f}  b {d['count_b'][k]:,.1f}"
            f"  change {d['count_change'][k]:+,.1f}"
        )
    if args.out is not None:
        args.out.write_text(json.dumps(d, indent=1) + "\n")
        console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
