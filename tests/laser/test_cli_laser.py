"""``skywarden laser distances`` and ``skywarden laser plan``, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-laser.yaml"
runner = CliRunner()

BEAM = ["--power-w", "6", "--divergence-mrad", "1.1", "--diameter-mm", "0"]


def test_distances_json_for_a_visible_beam() -> None:
    r = runner.invoke(
        app, ["laser", "distances", *BEAM, "--wavelength-nm", "532", "--vcf", "1", "--json"]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["mpe_w_cm2"] == pytest.approx(2.546e-3, rel=1e-3)
    assert d["nohd_m"] == pytest.approx(498.0, abs=1.0)
    assert d["szed_m"] / 0.3048 == pytest.approx(8244, abs=5)
    assert d["czed_m"] > d["szed_m"] and d["lfed_m"] > d["czed_m"]


def test_distances_json_for_near_infrared_has_null_visual_distances() -> None:
    args = ["laser", "distances", *BEAM, "--wavelength-nm", "1064", "--exposure-s", "10", "--json"]
    d = json.loads(runner.invoke(app, args).output)
    assert d["mpe_w_cm2"] == pytest.approx(5.0e-3)
    assert d["szed_m"] is None and d["czed_m"] is None and d["lfed_m"] is None


def test_distances_table_and_bad_input() -> None:
    r = runner.invoke(app, ["laser", "distances", *BEAM, "--wavelength-nm", "650"])
    assert r.exit_code == 0 and "NOHD" in r.output and "SZED" in r.output
    r = runner.invoke(app, ["laser", "distances", *BEAM, "--wavelength-nm", "1550", "--json"])
    assert r.exit_code == 2
    assert "--wavelength-nm" in r.output and "400-1400" in r.output


def test_plan_json_notam_and_plot(tmp_path: Path) -> None:
    args = ["laser", "plan", str(SCENARIO), "--json", "--notam", "--plot", "--out", str(tmp_path)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["distances"]["nohd_m"] == pytest.approx(43_900, rel=0.01)
    assert d["tfr"]["radius_nm"] > 0 and d["notam"]["icao"].startswith("A0426/26 NOTAMN")
    assert {f["label"] for f in d["flows_touched"]} >= {"KELP 26R arrivals"}
    png = Path(d["plot"])
    assert png.name == "laser-el-paso-laser.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plan_table_and_bad_plan(tmp_path: Path) -> None:
    r = runner.invoke(app, ["laser", "plan", str(SCENARIO), "--notam"])
    assert r.exit_code == 0, r.output
    assert "Smallest TFR" in r.output and "!FDC 6/0426" in r.output and "Q) KZAB/QRTCA" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.read_text().replace("power_w: 20000", "power_w: -1"))
    r = runner.invoke(app, ["laser", "plan", str(bad)])
    assert r.exit_code == 2
    assert "bad.yaml: laser.power_w" in r.output


def test_plan_against_a_malformed_recording_names_the_line(tmp_path: Path) -> None:
    rec = tmp_path / "tracks.jsonl"
    rec.write_text('{"t": 1}\n')
    r = runner.invoke(app, ["laser", "plan", str(SCENARIO), "--traffic", str(rec)])
    assert r.exit_code == 2
    assert "tracks.jsonl:1" in r.output
