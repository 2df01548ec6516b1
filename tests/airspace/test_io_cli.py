"""``skywarden analyze`` end to end on a small hand-written tracks file, and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import LineString
from typer.testing import CliRunner

from skywarden import refdata
from skywarden.airspace import TracksFileError
from skywarden.airspace.io import read_scans
from skywarden.cli import app


def write_tracks(path: Path, *tracks) -> None:
    ups = sorted((u for tr in tracks for u in tr), key=lambda u: (u.t, u.track))
    path.write_text("".join(json.dumps(u.to_dict()) + "\n" for u in ups))


def test_analyze_writes_events_incidents_and_recommendations(tmp_path, fx):
    # A smuggler crossing north 10 km west of downtown, and a drone holding in the
    # arrival corridor of runway 22 (hand-written fixtures).
    bx, by, _ = fx.FRAME.to_enu(31.7836, -106.60, 1200.0)
    smuggler = fx.leg("SM", [(0, bx, by - 1500, 1200.0), (200, bx, by + 1500, 1200.0)])
    x, y, alt = fx.runway_point("22", 1.5 * 1852, 90.0)
    holder = fx.leg("H22", [(0, x, y, alt), (400, x + 20, y, alt)])
    tracks = tmp_path / "tracks.jsonl"
    write_tracks(tracks, smuggler, holder)
    (tmp_path / "sector.json").write_text(
        json.dumps({"origin": fx.FRAME.to_dict(), "airports": ["KELP", "KBIF", "MMCS"]})
    )
    out = tmp_path / "incidents.json"
    res = CliRunner().invoke(
        app, ["analyze", str(tracks), "--out", str(out)], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, res.output
    assert "recommendation timeline" in res.output and "incidents" in res.output
    doc = json.loads(out.read_text())
    assert {"events", "incidents", "recommendations"} <= set(doc)
    for e in doc["events"]:
        assert {"kind", "t", "track", "lat", "lon", "alt_m"} <= set(e)
    (crossing,) = [e for e in doc["events"] if e["kind"] == "border_crossing"]
    assert crossing["direction"] == "northbound" and crossing["track"] == "SM"
    border_lat = refdata.border_line().intersection(LineString([(-106.6, 31.6), (-106.6, 32.0)])).y
    assert abs(crossing["lat"] - border_lat) < 0.0005 and abs(crossing["lon"] + 106.6) < 0.0005
    pauses = [r for r in doc["recommendations"] if r["action"] == "pause_arrivals"]
    assert pauses and pauses[0]["runways"] == ["22"] and pauses[0]["airport"] == "KELP"
    assert doc["meta"]["restricted_minutes"]["KELP 22"]["arrivals"] > 0
    assert {i["kind"] for i in doc["incidents"]} >= {"incursion", "safety_hazard"}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ('["a", "list"]', "expected a JSON object"),
        ('{"t": 1770778800, "track": "T1"}', "missing field"),
        (
            '{"t": 1770778800, "track": "T1", "status": "confirmed", "lat": 95, "lon": -106,'
            ' "alt_m": 1200, "velocity": [0, 0, 0]}',
            "TrackUpdate.lat",
        ),
    ],
)
def test_bad_tracks_lines_name_file_and_line(tmp_path, fx, line, reason):
    good = fx.leg("G", [(0, 0, 0, 1200), (1, 10, 0, 1200)])
    p = tmp_path / "tracks.jsonl"
    p.write_text(json.dumps(good[0].to_dict()) + "\n" + line + "\n")
    with pytest.raises(TracksFileError) as err:
        list(read_scans(p))
    assert err.value.line == 2 and reason in err.value.reason


def test_time_going_backwards_is_refused(tmp_path, fx):
    a, b = fx.leg("G", [(0, 0, 0, 1200), (1, 10, 0, 1200)])
    p = tmp_path / "tracks.jsonl"
    p.write_text(json.dumps(b.to_dict()) + "\n" + json.dumps(a.to_dict()) + "\n")
    with pytest.raises(TracksFileError, match="goes back"):
        list(read_scans(p))


def test_analyze_reports_a_missing_file_and_exits_2(tmp_path):
    res = CliRunner().invoke(app, ["analyze", str(tmp_path / "no.jsonl"), "--out", "x.json"])
    assert res.exit_code == 2
    assert "no such file" in res.output
