"""CAT062 out, read back by asterix-decoder: every field written is read back equal."""

from __future__ import annotations

import math
from typing import Any

import asterix
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.geo import LocalFrame
from skywarden.protocols import cat062
from skywarden.protocols.cat062 import Cat062Encoder

FRAME = LocalFrame(31.76, -106.43, 1150.0)


def q(v: float, lsb: float) -> float:
    return round(v / lsb) * lsb


def point(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "t": 1_770_778_802.25,
        "track": "T000004",
        "status": "confirmed",
        "lat": 31.7612345,
        "lon": -106.4854321,
        "alt_m": 1250.0,
        "velocity": [3.3, -4.1, 0.2],
        "identities": ["icao:a1b2c3", "rid:X"],
        "callsign": "SWA123",
        "sensors": ["adsb-kelp", "radar-downtown"],
    }
    d.update(kw)
    return d


def decode(data: bytes) -> list[dict[str, Any]]:
    return list(asterix.parse(data, verbose=False))


def val(rec: dict[str, Any], item: str, *path: str) -> Any:
    node = rec[item]
    for k in path:
        node = node[k]
    return node["val"]


def check(rec: dict[str, Any], p: dict[str, Any], number: int) -> None:
    assert rec["category"] == 62
    assert (val(rec, "I010", "SAC"), val(rec, "I010", "SIC")) == (0, 1)
    assert val(rec, "I015", "SID") == 1
    assert val(rec, "I070", "ToT") == q(p["t"] % 86400, 1 / 128)
    assert val(rec, "I105", "Lat") == q(p["lat"], cat062.LATLON_LSB)
    assert val(rec, "I105", "Lon") == q(p["lon"], cat062.LATLON_LSB)
    x, y, _ = FRAME.to_enu(p["lat"], p["lon"], p["alt_m"])
    assert val(rec, "I100", "X") == q(x, 0.5)
    assert val(rec, "I100", "Y") == q(y, 0.5)
    assert val(rec, "I185", "Vx") == q(p["velocity"][0], 0.25)
    assert val(rec, "I185", "Vy") == q(p["velocity"][1], 0.25)
    assert val(rec, "I040", "TrkN") == number
    assert val(rec, "I130", "Alt") == q(p["alt_m"] / 0.3048, 6.25)
    assert val(rec, "I080", "MON") == (len(p["sensors"]) == 1)
    assert val(rec, "I080", "CNF") == (p["status"] == "tentative")
    assert val(rec, "I080", "TSE") == (p["status"] == "ended")
    if "icao:a1b2c3" in p["identities"]:
        assert val(rec, "I380", "ADR", "ADR") == "A1B2C3"
    if p.get("callsign"):
        assert val(rec, "I390", "CSN", "CS").rstrip() == p["callsign"]


def test_every_item_reads_back_equal() -> None:
    enc = Cat062Encoder(frame=FRAME)
    p = point(mode3a="7000")
    (rec,) = decode(enc.encode([p]))
    check(rec, p, 1)
    assert val(rec, "I060", "Mode3A") == "7000"
    assert val(rec, "I080", "TSB") == 1  # first message of the track
    assert val(rec, "I290", "TRK", "TRK") == 0.0


def test_track_numbers_status_and_age_follow_the_stream() -> None:
    enc = Cat062Encoder(frame=FRAME)
    pts = [
        point(t=1_770_778_800.0, sensors=["radar-downtown"]),
        point(t=1_770_778_800.0, track="T9", status="tentative", identities=[], callsign=None),
        point(t=1_770_778_810.5),
        point(t=1_770_778_812.0, status="ended"),
    ]
    recs = decode(enc.encode(pts))
    assert [val(r, "I040", "TrkN") for r in recs] == [1, 2, 1, 1]
    assert [val(r, "I080", "TSB") for r in recs] == [1, 1, 0, 0]
    assert [val(r, "I290", "TRK", "TRK") for r in recs] == [0.0, 0.0, 10.5, 12.0]
    for r, p, n in zip(recs, pts, [1, 2, 1, 1], strict=True):
        check(r, p, n)
    assert "I380" not in recs[1] and "I390" not in recs[1]


def test_many_records_split_into_blocks() -> None:
    enc = Cat062Encoder(frame=FRAME)
    pts = [point(t=1_770_778_800.0 + k, track=f"T{k % 7}") for k in range(250)]
    data = enc.encode(pts)
    recs = decode(data)
    assert len(recs) == 250
    blocks, at = [], 0
    while at < len(data):  # CAT, LEN (whole block) per block
        n = int.from_bytes(data[at + 1 : at + 3], "big")
        blocks.append(len(decode(data[at : at + n])))
        at += n
    assert blocks == [100, 100, 50]


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-179.9, 179.9),
    alt=st.floats(-400, 20_000),
    ve=st.floats(-300, 300),
    vn=st.floats(-300, 300),
    t=st.floats(946_684_800, 4_102_444_000),
)
def test_round_trip_property(
    lat: float, lon: float, alt: float, ve: float, vn: float, t: float
) -> None:
    p = point(t=t, lat=lat, lon=lon, alt_m=alt, velocity=[ve, vn, 0.0])
    frame = LocalFrame(lat, lon, 0.0)  # a reference point near the track: X, Y in range
    (rec,) = decode(Cat062Encoder(frame=frame).encode([p]))
    assert val(rec, "I105", "Lat") == q(lat, cat062.LATLON_LSB)
    assert val(rec, "I105", "Lon") == q(lon, cat062.LATLON_LSB)
    assert val(rec, "I185", "Vx") == q(ve, 0.25)
    assert val(rec, "I185", "Vy") == q(vn, 0.25)
    assert val(rec, "I130", "Alt") == q(alt / 0.3048, 6.25)
    assert math.isclose(val(rec, "I070", "ToT"), q(t % 86400, 1 / 128) % 131072, abs_tol=1e-9)
