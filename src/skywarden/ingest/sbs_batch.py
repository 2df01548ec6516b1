"""SBS-1 position lines in bulk: a chunk's fields found, converted and checked with numpy.

Why this exists: one validated Detection per SBS position line cost about 7 us in
Python (splitting 22 fields, three frozen records and their range checks), which held
a feed of positions (``MSG,3``, each one a Detection) near 140,000 lines/s; issue #4
asks for 300,000. Here the bytes of a whole chunk are read at once: numpy finds the
lines and their commas, picks out the *plain* position lines, reads their date, time,
altitude, latitude and longitude and checks every range; Python then only carries
per-aircraft state, asks the shared deduplicator, and builds the records of the lines
that passed with the trusted constructors of :mod:`skywarden.model`.

A plain position line is ``MSG,3`` with exactly 22 fields, a ``YYYY/MM/DD`` date and
an ``HH:MM:SS.fff`` time, an altitude, latitude and longitude of at most 16 bytes with
no space or control byte, and no ground speed, of an aircraft already seen. Every
other line (state lines, anything unusual, anything bad) goes through
:meth:`SbsParser.parse_line`, the scalar reference, in its place in the stream, and so
does every plain line whose values fail a check; so per-aircraft state, duplicates,
rejection reasons and line numbers are exactly those of the scalar path.
``tests/ingest/test_sbs_batch.py`` checks this on the real sample, on malformed and on
generated input, in any chunking.

Exactness: numpy converts bytes to float64 by Python's ``float()``, the seconds
``SS.fff`` are the integer ``SSfff`` divided by 1000 (correctly rounded, so the double
``float("SS.fff")`` gives), and times are summed in the scalar path's order
(``day + h*3600 + m*60 + s - offset``): every accepted value is the same double.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from skywarden.geo import M_PER_FT
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.ingest.sbs_clock import STATE_TTL_S, sbs_day
from skywarden.model import Detection, Position, SensorKind

if TYPE_CHECKING:
    from skywarden.ingest.base import Item
    from skywarden.ingest.sbs import SbsParser

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Record ranges, as Position and Detection check them (skywarden.model).
T_MIN, T_MAX = 946_684_800.0, 4_102_444_800.0
ALT_M_MIN, ALT_M_MAX = -500.0, 30_000.0
VELOCITY_MAX = 400.0
COMMAS = 21  # 22 fields
# With fewer position lines than these a chunk goes to the scalar path: the bulk path
# saves about 3 us a position line, but costs about 0.2 ms a chunk (some 60 numpy calls)
# and 0.15 us a line of any kind. A receiver's usual mix (the npm sbs1 sample: 2%
# positions) and small socket reads stay scalar; a file or burst of positions does not.
MIN_POSITION_LINES = 64
MIN_POSITION_SHARE = 0.05
SAMPLE_BYTES = 16_384  # where the share of position lines is estimated
PREFIX = np.frombuffer(b"MSG,3,", dtype=np.uint8)
NUMBER_WIDTH = 16  # longer number texts go to the scalar path
PAD = 32  # zero bytes after the chunk, so fixed-width windows never index past it
NEWLINE, CR, SPACE, COMMA, MINUS, DOT, SLASH, DIGIT, ONE, COLON = b"\n\r ,-./01:"


def windows(buf: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.uint8]:
    """Every ``width`` bytes of ``buf`` from each offset, as a view (rows picked by index)."""
    return np.lib.stride_tricks.sliding_window_view(buf, width)


def floats(buf: npt.NDArray[np.uint8], start: Ints, length: Ints) -> tuple[Floats, Bools]:
    """Python ``float()`` of each text ``buf[start:start+length]``; which are numbers.

    numpy converts a bytes array to float64 by Python's own rules (``float(b"1_0")``,
    ``float(b"nan")``), so the values are those of the scalar path by construction.
    Texts longer than 16 bytes are cut by the window, a NUL byte would be dropped by the
    bytes array, and whitespace is where ``float(bytes)`` and ``float(str)`` could part:
    texts holding a space or a control byte are left to the scalar path.
    """
    inside = np.arange(NUMBER_WIDTH) < length[:, None]
    chars = windows(buf, NUMBER_WIDTH)[start] * inside  # NUL after the text: a bytes array
    ok = (length <= NUMBER_WIDTH) & ~(inside & (chars <= SPACE)).any(axis=1)
    texts = chars.view(f"S{NUMBER_WIDTH}").ravel()
    try:
        return texts.astype(np.float64), ok
    except ValueError:  # at least one is not a number: convert one by one
        values = np.full(len(texts), np.nan)
        for k, text in enumerate(texts.tolist()):
            try:
                values[k] = float(text)
            except ValueError:
                ok[k] = False
        return values, ok


def clock_seconds(buf: npt.NDArray[np.uint8], start: Ints) -> tuple[Floats, Floats, Bools]:
    """``h*3600 + m*60`` and seconds of the ``HH:MM:SS.fff`` at ``start``; which are valid.

    Summed as the scalar path does (``h*3600 + m*60`` then the seconds), and seconds
    as the integer ``SSfff`` / 1000, which rounds to the double ``float("SS.fff")`` is.
    """
    c = windows(buf, 12)[start].astype(np.int32)
    d = c[:, [0, 1, 3, 4, 6, 7, 9, 10, 11]] - DIGIT
    ok = ((d >= 0) & (d <= 9)).all(axis=1)
    ok &= (c[:, 2] == COLON) & (c[:, 5] == COLON) & (c[:, 8] == DOT)
    hours = d[:, 0] * 10 + d[:, 1]
    minutes = d[:, 2] * 10 + d[:, 3]
    millis = d[:, 4] * 10_000 + d[:, 5] * 1000 + d[:, 6] * 100 + d[:, 7] * 10 + d[:, 8]
    seconds = millis / 1000.0
    ok &= (hours < 24) & (minutes < 60) & (seconds < 61.0)
    return hours * 3600.0 + minutes * 60.0, seconds, ok


def days(buf: npt.NDArray[np.uint8], start: Ints) -> tuple[Floats, Bools]:
    """Epoch seconds of the ``YYYY/MM/DD`` at ``start`` (by :func:`sbs_day`); which are valid."""
    c = windows(buf, 10)[start].astype(np.int64)
    d = c[:, [0, 1, 2, 3, 5, 6, 8, 9]] - DIGIT
    ok = ((d >= 0) & (d <= 9)).all(axis=1) & (c[:, 4] == SLASH) & (c[:, 7] == SLASH)
    ymd = np.where(ok, d @ (10 ** np.arange(7, -1, -1)), 0)
    if len(ymd) and (ymd == ymd[0]).all():  # one day in the chunk: no need to sort
        unique, inverse = ymd[:1], np.zeros(len(ymd), dtype=np.intp)
    else:
        unique, inverse = np.unique(ymd, return_inverse=True)
    day_of = np.full(len(unique), np.nan)
    for k, v in enumerate(unique.tolist()):
        if v:  # the same text the line holds, so the same answer as the scalar path
            with contextlib.suppress(RejectedMessage):  # the scalar path names a bad date
                day_of[k] = sbs_day(f"{v // 10_000:04d}/{v // 100 % 100:02d}/{v % 100:02d}")
    day = day_of[inverse.reshape(-1)]
    return day, ok & np.isfinite(day)


class PlainPositions:
    """The plain position lines of one chunk: their values and where their texts are.

    Per plain line: ``line`` its index in the chunk, the values, and (start, end)
    offsets into the chunk's text of the fields the Python loop still needs as text.
    """

    # size: one vectorised pass over a block's bytes; helpers would pass the same arrays
    def __init__(self, block: bytes, utc_offset_s: float) -> None:
        size = len(block)
        buf = np.frombuffer(block + bytes(PAD), dtype=np.uint8)
        nl = np.flatnonzero(buf[:size] == NEWLINE)
        starts = np.concatenate(([0], nl + 1))
        ends = np.concatenate((nl, [size]))
        # rstrip("\r") as the scalar path: one CR is dropped, a line ending in two is not plain
        ends = ends - ((ends > starts) & (buf[np.maximum(ends - 1, 0)] == CR))
        cand = (ends - starts >= len(PREFIX)) & (buf[np.maximum(ends - 1, 0)] != CR)
        for k, byte in enumerate(PREFIX.tolist()):
            cand &= buf[starts + k] == byte
        commas = np.flatnonzero(buf[:size] == COMMA)
        first = np.searchsorted(commas, starts)
        cand &= np.searchsorted(commas, ends) - first == COMMAS
        line = np.flatnonzero(cand)
        c = commas[first[line][:, None] + np.arange(COMMAS)]
        end = ends[line]

        def start_of(k: int) -> Ints:  # field k (0-based) starts after comma k-1
            return c[:, k - 1] + 1

        def length_of(k: int) -> Ints:
            return (c[:, k] if k < COMMAS else end) - start_of(k)

        ok = (length_of(6) == 10) & (length_of(7) == 12) & (length_of(12) == 0)
        ok &= (length_of(11) > 0) & (length_of(14) > 0) & (length_of(15) > 0)
        lat, ok_lat = floats(buf, start_of(14), length_of(14))
        lon, ok_lon = floats(buf, start_of(15), length_of(15))
        alt_ft, ok_alt = floats(buf, start_of(11), length_of(11))
        day, ok_day = days(buf, start_of(6))
        clock, seconds, ok_clock = clock_seconds(buf, start_of(7))
        # The scalar path's order: day + h*3600 + m*60 + s, then minus the offset.
        t = ((day + clock) + seconds) - utc_offset_s
        alt_m = alt_ft * M_PER_FT
        ok &= ok_lat & ok_lon & ok_alt & ok_day & ok_clock
        ok &= (t >= T_MIN) & (t <= T_MAX)  # NaN fails every comparison
        ok &= (lat >= -90.0) & (lat <= 90.0) & (lon >= -180.0) & (lon <= 180.0)
        ok &= (alt_m >= ALT_M_MIN) & (alt_m <= ALT_M_MAX)
        g, n_g = start_of(21), length_of(21)  # on ground: "-1" or "1"
        ground = ((n_g == 1) & (buf[g] == ONE)) | (
            (n_g == 2) & (buf[g] == MINUS) & (buf[g + 1] == ONE)
        )
        keep = np.flatnonzero(ok)
        c, end = c[keep], end[keep]

        def offsets(k: int) -> list[int]:
            return (c[:, k - 1] + 1 if k else starts[line[keep]]).tolist()

        def ends_of(k: int) -> list[int]:
            return (c[:, k] if k < COMMAS else end).tolist()

        self.line: list[int] = line[keep].tolist()
        self.t: list[float] = t[keep].tolist()
        self.lat: list[float] = lat[keep].tolist()
        self.lon: list[float] = lon[keep].tolist()
        self.alt_ft: list[float] = alt_ft[keep].tolist()
        self.on_ground: list[bool] = ground[keep].tolist()
        self.hex = (offsets(4), ends_of(4))
        # callsign and squawk spans, None when both are empty (as in most position lines)
        self.state: list[tuple[int, int, int, int] | None] = [None] * len(keep)
        has_state = (c[:, 10] > c[:, 9] + 1) | (c[:, 17] > c[:, 16] + 1)
        for k in np.flatnonzero(has_state).tolist():
            cs, sq = c[k, 9:11].tolist(), c[k, 16:18].tolist()
            self.state[k] = (cs[0] + 1, cs[1], sq[0] + 1, sq[1])
        self.when = (offsets(6), ends_of(7))  # "date,time"
        self.tail = (offsets(10), ends_of(21))  # fields 11 to 22


def parse_block(
    parser: SbsParser, block: bytes, text: str, lines: list[str], line0: int, t_rx: float
) -> list[Item]:
    """Items of a chunk of complete lines: ``block`` its ASCII bytes, ``text`` decoded,
    ``lines`` its split at newlines.

    ``line0`` is the number of the line before them. Plain position lines are decoded
    here; runs of other lines go to the scalar path in their place.
    """
    if not parser.sensor:  # Detection refuses an empty sensor id: let the scalar path say so
        return parser.parse_lines(lines, line0, t_rx)
    if estimated_positions(block) < max(MIN_POSITION_LINES, MIN_POSITION_SHARE * len(lines)):
        return parser.parse_lines(lines, line0, t_rx)  # the scan would cost more than it saves
    with gc_paused():
        plain = PlainPositions(block, parser.options.sbs_utc_offset_s)
        return _decode(parser, plain, text, lines, line0, t_rx)


def estimated_positions(block: bytes) -> float:
    """Position lines in ``block``, counted in its first 16 kB and scaled to its size.

    Counting them all costs ~0.8 ms a MB, 6% of decoding a mix of state lines; the
    estimate only chooses the faster path, both give the same items.
    """
    head = block[:SAMPLE_BYTES]
    return head.count(b"MSG,3,") * (len(block) / max(len(head), 1))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a chunk's records are built.

    Every record built here is acyclic (freed by reference counting), yet each
    allocation counts towards the collector's next pass, and its passes over the
    growing heap of fresh records took about 15% of the time. It runs again at the end
    of the chunk (about 30 ms for 1 MB); a caller that had it disabled keeps it so.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# size: the batch decoder's hot loop, locals hoisted; matches the scalar path line for line
def _decode(
    parser: SbsParser,
    plain: PlainPositions,
    text: str,
    lines: list[str],
    line0: int,
    t_rx: float,
) -> list[Item]:
    """The plain lines from their values, the other lines by the scalar path, in order."""
    out: list[Item] = []
    aircraft = parser.aircraft
    dedup = parser.dedup
    source, sensor = parser.source, parser.sensor
    adsb = SensorKind.ADSB
    trusted_position, trusted_detection = Position.trusted, Detection.trusted
    ttl = STATE_TTL_S
    run = 0  # first line not yet decoded
    for i, t, lat, lon, alt_ft, ground, h0, h1, state, w0, w1, k0, k1 in zip(
        plain.line,
        plain.t,
        plain.lat,
        plain.lon,
        plain.alt_ft,
        plain.on_ground,
        *plain.hex,
        plain.state,
        *plain.when,
        *plain.tail,
        strict=True,
    ):
        hexid = text[h0:h1]
        ac = aircraft.get(hexid)
        if ac is None:  # first sight: the scalar path checks the hex ident, keeps the aircraft
            out += parser.parse_lines(lines[run : i + 1], line0 + run, t_rx)
            run = i + 1
            continue
        if run < i:
            out += parser.parse_lines(lines[run:i], line0 + run, t_rx)
        run = i + 1
        # From here on, the scalar path's steps in its order (SbsParser.parse_line).
        if state is not None:
            c0, c1, q0, q1 = state
            if c1 > c0:
                ac.callsign = text[c0:c1].strip() or ac.callsign
            if q1 > q0:
                ac.squawk = text[q0:q1]
        ac.altitude_ft = alt_ft
        if dedup is not None:
            key = f"3,{hexid},{text[w0:w1]},{text[k0:k1]}"  # = sbs_dedup_key(fields)
            if dedup.is_duplicate(key, t, source):
                error = RejectedMessage(Reason.DUPLICATE, "same position line within window")
                raw = lines[i]
                out.append(parser.as_rejection(error, raw, line=line0 + i + 1, t_received=t_rx))
                continue
        # keys in the scalar path's order, so the JSON lines are byte for byte the same
        attrs: dict[str, object] = (
            {"transmission": 3, "on_ground": True, "altitude_source": "barometric"}
            if ground
            else {"transmission": 3, "altitude_source": "barometric"}
        )
        attrs["altitude_ft"] = alt_ft
        if ac.squawk:
            attrs["squawk"] = ac.squawk
        velocity = ac.velocity if t - ac.t_velocity <= ttl else None
        try:
            identity = ac.identity  # ac.ident(), inlined
            if identity is None or identity.callsign != ac.callsign:
                identity = ac.ident()
            position = trusted_position(lat, lon, alt_ft * M_PER_FT)
            if velocity is None or _velocity_ok(*velocity):
                det = trusted_detection(t, sensor, adsb, position, velocity, identity, attrs)
            else:  # the validating constructor names the component out of range
                det = Detection(t, sensor, adsb, position, None, velocity, None, identity, attrs)
        except Exception as e:  # as the scalar path: a typed Rejection, the stream goes on
            out.append(parser.as_rejection(e, lines[i], line=line0 + i + 1, t_received=t_rx))
            continue
        out.append(det)
    if run < len(lines):
        out += parser.parse_lines(lines[run:], line0 + run, t_rx)
    return out


def _velocity_ok(east: float, north: float, up: float) -> bool:
    """Each component inside Detection's [-400, 400] m/s (NaN is not)."""
    v = VELOCITY_MAX
    return -v <= east <= v and -v <= north <= v and -v <= up <= v
