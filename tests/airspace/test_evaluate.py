"""Scoring detected events against truth: one-to-one, within 60 s and 100 m, same key."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.airspace.evaluate import PositionLog, TruthEvent, match
from skywarden.cli import app
from skywarden.model import Event

T = 1_770_778_800.0
ROOT = Path(__file__).resolve().parents[2]


def det(t: float, lat: float, direction: str) -> Event:
    return Event("border_crossing", t, "T1", lat, -106.4, 1200.0, {"direction": direction})


def test_one_to_one_matching_with_time_place_and_direction():
    truth = [
        TruthEvent("border_crossing", T, "d1", 31.75, -106.4, "northbound"),
        TruthEvent("border_crossing", T + 5, "d2", 31.75, -106.4, "northbound"),  # a pair
        TruthEvent("border_crossing", T + 500, "d3", 31.75, -106.4, "southbound"),
    ]
    found = [
        det(T + 2, 31.7503, "northbound"),  # 33 m, 2 s: matches d1
        det(T + 530, 31.7501, "northbound"),  # wrong direction for d3: false
        det(T + 900, 31.75, "southbound"),  # too late for d3: false
    ]
    tracks = PositionLog()
    tracks.add(T, [31.7502], [-106.4], ["track"])  # d1 and d2 were tracked, d3 was not
    s = match(truth, found, "border_crossing", hours=0.5, tracks=tracks)
    assert (s.truth, s.found, s.false, s.observable, s.found_observable) == (3, 1, 2, 2, 1)
    assert s.false_per_hour == 4.0
    assert s.dt_s == [2.0] and 30 < s.dist_m[0] < 36


def test_run_writes_incidents_tracks_and_its_evaluation(tmp_path):
    out = tmp_path / "run"
    res = CliRunner().invoke(
        app,
        [
            "run",
            str(ROOT / "scenarios" / "el-paso.yaml"),
            "--out",
            str(out),
            "--seed",
            "3",
            "--duration",
            "240",
            "--truth-stand-in",
        ],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    assert "against truth (truth stand-in" in res.output
    ev = json.loads((out / "evaluation.json").read_text())
    assert ev["source"] == "truth stand-in" and ev["duration_s"] == 240
    assert set(ev["scores"]) == {"border_crossing", "zone_entry"}
    doc = json.loads((out / "incidents.json").read_text())
    assert {"events", "incidents", "recommendations"} <= set(doc)
    lines = (out / "tracks.jsonl").read_text().splitlines()
    assert len(lines) == ev["updates"] > 0
    truth = (out / "truth.jsonl").read_text().splitlines()
    assert json.loads(truth[0])["t"] <= json.loads(lines[0])["t"]  # tracks follow truth
    assert (out / "detections.jsonl").stat().st_size > 0
