"""Throughput of the field's protocols on one core: CoT, CAT062, SAPIENT, exports.

    python bench/protocols.py [--points 20000] [--reports 5000]

Synthetic track points (100 tracks on random walks around El Paso, one update a second)
and a simulated SAPIENT radar node's DetectionReports. Writes
``bench/results/protocols.json`` and prints a table. Rates are single-threaded wall
clock, best of three; they say what one core of this machine sustains, not a target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "protocols"))  # the SAPIENT sensor-node simulator


def points(n: int, tracks: int = 100, seed: int = 1) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    steps = n // tracks
    lat = 31.76 + np.cumsum(rng.normal(0, 5e-5, (steps, tracks)), axis=0)
    lon = -106.43 + np.cumsum(rng.normal(0, 5e-5, (steps, tracks)), axis=0)
    alt = 1300.0 + np.cumsum(rng.normal(0, 1.0, (steps, tracks)), axis=0)
    out = []
    for k in range(steps):
        for j in range(tracks):
            cls = ("drone", "manned", "bird", "unknown")[j % 4]
            out.append(
                {
                    "t": 1_770_778_800.0 + k,
                    "track": f"T{j:06d}",
                    "status": "confirmed",
                    "lat": float(lat[k, j]),
                    "lon": float(lon[k, j]),
                    "alt_m": float(alt[k, j]),
                    "velocity": [3.0, -2.0, 0.1],
                    "cls": cls,
                    "class_probs": {cls: 1.0},
                    "identities": ["icao:a1b2c3"] if cls == "manned" else [],
                    "sensors": ["radar-downtown"],
                    "callsign": "SWA123" if cls == "manned" else None,
                }
            )
    return out


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=20_000)
    ap.add_argument("--reports", type=int, default=5_000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "protocols.json")
    args = ap.parse_args(argv)

    import asterix
    from sapient_node import SensorNode

    from skywarden import export as ex
    from skywarden.export.data import ExportData
    from skywarden.geo import LocalFrame
    from skywarden.ingest.sapient import SapientParser
    from skywarden.model import Detection, Position, SensorKind
    from skywarden.protocols import cot
    from skywarden.protocols.cat062 import Cat062Encoder
    from skywarden.protocols.cot_feed import CotFeed

    pts = points(args.points)
    n = len(pts)
    rows: list[dict[str, Any]] = []

    def row(what: str, count: int, seconds: float, unit: str) -> None:
        rows.append(
            {
                "what": what,
                "n": count,
                "seconds": round(seconds, 3),
                "per_s": round(count / seconds),
                "unit": unit,
            }
        )

    def cot_xml() -> None:
        for p in pts:
            ev = cot.track_event(p, interval_s=1.0)
            if ev is not None:
                cot.to_xml(ev)

    def cot_proto() -> None:
        for p in pts:
            ev = cot.track_event(p, interval_s=1.0)
            if ev is not None:
                cot.to_tak_proto(ev)

    def cot_feed() -> None:
        feed = CotFeed()
        for i in range(0, n, 100):
            for ev in feed.on_message("tracks", {"tracks": pts[i : i + 100]}):
                cot.to_xml(ev)

    row("CoT XML event (build + serialise)", n, best_of(cot_xml), "events")
    row("CoT TAK protobuf (XML -> takproto mesh)", n, best_of(cot_proto), "events")
    row("CoT live feed (bus batches of 100)", n, best_of(cot_feed), "updates")

    frame = LocalFrame(31.76, -106.43, 1150.0)
    data = Cat062Encoder(frame=frame).encode(pts)
    row(
        "ASTERIX CAT062 encode",
        n,
        best_of(lambda: Cat062Encoder(frame=frame).encode(pts)),
        "records",
    )
    row(
        "ASTERIX CAT062 decode (asterix-decoder, peer)",
        n,
        best_of(lambda: asterix.parse(data, verbose=False)),
        "records",
    )

    node = SensorNode("radar-bench", 31.77, -106.475, 1210.0)
    dets = [
        Detection(
            p["t"],
            "radar-bench",
            SensorKind.RADAR,
            position=Position(p["lat"], p["lon"], p["alt_m"]),
            attrs={"class_report": "drone", "class_confidence": 0.8},
        )
        for p in pts[: args.reports]
    ]
    stream = node.registration(dets[0].t) + node.detections(dets)

    def sapient() -> None:
        out = SapientParser("bench").feed(stream)
        assert len(out) == len(dets), len(out)

    row(
        "SAPIENT DetectionReport in (framing + ICD check + Detection)",
        len(dets),
        best_of(sapient),
        "messages",
    )

    export_data = ExportData(tracks=pts)
    for fmt in ("geojson", "kml", "csv", "cot", "asterix"):
        secs = best_of(lambda f=fmt: ex.render("tracks", f, export_data), repeat=1)  # type: ignore[misc]
        row(f"export tracks --format {fmt}", n, secs, "points")

    doc = {
        "method": (
            "One core, best of three (exports: one run), synthetic points: 100 tracks on "
            "random walks, 1 Hz. `python bench/protocols.py --points 20000 --reports 5000`."
        ),
        "machine": platform.processor() or platform.machine(),
        # the machine is shared: the load says how much of a core the figures had
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "rates": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    width = max(len(r["what"]) for r in rows)
    for r in rows:
        print(
            f"{r['what']:<{width}}  {r['n']:>7}  {r['seconds']:>8.3f} s"
            f"  {r['per_s']:>9,} {r['unit']}/s"
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
