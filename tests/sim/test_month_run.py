"""A tiny month end to end: `skywarden month run`, the layout it writes, seeded twice."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.sim.geography import Geography
from skywarden.sim.month import WindowSimulation, plan_month

ARGS = ["--days", "0.02", "--sectors", "S83", "--quiet-s", "15", "--workers", "1"]
ARGS += ["--warmup-s", "10"]


def _run(out: Path) -> None:
    r = CliRunner().invoke(app, ["month", "run", "--out", str(out), *ARGS])
    assert r.exit_code == 0, r.output


def test_a_tiny_month_writes_the_layout_and_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _run(a)
    _run(b)
    doc = json.loads((a / "border.json").read_text())
    assert doc["schema"] == "skywarden.month/1"
    runs = {r["sector"]: r for r in doc["sector_runs"]}
    assert set(runs) == {"S83"} and runs["S83"]["simulated_s"] == 25.0  # 10 s warm-up
    entry = next(s for s in doc["sectors"] if s["id"] == "S83")
    assert entry["run_dir"] == "sectors/S83"
    warm, quiet = entry["windows"]
    assert warm["kind"] == "warmup" and warm["weight"] == 0.0 and quiet["kind"] == "quiet"
    assert warm["end_t"] == quiet["start_t"] and doc["sampling"]["warmup_s"] == 10.0
    run = a / "sectors" / "S83"
    for name in (
        "sector.json",
        "incidents.json",
        "evaluation.json",
        "windows.json",
        "tracks.jsonl",
        "truth.jsonl.gz",
        "detections.jsonl.gz",
    ):
        assert (run / name).is_file(), name
    sector = json.loads((run / "sector.json").read_text())
    assert sector["duration_s"] == doc["end_t"] - doc["start_t"] and sector["simulated_s"] == 25.0
    with gzip.open(run / "detections.jsonl.gz", "rt") as fh:
        dets = [json.loads(x) for x in fh]
    # one continuous simulation through the warm-up into the sample
    assert dets and all(warm["start_t"] <= d["t"] < quiet["end_t"] for d in dets)
    assert any(d["t"] < warm["end_t"] for d in dets) and any(d["t"] >= warm["end_t"] for d in dets)
    assert {d["sensor"] for d in dets} <= {s["id"] for s in entry["sensors"]}
    for name in (
        "truth_incursions.jsonl",
        "sectors/S83/incidents.json",
        "sectors/S83/tracks.jsonl",
    ):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    with (
        gzip.open(run / "detections.jsonl.gz", "rt") as fa,
        gzip.open(b / "sectors" / "S83" / "detections.jsonl.gz", "rt") as fb,
    ):
        assert fa.read() == fb.read()


def test_a_window_flies_the_month_drone_with_its_global_id() -> None:
    plan = plan_month(seed=1, days=0.5, quiet_s=0.0)
    inc = next(i for i in plan.incursions if i.in_boxes)
    tile = plan.tile(inc.owner)
    scn = tile.scenario()
    sec = scn.sector
    geo = Geography(scn.frame, sec.extent_m, sec.ground_alt_m, list(sec.airports))
    assert inc.target is not None
    start = inc.target.t0 + inc.target.xyz.shape[0] // 2  # mid-flight: it is in the air
    sim = WindowSimulation(scn, 3, start - 5, 10.0, geo, [inc.target])
    seen = [p for step in sim.steps() for p in step.truth if p.target == inc.id]
    assert len(seen) == 10 and all(p.role == "smuggler" for p in seen)


def test_bad_options_are_one_line_errors_naming_the_option(tmp_path: Path) -> None:
    for argv, what in (
        (["--days", "40"], "--days 40"),
        (["--days", "1", "--sectors", "S999"], "S999"),
        (["--days", "1", "--sectors", "S50"], "no sensors"),
        (["--days", "1", "--quiet-s", "-5"], "--quiet-s"),
    ):
        r = CliRunner().invoke(app, ["month", "plan", "--out", str(tmp_path / "m"), *argv])
        assert r.exit_code == 2, (argv, r.output)
        assert what in r.output, (argv, r.output)
