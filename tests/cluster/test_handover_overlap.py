"""Sector overlap: detections belong to every extended area that holds them, one sector
is authoritative for a track, and the owner keeps it within the hysteresis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skywarden.cluster.overlap import (
    DEFAULT_MARGIN_M,
    SectorArea,
    SectorAreaError,
    SectorLayout,
)
from skywarden.geo import LocalFrame

LAT0, LON0, W = 31.3272, -110.6, 0.085  # about 8 km of longitude per core
FRAME = LocalFrame(LAT0, LON0 + W, 0.0)


def ring(i: int) -> list[tuple[float, float]]:
    lo, hi = LON0 + i * W, LON0 + (i + 1) * W
    return [(lo, 31.2), (hi, 31.2), (hi, 31.46), (lo, 31.46)]


def two() -> SectorLayout:
    return SectorLayout(
        [SectorArea.from_lonlat("w", ring(0)), SectorArea.from_lonlat("e", ring(1))]
    )


def at(x_m: float) -> tuple[float, float]:
    """(lat, lon) at ``x_m`` east of the w/e core boundary, on the border latitude."""
    lat, lon, _ = FRAME.to_geodetic(x_m, 0.0, 0.0)
    return float(lat), float(lon)


def test_a_detection_belongs_to_every_sector_whose_extended_area_holds_it() -> None:
    lay = two()
    assert lay.sectors_of(*at(-3000)) == ["w"]
    assert lay.sectors_of(*at(-1500)) == ["w", "e"]  # inside e's 2 km margin
    assert lay.sectors_of(*at(1500)) == ["w", "e"]
    assert lay.sectors_of(*at(DEFAULT_MARGIN_M + 300)) == ["e"]
    m = lay.membership([at(-1500)[0], at(3000)[0]], [at(-1500)[1], at(3000)[1]])
    assert m["w"].tolist() == [True, False] and m["e"].tolist() == [True, True]
    assert lay.neighbours("w") == ["e"]


def test_authority_has_hysteresis_so_a_track_on_the_boundary_does_not_flap() -> None:
    lay = two()
    assert lay.core_of(*at(-10)) == "w" and lay.core_of(*at(10)) == "e"
    # w keeps a track that wanders up to 250 m into e's core, then e takes it...
    assert lay.authority("w", *at(200)) == "w"
    assert lay.authority("w", *at(300)) == "e"
    # ...and e keeps it in turn when it wanders back 200 m.
    assert lay.authority("e", *at(-200)) == "e"
    assert lay.authority(None, *at(-200)) == "w"
    # Beyond every core (a gap in the tiling), the owner keeps it.
    assert lay.authority("e", 31.0, -110.0) == "e"


def test_overlapping_cores_are_refused() -> None:
    shifted = [(lon - 0.02, lat) for lon, lat in ring(1)]
    with pytest.raises(SectorAreaError, match="cores overlap"):
        SectorLayout([SectorArea.from_lonlat("w", ring(0)), SectorArea.from_lonlat("e", shifted)])


@pytest.mark.parametrize(
    ("ring_", "kw", "match"),
    [
        ([(0.0, 0.0), (1.0, 0.0)], {}, ">= 3 finite"),
        ([(0.0, 0.0), (1.0, float("nan")), (1.0, 1.0)], {}, ">= 3 finite"),
        ([(0.0, 95.0), (1.0, 0.0), (1.0, 1.0)], {}, "outside lon/lat"),
        ([(0, 0), (1, 1), (1, 0), (0, 1)], {}, "not a simple polygon"),
        (ring(0), {"margin_m": 100.0, "hysteresis_m": 250.0}, "hysteresis_m"),
        ("abc", {}, "not .lon, lat. pairs|>= 3 finite"),
    ],
)
def test_bad_sector_areas_are_refused(ring_: object, kw: dict[str, float], match: str) -> None:
    with pytest.raises(SectorAreaError, match=match):
        SectorArea.from_lonlat("s", ring_, **kw)  # type: ignore[arg-type]


def test_an_unknown_sector_is_named() -> None:
    with pytest.raises(SectorAreaError, match="'nowhere' is not in the layout"):
        two()["nowhere"]


def test_a_layout_file_gives_the_same_layout_and_bad_ones_are_named(tmp_path: Path) -> None:
    good = tmp_path / "layout.json"
    good.write_text(json.dumps({"margin_m": 1500, "sectors": {"w": ring(0), "e": ring(1)}}))
    lay = SectorLayout.from_file(good)
    assert list(lay.areas) == ["w", "e"]
    assert lay.sectors_of(*at(-1400)) == ["w", "e"] and lay.sectors_of(*at(-1600)) == ["w"]
    cases = {
        "missing.json": None,
        "notjson.json": "{",
        "nosectors.json": json.dumps({"margin_m": 1}),
        "badmargin.json": json.dumps({"margin_m": "wide", "sectors": {}}),
        "badid.json": json.dumps({"sectors": {"w.1": ring(0)}}),
        "overlap.json": json.dumps({"sectors": {"w": ring(0), "e": ring(0)}}),
    }
    for name, text in cases.items():
        p = tmp_path / name
        if text is not None:
            p.write_text(text)
        with pytest.raises(SectorAreaError, match=name):
            SectorLayout.from_file(p)


def test_the_worker_refuses_a_bad_layout_naming_the_option(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from skywarden.cli import app

    bad = tmp_path / "layout.json"
    bad.write_text("{")
    r = CliRunner().invoke(app, ["worker", "--sectors", "w", "--handover", str(bad)])
    assert r.exit_code == 2 and "--handover" in r.output and "not JSON" in r.output


def test_an_edge_routes_each_detection_to_every_sector_that_holds_it() -> None:
    from skywarden.model import Bearing, Detection, Position, SensorKind

    def pos(x: float) -> Detection:
        lat, lon = at(x)
        return Detection(1.8e9, "radar", SensorKind.RADAR, Position(lat, lon, 1300.0))

    lat, lon = at(3000)  # an RF finder 3 km inside e: its bearings go to e only
    rf = Detection(1.8e9, "rf", SensorKind.RF, bearing=Bearing(lat, lon, 1300.0, 270.0, 3.0))
    dets = [pos(-3000), pos(-1500), pos(1500), pos(3000), rf]
    got = two().route(dets)
    assert got["w"] == dets[:3]
    assert got["e"] == dets[1:]
    assert two().route([]) == {"w": [], "e": []}
