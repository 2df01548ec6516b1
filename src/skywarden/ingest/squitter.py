"""Build valid Mode S extended squitters (DF17): tests, examples, replay servers.

CPR encoding follows DO-260B §A.1.7.2 (and J. Sun, *The 1090 MHz Riddle*, ch. 5): the
position is quantised to a 17-bit fraction of its even (60 zones) or odd (59 zones)
latitude zone, then of the longitude zone at that latitude; surface frames use zones
a quarter the size (90 degrees instead of 360). The frame's parity is the CRC-24
remainder, so each built frame decodes exactly as a received one. Only the fields
skywarden reads are set (no NIC/NAC bits, no Q=0 Gillham altitudes).
"""

from __future__ import annotations

import math

from pyModeS.position import cprNL

from skywarden.ingest.modes import crc_remainder

NB = 1 << 17


def cpr_encode(lat: float, lon: float, fmt: int, surface: bool = False) -> tuple[int, int]:
    """The 17-bit (lat, lon) CPR fields of a position in format ``fmt`` (0 even, 1 odd)."""
    span = 90.0 if surface else 360.0
    dlat = span / (60 - fmt)
    yz = math.floor(NB * ((lat % dlat) / dlat) + 0.5)
    rlat = dlat * (yz / NB + math.floor(lat / dlat))
    nl = cprNL(rlat) - fmt
    dlon = span / nl if nl > 0 else span
    xz = math.floor(NB * ((lon % dlon) / dlon) + 0.5)
    return yz % NB, xz % NB


def _squitter(icao: str, me: int) -> bytes:
    body = bytes([0x8D]) + bytes.fromhex(icao) + me.to_bytes(7, "big") + b"\0\0\0"
    return body[:-3] + crc_remainder(body).to_bytes(3, "big")


def airborne(icao: str, lat: float, lon: float, alt_ft: float, fmt: int) -> bytes:
    """DF17 TC 11 airborne position with barometric altitude (25 ft steps)."""
    n = round((alt_ft + 1000) / 25)
    alt = ((n >> 4) << 5) | (1 << 4) | (n & 0xF)
    ylat, xlon = cpr_encode(lat, lon, fmt)
    me = (11 << 51) | (alt << 36) | (fmt << 34) | (ylat << 17) | xlon
    return _squitter(icao, me)


def surface(icao: str, lat: float, lon: float, fmt: int, movement: int = 1) -> bytes:
    """DF17 TC 7 surface position; ``movement`` 1 is stopped (DO-260B Table A-2-70)."""
    ylat, xlon = cpr_encode(lat, lon, fmt, surface=True)
    me = (7 << 51) | (movement << 44) | (fmt << 34) | (ylat << 17) | xlon
    return _squitter(icao, me)


def velocity(icao: str, v_east_kt: int, v_north_kt: int) -> bytes:
    """DF17 TC 19 subtype 1 ground velocity, level flight."""
    ew = (1 << 10 if v_east_kt < 0 else 0) | (abs(v_east_kt) + 1)
    ns = (1 << 10 if v_north_kt < 0 else 0) | (abs(v_north_kt) + 1)
    me = (19 << 51) | (1 << 48) | (ew << 32) | (ns << 21) | (1 << 10)
    return _squitter(icao, me)
