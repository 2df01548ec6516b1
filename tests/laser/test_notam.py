"""NOTAM texts, read back by an independent parser (aviconv-notam) to the same TFR."""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import UTC, datetime

import pytest
from aviconv_core import coords
from aviconv_notam.parser import parse

from skywarden.geo import M_PER_NM, distance_m
from skywarden.laser.notam import (
    NotamContext,
    faa_domestic,
    format_lat,
    format_lon,
    icao,
    polygon_points,
)
from skywarden.laser.tfr import smallest_tfr
from skywarden.laser.volume import Fan, HazardVolume

T0 = 1_770_782_400.0  # 2026-02-11T04:00Z
VOL = HazardVolume(31.84, -106.30, 1235.0, Fan(20.0, 105.0, 3.0, 20.0), 43_900.0)
TFR = smallest_tfr(VOL, T0, T0 + 7200 + 20, buffer_nm=0.5)  # end rounds up to 06:01
CTX = NotamContext(icao_number="A0426/26", fdc_number="6/0426")
ONE_ARCSEC_DEG = 1 / 3600


@pytest.mark.parametrize(
    ("lat", "lon", "text"),
    [
        (31.84, -106.30, ("315024N", "1061800W")),
        (-33.5, 151.25, ("333000S", "1511500E")),
        (31.9999999, -106.9999999, ("320000N", "1070000W")),  # 59.9996" carries over
        (0.0, 0.0, ("000000N", "0000000E")),
    ],
)
def test_ddmmss_format(lat: float, lon: float, text: tuple[str, str]) -> None:
    assert (format_lat(lat), format_lon(lon)) == text
    # and an independent coordinate parser reads them back
    assert coords.parse_pair(f"{text[0]} {text[1]}") == pytest.approx(
        (lat, lon), abs=ONE_ARCSEC_DEG
    )


def test_icao_notam_reads_back_to_the_same_centre_radius_limits_and_times() -> None:
    n = parse(icao(TFR, CTX))
    assert n.series == "A" and n.number == 426 and n.year == 2026
    q = n.q_line
    assert (q.fir, q.qcode, q.lower_fl) == ("KZAB", "QRTCA", 0)
    assert q.upper_fl * 100 >= TFR.ceiling_ft_msl
    # The Q line is rounded to whole minutes and whole NM, outward: its circle still
    # contains the published one.
    shift_nm = (
        float(distance_m(q.centre_lat, q.centre_lon, TFR.centre_lat, TFR.centre_lon)) / M_PER_NM
    )
    assert shift_nm < 1.0
    assert q.radius_nm >= TFR.radius_nm + shift_nm
    # Item E carries the exact centre and radius.
    (frag,) = n.geometry.raw_fragments
    assert coords.parse_pair(frag) == pytest.approx((TFR.centre_lat, TFR.centre_lon), abs=1e-9)
    radius = re.search(r"WI (\d+\.\d)NM RADIUS", n.body)
    assert radius is not None and float(radius.group(1)) == TFR.radius_nm
    assert n.effective_from == datetime(2026, 2, 11, 4, 0, tzinfo=UTC)
    assert n.effective_to == datetime(2026, 2, 11, 6, 1, tzinfo=UTC)
    assert n.lower_limit == "SFC"
    assert n.upper_limit == f"{TFR.ceiling_ft_msl:.0f}FT AMSL"


def test_icao_polygon_notam_reads_back_to_the_same_vertices() -> None:
    n = parse(icao(TFR, CTX, polygon=True))
    poly = n.geometry.polygon
    assert poly is not None
    distinct = polygon_points(TFR, " ")
    assert len(poly) == len(distinct) + 1  # closed ring
    for (lat, lon), text in zip(poly, distinct, strict=False):
        tlat, tlon = coords.parse_pair(text)
        assert lat == pytest.approx(tlat, abs=ONE_ARCSEC_DEG / 2 + 1e-12)
        assert lon == pytest.approx(tlon, abs=ONE_ARCSEC_DEG / 2 + 1e-12)


def test_faa_domestic_notam_reads_back() -> None:
    text = faa_domestic(TFR, CTX)
    assert text.startswith(
        "!FDC 6/0426 ZAB TX..AIRSPACE EL PASO, TX..TEMPORARY FLIGHT RESTRICTIONS"
    )
    m = re.search(
        r"WI AN AREA DEFINED AS (\d+\.\d)NM RADIUS OF (\d{6}[NS]\d{7}[EW]) SFC-(\d+)FT MSL", text
    )
    assert m is not None
    assert float(m.group(1)) == TFR.radius_nm
    # the run-together pair splits after the N/S letter; aviconv's parser reads both halves
    pair = m.group(2)
    assert coords.parse_pair(f"{pair[:7]} {pair[7:]}") == pytest.approx(
        (TFR.centre_lat, TFR.centre_lon), abs=1e-9
    )
    assert float(m.group(3)) == TFR.ceiling_ft_msl
    assert text.endswith("2602110400-2602110601")
    assert "14 CFR SECTION 91.137(A)(1)" in text


def test_faa_domestic_polygon_lists_every_distinct_vertex() -> None:
    text = faa_domestic(TFR, CTX, polygon=True)
    pts = re.findall(r"(\d{6}[NS]\d{7}[EW])", text)
    assert pts == polygon_points(TFR)
    assert "TO POINT OF ORIGIN" in text


# A polygon whose vertices crowd within a second of arc, as a fan's rounded-outward arc
# does: after rounding, consecutive vertices would print the same text.
CROWDED = dataclasses.replace(
    TFR,
    polygon=(
        (-106.1452, 32.2262),
        (-106.14521, 32.22621),  # the same point to the second
        (-106.0, 32.0),
        (-106.3, 31.75),
        (-106.30001, 31.75001),  # again
        (-106.1452, 32.22619),  # rounds to the first vertex: the ring closes on it
    ),
)


@pytest.mark.parametrize("writer", [faa_domestic, icao])
def test_polygon_notam_never_repeats_a_point_in_a_row(writer: object) -> None:
    assert callable(writer)
    text = writer(CROWDED, CTX, polygon=True)
    pts = re.findall(r"(\d{6}[NS] ?\d{7}[EW])", text)
    pts = [p.replace(" ", "") for p in pts]
    if writer is icao:
        assert pts[-1] == pts[0]  # ICAO item E closes the ring by repeating the first
        pts = pts[:-1]
    assert len(pts) == 3
    assert all(a != b for a, b in itertools.pairwise(pts))
    assert pts[0] != pts[-1]


def test_crowded_polygon_reads_back_with_aviconv() -> None:
    n = parse(icao(CROWDED, CTX, polygon=True))
    poly = n.geometry.polygon
    assert poly is not None
    assert len(poly) == 4  # three distinct vertices, closed
    assert poly[0] == poly[-1]
