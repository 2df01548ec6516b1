"""SBS-1 "BaseStation" CSV, the text feed dump1090 and readsb serve on TCP port 30003.

One message per line, 22 comma-separated fields (Kinetic Avionics' BaseStation format):

    1 message type (MSG, SEL, ID, AIR, STA, CLK)   2 transmission type 1-8
    3 session id  4 aircraft id  5 hex ident (ICAO 24-bit)  6 flight id
    7 date generated  8 time generated  9 date logged  10 time logged
    11 callsign  12 altitude (ft, barometric)  13 ground speed (kt)  14 track (deg)
    15 latitude  16 longitude  17 vertical rate (ft/min)  18 squawk
    19 alert  20 emergency  21 SPI  22 on ground

Only MSG lines with a latitude and longitude (transmission types 2 and 3) become
Detections; the others (1 callsign, 4 velocity, 5-8 altitude and squawk) update the
aircraft's state, which the next position of that aircraft carries. Altitudes are
barometric feet: converted to metres and labelled ``altitude_source="barometric"``.

Time: fields 7-8 ("2008/11/28", "23:48:18.611") are read as UTC, which readsb writes
(since 2021); older dump1090 builds write the receiver's local time: then set
``IngestOptions.sbs_utc_offset_s`` (``--sbs-utc-offset`` hours, local minus UTC). Lines
without a date (many tools leave 7-10 empty, e.g. the ``sbs1`` npm sample) take the
receive time, or ``IngestOptions.reference_time`` when replaying a file.

Duplicates: a line whose generated time and content match one already seen inside the
window (two receivers, same transmission) is rejected as ``duplicate``; the logged
date/time fields (9-10) are left out of the comparison because each receiver stamps its
own. Lines without a generated time cannot be told apart from true repeats and are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skywarden.geo import FPM_TO_MS, KT_TO_MS, M_PER_FT
from skywarden.ingest.base import IngestOptions, Item, LineParser
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.ingest.sbs_clock import STATE_TTL_S, sbs_time
from skywarden.ingest.sbs_clock import sbs_day as sbs_day  # public here before the split
from skywarden.ingest.validate import Deduplicator
from skywarden.model import Detection, Identity, Position, SensorKind

MESSAGE_TYPES = frozenset({"MSG", "SEL", "ID", "AIR", "STA", "CLK"})


@dataclass(slots=True)
class _Aircraft:
    icao: str
    callsign: str | None = None
    altitude_ft: float | None = None
    velocity: tuple[float, float, float] | None = None
    t_velocity: float = 0.0
    squawk: str | None = None
    identity: Identity | None = None  # built once per callsign: records are immutable

    def ident(self) -> Identity:
        ident = self.identity
        if ident is None or ident.callsign != self.callsign:
            ident = self.identity = Identity(icao24=self.icao, callsign=self.callsign)
        return ident


def _float(fields: list[str], i: int, name: str) -> float | None:
    s = fields[i]
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        raise RejectedMessage(Reason.CORRUPT, f"field {i + 1} not a number: {s!r}", name) from None


@dataclass
class SbsParser(LineParser):
    """Streaming SBS-1 parser with per-aircraft state (callsign, velocity)."""

    format = "sbs"
    dedup: Deduplicator | None = None
    aircraft: dict[str, _Aircraft] = field(default_factory=dict)
    batched: bool = True  # False: every line through parse_line, the scalar reference

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.dedup is None:
            self.dedup = Deduplicator(self.options.duplicate_window_s or 1.0)
        self._t0_rx: float | None = None

    def _time(self, f: list[str], t_received: float) -> float:
        if f[6] and f[7]:
            return sbs_time(f[6], f[7]) - self.options.sbs_utc_offset_s
        ref = self.options.reference_time
        if ref is None:
            return t_received
        if self._t0_rx is None:
            self._t0_rx = t_received
        return ref + (t_received - self._t0_rx)

    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        """Decode the chunk's complete lines at once.

        Same results as the generic line loop (which remains for non-ASCII input),
        without its per-line decode, strip and closure. Position lines go through the
        bulk path of :mod:`skywarden.ingest.sbs_batch` unless ``batched`` is False.
        """
        t_rx = self.options.clock() if t_received is None else t_received
        data, cut = self.skip_overlong(data, t_rx)  # line-length bound (base.LineParser)
        buf = self._buf + data if self._buf else data
        end = buf.rfind(b"\n")
        if end < 0:
            self._buf = buf
            self.cap_tail()
            return cut
        block, self._buf = buf[:end], buf[end + 1 :]
        out = self._feed_block(block, buf, end, t_rx)
        self.cap_tail()
        return cut + out if cut else out

    def _feed_block(self, block: bytes, buf: bytes, end: int, t_rx: float) -> list[Item]:
        """The complete lines of a chunk (``block``), decoded at once."""
        try:
            text = block.decode("ascii")
        except UnicodeDecodeError:
            self._buf = buf[end + 1 :]
            out: list[Item] = []
            for raw in block.split(b"\n"):
                out.extend(self._one(raw, t_rx))
            return out
        lines = text.split("\n")
        if self.batched:
            from skywarden.ingest.sbs_batch import parse_block

            out = parse_block(self, block, text, lines, self._line, t_rx)
        else:
            out = self.parse_lines(lines, self._line, t_rx)
        self._line += len(lines)
        self._offset += len(block) + 1
        return out

    def parse_lines(self, lines: list[str], line0: int, t_received: float) -> list[Item]:
        """The scalar reference: each line through :meth:`parse_line`, one try per line.

        ``line0`` is the number of the line before ``lines``. Blank lines and comments are
        not messages; a line that fails becomes a typed Rejection and the stream goes on.
        """
        out: list[Item] = []
        line = line0
        parse = self.parse_line
        for raw_line in lines:
            line += 1
            if not raw_line or raw_line[0] == "#":
                continue
            try:
                det = parse(raw_line.rstrip("\r"), line, t_received)
            except Exception as e:  # becomes a typed Rejection; the stream goes on
                out.append(self.as_rejection(e, raw_line, line=line, t_received=t_received))
                continue
            if det is not None:
                out.append(det)
        return out

    # size: a decoder's field-by-field checks of one SBS line, the scalar reference path
    def parse_line(self, text: str, line: int, t_received: float) -> Detection | None:
        f = text.split(",")
        kind = f[0]
        if kind != "MSG":
            if kind in MESSAGE_TYPES:
                self.absorbed[kind.lower()] += 1
                return None
            raise RejectedMessage(Reason.CORRUPT, f"unknown message type {kind!r}", "type")
        if len(f) < 22:
            raise RejectedMessage(Reason.TRUNCATED, f"{len(f)} fields, need 22", "fields")
        tx = f[1]
        hexid = f[4]
        ac = self.aircraft.get(hexid)
        if ac is None:
            icao = hexid.strip().lower()
            if len(icao) != 6:
                raise RejectedMessage(Reason.CORRUPT, f"hex ident {hexid!r}", "hex_ident")
            try:
                int(icao, 16)
            except ValueError:
                raise RejectedMessage(Reason.CORRUPT, f"hex ident {hexid!r}", "hex_ident") from None
            ac = self.aircraft[hexid] = _Aircraft(icao)
        if f[10]:
            ac.callsign = f[10].strip() or ac.callsign
        if f[17]:
            ac.squawk = f[17]
        lat_s, lon_s, alt_s = f[14], f[15], f[11]
        if alt_s:
            ac.altitude_ft = _float(f, 11, "altitude_ft")
        if f[12]:
            t = self._time(f, t_received)
            gs = _float(f, 12, "ground_speed")
            assert gs is not None
            ac.velocity = _velocity(gs, _float(f, 13, "track"), _float(f, 16, "vertical_rate"))
            ac.t_velocity = t
        if not (lat_s and lon_s):
            self.absorbed[f"msg{tx}"] += 1
            return None
        # Only positions are checked for duplicates: a repeated state line changes nothing.
        t = self._time(f, t_received)
        if f[6] and self.dedup is not None:
            key = sbs_dedup_key(f)
            if self.dedup.is_duplicate(key, t, self.source):
                raise RejectedMessage(Reason.DUPLICATE, "same position line within window")
        lat = _float(f, 14, "lat")
        lon = _float(f, 15, "lon")
        assert lat is not None and lon is not None
        attrs: dict[str, object] = {"transmission": int(tx) if tx.isdigit() else tx}
        on_ground = f[21] in ("-1", "1") or tx == "2"
        if on_ground:
            attrs["on_ground"] = True
        if alt_s:
            assert ac.altitude_ft is not None
            alt_m = ac.altitude_ft * M_PER_FT
            attrs["altitude_source"] = "barometric"
            attrs["altitude_ft"] = ac.altitude_ft
        elif on_ground:
            alt_m = self.options.receiver_alt_m
            attrs["altitude_source"] = "surface"
        else:
            self.absorbed["position_without_altitude"] += 1
            return None
        if ac.squawk:
            attrs["squawk"] = ac.squawk
        velocity = ac.velocity if t - ac.t_velocity <= STATE_TTL_S else None
        return Detection(
            t=t,
            sensor=self.sensor,
            kind=SensorKind.ADSB,
            position=Position(lat, lon, alt_m),
            velocity=velocity,
            identity=ac.ident(),
            attrs=attrs,
        )


def _velocity(
    gs_kt: float, track_deg: float | None, vr_fpm: float | None
) -> tuple[float, float, float] | None:
    """East, north, up m/s from ground speed (kt), track (deg true) and rate (ft/min)."""
    import math

    if track_deg is None:
        return None
    if not (0.0 <= gs_kt <= 2000.0) or not math.isfinite(track_deg):
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"ground speed {gs_kt} kt", "ground_speed")
    gs = gs_kt * KT_TO_MS
    a = math.radians(track_deg)
    up = (vr_fpm or 0.0) * FPM_TO_MS
    return (gs * math.sin(a), gs * math.cos(a), up)


def sbs_dedup_key(f: list[str]) -> str:
    """What makes two position lines the same transmission: all but fields 1, 3, 4, 6, 9, 10.

    Message type, session, aircraft and flight ids and the logged date/time are left
    out (each receiver writes its own). Joined with commas, which no field contains, so
    two keys are equal exactly when those fields are; one string hashes faster than a
    tuple of sixteen.
    """
    return ",".join((f[1], f[4], f[6], f[7], *f[10:]))


def new_parser(source: str, options: IngestOptions, dedup: Deduplicator | None) -> SbsParser:
    return SbsParser(source, options, dedup=dedup)
