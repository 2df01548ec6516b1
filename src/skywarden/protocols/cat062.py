"""EUROCONTROL ASTERIX Category 062 (SDPS system track data) out, edition 1.18.

What an air navigation service's tracker reads from another tracker. Items written (the
FRN order of the edition's User Application Profile, EUROCONTROL-SPEC-0149-9):

- I062/010 Data Source Identifier: SAC, SIC of this system;
- I062/015 Service Identification: one octet;
- I062/070 Time Of Track Information: seconds since UTC midnight, 1/128 s;
- I062/105 Calculated Position in WGS-84: latitude and longitude, 180/2^25 degrees;
- I062/100 Calculated Track Position (Cartesian): X east, Y north of the system
  reference point, 0.5 m (written when that point, the sector origin, is known);
- I062/185 Calculated Track Velocity (Cartesian): Vx east, Vy north, 0.25 m/s;
- I062/060 Track Mode 3/A Code: when the track carries one (``mode3a``, octal digits);
- I062/380 Aircraft Derived Data, subfield ADR: the 24-bit address (``icao:`` identity);
- I062/040 Track Number: 16 bits, a number per track id, kept for the whole output;
- I062/080 Track Status: MON (mono-sensor), CNF (tentative), TSB (first message of the
  track), TSE (last message: the track ended), SIM=0;
- I062/290 System Track Update Ages, subfield TRK: track age, 0.25 s (max 63.75 s);
- I062/130 Calculated Track Geometric Altitude: 6.25 ft (skywarden's metres MSL);
- I062/390 Flight Plan Related Data, subfield CSN: the callsign, 7 ASCII characters.

Values outside an item's range are clamped to its limits, and a field that cannot be
written (no position) drops the record; every written field reads back from
``asterix-decoder`` exactly as the quantised value written (tests/protocols).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from skywarden.geo import LocalFrame
from skywarden.ingest.asterix_writer import block

CATEGORY = 62
# FRN order of the CAT062 1.18 UAP; "-" marks spare FRNs.
UAP: tuple[str, ...] = (
    "010", "-", "015", "070", "105", "100", "185",
    "210", "060", "245", "380", "040", "080", "290",
    "200", "295", "136", "130", "135", "220", "390",
    "270", "300", "110", "120", "510", "500", "340",
)  # fmt: skip
LATLON_LSB = 180.0 / 2**25  # deg
XY_LSB = 0.5  # m
V_LSB = 0.25  # m/s
TIME_LSB = 1 / 128  # s
ALT_LSB_FT = 6.25
AGE_LSB = 0.25  # s
FT = 0.3048
MAX_RECORDS_PER_BLOCK = 100  # keeps a block well under the 65535-octet LEN limit


def _clamp_int(v: float, lsb: float, bits: int, signed: bool = True) -> int:
    n = round(v / lsb)
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    return max(lo, min(hi, n))


def _s(n: int, octets: int) -> bytes:
    return n.to_bytes(octets, "big", signed=True)


def _u(n: int, octets: int) -> bytes:
    return n.to_bytes(octets, "big", signed=False)


def record(items: Mapping[str, bytes]) -> bytes:
    """One CAT062 record: FSPEC (FX-chained octets, 7 FRNs each), items in FRN order."""
    unknown = set(items) - set(UAP)
    if unknown or "-" in items:
        raise KeyError(f"CAT062 has no items {sorted(unknown)}")
    frns = [UAP.index(k) for k in items]
    fspec = bytearray(max(frns) // 7 + 1)
    for frn in frns:
        fspec[frn // 7] |= 0x80 >> (frn % 7)
    for i in range(len(fspec) - 1):
        fspec[i] |= 0x01
    return bytes(fspec) + b"".join(items[k] for k in UAP if k in items)


def time_of_day(t: float) -> float:
    return t % 86400.0


def i010(sac: int, sic: int) -> bytes:
    return bytes([sac & 0xFF, sic & 0xFF])


def i070(t: float) -> bytes:
    return _u(round(time_of_day(t) / TIME_LSB) % (1 << 24), 3)


def i105(lat: float, lon: float) -> bytes:
    return _s(_clamp_int(lat, LATLON_LSB, 32), 4) + _s(_clamp_int(lon, LATLON_LSB, 32), 4)


def i100(x: float, y: float) -> bytes:
    return _s(_clamp_int(x, XY_LSB, 24), 3) + _s(_clamp_int(y, XY_LSB, 24), 3)


def i185(vx: float, vy: float) -> bytes:
    return _s(_clamp_int(vx, V_LSB, 16), 2) + _s(_clamp_int(vy, V_LSB, 16), 2)


def i060(mode3a_octal: str) -> bytes:
    code = int(mode3a_octal, 8)
    if not 0 <= code <= 0o7777:
        raise ValueError(f"Mode 3/A {mode3a_octal!r} is not 4 octal digits")
    return _u(code, 2)


def i380_adr(icao24: str) -> bytes:
    return bytes([0x80]) + _u(int(icao24, 16), 3)


def i080(*, mono: bool, tentative: bool, first: bool, last: bool) -> bytes:
    o1 = (0x80 if mono else 0) | (0x02 if tentative else 0) | 0x01  # FX: octet 2 follows
    o2 = (0x40 if last else 0) | (0x20 if first else 0)
    return bytes([o1, o2])


def i290_trk(age_s: float) -> bytes:
    return bytes([0x80, _clamp_int(max(0.0, age_s), AGE_LSB, 8, signed=False)])


def i130(alt_m: float) -> bytes:
    return _s(_clamp_int(alt_m / FT, ALT_LSB_FT, 16), 2)


def i390_csn(callsign: str) -> bytes:
    cs = "".join(c for c in callsign.upper() if c.isascii() and (c.isalnum() or c == " "))
    return bytes([0x40]) + cs[:7].ljust(7).encode("ascii")


@dataclass
class Cat062Encoder:
    """Track points (store/bus point form) to CAT062 records and data blocks.

    Keeps per-track state across calls (track numbers, first-seen times) so a stream
    written in several calls numbers its tracks consistently.
    """

    sac: int = 0
    sic: int = 1
    service: int = 1
    frame: LocalFrame | None = None
    numbers: dict[str, int] = field(default_factory=dict)
    first_t: dict[str, float] = field(default_factory=dict)

    def track_number(self, track: str) -> int:
        if track not in self.numbers:
            self.numbers[track] = (len(self.numbers) + 1) % 65536
        return self.numbers[track]

    def items(self, p: Mapping[str, Any]) -> dict[str, bytes]:
        """The items of one track point (see the module docstring for which)."""
        tid = str(p["track"])
        t = float(p["t"])
        first = tid not in self.first_t
        t_first = self.first_t.setdefault(tid, t)
        lat, lon, alt = float(p["lat"]), float(p["lon"]), float(p["alt_m"])
        if not all(math.isfinite(v) for v in (t, lat, lon, alt)):
            raise ValueError(f"track {tid}: non-finite time or position")
        items: dict[str, bytes] = {
            "010": i010(self.sac, self.sic),
            "015": bytes([self.service & 0xFF]),
            "070": i070(t),
            "105": i105(lat, lon),
            "040": _u(self.track_number(tid), 2),
            "080": i080(
                mono=len(p.get("sensors") or ()) == 1,
                tentative=p.get("status") == "tentative",
                first=first,
                last=p.get("status") == "ended",
            ),
            "290": i290_trk(t - t_first),
            "130": i130(alt),
        }
        if self.frame is not None:
            e, n, _up = self.frame.to_enu(lat, lon, alt)
            items["100"] = i100(float(e), float(n))
        v = p.get("velocity")
        if v and v[0] is not None and v[1] is not None:
            items["185"] = i185(float(v[0]), float(v[1]))
        if p.get("mode3a"):
            items["060"] = i060(str(p["mode3a"]))
        icao = next(
            (str(i)[5:] for i in p.get("identities") or () if str(i).startswith("icao:")), None
        )
        if icao:
            items["380"] = i380_adr(icao)
        if p.get("callsign"):
            items["390"] = i390_csn(str(p["callsign"]))
        return items

    def encode(self, points: Iterable[Mapping[str, Any]]) -> bytes:
        """Data blocks of at most ``MAX_RECORDS_PER_BLOCK`` records, in the given order."""
        out = []
        recs: list[bytes] = []
        for p in points:
            recs.append(record(self.items(p)))
            if len(recs) == MAX_RECORDS_PER_BLOCK:
                out.append(block(CATEGORY, recs))
                recs = []
        if recs:
            out.append(block(CATEGORY, recs))
        return b"".join(out)
