"""`skywarden month run --resume`: an interrupted month finishes without redoing sectors.

A month of the whole border is hours of CPU; a run stopped part-way (a reboot, a session
that ended) keeps every sector it finished. The resumed run must keep those as they are,
redo a sector that was cut off, and refuse a directory planned with other options.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app

ARGS = ["--days", "0.02", "--sectors", "S83,S84", "--quiet-s", "15", "--workers", "1"]
ARGS += ["--warmup-s", "10"]


def _run(out: Path, *extra: str) -> str:
    r = CliRunner().invoke(app, ["month", "run", "--out", str(out), *ARGS, *extra])
    assert r.exit_code == 0, r.output
    return str(r.output)


def test_resume_keeps_finished_sectors_and_redoes_one_cut_off(tmp_path: Path) -> None:
    ref, month = tmp_path / "ref", tmp_path / "month"
    _run(ref)
    out = _run(month)
    # not a terminal: a line a sector instead of the bar
    assert "2/2 sectors, 100 % of the simulated time" in out and "min left" in out
    s83, s84 = month / "sectors" / "S83", month / "sectors" / "S84"
    assert (s83 / "run.json").is_file() and (s84 / "run.json").is_file()
    # S84 was cut off part-way: its record gone, the full stream still there
    (s84 / "run.json").unlink()
    (s84 / "tracks.jsonl").write_text("")
    (s84 / "tracks_all.jsonl.gz").write_bytes(b"")
    kept = (s83 / "tracks.jsonl").stat().st_mtime_ns
    resumed = _run(month, "--resume")
    assert "done S83: 1/2 sectors" in resumed and "kept from the earlier run" in resumed
    assert "done S84: 2/2 sectors" in resumed and "~0.0 min left" in resumed
    assert (s83 / "tracks.jsonl").stat().st_mtime_ns == kept  # not redone
    assert not (s84 / "tracks_all.jsonl.gz").exists()
    for name in ("incidents.json", "tracks.jsonl"):  # evaluation.json holds timings
        assert (s84 / name).read_bytes() == (ref / "sectors" / "S84" / name).read_bytes(), name
    doc = json.loads((month / "border.json").read_text())
    assert {r["sector"] for r in doc["sector_runs"]} == {"S83", "S84"}
    assert doc["run"]["resumed"] is True


def test_a_directory_finished_before_run_records_is_kept_without_timings(
    tmp_path: Path,
) -> None:
    month = tmp_path / "month"
    _run(month)
    for d in (month / "sectors").iterdir():
        (d / "run.json").unlink()  # as a run from before run.json existed left it
    _run(month, "--resume")
    doc = json.loads((month / "border.json").read_text())
    assert all("no timings" in r["note"] for r in doc["sector_runs"])


def test_resume_refuses_another_plan_and_an_empty_directory(tmp_path: Path) -> None:
    month = tmp_path / "month"
    _run(month)
    r = CliRunner().invoke(
        app, ["month", "run", "--out", str(month), *ARGS, "--seed", "2", "--resume"]
    )
    assert r.exit_code == 2 and "seed" in r.output and "differ" in r.output
    r = CliRunner().invoke(
        app, ["month", "run", "--out", str(tmp_path / "none"), *ARGS, "--resume"]
    )
    assert r.exit_code == 2 and "nothing to resume" in r.output


def test_tracker_settings_reach_every_sector_and_resume_redoes_other_settings(
    tmp_path: Path,
) -> None:
    month, cfg = tmp_path / "month", tmp_path / "turn.yaml"
    _run(month)
    cfg.write_text("turn_rate_deg_s: 20.0\n")
    kept = (month / "sectors" / "S83" / "tracks.jsonl").stat().st_mtime_ns
    _run(month, "--resume", "--tracker-config", str(cfg))
    # both sectors ran again: their records named no settings, the job asks for some
    assert (month / "sectors" / "S83" / "tracks.jsonl").stat().st_mtime_ns != kept
    doc = json.loads((month / "border.json").read_text())
    assert doc["run"]["tracker"] == {"turn_rate_deg_s": 20.0}
    assert all(r["tracker"] == {"turn_rate_deg_s": 20.0} for r in doc["sector_runs"])
    for d in (month / "sectors").iterdir():
        assert json.loads((d / "run.json").read_text())["tracker"] == {"turn_rate_deg_s": 20.0}


def test_a_bad_tracker_config_stops_the_month_before_it_runs(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("turn_rate_deg_s: -1\n")
    r = CliRunner().invoke(
        app, ["month", "run", "--out", str(tmp_path / "m"), *ARGS, "--tracker-config", str(cfg)]
    )
    assert r.exit_code == 2
    assert "--tracker-config" in r.output and "turn_rate_deg_s" in r.output
    assert not (tmp_path / "m" / "sectors").exists()
    cfg.write_text("turn_rate: 1\n")
    r = CliRunner().invoke(
        app, ["month", "run", "--out", str(tmp_path / "m"), *ARGS, "--tracker-config", str(cfg)]
    )
    assert r.exit_code == 2 and "turn_rate" in r.output and "unknown key" in r.output
