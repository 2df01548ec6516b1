"""Planned drones' verdicts by how soon after their window opened they crossed, month by
month: what a month's warm-up (``month run --warmup-s``) does to the drones that cross
early.

A warm-up is simulated before each run of windows so that the sky a counted window opens
on is not all young tracks (docs/month.md). A planned drone that launches at the line
crosses a minute or so after its window opens, while the run's background tracks are
only the warm-up plus that minute old; a drone that crosses later meets an older sky. So
a warm-up too short shows first in the earliest bins of this table.

Two months of the same plan at different warm-ups share their planned incursions but not
their backgrounds (a window's simulator seed comes from its run's first second, which
the warm-up moves), so one bin's difference may be either; the table says how many
drones each bin holds, so that a reader can see what a difference weighs.

    python bench/month_warmup.py /work/m/w120 /work/m/w60 [--units U120.json U60.json] \\
        [--out warmup.json]

Each month is a month directory; its units are judged as ``bench/month_units.py`` judges
them, or read from that bench's ``--out`` file (``--units``, one per month, in order).
A diagnostic that reads truth; no count does.
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
from month_diff import load_units  # the bench next door
from month_units import PLANNED

Unit = dict[str, Any]

#: seconds from the window's opening to the drone's first crossing, bin edges
EDGES = (0.0, 60.0, 90.0, 120.0, 150.0, 200.0, 300.0, float("inf"))


def window_opened(windows: list[dict[str, Any]], t: float) -> float | None:
    """The start of the counted window (not a warm-up) that holds ``t``; None if none."""
    for w in windows:
        if w.get("kind") != "warmup" and w["start_t"] <= t <= w["end_t"]:
            return float(w["start_t"])
    return None


def bin_of(s: float) -> int:
    """The bin of ``s`` seconds after a window opened (``EDGES``)."""
    for i in range(len(EDGES) - 1):
        if EDGES[i] <= s < EDGES[i + 1]:
            return i
    return 0  # before its window opened: cannot happen for a unit of a counted window


def label(i: int) -> str:
    hi = EDGES[i + 1]
    return f"{EDGES[i]:g}-{hi:g} s" if hi != float("inf") else f">= {EDGES[i]:g} s"


def by_bin(units: list[Unit], windows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per bin: planned drones' units, how many were counted, and the others' verdicts."""
    rows: list[dict[str, Any]] = [
        {"bin": label(i), "units": 0, "counted": 0, "not_counted": []}
        for i in range(len(EDGES) - 1)
    ]
    for u in units:
        if u["truth"] != PLANNED or u["weight"] != 1.0:
            continue
        opened = window_opened(windows.get(u["sector"], []), float(u["t"]))
        if opened is None:
            continue
        r = rows[bin_of(float(u["t"]) - opened)]
        r["units"] += 1
        if u["verdict"] == "counted":
            r["counted"] += 1
        else:
            r["not_counted"].append(
                {
                    k: u[k]
                    for k in ("unit", "sector", "day", "t", "verdict", "why", "tracks")
                    if k in u
                }
            )
    return rows


def sector_windows(month: Path) -> dict[str, list[dict[str, Any]]]:
    """Each sector's ``windows.json`` windows."""
    out = {}
    for f in sorted((month / "sectors").glob("*/windows.json")):
        doc = json.loads(f.read_text())
        out[f.parent.name] = doc["windows"] if isinstance(doc, dict) else doc
    return out


def warmup_s(month: Path) -> float | None:
    """The month's ``--warmup-s``, from its ``border.json``."""
    v = _sampling(month).get("warmup_s")
    return float(v) if v is not None else None


def warmup_fed_s(month: Path) -> float | None:
    """The month's ``--warmup-fed-s`` (the warm-up's last seconds the chain was fed), None
    when the whole warm-up was fed."""
    v = _sampling(month).get("warmup_fed_s")
    return float(v) if v is not None else None


def _sampling(month: Path) -> dict[str, Any]:
    doc = json.loads((month / "border.json").read_text())
    s = doc.get("sampling", {})
    return s if isinstance(s, dict) else {}


def column(m: dict[str, Any]) -> str:
    """A month's column heading: its warm-up, and what of it the chain was fed."""
    fed = m.get("warmup_fed_s")
    head = f"warm-up {m['warmup_s']:g} s" + (f", fed {fed:g} s" if fed is not None else "")
    return f"{head} ({m['name']})"


def table(months: list[dict[str, Any]]) -> Table:
    t = Table(
        title="planned drones counted, by seconds from their window's opening to the crossing"
    )
    t.add_column("crossed after")
    for m in months:
        t.add_column(column(m), justify="right")
    for i in range(len(EDGES) - 1):
        cells = []
        for m in months:
            r = m["bins"][i]
            cells.append(f"{r['counted']} / {r['units']}")
        t.add_row(label(i), *cells)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("months", type=Path, nargs="+", help="month directories")
    ap.add_argument(
        "--units", type=Path, nargs="*", default=None, help="month_units --out files, one per month"
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if args.units and len(args.units) != len(args.months):
        raise SystemExit("month_warmup: --units needs one file per month, in the months' order")
    months = []
    for i, m in enumerate(args.months):
        if not (m / "border.json").is_file():
            raise SystemExit(f"month_warmup: {m} is not a month directory (no border.json)")
        units = load_units(args.units[i] if args.units else m)
        months.append(
            {
                "name": m.name,
                "dir": str(m),
                "warmup_s": warmup_s(m),
                "warmup_fed_s": warmup_fed_s(m),
                "bins": by_bin(units, sector_windows(m)),
            }
        )
    Console().print(table(months))
    for m in months:
        for r in m["bins"][:3]:
            for u in r["not_counted"]:
                where = f"{m['name']}: {r['bin']}: {u['sector']} day {u['day']}"
                print(f"  {where} {u['verdict']}: {u['why']}")
    if args.out:
        doc = {
            "bench": "month_warmup",
            "method": "planned drones' units (weight 1) of each month, binned by seconds from "
            "the opening of the counted window that holds their first crossing; counted / units",
            "months": months,
        }
        args.out.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
