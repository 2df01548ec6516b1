"""SBS-1 BaseStation lines: fields, state carried to positions, duplicates, bad lines."""

from __future__ import annotations

import pytest

from skywarden.ingest.base import Item
from skywarden.ingest.sbs import SbsParser, sbs_time
from skywarden.ingest.validate import Deduplicator
from skywarden.model import Detection

WHEN = "2026/02/11,03:10:00.200,2026/02/11,03:10:00.250"
LINES = (
    "MSG,1,1,1,A1B2C3,1,2026/02/11,03:09:59.000,2026/02/11,03:09:59.000,SWA123  ,,,,,,,,0,0,0,0\n"
    "MSG,4,1,1,A1B2C3,1,2026/02/11,03:10:00.000,2026/02/11,03:10:00.000,,,300,90.0,,,-640,,0,0,0,0\n"
    f"MSG,3,1,1,A1B2C3,1,{WHEN},,8000,,,31.8071,-106.3776,,,0,0,0,0\n"
)


def feed(data: str, parser: SbsParser | None = None) -> list[Item]:
    p = parser or SbsParser("rx")
    return p.feed(data.encode(), 1.8e9) + p.close()


def test_time_fields_are_utc() -> None:
    assert sbs_time("2026/02/11", "03:10:00.200") == pytest.approx(1770779400.2)


def test_position_carries_callsign_velocity_and_barometric_altitude() -> None:
    (det,) = feed(LINES)
    assert isinstance(det, Detection) and det.position is not None and det.identity
    assert det.t == pytest.approx(1770779400.2)
    assert (det.identity.icao24, det.identity.callsign) == ("a1b2c3", "SWA123")
    assert det.position.alt_m == pytest.approx(8000 * 0.3048)
    assert det.attrs["altitude_source"] == "barometric"
    assert det.velocity == pytest.approx((300 * 1852 / 3600, 0.0, -640 * 0.3048 / 60))


def test_same_line_from_two_receivers_is_a_duplicate_even_with_own_log_times() -> None:
    shared = Deduplicator(1.0)
    first = feed(LINES, SbsParser("rx-a", dedup=shared))
    other = LINES.replace("03:10:00.250", "03:10:00.900")  # its own logged time
    second = feed(other, SbsParser("rx-b", dedup=shared))
    assert isinstance(first[0], Detection)
    assert [getattr(o, "reason", None) for o in second] == ["duplicate"]


def test_surface_position_without_altitude_and_airborne_one_absorbed() -> None:
    surface = f"MSG,2,1,1,A1B2C3,1,{WHEN},,,12,270,31.8071,-106.3776,,,0,0,0,-1\n"
    p = SbsParser("rx")
    (det,) = feed(surface, p)
    assert isinstance(det, Detection) and det.attrs["altitude_source"] == "surface"
    airborne = f"MSG,3,1,1,A1B2C3,1,{WHEN},,,,,31.8071,-106.3776,,,0,0,0,0\n"
    assert feed(airborne, p) == []
    assert p.absorbed["position_without_altitude"] == 1


@pytest.mark.parametrize(
    ("line", "reason", "field"),
    [
        (f"MSG,3,1,1,A1B2C3,1,{WHEN},,8000,,,91.5,-106.3,,,0,0,0,0", "impossible_value", "lat"),
        (f"MSG,3,1,1,A1B2C3,1,{WHEN},,8000,,,north,-106.3,,,0,0,0,0", "corrupt", "lat"),
        (f"MSG,3,1,1,XYZ,1,{WHEN},,8000,,,31.8,-106.3,,,0,0,0,0", "corrupt", "hex_ident"),
        (f"MSG,3,1,1,A1B2C3,1,{WHEN},,8000,,,31.8,-106.3", "truncated", "fields"),
        (
            f"MSG,3,1,1,A1B2C3,1,2026/13/11,03:10:00.2,{WHEN[24:]},,8000,,,31.8,-106.3,,,0,0,0,0",
            "corrupt",
            "date",
        ),
        (f"MSG,4,1,1,A1B2C3,1,{WHEN},,,9000,90,,,,,0,0,0,0", "impossible_value", "ground_speed"),
        ("XYZ,3,1", "corrupt", "type"),
    ],
)
def test_bad_lines_are_quarantined_with_reason_field_and_line(
    line: str, reason: str, field: str
) -> None:
    out = feed("MSG,8,1,1,A1B2C3,1,,,,,,,,,,,,,,,,\n" + line + "\n")
    (rej,) = out
    assert not isinstance(rej, Detection)
    assert (rej.reason, rej.field, rej.line, rej.raw) == (reason, field, 2, line)


def test_non_utf8_bytes_do_not_stop_the_stream() -> None:
    p = SbsParser("rx")
    out = p.feed(b"\xff\xfe garbage\n" + LINES.encode(), 1.8e9)
    assert [type(o).__name__ for o in out] == ["Rejection", "Detection"]
    assert out[0].reason == "corrupt" and out[0].line == 1  # type: ignore[union-attr]


def test_receiver_on_local_time_is_shifted_to_utc() -> None:
    from skywarden.ingest.base import IngestOptions

    mst = SbsParser("rx", IngestOptions(sbs_utc_offset_s=-7 * 3600.0))
    (det,) = feed(LINES, mst)
    assert isinstance(det, Detection) and det.t == pytest.approx(1770779400.2 + 7 * 3600)
