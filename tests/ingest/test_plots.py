"""Plain radar plots (CSV and JSON Lines) into positioned Detections."""

from __future__ import annotations

import json

import pytest

from skywarden.geo import bearing_deg, distance_m
from skywarden.ingest.base import IngestOptions, Item
from skywarden.ingest.formats import detect_format
from skywarden.ingest.plots import PlotsCsvParser, PlotsJsonParser
from skywarden.model import Detection

SITE = (31.80, -106.40, 1200.0)
CSV = b"""t,sensor,range_m,azimuth_deg,elevation_deg,radial_velocity_ms,rcs_dbsm
1770779400.0,radar-1,1523.5,47.25,3.1,-6.2,-18.5
2026-02-11T03:10:01Z,radar-1,1520.0,47.30,,,
1770779402.0,radar-1,1519.0,400,3.0,,
1770779403.0,radar-1,nan,47.3,3.0,,
1770779404.0,radar-1,1518.0
"""


def run_csv(data: bytes) -> tuple[PlotsCsvParser, list[Item]]:
    p = PlotsCsvParser("plots.csv", IngestOptions(sites={"radar-1": SITE}))
    return p, p.feed(data, 1.8e9) + p.close()


def test_csv_plots_place_targets_from_the_site() -> None:
    assert detect_format(CSV) == "plots_csv"
    parser, out = run_csv(CSV)
    first, second = out[0], out[1]
    assert isinstance(first, Detection) and first.position is not None
    assert distance_m(SITE[0], SITE[1], first.position.lat, first.position.lon) == pytest.approx(
        1523.5 * 0.998537, rel=1e-5
    )
    assert bearing_deg(SITE[0], SITE[1], first.position.lat, first.position.lon) == (
        pytest.approx(47.25, abs=1e-6)
    )
    assert first.attrs["radial_velocity_ms"] == -6.2 and first.attrs["rcs_dbsm"] == -18.5
    assert isinstance(second, Detection) and second.position is not None
    assert second.t == 1770779401.0 and second.attrs["altitude_source"] == "site_2d"
    assert second.position.alt_m == SITE[2]
    assert parser.absorbed["header"] == 1


def test_csv_bad_rows_have_reasons_fields_and_line_numbers() -> None:
    _, out = run_csv(CSV)
    bad = [(o.reason, o.field, o.line) for o in out if not isinstance(o, Detection)]
    assert bad == [
        ("impossible_value", "azimuth_deg", 4),
        ("impossible_value", "range_m", 5),
        ("truncated", None, 6),
    ]


def test_json_plots_with_sigmas_give_a_rotated_covariance() -> None:
    row = {
        "t": 1770779400.0,
        "sensor": "r",
        "range_m": 1000.0,
        "azimuth_deg": 90.0,
        "elevation_deg": 0.0,
        "range_sigma_m": 5.0,
        "azimuth_sigma_deg": 1.0,
        "sensor_lat": 31.8,
        "sensor_lon": -106.4,
        "sensor_alt_m": 1200.0,
    }
    data = (json.dumps(row) + "\n").encode()
    assert detect_format(data) == "plots_json"
    p = PlotsJsonParser("plots.jsonl")
    (det,) = p.feed(data, 1.8e9)
    assert isinstance(det, Detection) and det.position is not None and det.position.cov
    cov = det.position.cov
    # Looking east: range error along x (5 m), cross-range along y (1000 m x 1 deg).
    assert cov[0][0] == pytest.approx(25.0)
    assert cov[1][1] == pytest.approx((1000 * 0.0174533) ** 2, rel=1e-4)


def test_json_plot_without_a_site_is_rejected() -> None:
    row = {"t": 1770779400.0, "sensor": "nowhere", "range_m": 10, "azimuth_deg": 1}
    (rej,) = PlotsJsonParser("p").feed((json.dumps(row) + "\n").encode(), 1.8e9)
    assert not isinstance(rej, Detection) and rej.reason == "no_position"
