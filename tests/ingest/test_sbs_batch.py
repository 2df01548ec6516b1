"""The bulk SBS path gives exactly the scalar path's Detections and Rejections.

``SbsParser(batched=False)`` runs every line through ``parse_line``, the reference; the
default parser decodes plain position lines in bulk (``skywarden.ingest.sbs_batch``).
Both are fed the same bytes, cut into the same chunks, and must return equal items,
down to the JSON each would write.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.ingest import sbs_batch
from skywarden.ingest.base import IngestOptions, Item
from skywarden.ingest.sbs import SbsParser
from skywarden.ingest.validate import Deduplicator
from skywarden.model import Detection, Identity, InvalidRecord, Position, SensorKind

T_RX = 1_770_779_400.0
DAY = "2026/02/11"


def decode(data: bytes, *, batched: bool, chunk: int = 1 << 20, **options: object) -> list[Item]:
    parser = SbsParser("rx", IngestOptions(clock=lambda: T_RX, **options), batched=batched)  # type: ignore[arg-type]
    out: list[Item] = []
    for i in range(0, len(data), chunk):
        out += parser.feed(data[i : i + chunk], T_RX)
    return out + parser.close()


def assert_same(data: bytes, chunk: int = 1 << 20, **options: object) -> list[Item]:
    """Decode both ways; the items (and their JSON) must be equal. Returns them."""
    fast = decode(data, batched=True, chunk=chunk, **options)
    reference = decode(data, batched=False, chunk=chunk, **options)
    assert fast == reference
    assert [json.dumps(i.to_dict()) for i in fast] == [json.dumps(i.to_dict()) for i in reference]
    return fast


def position(hexid: str = "A1B2C3", *, clock: str = "03:10:00.200", alt: str = "8000",
             lat: str = "31.8071", lon: str = "-106.3776", ground: str = "0",
             callsign: str = "", squawk: str = "") -> str:  # fmt: skip
    return (
        f"MSG,3,1,1,{hexid},1,{DAY},{clock},{DAY},{clock},{callsign},{alt},,,"
        f"{lat},{lon},,{squawk},0,0,0,{ground}"
    )


def dated(msgs: Path) -> bytes:
    """The npm sbs1 sample with generated date and time filled in, 10 ms apart."""
    out = []
    for i, line in enumerate(msgs.read_text().splitlines()):
        f = line.split(",")
        s = 11400.0 + i * 0.01
        f[6] = f[8] = DAY
        f[7] = f[9] = f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:06.3f}"
        out.append(",".join(f))
    return ("\n".join(out) + "\n").encode()


@pytest.fixture(autouse=True)
def bulk_for_any_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every chunk through the bulk path, however few position lines it has."""
    monkeypatch.setattr(sbs_batch, "MIN_POSITION_SHARE", 0.0)
    monkeypatch.setattr(sbs_batch, "MIN_POSITION_LINES", 0)


def test_real_sbs1_sample_as_shipped_and_dated(sbs1_msgs: Path) -> None:
    assert_same(sbs1_msgs.read_bytes())
    items = assert_same(dated(sbs1_msgs))
    detections = [i for i in items if isinstance(i, Detection)]
    assert len(detections) >= 60  # its 74 MSG,3 lines, minus positions without altitude


def test_real_sample_positions_in_small_chunks(sbs1_msgs: Path) -> None:
    """Chunks cut mid-line: the partial line waits, numbering goes on across chunks."""
    data = dated(sbs1_msgs)
    assert_same(data, chunk=977)
    assert decode(data, batched=True, chunk=977) == decode(data, batched=True)


# Each is one kind of trouble a plain-looking position line can carry.
MALFORMED = [
    position(lat="91.5"),  # impossible latitude
    position(lon="-180.0001"),
    position(lat="north"),  # corrupt number
    position(lat="nan"),
    position(lon="inf"),
    position(alt="200000"),  # 61 km: impossible altitude
    position(alt="-2000"),
    position(alt="8e3"),  # an exponent Python reads: accepted both ways
    position(lat="3_1.8"),  # an underscore Python reads: accepted both ways
    position(lat=" 31.8"),  # a space: the scalar path decides
    position(lat="+31.80710000000000001"),  # longer than the bulk window
    position(lat="00000000000000031.8"),
    position(lat="31.8\x00"),  # a NUL byte, which float() refuses
    position(clock="25:00:00.000"),  # impossible hour
    position(clock="03:10:61.000"),
    position(clock="3:10:00.2"),  # another spelling the scalar path reads
    position(clock="03:10:0a.200"),
    position().replace(DAY, "2026/13/11", 1),  # month 13
    position().replace(DAY, "1999/12/31"),  # before 2000: impossible time
    position(hexid="XYZ"),  # bad hex ident
    position(hexid="+1a2b3"),  # int() reads it, Identity refuses it
    position(hexid="D4E5F6") + ",extra",  # 23 fields
    position()[:40],  # truncated
    position(ground="-1"),  # on the ground
    position(callsign="SWA123  ", squawk="7500"),
    position(alt=""),  # airborne position without altitude: absorbed
    "MSG,3,1,1,A1B2C3,1,,,,,,8000,,,31.8,-106.3,,,0,0,0,0",  # no date: receive time
    "MSG,4,1,1,A1B2C3,1,2026/02/11,03:10:00.300,,,,,1500,90,,,0,,0,0,0,0",  # 1500 kt
    "MSG,4,1,1,D4E5F6,1,2026/02/11,03:10:00.300,,,,,300,90,,,nan,,0,0,0,0",  # NaN climb
    "#comment",
    "",
    "\r",
    "XYZ,3,1",
]


def test_mixed_file_with_malformed_lines_matches_the_scalar_path() -> None:
    lines: list[str] = []
    for k, bad in enumerate(MALFORMED):  # each between good lines of both aircraft, twice
        a, b = (f"03:10:{10 + k + d:06.3f}" for d in (0.0, 0.5))
        lines += [position(clock=a), bad, bad, position("D4E5F6", clock=b, lat="31.9") + "\r"]
    data = ("\n".join(lines) + "\n").encode()
    items = assert_same(data)
    reasons = {getattr(i, "reason", "accepted") for i in items}
    assert {"accepted", "duplicate", "impossible_value", "corrupt", "truncated"} <= reasons
    assert sum(isinstance(i, Detection) for i in items) > 2 * len(MALFORMED)
    for chunk in (1, 50, 333):
        assert_same(data, chunk=chunk)


def test_time_offset_and_velocity_state_carry_the_same_way() -> None:
    lines = [
        "MSG,4,1,1,A1B2C3,1,2026/02/11,03:09:59.000,,,,,300,90.0,,,-640,,0,0,0,0",
        position(clock="03:10:00.200"),
        position(clock="03:10:40.000"),  # velocity older than 30 s is not attached
        "MSG,1,1,1,A1B2C3,1,2026/02/11,03:10:41.000,,,N123  ,,,,,,,,0,0,0,0",
        position(clock="03:10:41.500"),  # a new callsign: a new Identity
    ]
    data = ("\n".join(lines) + "\n").encode()
    items = assert_same(data, sbs_utc_offset_s=-7 * 3600.0)
    dets = [i for i in items if isinstance(i, Detection)]
    assert [d.velocity is not None for d in dets] == [True, False, False]
    assert dets[-1].identity is not None and dets[-1].identity.callsign == "N123"


def test_a_velocity_records_refuse_rejects_the_next_position_the_same_way() -> None:
    """1500 kt passes the SBS check (2000 kt) but not Detection's 400 m/s."""
    lines = [
        position(clock="03:09:59.000"),
        "MSG,4,1,1,A1B2C3,1,2026/02/11,03:10:00.000,,,,,1500,90.0,,,0,,0,0,0,0",
        position(clock="03:10:00.200"),
    ]
    items = assert_same(("\n".join(lines) + "\n").encode())
    assert [getattr(i, "field", None) for i in items] == [None, "velocity[0]"]


def test_a_duplicate_is_caught_across_a_bulk_and_a_scalar_receiver() -> None:
    shared = Deduplicator(1.0)
    line = (position() + "\n").encode()
    warm = (position(clock="03:09:59.000") + "\n").encode()  # lets the bulk path know it
    a = SbsParser("rx-a", dedup=shared)
    b = SbsParser("rx-b", dedup=shared, batched=False)
    first = a.feed(warm + line, T_RX)
    second = b.feed(line.replace(b"03:10:00.200\n", b"03:10:00.900\n"), T_RX)
    assert all(isinstance(i, Detection) for i in first)
    assert [getattr(i, "reason", None) for i in second] == ["duplicate"]


def test_a_chunk_with_few_positions_takes_the_scalar_path(
    sbs1_msgs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sbs_batch, "MIN_POSITION_SHARE", 0.05)  # the defaults
    monkeypatch.setattr(sbs_batch, "MIN_POSITION_LINES", 64)
    bulk: list[object] = []

    class Counted(sbs_batch.PlainPositions):
        def __init__(self, block: bytes, utc_offset_s: float) -> None:
            bulk.append(block)
            super().__init__(block, utc_offset_s)

    monkeypatch.setattr(sbs_batch, "PlainPositions", Counted)
    assert_same(dated(sbs1_msgs))  # 2% positions
    assert_same(("\n".join(position(clock=f"03:10:{s:06.3f}") for s in range(63)) + "\n").encode())
    assert bulk == []
    assert_same(
        ("\n".join(position(clock=f"03:10:{s / 2:06.3f}") for s in range(64)) + "\n").encode()
    )
    assert len(bulk) == 1


def test_empty_sensor_id_is_refused_the_same_way() -> None:
    data = ("\n".join([position(), position(clock="03:10:01.000")]) + "\n").encode()
    out = [SbsParser("", batched=b).feed(data, T_RX) for b in (True, False)]
    assert out[0] == out[1] and all(getattr(i, "field", None) == "sensor" for i in out[0])


FIELD = st.sampled_from(
    ["", "0", "1", "-1", "3", "8000", "31.8071", "-106.3776", "91", "nan", "1e3", "1_0",
     " 5", "A1B2C3", "a1b2c3", "XYZ", "2026/02/11", "03:10:00.200", "99:99:99.999",
     "SWA123", "7500", "-0.0", "00031.8", "1.", ".5", "\x00", "é"]
)  # fmt: skip


@st.composite
def sbs_lines(draw: st.DrawFn) -> str:
    """Plain position lines with one or two fields swapped for something else, or noise."""
    clock = f"03:10:{draw(st.integers(0, 59)):02d}.{draw(st.integers(0, 999)):03d}"
    f = position(
        draw(st.sampled_from(["A1B2C3", "D4E5F6"])),
        clock=clock,
        alt=draw(st.sampled_from(["8000", "-1500", "35000", "0"])),
        lat=f"{draw(st.floats(-90, 90)):.5f}",
        lon=f"{draw(st.floats(-180, 180)):.5f}",
    ).split(",")
    for _ in range(draw(st.integers(0, 2))):
        f[draw(st.integers(0, 21))] = draw(FIELD)
    if draw(st.booleans()):
        f[1] = draw(st.sampled_from(["1", "2", "3", "4", "5", "8"]))
    return ",".join(f)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sbs_lines(), min_size=1, max_size=40), st.integers(1, 400))
def test_generated_lines_match_the_scalar_path(lines: list[str], chunk: int) -> None:
    assert_same(("\n".join(lines) + "\n").encode("utf-8"), chunk=chunk)


SEED = "".join(position(clock=f"03:10:{k / 4:06.3f}", lat=f"31.{k:04d}") + "\n" for k in range(40))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SEED) - 1), st.sampled_from(list(",.-:/0123459MSG\r\n \t\x00e_"))
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 4096),
)
def test_mutated_bytes_match_the_scalar_path(edits: list[tuple[int, str]], chunk: int) -> None:
    """Single bytes of a clean position file overwritten: commas, digits, separators, NUL."""
    text = list(SEED)
    for at, char in edits:
        text[at] = char
    assert_same("".join(text).encode(), chunk=chunk)


def test_trusted_constructors_build_the_same_frozen_records() -> None:
    ident = Identity(icao24="a1b2c3", callsign="SWA123")
    p = Position.trusted(31.8, -106.4, 2438.4)
    assert p == Position(31.8, -106.4, 2438.4) and type(p) is Position
    d = Detection.trusted(T_RX, "rx", SensorKind.ADSB, p, (1.0, 2.0, 0.0), ident, {"a": 1})
    full = Detection(T_RX, "rx", SensorKind.ADSB, p, velocity=(1.0, 2.0, 0.0), identity=ident,
                     attrs={"a": 1})  # fmt: skip
    assert d == full and hash(d.position) == hash(full.position)
    for f in dataclasses.fields(Detection):  # every field is set, none left to a default
        assert getattr(d, f.name) == getattr(full, f.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.t = 0.0  # type: ignore[misc]
    assert Detection.from_dict(d.to_dict()) == d
    with pytest.raises(InvalidRecord):  # the validating constructor is unchanged
        Position(91.0, 0.0, 0.0)
