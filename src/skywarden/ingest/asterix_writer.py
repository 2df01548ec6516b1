"""A minimal EUROCONTROL ASTERIX writer: data blocks of records from encoded items.

asterix-decoder reads ASTERIX but cannot write it; the test suite and the replay tools
need records of the categories skywarden reads (015, 021, 048, 062, 205) with known
values. This writer does the framing only (EUROCONTROL ASTERIX Part 1, §4): a record
is an FSPEC (one bit per User Application Profile field, 7 per octet, FX bit 1 set when
another octet follows) followed by the present items in UAP order; a data block is
CAT (1 octet), LEN (2 octets, big-endian, whole block) and its records. Items are
given already encoded (the helpers below cover the item layouts the tests use).
"""

from __future__ import annotations

# User Application Profiles (FRN order) of the editions asterix-decoder ships.
UAP: dict[int, tuple[str, ...]] = {
    15: (
        "010",
        "000",
        "015",
        "020",
        "030",
        "145",
        "161",
        "170",
        "050",
        "270",
        "300",
        "400",
        "600",
        "601",
        "602",
        "603",
        "604",
        "605",
        "480",
        "625",
        "626",
        "627",
        "628",
        "630",
        "631",
        "SP",
    ),
    21: (
        "010",
        "040",
        "161",
        "015",
        "071",
        "130",
        "131",
        "072",
        "150",
        "151",
        "080",
        "073",
        "074",
        "075",
        "076",
        "140",
        "090",
        "210",
        "070",
        "230",
        "145",
        "152",
        "200",
        "155",
        "157",
        "160",
        "165",
    ),
    205: (
        "010",
        "015",
        "000",
        "030",
        "040",
        "090",
        "050",
        "060",
        "070",
        "080",
        "100",
        "110",
        "120",
        "130",
        "140",
        "150",
        "160",
        "170",
        "180",
        "190",
        "200",
    ),
}


def record(category: int, items: dict[str, bytes]) -> bytes:
    """One record: FSPEC then the given items in UAP order."""
    uap = UAP[category]
    unknown = set(items) - set(uap)
    if unknown:
        raise KeyError(f"CAT{category:03d} has no items {sorted(unknown)}")
    present = [uap.index(k) for k in items]
    n_octets = max(present) // 7 + 1
    fspec = bytearray(n_octets)
    for frn in present:
        fspec[frn // 7] |= 0x80 >> (frn % 7)
    for i in range(n_octets - 1):
        fspec[i] |= 0x01
    body = b"".join(items[k] for k in uap if k in items)
    return bytes(fspec) + body


def block(category: int, records: list[bytes]) -> bytes:
    """A data block: CAT, LEN (including these 3 octets), records."""
    payload = b"".join(records)
    return bytes([category]) + (3 + len(payload)).to_bytes(2, "big") + payload


def signed(value: float, scale: float, octets: int) -> bytes:
    """A two's-complement field of ``octets`` bytes holding ``value / scale``."""
    return round(value / scale).to_bytes(octets, "big", signed=True)


def unsigned(value: float, scale: float, octets: int) -> bytes:
    return round(value / scale).to_bytes(octets, "big", signed=False)


def time_of_day(seconds: float) -> bytes:
    """Seconds since UTC midnight in 1/128 s, 3 octets (I015/145, I021/073, I205/030)."""
    return unsigned(seconds, 1 / 128, 3)
