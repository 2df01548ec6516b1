"""Benchmark: what the evidence hash chain costs, off vs on.

Issue 16, "Evidence-grade replay": every accepted raw input record is hash-chained at
ingest. Goal: cheap enough to leave on. Three measurements, each with the chain off and
on (alternating, best of ``--repeats``):

1. **chain alone**: records/s of ``Chain.append`` and of the run directory's writer
   (hash + JSON line + write) over a recorded run's detection lines, next to the
   ingest parsers' lines/s from ``bench/results/ingest.json`` (when present);
2. **skywarden run**: CPU time of ``skywarden run`` (simulator, tracker, analyzer,
   files) over ``--duration`` seconds of the El Paso scenario, without and with
   ``--evidence``;
3. **the pipeline into a store**: ``run_to_end`` of a ``detections:`` source into SQLite
   (what ``skywarden serve --source`` does), with the pipeline's evidence hook replaced
   by a no-op (off) or as shipped (on): records chained, heads and digests committed.

Times are this process's CPU seconds (``time.process_time``), best of the repeats: on a
machine shared by other jobs wall time measures them more than the chain.

    .venv/bin/python bench/evidence.py                  # 300 s run, 120 store scans
    .venv/bin/python bench/evidence.py --duration 120 --store-scans 60 --repeats 1

Writes ``bench/results/evidence.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"
OUT = ROOT / "bench" / "results" / "evidence.json"


def run_dir(out: Path, duration: float, evidence: bool) -> float:
    """CPU seconds of this process for ``skywarden run`` (its file-writing core) into
    ``out``: on a shared, loaded machine wall time measures the neighbours."""
    from skywarden.commands.run import _chain_to_files, _write_outputs

    out.mkdir(parents=True, exist_ok=True)
    t0 = time.process_time()
    res = _chain_to_files(SCENARIO, out, 1, duration, False, evidence)
    _write_outputs(SCENARIO, out, 1, res)
    return time.process_time() - t0


def chain_alone(lines: list[str], t: float) -> dict[str, float]:
    from skywarden.evidence.chain import Chain, Kind
    from skywarden.evidence.rawlog import RunChainWriter

    raws = [ln.rstrip("\n").encode() for ln in lines]
    c = Chain()
    t0 = time.perf_counter()
    for r in raws:
        c.append(t, Kind.DETECTION, r)
    hash_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        w = RunChainWriter(Path(tmp))
        t0 = time.perf_counter()
        for k in range(0, len(lines), 30):
            w.scan(t, lines[k : k + 30])
        w.close()
        write_s = time.perf_counter() - t0
    return {
        "records": len(raws),
        "hash_per_s": len(raws) / hash_s,
        "hash_us_per_record": 1e6 * hash_s / len(raws),
        "writer_per_s": len(raws) / write_s,
        "writer_us_per_record": 1e6 * write_s / len(raws),
        "mean_record_bytes": sum(map(len, raws)) / len(raws),
    }


class _Off:
    """The pipeline's evidence hook, doing nothing (the chain off)."""

    def start(self, *_: object) -> None: ...
    def take(self, *_: object) -> None: ...
    def write(self, *_: object) -> None: ...
    def commit(self, *_: object) -> None: ...


def store_run(detections: Path, scans: int, evidence: bool) -> dict[str, float]:
    from skywarden.pipeline import run_to_end
    from skywarden.service.launch import build

    with tempfile.TemporaryDirectory() as tmp:
        launched = build(f"sqlite:///{tmp}/s.db", None, 1.0, [f"detections:{detections}"])
        p = launched.pipeline
        assert p is not None
        if not evidence:
            p.evidence = _Off()  # type: ignore[assignment]
        todo = list(p.source.scans())[:scans]
        n_det = sum(len(s.detections) for s in todo)
        t0, c0 = time.perf_counter(), time.process_time()
        run_to_end(p, todo)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        launched.db.dispose()
    n = len(todo)
    return {
        "scans": n,
        "detections": n_det,
        "wall_s": wall,
        "cpu_s": cpu,
        "scans_per_cpu_s": n / cpu,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=300.0, help="scenario seconds to run")
    ap.add_argument("--store-scans", type=int, default=120, help="scans into the store")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        run_dir(base / "warmup", min(a.duration, 30.0), True)  # imports, caches: not timed
        runs: dict[str, list[float]] = {"off": [], "on": []}
        for k in range(a.repeats):
            for mode in ("off", "on"):
                runs[mode].append(run_dir(base / f"{mode}{k}", a.duration, mode == "on"))
        rec = base / "on0"
        same = all(
            (base / "off0" / f).read_bytes() == (rec / f).read_bytes()
            for f in ("detections.jsonl", "tracks.jsonl", "incidents.json")
        )
        lines = (rec / "detections.jsonl").read_text().splitlines(keepends=True)
        t_scan = json.loads(lines[0])["t"]
        alone = chain_alone(lines, t_scan)
        stores: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
        for _ in range(a.repeats):
            for mode in ("off", "on"):
                on = mode == "on"
                stores[mode].append(store_run(rec / "detections.jsonl", a.store_scans, on))

    best_run = {m: min(v) for m, v in runs.items()}
    best_store = {m: min(v, key=lambda r: r["cpu_s"]) for m, v in stores.items()}
    ingest = {}
    ing = ROOT / "bench" / "results" / "ingest.json"
    if ing.is_file():
        for r in json.loads(ing.read_text()).get("results", []):
            if not r.get("peer"):
                ingest[f"{r['format']}: {r['what']}"] = r["per_s"]
    doc: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "loadavg_at_end": list(os.getloadavg()),
            "platform": platform.platform(),
        },
        "args": {"duration_s": a.duration, "store_scans": a.store_scans, "repeats": a.repeats},
        "chain_alone": alone,
        "ingest_parsers_per_s": ingest,
        "run": {
            "records": alone["records"],
            "cpu_s_off": best_run["off"],
            "cpu_s_on": best_run["on"],
            "overhead": best_run["on"] / best_run["off"] - 1.0,
            "all_s": runs,
            "outputs_identical_off_vs_on": same,
        },
        "store": {
            "off": best_store["off"],
            "on": best_store["on"],
            "overhead": best_store["on"]["cpu_s"] / best_store["off"]["cpu_s"] - 1.0,
            "all": stores,
        },
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{'measurement':44} {'off':>12} {'on':>12} {'overhead':>9}")
    print(f"{'chain alone: records/s hashed':44} {'':>12} {alone['hash_per_s']:12,.0f}")
    print(f"{'chain alone: records/s hashed+written':44} {'':>12} {alone['writer_per_s']:12,.0f}")
    label = f"skywarden run {a.duration:g} s ({alone['records']} records), CPU s"
    print(
        f"{label:44} {best_run['off']:12.2f} {best_run['on']:12.2f} {doc['run']['overhead']:9.1%}"
    )
    so, sn = best_store["off"], best_store["on"]
    label = f"pipeline -> SQLite, {so['scans']} scans, scans/CPU s"
    print(
        f"{label:44} {so['scans_per_cpu_s']:12.1f} {sn['scans_per_cpu_s']:12.1f} "
        f"{doc['store']['overhead']:9.1%}"
    )
    for what, per_s in list(ingest.items())[:3]:
        print(f"{'ingest ' + what[:37]:44} {per_s:12,.0f}   (lines or frames/s, for scale)")
    print(f"outputs identical with the chain off and on: {same}; wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
