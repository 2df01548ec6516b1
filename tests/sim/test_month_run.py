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


def _events(run: Path) -> list[tuple[str, float, str]]:
    doc = json.loads((run / "incidents.json").read_text())
    return sorted(
        (e["kind"], e["t"], str(e.get("zone") or e.get("direction"))) for e in doc["events"]
    )


def _stream(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rt") as fh:
        return [json.loads(x) for x in fh]


def test_lanes_run_the_same_skies_and_find_the_same_events(tmp_path: Path) -> None:
    # two runs of windows (a quiet sample, an incursion) side by side in one tracker
    args = ["--days", "0.1", "--sectors", "S83", "--quiet-s", "120", "--warmup-s", "10"]
    one, two = tmp_path / "one", tmp_path / "two"
    for out, lanes in ((one, "1"), (two, "2")):
        r = CliRunner().invoke(
            app, ["month", "run", "--out", str(out), *args, "--workers", "1", "--lanes", lanes]
        )
        assert r.exit_code == 0, r.output
    a, b = one / "sectors" / "S83", two / "sectors" / "S83"
    assert json.loads((two / "border.json").read_text())["run"]["lanes"] == 2
    for name in ("truth.jsonl.gz", "detections.jsonl.gz"):  # the simulation is the lanes' own
        assert _stream(a / name) == _stream(b / name), name
    assert _events(a) and _events(a) == _events(b)
    inc = json.loads((b / "incidents.json").read_text())["incidents"]
    assert (
        len({i["id"] for i in inc})
        == len(inc)
        == len(json.loads((a / "incidents.json").read_text())["incidents"])
    )
    ts = [json.loads(x)["t"] for x in (b / "tracks.jsonl").read_text().splitlines()]
    assert ts == sorted(ts)  # the lanes' streams, concatenated, stay in time order
    assert not list(b.glob(".lane*"))  # the lanes' working folders are merged away


def test_runs_split_into_contiguous_lanes_of_about_equal_time() -> None:
    from types import SimpleNamespace

    from skywarden.commands.month_lanes import split_runs

    def blocks(secs: list[float], lanes: int) -> list[list[float]]:
        runs = [[SimpleNamespace(seconds=s)] for s in secs]
        return [[g[0].seconds for g in b] for b in split_runs(runs, lanes)]  # type: ignore[arg-type]

    assert blocks([10, 10, 10, 10], 2) == [[10, 10], [10, 10]]
    assert blocks([100, 1, 1, 1], 2) == [[100], [1, 1, 1]]
    assert blocks([50, 20, 30, 10, 40], 3) == [[50], [20, 30], [10, 40]]
    assert blocks([5, 5, 5], 8) == [[5], [5], [5]]  # never an empty lane


def test_a_fed_warm_up_flies_the_same_sky_and_the_chain_sees_only_its_end(
    tmp_path: Path,
) -> None:
    args = ["--days", "0.02", "--sectors", "S83", "--quiet-s", "15", "--workers", "1"]
    whole, fed = tmp_path / "whole", tmp_path / "fed"
    for out, extra in ((whole, []), (fed, ["--warmup-fed-s", "4"])):
        r = CliRunner().invoke(
            app, ["month", "run", "--out", str(out), *args, "--warmup-s", "10", *extra]
        )
        assert r.exit_code == 0, r.output
    doc = json.loads((fed / "border.json").read_text())
    assert doc["sampling"]["warmup_fed_s"] == 4.0
    warm, quiet = next(s for s in doc["sectors"] if s["id"] == "S83")["windows"]
    assert warm["end_t"] - warm["start_t"] == 4.0 and warm["end_t"] - warm["sky_from_t"] == 10.0
    assert quiet["start_t"] == warm["end_t"] and "sky_from_t" not in quiet

    def dets(month: Path) -> list[str]:
        with gzip.open(month / "sectors" / "S83" / "detections.jsonl.gz", "rt") as fh:
            return fh.read().splitlines()

    # the same sky: from the fed start on, the very same detections; none before it
    late = [x for x in dets(whole) if json.loads(x)["t"] >= warm["start_t"]]
    assert late and dets(fed) == late
    assert len(dets(whole)) > len(late)
