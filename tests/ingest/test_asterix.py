"""ASTERIX through asterix-decoder: shipped samples (048, 062) and built records (015, 021, 205)."""

from __future__ import annotations

from importlib.metadata import distribution
from pathlib import Path

import pytest

from skywarden.geo import bearing_deg, distance_m
from skywarden.ingest.asterix import AsterixParser, day_time
from skywarden.ingest.asterix_writer import block, record, signed, time_of_day, unsigned
from skywarden.ingest.base import IngestOptions, Item
from skywarden.ingest.formats import detect_format
from skywarden.ingest.rejection import Rejection
from skywarden.model import Detection, SensorKind

DAY = 1_700_006_400.0  # 2023-11-15T00:00:00Z
SITE = (31.80, -106.40, 1200.0)
WGS_SCALE = 180 / 2**31


def sample(name: str) -> bytes:
    path = Path(str(distribution("asterix_decoder").locate_file(f"asterix/sample_data/{name}")))
    return path.read_bytes()


def parse(data: bytes, **kw: object) -> tuple[AsterixParser, list[Item]]:
    opts = IngestOptions(reference_time=DAY + 3600, sites={"1/2": SITE}, **kw)  # type: ignore[arg-type]
    parser = AsterixParser("radar", opts)
    return parser, parser.feed(data, DAY + 3600) + parser.close()


def test_day_time_picks_nearest_midnight() -> None:
    assert day_time(3600.5, DAY + 3000) == DAY + 3600.5
    assert day_time(86399.0, DAY + 10) == DAY - 1.0


def test_cat048_sample_gives_polar_position_flight_level_and_identity() -> None:
    data = sample("cat048.raw")
    assert detect_format(data) == "asterix"
    _, out = parse(data, receiver=(48.0, 11.5))
    (det,) = out
    assert isinstance(det, Detection) and det.position is not None and det.identity
    assert det.identity.icao24 == "3c660c" and det.identity.callsign == "DLH65A"
    assert det.position.alt_m == pytest.approx(330 * 100 * 0.3048)
    assert det.attrs["altitude_source"] == "barometric"
    # RHO 197.68 NM at THETA 340.14 deg from the site
    assert distance_m(48.0, 11.5, det.position.lat, det.position.lon) == pytest.approx(
        197.68359375 * 1852, rel=1e-9
    )
    assert bearing_deg(48.0, 11.5, det.position.lat, det.position.lon) == pytest.approx(
        340.13671875, abs=1e-6
    )


def test_cat062_sample_tracks_and_service_messages() -> None:
    parser, out = parse(sample("cat062cat065.raw"))
    assert len(out) == 2 and all(isinstance(o, Detection) for o in out)
    first = out[0]
    assert isinstance(first, Detection) and first.position is not None
    assert (first.position.lat, first.position.lon) == pytest.approx((44.734413, 13.041528))
    assert first.velocity == (-51.25, 170.0, 0.0)
    assert parser.absorbed["cat065_service"] == 1


def cat015(**items: bytes) -> bytes:
    base = {
        "010": bytes([1, 2]),
        "000": bytes([0x10]),
        "020": bytes([0x20]),
        "145": time_of_day(3600.5),
        "161": (7).to_bytes(2, "big"),
        "170": bytes([0]),
    }
    return block(15, [record(15, base | items)])


def test_cat015_wgs84_plot_with_geometric_height_and_doppler() -> None:
    data = cat015(
        **{
            "600": bytes([0x80]) + signed(31.77, WGS_SCALE, 4) + signed(-106.45, WGS_SCALE, 4),
            "601": bytes([0x80]) + signed(1250.25, 0.01, 3),
            "626": bytes([0x80]) + signed(-4.5, 0.01, 3),
        }
    )
    _, out = parse(data)
    (det,) = out
    assert isinstance(det, Detection) and det.kind is SensorKind.RADAR and det.position
    assert det.t == DAY + 3600.5
    assert det.position.lat == pytest.approx(31.77, abs=1e-7)
    assert det.position.alt_m == 1250.25
    assert det.attrs["radial_velocity_ms"] == -4.5 and det.attrs["track_number"] == 7
    assert "radial_velocity_sigma_ms" not in det.attrs


def test_cat015_doppler_with_its_precision() -> None:
    data = cat015(
        **{
            "600": bytes([0x80]) + signed(31.77, WGS_SCALE, 4) + signed(-106.45, WGS_SCALE, 4),
            "601": bytes([0x80]) + signed(1250.25, 0.01, 3),
            "626": bytes([0xC0]) + signed(-4.5, 0.01, 3) + unsigned(0.25, 1 / 64, 2),
        }
    )
    _, out = parse(data)
    (det,) = out
    assert isinstance(det, Detection)
    assert det.attrs["radial_velocity_ms"] == -4.5
    assert det.attrs["radial_velocity_sigma_ms"] == 0.25  # I626/SDDV: the tracker's error


def test_cat015_polar_plot_from_the_site() -> None:
    data = cat015(
        **{
            "625": bytes([0x80]) + signed(1500.0, 0.1, 3),
            "627": bytes([0x80]) + unsigned(45.0, 360 / 2**16, 2),
            "628": bytes([0x80]) + signed(5.0, 180 / 2**16, 2),
        }
    )
    _, out = parse(data)
    (det,) = out
    assert isinstance(det, Detection) and det.position is not None
    ground = distance_m(SITE[0], SITE[1], det.position.lat, det.position.lon)
    assert ground == pytest.approx(1500 * 0.99619, rel=1e-4)  # cos(5 deg)
    assert det.position.alt_m == pytest.approx(1200 + 1500 * 0.08716, abs=0.5)


def test_cat015_without_any_position_is_rejected_no_position() -> None:
    _, out = parse(cat015())
    (rej,) = out
    assert not isinstance(rej, Detection)
    assert (rej.reason, rej.field, rej.offset) == ("no_position", "I600", 0)  # type: ignore[attr-defined]


def test_cat021_adsb_report() -> None:
    rec = record(
        21,
        {
            "010": bytes([1, 2]),
            "040": bytes([0x00]),
            "130": signed(31.9, 180 / 2**23, 3) + signed(-106.3, 180 / 2**23, 3),
            "080": bytes.fromhex("a1b2c3"),
            "073": time_of_day(7200.0),
            "145": signed(350.0, 0.25, 2),
            "160": unsigned(0.125, 2**-14, 2) + unsigned(90.0, 360 / 2**16, 2),
        },
    )
    _, out = parse(block(21, [rec]))
    (det,) = out
    assert isinstance(det, Detection) and det.kind is SensorKind.ADSB and det.position
    assert det.identity is not None and det.identity.icao24 == "a1b2c3"
    assert det.position.alt_m == pytest.approx(35000 * 0.3048)
    assert det.velocity == pytest.approx((0.125 * 1852, 0.0, 0.0), abs=1e-9)
    assert det.t == DAY + 7200.0


def test_cat205_bearing_and_position_reports() -> None:
    bearing_rec = record(
        205,
        {
            "010": bytes([1, 2]),
            "000": bytes([1]),
            "030": time_of_day(3700.0),
            "070": unsigned(123.45, 0.01, 2),
        },
    )
    fix_rec = record(
        205,
        {
            "010": bytes([1, 2]),
            "000": bytes([1]),
            "030": time_of_day(3701.0),
            "050": signed(31.81, 180 / 2**25, 4) + signed(-106.41, 180 / 2**25, 4),
            "110": bytes([2]),
        },
    )
    _, out = parse(block(205, [bearing_rec, fix_rec]))
    b, f = out
    assert isinstance(b, Detection) and b.bearing is not None and b.kind is SensorKind.RF
    assert b.bearing.bearing_deg == pytest.approx(123.45)
    assert (b.bearing.sensor_lat, b.bearing.sensor_lon) == SITE[:2]
    assert isinstance(f, Detection) and f.position is not None and f.position.cov
    assert f.position.lat == pytest.approx(31.81, abs=1e-5)
    assert f.position.cov[0][0] == 200.0**2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (bytes([48, 0, 1]), "corrupt"),  # LEN below 3
        (bytes([48, 0, 40, 1, 2]), "truncated"),  # stream ends inside the block
        (bytes([99, 0, 4, 0]), "unsupported"),
        (bytes([48, 0, 5, 0xFF, 0xFF]), "corrupt"),  # FSPEC with no items
    ],
)
def test_bad_blocks_are_quarantined(data: bytes, reason: str) -> None:
    _, out = parse(data)
    assert [getattr(o, "reason", None) for o in out] == [reason]


def test_a_block_that_crashes_the_c_decoder_costs_only_that_block() -> None:
    # Found by fuzzing: asterix-decoder 0.7.11 segfaults on this CAT205 block (I120
    # repetitions run past the block). It runs in a worker process, so the run survives.
    crasher = bytes.fromhex("cd001b63054440002700ffd8ff287f014428403ffffffffffffb00")
    good = cat015(
        **{
            "600": bytes([0x80]) + signed(31.77, WGS_SCALE, 4) + signed(-106.45, WGS_SCALE, 4),
            "601": bytes([0x80]) + signed(1250.25, 0.01, 3),
        }
    )
    _, out = parse(good + crasher + good)
    assert [type(o).__name__ for o in out] == ["Detection", "Rejection", "Detection"]
    bad = out[1]
    assert isinstance(bad, Rejection)
    assert bad.reason == "corrupt" and bad.offset == len(good)
    assert "crashed" in bad.detail
