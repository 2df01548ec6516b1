"""``skywarden simulate``: the command of issue #2, end to end on a short window."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app

SCENARIO = Path(__file__).parents[2] / "scenarios" / "el-paso.yaml"


def test_simulate_writes_files_summary_and_map(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = CliRunner().invoke(
        app,
        ["simulate", str(SCENARIO), "--out", str(out), "--seed", "4", "--duration", "90", "--plot"],
    )
    assert res.exit_code == 0, res.output
    for name in ("truth.jsonl", "detections.jsonl", "sector.json", "sector_map.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "sector_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "targets: drone / smuggler" in res.output
    assert "detections: radar-downtown" in res.output
    sector = json.loads((out / "sector.json").read_text())
    assert (sector["seed"], sector["duration_s"]) == (4, 90.0)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 90


def test_bad_scenario_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.read_text().replace("extent_m: 30000", "extent_m: -3"))
    res = CliRunner().invoke(app, ["simulate", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert f"{bad}: sector.extent_m" in res.output
    assert not (tmp_path / "o").exists()


def test_unwritable_output_exits_2_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    out = blocker / "run"
    res = CliRunner().invoke(app, ["simulate", str(SCENARIO), "--out", str(out), "--duration", "5"])
    assert res.exit_code == 2
    assert f"{out}: cannot create the output directory" in res.output
