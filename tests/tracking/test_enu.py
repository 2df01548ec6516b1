"""The plain local-frame interface and the ``track`` / ``evaluate`` commands."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.tracking.enu import read_enu
from skywarden.tracking.io import InputLineError

runner = CliRunner()


def _write_enu(path: Path, with_z: bool = False) -> None:
    rng = np.random.default_rng(0)
    lines = []
    for k in range(20):
        for i, (x0, vx) in enumerate([(0.0, 10.0), (2000.0, -5.0)]):
            d = {
                "t": 100.0 + k,
                "sensor": "r1",
                "x": x0 + vx * k + rng.normal(0, 5),
                "y": 500.0 * i + rng.normal(0, 5),
            }
            if with_z:
                d["z"] = 50.0
            lines.append(json.dumps(d))
    path.write_text("\n".join(lines) + "\n")


def test_enu_tracks_have_exactly_the_contract_fields(tmp_path: Path) -> None:
    src, out = tmp_path / "dets.jsonl", tmp_path / "tracks.jsonl"
    _write_enu(src)
    res = runner.invoke(app, ["track", "--enu", str(src), "--out", str(out), "--sigma", "5"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and all(set(r) == {"t", "track", "x", "y", "vx", "vy"} for r in rows)
    last = [r for r in rows if r["t"] == 119.0]
    assert len(last) == 2
    vx = sorted(r["vx"] for r in last)
    assert vx == pytest.approx([-5.0, 10.0], abs=1.0)
    assert len({r["track"] for r in rows}) == 2


def test_enu_with_heights_runs_in_3d(tmp_path: Path) -> None:
    src, out = tmp_path / "dets.jsonl", tmp_path / "tracks.jsonl"
    _write_enu(src, with_z=True)
    res = runner.invoke(app, ["track", "--enu", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().strip()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"t": 1, "sensor": "r", "x": 1}', "missing 'y'"),
        ('{"t": 1, "sensor": "r", "x": "east", "y": 2}', "'x' must be a finite number"),
        ('{"t": 1, "sensor": "", "x": 1, "y": 2}', "'sensor'"),
        ('{"t": 1, "sensor": "r", "x": 1, "y": 2, "sigma": -3}', "'sigma' must be positive"),
        ('{"t": 1, "sensor": "r", "x": 1, "y": NaN}', "finite"),
        ("[1, 2, 3]", "expected a JSON object"),
        ('{"t": 1, "sensor": "r", "x": 1, "y": 2', "not JSON"),
    ],
)
def test_bad_enu_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"t": 0, "sensor": "r", "x": 0, "y": 0}\n\n' + line + "\n")
    with pytest.raises(InputLineError) as e:
        read_enu(src)
    assert e.value.line == 3 and message in e.value.reason
    res = runner.invoke(app, ["track", "--enu", str(src), "--out", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2
    assert f"{src}:3:" in res.output


def test_bad_detection_record_names_file_and_line(tmp_path: Path) -> None:
    src = tmp_path / "detections.jsonl"
    good = {
        "t": 1_770_000_000.0,
        "sensor": "radar-1",
        "kind": "radar",
        "position": {"lat": 31.8, "lon": -106.4, "alt_m": 1200.0},
    }
    bad = dict(good, position={"lat": 95.0, "lon": -106.4, "alt_m": 1200.0})
    src.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    res = runner.invoke(app, ["track", str(src), "--out", str(tmp_path / "t.jsonl")])
    assert res.exit_code == 2
    assert f"{src}:2:" in res.output and "lat" in res.output


def test_bad_origin_is_reported(tmp_path: Path) -> None:
    src = tmp_path / "detections.jsonl"
    src.write_text("")
    res = runner.invoke(
        app, ["track", str(src), "--out", str(tmp_path / "t.jsonl"), "--origin", "31.8,-106.4"]
    )
    assert res.exit_code == 2 and "LAT,LON,ALT" in res.output


def test_the_column_reader_matches_the_line_reader(tmp_path: Path) -> None:
    from skywarden.tracking.enu import enu_scans, enu_scans_columns, read_enu, read_enu_columns

    src = tmp_path / "mixed.jsonl"
    rows = [
        {"t": 2, "sensor": "b", "x": 1.0, "y": 2.0, "z": 30.0},
        {"t": 1, "sensor": "a", "x": 3.0, "y": 4.0, "sigma": 7.0},
        {"t": 2, "sensor": "a", "x": 5.0, "y": 6.0},
        {"t": 1, "sensor": 9, "x": 7.0, "y": 8.0},
        {"t": 2, "sensor": "b", "x": 9.0, "y": 1.5, "sigma": 2.0},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    a = enu_scans(read_enu(src), 10.0, 3)
    b = enu_scans_columns(read_enu_columns(src), 10.0, 3)
    assert [t for t, _ in a] == [t for t, _ in b] == [1.0, 2.0]
    for (_, ga), (_, gb) in zip(a, b, strict=True):
        assert [g.sensor for g in ga] == [g.sensor for g in gb]
        for x, y in zip(ga, gb, strict=True):
            np.testing.assert_array_equal(x.z, y.z)
            np.testing.assert_allclose(x.R, y.R)


@pytest.mark.parametrize(
    "bad, field",
    [({"t": 1, "sensor": "a", "x": "3", "y": 4}, "'x'"), ({"t": 1, "sensor": "a", "x": 3}, "'y'")],
)
def test_the_column_reader_reports_the_line_and_field(
    tmp_path: Path, bad: dict, field: str
) -> None:
    from skywarden.tracking.enu import read_enu_columns

    src = tmp_path / "bad.jsonl"
    good = {"t": 0, "sensor": "a", "x": 1, "y": 1}
    src.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(InputLineError, match=f"bad.jsonl:2: .*{field}"):
        read_enu_columns(src)
