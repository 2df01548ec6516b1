"""A small run directory as ``skywarden run --out`` writes it: two tracks, one incident."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skywarden.airspace.io import output_doc
from skywarden.model import (
    Action,
    Event,
    Incident,
    Recommendation,
    TrackStatus,
    TrackUpdate,
)

T0 = 1_770_778_800.0
SECRET_SERIAL = "1581F5FHD228P00SECRET"


def updates() -> list[TrackUpdate]:
    out = []
    for k in range(10):
        t = T0 + k
        out.append(
            TrackUpdate(
                t,
                "D1",
                TrackStatus.CONFIRMED,
                31.7612345 + 1e-4 * k,
                -106.4854321,
                1250.0,
                (0.0, 11.1, 0.0),
                (),
                None,
                {"drone": 0.9, "bird": 0.1},
                identities=(f"rid:{SECRET_SERIAL}",),
                sensors=("radar-downtown",),
            )
        )
        out.append(
            TrackUpdate(
                t,
                "M1",
                TrackStatus.CONFIRMED,
                31.80,
                -106.40 + 1e-3 * k,
                2000.0,
                (95.0, 0.0, 0.0),
                (),
                None,
                {"manned": 1.0},
                identities=("icao:a1b2c3",),
                callsign="SWA123",
                sensors=("adsb-kelp",),
            )
        )
    return out


def write_run_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "tracks.jsonl").open("w") as f:
        for u in updates():
            f.write(json.dumps(u.to_dict()) + "\n")
    ev = Event("border_crossing", T0 + 3, "D1", 31.7615, -106.4854, 1250.0, {"border": "US-MX"})
    inc = Incident("I00001", ["D1"], T0 + 3, 3, events=[ev], recommendations=["M0001/1"])
    rec = Recommendation(
        "M0001/1", "I00001", Action.VERIFY, T0 + 3, T0 + 903, T0 + 303, ("drone crossed",)
    )
    (folder / "incidents.json").write_text(json.dumps(output_doc([ev], [inc], [rec])))
    sector = {
        "name": "El Paso",
        "origin": {"lat": 31.76, "lon": -106.43, "alt_m": 1150.0},
        "airports": ["KELP"],
    }
    (folder / "sector.json").write_text(json.dumps(sector))
    return folder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_run_dir(tmp_path_factory.mktemp("run") / "ep")


@pytest.fixture
def export_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "export.pem"
    monkeypatch.setenv("SKYWARDEN_EXPORT_KEY_FILE", str(path))
    return path
