"""Mode S decoding against the published examples of J. Sun, *The 1090 MHz Riddle*."""

from __future__ import annotations

import pytest

from skywarden.ingest.modes import ModeSDecoder, crc_remainder, decode_frame
from skywarden.ingest.rejection import Reason, RejectedMessage

T0 = 1_700_000_000.0
EVEN = bytes.fromhex("8D40621D58C382D690C8AC2863A7")  # book, "Airborne position"
ODD = bytes.fromhex("8D40621D58C386435CC412692AD6")


def test_identification_gives_callsign() -> None:
    frame = decode_frame(bytes.fromhex("8D4840D6202CC371C32CE0576098"))
    assert (frame.df, frame.icao, frame.typecode) == (17, "4840d6", 4)
    assert frame.callsign == "KLM1023"


def test_even_odd_pair_newest_even_and_newest_odd() -> None:
    # Book: even newest -> 52.25720, 3.91937; odd newest -> 52.26578, 3.93891; 38,000 ft.
    # One pair is only a candidate (see test_cpr): it is not emitted, but it is decoded.
    dec = ModeSDecoder("rx")
    assert dec.decode(ODD, T0) == (None, "cpr_pending")
    assert dec.decode(EVEN, T0 + 1) == (None, "cpr_unconfirmed")
    (cand,) = dec.aircraft["40621d"].cpr.candidates
    assert cand.lat == pytest.approx(52.25720, abs=1e-5)
    assert cand.lon == pytest.approx(3.91937, abs=1e-5)

    dec = ModeSDecoder("rx")
    dec.decode(EVEN, T0)
    dec.decode(ODD, T0 + 1)
    (cand,) = dec.aircraft["40621d"].cpr.candidates
    assert cand.lat == pytest.approx(52.26578, abs=1e-5)
    assert cand.lon == pytest.approx(3.93891, abs=1e-5)


def test_single_frame_with_reference_position() -> None:
    # Book, "locally unambiguous": reference (52.258, 3.918) and the even frame. Read
    # against a receiver only when its range (here 150 NM) is under half a zone.
    dec = ModeSDecoder("rx", receiver=(52.258, 3.918), max_range_m=150 * 1852.0)
    assert dec.decode(EVEN, T0) == (None, "cpr_unconfirmed")
    (cand,) = dec.aircraft["40621d"].cpr.candidates
    assert not cand.global_
    assert cand.lat == pytest.approx(52.25720, abs=1e-5)
    assert cand.lon == pytest.approx(3.91937, abs=1e-5)


def test_pair_too_far_apart_in_time_is_not_combined() -> None:
    dec = ModeSDecoder("rx")
    dec.decode(ODD, T0)
    assert dec.decode(EVEN, T0 + 11) == (None, "cpr_pending")


def test_ground_velocity_and_vertical_rate() -> None:
    # Book, "Airborne velocity" subtype 1: 159.20 kt, 182.88 deg, -832 ft/min.
    f = decode_frame(bytes.fromhex("8D485020994409940838175B284F"))
    assert f.velocity_en_kt == (-8.0, -159.0)
    assert f.groundspeed_kt == pytest.approx(159.20, abs=0.01)
    assert f.track_deg == pytest.approx(182.88, abs=0.01)
    assert f.vertical_rate_fpm == -832


def test_velocity_attaches_to_next_position_in_si_units() -> None:
    dec = ModeSDecoder("rx", receiver=(52.258, 3.918))
    # Reuse the velocity payload under the position aircraft's address is not possible
    # (the CRC covers the address), so check the unit conversion on its own aircraft.
    dec.decode(bytes.fromhex("8D485020994409940838175B284F"), T0)
    ac = dec.aircraft["485020"]
    assert ac.velocity is not None
    v_e, v_n, v_u = ac.velocity
    assert v_e == pytest.approx(-8 * 1852 / 3600)
    assert v_n == pytest.approx(-159 * 1852 / 3600)
    assert v_u == pytest.approx(-832 * 0.3048 / 60)


def test_airspeed_message_gives_rate_but_no_ground_vector() -> None:
    f = decode_frame(bytes.fromhex("8DA05F219B06B6AF189400CBC33F"))
    assert f.velocity_en_kt is None
    assert f.vertical_rate_fpm == -2304


def test_crc_of_clean_squitter_is_zero_and_flipped_bit_is_rejected() -> None:
    assert crc_remainder(EVEN) == 0
    broken = bytearray(EVEN)
    broken[6] ^= 0x04
    with pytest.raises(RejectedMessage) as e:
        decode_frame(bytes(broken))
    assert e.value.reason is Reason.CRC


@pytest.mark.parametrize(
    ("hexframe", "reason"),
    [
        ("", Reason.TRUNCATED),
        ("8D40621D58C382D690C8AC28", Reason.TRUNCATED),  # long DF cut short
        ("8D40621D58C382D690C8AC2863A7FF", Reason.CORRUPT),  # one byte too many
        ("3840621D58C382", Reason.CORRUPT),  # DF7 is not in use
    ],
)
def test_bad_lengths_and_formats(hexframe: str, reason: Reason) -> None:
    with pytest.raises(RejectedMessage) as e:
        decode_frame(bytes.fromhex(hexframe))
    assert e.value.reason is reason


def test_surveillance_reply_trusted_only_for_confirmed_aircraft() -> None:
    # DF4 from the traffic sample: its address 393322 is in the parity.
    df4 = bytes.fromhex("212800bf40f1ef")
    dec = ModeSDecoder("rx")
    assert dec.decode(df4, T0) == (None, "df4_unconfirmed_address")
    dec.decode(bytes.fromhex("8f393322384a02aea63afc43dcba"), T0)  # a clean DF17
    assert dec.decode(df4, T0 + 1) == (None, "df4")
    assert dec.aircraft["393322"].altitude_ft == 575


def test_avr_lines_with_and_without_mlat_counter_and_signal() -> None:
    from skywarden.ingest.avr import AvrParser
    from skywarden.ingest.base import IngestOptions

    lines = (
        "*8D40621D58C382D690C8AC2863A7;\n"  # even, no counter: reference time
        "@0000005B8D808D40621D58C386435CC412692AD6;\n"  # odd, first counter: reference
        "<000000B71B00A08D40621D58C382D690C8AC2863A7;\n"  # 6,000,000 ticks = 0.5 s later
        "<00000112A880A18D40621D58C386435CC412692AD6;\n"  # 1 s: a second, independent pair
        "*8D40621D58C382D6;\n"  # cut frame
        "*8D40621D58ZZ82D690C8AC2863A7;\n"  # not hex
        "8D40621D58C382D690C8AC2863A7\n"  # no framing at all
    )
    p = AvrParser("avr", IngestOptions(reference_time=T0))
    out = p.feed(lines.encode(), 1.8e9)
    det = out[0]
    assert det.__class__.__name__ == "Detection"
    assert det.t == T0 + 1.0  # type: ignore[union-attr]  # first counter anchors at T0
    assert det.attrs["cpr"] == "confirmed"  # type: ignore[union-attr]
    assert det.attrs["signal"] == 0xA1  # type: ignore[union-attr]  # Beast-ASCII level
    even = p.decoder.aircraft["40621d"].cpr.airborne[0]
    assert even is not None and even.t == T0 + 0.5
    assert [(o.reason, o.line) for o in out[1:]] == [  # type: ignore[union-attr]
        ("truncated", 5),
        ("corrupt", 6),
        ("truncated", 7),
    ]


def test_position_beyond_the_receivers_range_is_impossible() -> None:
    # An aircraft placed (by its own earlier fixes) near Amsterdam cannot be heard by a
    # receiver in Kansas: the fix is refused rather than passed on.
    from skywarden.ingest.cpr import Fix

    dec = ModeSDecoder("rx", receiver=(38.0, -98.0))
    dec.decode(bytes.fromhex("8D40621D58C386435CC412692AD6"), T0)  # creates its state
    dec.aircraft["40621d"].cpr.fix = Fix(52.257, 3.919, T0)
    with pytest.raises(RejectedMessage) as e:
        dec.decode(EVEN, T0 + 1)
    assert e.value.reason is Reason.IMPOSSIBLE_VALUE and "beyond" in e.value.detail
