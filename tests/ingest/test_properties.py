"""Property tests (hypothesis): no input stops a parser, and chunking never matters.

For every format: random bytes, and valid examples with bytes flipped, inserted and
deleted, fed in arbitrary chunks, give only Detections and Rejections. For the framed
formats, feeding a stream whole or in arbitrary pieces gives the same items. The Open
Drone ID codec round-trips any record on the standard's value grid.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.ingest.base import IngestOptions, Item
from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.formats import FORMATS, make_parser
from skywarden.ingest.rejection import Rejection
from skywarden.ingest.rid_broadcast import (
    HeightType,
    Location,
    Status,
    decode_message,
    encode_message,
)
from skywarden.model import Detection

T = 1_770_779_400.0
OPTS = IngestOptions(
    reference_time=T,
    receiver=(31.8, -106.4),
    sites={"1/2": (31.8, -106.4, 1200.0)},
    clock=lambda: T,
)
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# The Riddle aircraft of the Mode S examples flies near Amsterdam: a receiver in Texas
# could not hear it, so its positions would (rightly) be out of range.
MODES_OPTS = dataclasses.replace(OPTS, receiver=None)


def feed_in_pieces(fmt: str, data: bytes, cuts: list[int]) -> list[Item]:
    opts = MODES_OPTS if fmt in ("avr", "beast", "modes_jsonl") else OPTS
    parser = make_parser(fmt, "prop", opts)
    out: list[Item] = []
    last = 0
    for c in sorted(min(c, len(data)) for c in cuts):
        out += parser.feed(data[last:c], T)
        last = c
    return out + parser.feed(data[last:], T) + parser.close()


@st.composite
def mutated(draw: st.DrawFn, fmt: str) -> bytes:
    data = bytearray(EXAMPLES[fmt])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        i = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data.insert(i, draw(st.integers(0, 255)))
        elif data:
            del data[i]
    return bytes(data)


def assert_typed(items: list[Item]) -> None:
    assert all(isinstance(i, Detection | Rejection) for i in items)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@FAST
@given(data=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=4))
def test_random_bytes_never_raise(fmt: str, data: bytes, cuts: list[int]) -> None:
    assert_typed(feed_in_pieces(fmt, data, cuts))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@FAST
@given(st.data())
def test_mutated_valid_streams_never_raise(fmt: str, data: st.DataObject) -> None:
    stream = data.draw(mutated(fmt))
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=4))
    assert_typed(feed_in_pieces(fmt, stream, cuts))


@pytest.mark.parametrize(
    "fmt", ["sbs", "avr", "beast", "modes_jsonl", "rid", "asterix", "plots_csv", "rfdf", "visual"]
)
@FAST
@given(st.data())
def test_chunking_does_not_change_the_items(fmt: str, data: st.DataObject) -> None:
    stream = EXAMPLES[fmt]
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=6))
    whole = feed_in_pieces(fmt, stream, [])
    assert feed_in_pieces(fmt, stream, cuts) == whole
    assert any(isinstance(i, Detection) for i in whole)


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from(list(Status)),
    direction=st.none() | st.integers(0, 359).map(float),
    speed=st.none()
    | st.integers(0, 255).map(lambda q: q * 0.25)
    | st.integers(86, 254).map(lambda q: q * 0.75 + 63.75),
    vspeed=st.none() | st.integers(-124, 124).map(lambda q: q * 0.5),
    lat=st.integers(-900_000_000, 900_000_000).filter(bool).map(lambda q: q / 1e7),
    lon=st.integers(-1_800_000_000, 1_800_000_000).map(lambda q: q / 1e7),
    alts=st.lists(
        st.none() | st.integers(1, 65535).map(lambda q: q * 0.5 - 1000), min_size=3, max_size=3
    ),
    accuracies=st.tuples(
        st.integers(0, 12), st.integers(0, 6), st.integers(0, 6), st.integers(0, 4)
    ),
    stamp=st.none() | st.integers(0, 36000),
    stamp_accuracy=st.none() | st.integers(1, 15).map(lambda q: q / 10),
    height_type=st.sampled_from(list(HeightType)),
)
def test_location_round_trips_on_the_standards_grid(
    status: Status,
    direction: float | None,
    speed: float | None,
    vspeed: float | None,
    lat: float,
    lon: float,
    alts: list[float | None],
    accuracies: tuple[int, int, int, int],
    stamp: int | None,
    stamp_accuracy: float | None,
    height_type: HeightType,
) -> None:
    loc = Location(
        status,
        direction,
        speed,
        vspeed,
        lat,
        lon,
        alts[0],
        alts[1],
        height_type,
        alts[2],
        *accuracies,
        stamp,
        stamp_accuracy,
    )
    assert decode_message(encode_message(loc)) == loc
