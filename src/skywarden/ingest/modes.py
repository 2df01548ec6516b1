"""Mode S / ADS-B frame decoding with per-aircraft state, on top of pyModeS 3.

Every raw-frame format (AVR hex, Beast binary, JSON Lines of frames) hands its frames
here. This module owns what pyModeS leaves to callers (ICAO Annex 10 Vol IV; RTCA
DO-260B; J. Sun, *The 1090 MHz Riddle*, 2021):

* the CRC-24 parity check (Annex 10 §3.1.2.3.3): DF17/18 must leave remainder 0, DF11
  may leave only the 7-bit interrogator code; DF0/4/5/16/20/21 overlay the address
  on the parity, so their recovered address is trusted only for aircraft already
  confirmed by a clean DF11/17/18;
* per-aircraft CPR state, in :mod:`skywarden.ingest.cpr`: surface and airborne frames
  kept apart, a global fix emitted and used as a reference only once an independent
  second decode confirms it, every later frame checked against it (contradictions
  put it in doubt, then replace or drop it), and the range check only against a
  receiver that was given (450 NM by default);
* bounded state: an aircraft silent for ``AIRCRAFT_TTL_S`` is forgotten, and at most
  ``MAX_AIRCRAFT`` are kept (the longest silent go first);
* the typed Detection: WGS84 position, altitude converted from feet to metres and
  labelled barometric (TC 9-18) or GNSS (TC 20-22), ENU velocity in m/s from the last
  TC 19 ground-speed message, ICAO address and callsign.

pyModeS supplies the field decoders (BDS 0,5 / 0,6 / 0,8 / 0,9 payloads, Gillham
altitude codes) and the CPR arithmetic. pyModeS 3.x (pure Python) was chosen over 2.x
(Cython core) by measurement: see ``bench/ingest.py`` and the README's ingest section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pyModeS._altcode import altcode_to_altitude
from pyModeS.decoder.bds.bds05 import decode_bds05
from pyModeS.decoder.bds.bds06 import decode_bds06
from pyModeS.decoder.bds.bds08 import decode_bds08

from skywarden.geo import FPM_TO_MS, KT_TO_MS, M_PER_FT
from skywarden.ingest.cpr import DEFAULT_MAX_RANGE_M, CprReport, CprResolver, CprState
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Detection, Identity, Position, SensorKind

AIRCRAFT_TTL_S = 300.0  # dump1090/readsb forget an aircraft after 5 min of silence
MAX_AIRCRAFT = 20_000  # a hostile feed of random addresses cannot grow state past this
SWEEP_EVERY_S = 10.0  # how often (stream time) silent aircraft are looked for
STATE_TTL_S = 30.0  # callsign/velocity/altitude older than this is not attached
MAX_SPEED_MS = 400.0  # Detection velocity bound; faster is not an aircraft we track

# ----------------------------------------------------------------------------- CRC


def _crc_table() -> tuple[int, ...]:
    poly = 0xFFF409  # ICAO Annex 10 Vol IV §3.1.2.3.3.1 generator, top bit implicit
    table = []
    for i in range(256):
        c = i << 16
        for _ in range(8):
            c = ((c << 1) ^ poly) if c & 0x800000 else (c << 1)
        table.append(c & 0xFFFFFF)
    return tuple(table)


_CRC = _crc_table()


def crc_remainder(frame: bytes) -> int:
    """Mode S parity remainder of a whole 7- or 14-byte frame (0 for a clean DF17)."""
    crc = 0
    table = _CRC
    for b in frame[:-3]:
        crc = ((crc << 8) & 0xFFFFFF) ^ table[(crc >> 16) ^ b]
    return crc ^ ((frame[-3] << 16) | (frame[-2] << 8) | frame[-1])


# ----------------------------------------------------------------------------- frames

SHORT_DF = frozenset({0, 4, 5, 11})
SURVEILLANCE = frozenset({0, 4, 5, 16, 20, 21})  # address overlaid on parity
LONG_DF = frozenset({16, 17, 18, 19, 20, 21, 22, 24})


@dataclass(slots=True)
class ModeSFrame:
    """The fields of one frame that skywarden uses, decoded without any state."""

    df: int
    icao: str
    typecode: int | None = None
    altitude_ft: float | None = None
    altitude_kind: str | None = None  # "barometric" | "gnss"
    cpr_format: int | None = None
    cpr_lat: int | None = None
    cpr_lon: int | None = None
    surface: bool = False
    groundspeed_kt: float | None = None  # ground movement, surface frames
    track_deg: float | None = None
    velocity_en_kt: tuple[float, float] | None = None
    vertical_rate_fpm: float | None = None
    callsign: str | None = None
    verified: bool = True  # address checked by CRC (DF11/17/18) rather than overlaid


def _frame_length(df: int) -> int:
    return 7 if df < 16 else 14


def decode_frame(frame: bytes) -> ModeSFrame:
    """Decode one frame's fields, checking length, downlink format and parity.

    Raises ``RejectedMessage`` (truncated, corrupt, crc) for frames that cannot be
    trusted. Surveillance replies (DF0/4/5/16/20/21) come back with ``verified=False``:
    their address is the parity remainder and only state can confirm it.
    """
    n = len(frame)
    if n == 0:
        raise RejectedMessage(Reason.TRUNCATED, "empty frame", "frame")
    df = frame[0] >> 3
    if df >= 24:
        df = 24  # Comm-D extended length message: DF is the first two bits "11"
    if df not in SHORT_DF and df not in LONG_DF:
        raise RejectedMessage(Reason.CORRUPT, f"downlink format {df} is not in use", "df")
    need = _frame_length(df)
    if n < need:
        raise RejectedMessage(Reason.TRUNCATED, f"DF{df} frame of {n} bytes, need {need}", "frame")
    if n == 14 and need == 7:
        # Recorders that store every frame as 112 bits (the traffic/rs1090 samples) pad
        # short replies; the reply is the first 56 bits, the rest is not transmitted.
        frame = frame[:7]
    elif n > need:
        raise RejectedMessage(Reason.CORRUPT, f"DF{df} frame of {n} bytes, need {need}", "frame")
    rem = crc_remainder(frame)
    if df in (17, 18):
        if rem != 0:
            raise RejectedMessage(Reason.CRC, f"DF{df} parity remainder {rem:06x}", "crc")
        icao = frame[1:4].hex()
        out = ModeSFrame(df, icao)
        _decode_es(out, int.from_bytes(frame[4:11], "big"))
        return out
    if df == 11:
        if rem & ~0x7F:
            raise RejectedMessage(Reason.CRC, f"DF11 parity remainder {rem:06x}", "crc")
        return ModeSFrame(df, frame[1:4].hex())
    out = ModeSFrame(df, f"{rem:06x}", verified=False)
    if df in (0, 4, 16, 20):
        ac = ((frame[2] & 0x1F) << 8) | frame[3]
        alt = altcode_to_altitude(ac) if ac else None
        if alt is not None:
            out.altitude_ft = float(alt)
            out.altitude_kind = "barometric"
    return out


def _decode_es(out: ModeSFrame, me: int) -> None:
    """Fill ``out`` from a 56-bit extended squitter payload (DO-260B Appendix A)."""
    tc = me >> 51
    out.typecode = tc
    if 9 <= tc <= 18 or 20 <= tc <= 22:
        d = decode_bds05(me, tc=tc)
        if tc <= 18:
            alt = d["altitude"]
            if alt is not None:
                out.altitude_ft = float(alt)
                out.altitude_kind = "barometric"
        else:
            ac = (me >> 36) & 0xFFF  # GNSS height, metres (DO-260B §A.2.3.2.4)
            out.altitude_ft = ac / M_PER_FT
            out.altitude_kind = "gnss"
        out.cpr_format, out.cpr_lat, out.cpr_lon = d["cpr_format"], d["cpr_lat"], d["cpr_lon"]
    elif 1 <= tc <= 4:
        out.callsign = decode_bds08(me)["callsign"].strip("_ #").strip() or None
    elif tc == 19:
        _decode_velocity(out, me)
    elif 5 <= tc <= 8:
        d = decode_bds06(me)
        out.surface = True
        out.cpr_format, out.cpr_lat, out.cpr_lon = d["cpr_format"], d["cpr_lat"], d["cpr_lon"]
        out.groundspeed_kt = d.get("groundspeed")
        out.track_deg = d.get("track")


def _decode_velocity(out: ModeSFrame, me: int) -> None:
    """BDS 0,9 subtypes 1-2: east/north ground velocity in knots (DO-260B §A.2.3.5).

    Decoded here rather than through pyModeS's ``groundspeed``/``track`` because those
    round the speed to whole knots; the components are exact and are what we need.
    Airspeed subtypes (3-4) give heading and air speed, not ground velocity: no vector.
    """
    subtype = (me >> 48) & 0x7
    vr_sign, vr_mag = (me >> 19) & 1, (me >> 10) & 0x1FF
    if vr_mag:
        out.vertical_rate_fpm = (-1.0 if vr_sign else 1.0) * (vr_mag - 1) * 64.0
    if subtype not in (1, 2):
        return
    ew_sign, ew = (me >> 42) & 1, (me >> 32) & 0x3FF
    ns_sign, ns = (me >> 31) & 1, (me >> 21) & 0x3FF
    if ew == 0 or ns == 0:
        return
    scale = 4.0 if subtype == 2 else 1.0
    v_e = (-(ew - 1) if ew_sign else (ew - 1)) * scale
    v_n = (-(ns - 1) if ns_sign else (ns - 1)) * scale
    out.velocity_en_kt = (float(v_e), float(v_n))
    out.groundspeed_kt = math.hypot(v_e, v_n)
    out.track_deg = math.degrees(math.atan2(v_e, v_n)) % 360.0


# ----------------------------------------------------------------------------- state


@dataclass(slots=True)
class _Aircraft:
    cpr: CprState = field(default_factory=CprState)
    t_seen: float = -math.inf
    callsign: str | None = None
    velocity: tuple[float, float, float] | None = None
    t_velocity: float = -math.inf
    groundspeed_kt: float | None = None
    vertical_rate_ms: float | None = None
    altitude_ft: float | None = None
    t_altitude: float = -math.inf
    verified: bool = False
    identity: Identity | None = None  # built once per callsign: records are immutable

    def ident(self, icao: str) -> Identity:
        ident = self.identity
        if ident is None or ident.callsign != self.callsign:
            ident = self.identity = Identity(icao24=icao, callsign=self.callsign)
        return ident


@dataclass
class ModeSDecoder:
    """Stateful Mode S decoder: frames and their times in, Detections out.

    ``receiver`` (lat, lon), when the receiver's position is known, is the reference of
    surface positions not yet anchored by the aircraft's own fix; ``receiver_alt_m`` is
    the altitude given to surface reports (the ground near the receiver). With a
    receiver, positions more than ``max_range_m`` away (450 NM by default, readsb's)
    are impossible values: they reveal a wrong receiver position or a corrupt frame.
    Without one there is no range check: a merged or MLAT feed has no single centre.
    """

    sensor: str
    receiver: tuple[float, float] | None = None
    receiver_alt_m: float = 0.0
    max_range_m: float | None = DEFAULT_MAX_RANGE_M
    aircraft: dict[str, _Aircraft] = field(default_factory=dict)
    ttl_s: float = AIRCRAFT_TTL_S
    max_aircraft: int = MAX_AIRCRAFT

    def __post_init__(self) -> None:
        self.cpr = CprResolver(self.receiver, self.max_range_m)
        self._next_sweep = -math.inf
        self.evicted = 0

    def decode(
        self, frame: bytes, t: float, extra: dict[str, object] | None = None
    ) -> tuple[Detection | None, str]:
        """Decode one frame at UTC time ``t``: a Detection, or None and why it was absorbed.

        ``extra`` goes into the Detection's attrs (e.g. the receiver's signal level).
        Raises ``RejectedMessage`` for frames that fail parity or hold impossible values.
        """
        if not self._next_sweep - SWEEP_EVERY_S <= t < self._next_sweep:
            self.sweep(t)  # due, or the stream's clock jumped back (a bad timestamp)
        df = frame[0] >> 3 if frame else -1
        n = len(frame)
        if df in SURVEILLANCE and (n == 14 or (n == 7 and df < 16)):
            # Fast path for the most common frames: replies whose address is only the
            # parity remainder (same rules as decode_frame, without building a frame).
            ac = self.aircraft.get(f"{crc_remainder(frame[:7] if df < 16 else frame):06x}")
            if ac is None or not ac.verified:
                return None, f"df{df}_unconfirmed_address"
            if t > ac.t_seen:
                ac.t_seen = t
            if df in (0, 4, 16, 20):
                code = ((frame[2] & 0x1F) << 8) | frame[3]
                alt = altcode_to_altitude(code) if code else None
                if alt is not None:
                    ac.altitude_ft, ac.t_altitude = float(alt), t
            return None, f"df{df}"
        f = decode_frame(frame)
        ac = self.aircraft.get(f.icao)
        if not f.verified:
            if ac is None or not ac.verified:
                return None, f"df{f.df}_unconfirmed_address"
            if t > ac.t_seen:
                ac.t_seen = t
            if f.altitude_ft is not None:
                ac.altitude_ft, ac.t_altitude = f.altitude_ft, t
            return None, f"df{f.df}"
        if ac is None:
            if len(self.aircraft) >= self.max_aircraft:
                self._evict_oldest()
            ac = self.aircraft[f.icao] = _Aircraft()
        ac.verified = True
        if t > ac.t_seen:
            ac.t_seen = t
        if f.df == 11:
            return None, "df11_all_call"
        tc = f.typecode
        if f.callsign is not None:
            ac.callsign = f.callsign
            return None, "identification"
        if tc == 19:
            return None, self._velocity(ac, f, t)
        if f.cpr_format is not None:
            return self._position(ac, f, t, extra)
        return None, f"tc{tc}"

    def sweep(self, t: float) -> None:
        """Forget aircraft silent for longer than ``ttl_s`` at stream time ``t``.

        An aircraft last heard more than ``ttl_s`` *ahead* of ``t`` goes too: its time
        came from a bad timestamp, and it must not outlive the clock's return.
        """
        self._next_sweep = t + SWEEP_EVERY_S
        lo, hi = t - self.ttl_s, t + self.ttl_s
        stale = [k for k, ac in self.aircraft.items() if not lo <= ac.t_seen <= hi]
        for k in stale:
            del self.aircraft[k]
        self.evicted += len(stale)

    def _evict_oldest(self) -> None:
        """The state is full: drop the tenth of aircraft that were silent longest."""
        by_age = sorted(self.aircraft, key=lambda k: self.aircraft[k].t_seen)
        for k in by_age[: max(1, len(by_age) // 10)]:
            del self.aircraft[k]
            self.evicted += 1

    def _velocity(self, ac: _Aircraft, f: ModeSFrame, t: float) -> str:
        if f.velocity_en_kt is None:
            return "velocity_airspeed"
        v_e, v_n = f.velocity_en_kt[0] * KT_TO_MS, f.velocity_en_kt[1] * KT_TO_MS
        v_u = (f.vertical_rate_fpm or 0.0) * FPM_TO_MS
        for name, v in (("velocity_east", v_e), ("velocity_north", v_n), ("vertical_rate", v_u)):
            if abs(v) > MAX_SPEED_MS:
                raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"{name} {v:.0f} m/s", name)
        ac.velocity, ac.t_velocity = (v_e, v_n, v_u), t
        ac.groundspeed_kt = f.groundspeed_kt
        return "velocity"

    def _speed_kt(self, ac: _Aircraft, f: ModeSFrame, t: float) -> float | None:
        """Last known ground speed (kt) for the CPR speed check, None when unknown."""
        if f.surface:
            return f.groundspeed_kt  # the surface frame's own movement field
        if ac.groundspeed_kt is not None and t - ac.t_velocity <= STATE_TTL_S:
            return ac.groundspeed_kt
        return None

    def _position(
        self, ac: _Aircraft, f: ModeSFrame, t: float, extra: dict[str, object] | None
    ) -> tuple[Detection | None, str]:
        assert f.cpr_format is not None and f.cpr_lat is not None and f.cpr_lon is not None
        rep = CprReport(f.cpr_format, f.cpr_lat, f.cpr_lon, t)
        got = self.cpr.resolve(ac.cpr, f.surface, rep, self._speed_kt(ac, f, t))
        if isinstance(got, str):
            return None, got
        lat, lon, how = got
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"position {lat}, {lon}", "position")
        attrs: dict[str, object] = {"df": f.df, "typecode": f.typecode, "cpr": how}
        if extra:
            attrs.update(extra)
        if f.surface:
            alt_m = self.receiver_alt_m
            attrs["on_ground"] = True
            attrs["altitude_source"] = "surface"
        elif f.altitude_ft is not None:
            ac.altitude_ft, ac.t_altitude = f.altitude_ft, t
            alt_m = f.altitude_ft * M_PER_FT
            attrs["altitude_ft"] = f.altitude_ft
            attrs["altitude_source"] = f.altitude_kind
        elif ac.altitude_ft is not None and t - ac.t_altitude <= STATE_TTL_S:
            alt_m = ac.altitude_ft * M_PER_FT
            attrs["altitude_ft"] = ac.altitude_ft
            attrs["altitude_source"] = "barometric_reply"
        else:
            return None, "position_without_altitude"
        velocity = ac.velocity if t - ac.t_velocity <= STATE_TTL_S else None
        return (
            Detection(
                t=t,
                sensor=self.sensor,
                kind=SensorKind.ADSB,
                position=Position(lat, lon, alt_m),
                velocity=velocity,
                identity=ac.ident(f.icao),
                attrs=attrs,
            ),
            how,
        )
