"""File runs: frame origin resolution and a geographic ``skywarden track`` end to end."""

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.geo import LocalFrame
from skywarden.model import Detection, Position, SensorKind, TrackStatus, TrackUpdate
from skywarden.tracking.files import resolve_frame

runner = CliRunner()
FRAME = LocalFrame(31.76, -106.43, 1150.0)
T0 = 1_770_778_800.0


def _write_detections(path: Path) -> None:
    rng = np.random.default_rng(0)
    with path.open("w") as fh:
        for k in range(15):
            x, y, z = 100.0 + 8.0 * k + rng.normal(0, 5), 2000.0 + rng.normal(0, 5), 60.0
            lat, lon, alt = FRAME.to_geodetic(x, y, z)
            cov = ((25.0, 0.0, 0.0), (0.0, 25.0, 0.0), (0.0, 0.0, 25.0))
            d = Detection(T0 + k + 0.3, "radar-1", SensorKind.RADAR, Position(lat, lon, alt, cov))
            fh.write(json.dumps(d.to_dict()) + "\n")


def test_origin_from_flag_then_sector_json_then_the_data(tmp_path: Path) -> None:
    det = tmp_path / "detections.jsonl"
    _write_detections(det)
    assert resolve_frame(det, "31.5,-106.0,1000") == LocalFrame(31.5, -106.0, 1000.0)
    mean = resolve_frame(det, None)
    assert abs(mean.lat0 - 31.778) < 0.01 and abs(mean.lon0 + 106.429) < 0.01
    (tmp_path / "sector.json").write_text(
        json.dumps({"name": "x", "origin": {"lat": 31.76, "lon": -106.43, "alt_m": 1150.0}})
    )
    assert resolve_frame(det, None) == FRAME


def test_track_command_writes_track_updates(tmp_path: Path) -> None:
    det, out = tmp_path / "detections.jsonl", tmp_path / "tracks.jsonl"
    _write_detections(det)
    res = runner.invoke(app, ["track", str(det), "--out", str(out)])
    assert res.exit_code == 0, res.output
    ups = [TrackUpdate.from_dict(json.loads(line)) for line in out.read_text().splitlines()]
    assert ups and {u.track for u in ups} == {ups[0].track}
    assert ups[-1].status == TrackStatus.ENDED
    assert [u.t for u in ups] == sorted(u.t for u in ups)
    last = ups[-2]
    assert abs(last.velocity[0] - 8.0) < 2.0 and last.sensors == ("radar-1",)
