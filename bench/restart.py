"""Benchmark: how long a restart an hour into a night keeps the picture frozen.

Issue 12, finding 11: after a SIGKILL one hour into a night, the service re-ran 2,688
scans at 100% CPU before serving new data (about 45 s frozen). Goal: serving live data
within 5 s of a restart an hour into a night.

What runs (in-process, the same objects ``skywarden serve`` builds, on SQLite):

1. **the night**: the El Paso scenario (simulator, tracker, airspace analysis, laser
   hold-fire) through the pipeline for ``--minutes`` of scenario time plus ``--extra``
   scans, as fast as it goes, with a snapshot every ``--snapshot-every`` scans; then the
   process "dies" (the store is left as a kill leaves it: committed up to the cursor);
2. **restart with snapshots**: ``launch.build`` (store, stages, ids, seeding) and the
   pipeline up to the first *new* scan stored and published; the wall time from the start
   of ``build`` to that publish is the *frozen* time;
3. **restart without snapshots** (the store's snapshots deleted, so the old behaviour of
   replaying every scan from the start of the source): the same measurement.

``--extra`` scans past the last snapshot are replayed on the restart (30 is the average
case for snapshots every 60 scans, the default; 59 is the worst).

    .venv/bin/python bench/restart.py                       # 60 minutes, 30 extra scans
    .venv/bin/python bench/restart.py --minutes 10 --skip-baseline
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"
PLAN = ROOT / "scenarios" / "el-paso-laser.yaml"
OUT = ROOT / "bench" / "results" / "restart.json"


def night(url: str, scans: int, every: int) -> dict[str, Any]:
    """Run ``scans`` scans of the scenario into ``url`` (then "die")."""
    from skywarden.pipeline import run_to_end
    from skywarden.service.launch import build

    t0 = time.perf_counter()
    launched = build(url, SCENARIO, 1.0, [], 1, PLAN, duration_s=scans + 600.0)
    p = launched.pipeline
    assert p is not None
    p.snapshot_every = every
    run_to_end(p, itertools.islice(p.source.scans(), scans))
    launched.db.dispose()
    return {"scans": scans, "seconds": round(time.perf_counter() - t0, 1)}


class Published(Exception):
    """Raised from the bus to stop the run at the first live publish."""


def restart(url: str, scans: int) -> dict[str, Any]:
    """Wall time from ``build`` to the first new scan published, and what it replayed."""
    from skywarden.service.launch import build

    t0 = time.perf_counter()
    launched = build(url, SCENARIO, 1.0, [], 1, PLAN, duration_s=scans + 600.0)
    t_built = time.perf_counter()
    p = launched.pipeline
    assert p is not None
    first: dict[str, float] = {}

    class Bus:
        async def publish(self, topic: str, data: dict[str, Any]) -> None:
            if topic == "tracks":
                first["t"] = time.perf_counter()
                raise Published

        def subscribe(self, topics: Any) -> Any:
            raise NotImplementedError

        async def close(self) -> None:
            return None

    p.bus = Bus()  # type: ignore[assignment]
    with contextlib.suppress(Published):
        asyncio.run(p.run())
    launched.db.dispose()
    return {
        "frozen_s": round(first["t"] - t0, 2),
        "build_s": round(t_built - t0, 2),
        "snapshot_scan": p.restored[1] if p.restored else None,
        "replayed_scans": p.fast_forwarded,
        "skipped_scans": p.skipped,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--extra", type=int, default=30, help="scans past the last snapshot")
    ap.add_argument("--snapshot-every", type=int, default=60)
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    scans = int(args.minutes * 60) + args.extra
    work = Path(tempfile.mkdtemp(prefix="skywarden-restart-"))
    try:
        url = f"sqlite:///{work / 'night.db'}"
        ran = night(url, scans, args.snapshot_every)
        print(f"night: {ran['scans']} scans in {ran['seconds']} s", flush=True)
        shutil.copyfile(work / "night.db", work / "base.db")
        for ext in ("-wal", "-shm"):
            if (work / f"night.db{ext}").exists():
                shutil.copyfile(work / f"night.db{ext}", work / f"base.db{ext}")
        rows = [{"restart": "with snapshots", **restart(url, scans)}]
        print(rows[-1], flush=True)
        if not args.skip_baseline:
            import sqlite3

            con = sqlite3.connect(work / "base.db")
            con.execute("DELETE FROM state_snapshots")
            con.commit()
            con.close()
            rows.append(
                {
                    "restart": "without (replay all)",
                    **restart(f"sqlite:///{work / 'base.db'}", scans),
                }
            )
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"| restart after {scans} scans | frozen s | build s | replayed scans | snapshot at |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['restart']} | {r['frozen_s']} | {r['build_s']} | "
            f"{r['replayed_scans'] + r['skipped_scans']} | {r['snapshot_scan']} |"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "bench": "restart",
                "goal": "serving live data within 5 s of a restart an hour into a night",
                "args": vars(args),
                "night": ran,
                "rows": rows,
                "host": {
                    "cpus": os.cpu_count(),
                    "load": os.getloadavg(),
                    "python": platform.python_version(),
                },
                "t": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
