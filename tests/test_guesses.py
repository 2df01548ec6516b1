"""No silent guesses: a sector's airports come from its file, else a guess that says so."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

from skywarden import cli
from skywarden.airspace.io import frame_for
from skywarden.errors import GuessWarning
from skywarden.sim.scenario import Sector

SRC = Path(__file__).resolve().parents[1] / "src" / "skywarden"
LINE = (
    '{"t": 1770778800, "track": "T1", "status": "confirmed", "lat": 31.76, "lon": -106.43,'
    ' "alt_m": 1200, "velocity": [10, 0, 0]}'
)
SECTOR = {
    "name": "t",
    "origin": {"lat": 31.76, "lon": -106.43, "alt_m": 1150.0},
    "extent_m": 30_000,
    "ground_alt_m": 1150.0,
    "start": "2026-02-11T03:00:00Z",
    "duration_s": 60,
}


def test_no_list_of_airport_codes_is_written_in_the_source() -> None:
    literal = re.compile(r"""[\[(]\s*["'][A-Z]{4}["']\s*,\s*["'][A-Z]{4}["']""")
    hits = [
        f"{p.relative_to(SRC)}:{n}"
        for p in SRC.rglob("*.py")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert hits == []


def test_a_scenario_without_airports_guesses_them_from_the_reference_data() -> None:
    with pytest.warns(GuessWarning, match=r"sector.airports") as record:
        sector = Sector.model_validate(SECTOR)
    assert sector.airports == ["KELP", "KBIF", "MMCS"]  # within 30 km of downtown El Paso
    assert len(record) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", GuessWarning)
        assert Sector.model_validate({**SECTOR, "airports": []}).airports == []
        assert Sector.model_validate({**SECTOR, "airports": ["KELP"]}).airports == ["KELP"]


def test_tracks_without_a_sector_file_warn_once_naming_the_guess_and_the_option(
    tmp_path: Path,
) -> None:
    tracks = tmp_path / "tracks.jsonl"
    tracks.write_text(LINE + "\n")
    with pytest.warns(GuessWarning) as record:
        frame, airports = frame_for(tracks)
    assert len(record) == 1
    text = str(record[0].message)
    assert "frame origin" in text and "--sector" in text and "KELP" in text
    assert (frame.lat0, frame.lon0) == (31.76, -106.43)
    assert airports == ["KELP", "KBIF", "MMCS"]


def test_a_sector_file_with_airports_is_used_without_a_warning(tmp_path: Path) -> None:
    tracks = tmp_path / "tracks.jsonl"
    tracks.write_text(LINE + "\n")
    doc = {"origin": {"lat": 31.0, "lon": -106.0, "alt_m": 0.0}, "airports": ["KBIF"]}
    (tmp_path / "sector.json").write_text(json.dumps(doc))
    with warnings.catch_warnings():
        warnings.simplefilter("error", GuessWarning)
        frame, airports = frame_for(tracks)
        assert airports == ["KBIF"] and frame.lat0 == 31.0
        assert frame_for(tracks, airports=["MMCS"])[1] == ["MMCS"]
    del doc["airports"]
    (tmp_path / "sector.json").write_text(json.dumps(doc))
    with pytest.warns(GuessWarning, match="sector.json: no airports given"):
        frame_for(tracks)


def test_the_command_line_prints_a_guess_as_one_warning_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tracks = tmp_path / "tracks.jsonl"
    tracks.write_text(LINE + "\n")
    with warnings.catch_warnings(), pytest.raises(SystemExit) as done:
        cli.main(["analyze", str(tracks), "--out", str(tmp_path / "out.json")])
    assert done.value.code == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(err) == 1
    assert "no sector.json" in err[0] and "--sector" in err[0]
