"""The parser seam every wire format implements: bytes in, Detections or Rejections out.

A parser is fed raw chunks exactly as they arrive (a file read, a TCP segment, a UDP
datagram) and keeps whatever framing state it needs between chunks, so the same object
serves a file, stdin and a live socket. It never raises on bad input: whatever it
cannot accept comes back as a :class:`~skywarden.ingest.rejection.Rejection`. Valid
messages that carry no position (a Mode S callsign, a Remote ID Self-ID) update state
and are counted in :attr:`Parser.absorbed`, so nothing is silently dropped.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from skywarden.geo import M_PER_NM
from skywarden.ingest.rejection import Reason, RejectedMessage, Rejection
from skywarden.model import Detection, InvalidRecord

Item = Detection | Rejection

#: Longest line a line format accepts by default (bytes, newline excluded). An SBS,
#: AVR or CSV message is under 200 bytes; a JSON report a few kB. A longer line is
#: rejected ``too_large`` without being parsed, and a line that never ends is dropped
#: as it streams in, so one endless line cannot fill memory.
MAX_LINE_BYTES = 64 * 1024
#: Deepest JSON nesting a JSON format accepts by default: F3411 documents nest about 6
#: levels, sensor reports 3. Python's json module recurses per level and raises
#: RecursionError near 1,000; the bound keeps well clear of it.
MAX_JSON_DEPTH = 32
#: Characters of an over-long line kept in its rejection (for the operator to look at).
RAW_PREVIEW_CHARS = 256

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def json_depth(raw: bytes) -> int:
    """Deepest ``[``/``{`` nesting of a JSON text, strings ignored (vectorised count)."""
    if b"[" not in raw and b"{" not in raw:
        return 0
    bare = np.frombuffer(_JSON_STRING.sub(b"", raw), dtype=np.uint8)
    step = (bare == ord("[")).astype(np.int32) + (bare == ord("{"))
    step -= (bare == ord("]")).astype(np.int32) + (bare == ord("}"))
    return int(np.cumsum(step).max(initial=0))


def check_json_depth(raw: bytes, max_depth: int, where: str = "") -> None:
    """Reject a JSON text nested deeper than ``max_depth`` (RejectedMessage ``too_large``)."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return  # cannot be deeper than its brackets: the common case costs two counts
    depth = json_depth(raw)
    if depth > max_depth:
        raise RejectedMessage(
            Reason.TOO_LARGE,
            f"JSON nested {depth} deep (this format allows {max_depth})",
            where or None,
        )


def bounded_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH, where: str = "") -> Any:
    """``json.loads`` that checks the nesting first: RejectedMessage, never RecursionError."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    check_json_depth(raw, max_depth, where)
    try:
        return json.loads(raw)
    except ValueError as e:
        raise RejectedMessage(Reason.CORRUPT, f"not JSON: {e}", where or None) from None
    except RecursionError:  # unreachable after the depth check; kept as a guard
        raise RejectedMessage(Reason.TOO_LARGE, "JSON nested too deep", where) from None


@dataclass
class IngestOptions:
    """What a parser needs beyond the bytes.

    ``reference_time`` (UTC epoch s) anchors formats without an absolute clock: the
    Beast / AVR-MLAT 12 MHz counter, Remote ID tenths of seconds past the hour. When it
    is ``None`` the receive time (the wall clock when a chunk is read) is used instead.
    ``receiver`` (lat, lon) lets Mode S decode a single CPR frame locally before any
    even/odd pair has been seen, and place surface reports (at ``receiver_alt_m``).
    ``sites`` maps an ASTERIX "SAC/SIC" to its sensor's (lat, lon, alt_m) for polar and
    bearing reports; ``bearing_sigma_deg`` is the bearing uncertainty used when a format
    gives none. ``sensor`` overrides the sensor id of every detection. ``duplicate_window_s`` is how
    close in time two identical messages must be to count as one transmission heard
    twice; each format has a default suited to its repetition rate.
    """

    sensor: str | None = None
    reference_time: float | None = None
    receiver: tuple[float, float] | None = None
    receiver_alt_m: float = 0.0
    receiver_max_range_m: float | None = 450 * M_PER_NM  # readsb default; None: no range check
    sites: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    sbs_utc_offset_s: float = 0.0  # receiver's local time minus UTC, for SBS date/time
    bearing_sigma_deg: float = 5.0
    max_time_regression_s: float = 2.0
    duplicate_window_s: float | None = None  # None: the format's own default
    clock: Callable[[], float] = time.time


@dataclass
class Parser(ABC):
    """Base of every format parser. Subclasses implement :meth:`feed` and :meth:`close`."""

    source: str
    options: IngestOptions = field(default_factory=IngestOptions)
    absorbed: Counter[str] = field(default_factory=Counter)

    format: ClassVar[str] = "?"
    binary: ClassVar[bool] = False

    @property
    def sensor(self) -> str:
        return self.options.sensor or self.source

    @abstractmethod
    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        """Consume a chunk; return what it completed (partial frames wait for more)."""

    def close(self) -> list[Item]:
        """End of stream: whatever is left in the buffer is a truncated message."""
        return []

    def reset_framing(self) -> list[Item]:
        """A connection dropped: flush the partial frame as truncated, keep decoder state."""
        return self.close()

    def reject(
        self,
        reason: Reason,
        detail: str,
        raw: bytes | str,
        *,
        offset: int | None = None,
        line: int | None = None,
        field_name: str | None = None,
        t_received: float | None = None,
    ) -> Rejection:
        if isinstance(raw, bytes):
            raw_text, enc = raw.hex(), "hex"
            if not self.binary:
                with contextlib.suppress(UnicodeDecodeError):
                    raw_text, enc = raw.decode("utf-8"), "text"
        else:
            raw_text, enc = raw, "text"
        return Rejection(
            source=self.source,
            format=self.format,
            reason=reason,
            detail=detail,
            raw=raw_text,
            raw_encoding=enc,
            offset=offset,
            line=line,
            field=field_name,
            t_received=t_received,
        )

    def guarded(
        self,
        decode: Callable[[], Detection | None],
        raw: bytes | str,
        *,
        offset: int | None = None,
        line: int | None = None,
        t_received: float | None = None,
    ) -> Item | None:
        """Run one message's decoding and turn any failure into a typed Rejection.

        ``RejectedMessage`` carries its own reason; ``InvalidRecord`` (a record refused a
        value) is an impossible value; anything else a decoder library raises on hostile
        bytes is reported as corrupt rather than allowed to stop the stream.
        """
        try:
            return decode()
        except Exception as e:  # hostile input must never stop a stream
            return self.as_rejection(e, raw, offset=offset, line=line, t_received=t_received)

    def as_rejection(
        self,
        error: Exception,
        raw: bytes | str,
        *,
        offset: int | None = None,
        line: int | None = None,
        t_received: float | None = None,
    ) -> Rejection:
        """The Rejection for an exception raised while decoding one message."""
        if isinstance(error, RejectedMessage):
            return self.reject(
                error.reason,
                error.detail,
                raw,
                offset=offset,
                line=line,
                field_name=error.field,
                t_received=t_received,
            )
        if isinstance(error, InvalidRecord):
            return self.reject(
                Reason.IMPOSSIBLE_VALUE,
                error.reason,
                raw,
                offset=offset,
                line=line,
                field_name=error.field,
                t_received=t_received,
            )
        return self.reject(
            Reason.CORRUPT,
            f"{type(error).__name__}: {error}",
            raw,
            offset=offset,
            line=line,
            t_received=t_received,
        )


class LineParser(Parser):
    """A text format with one message per line (SBS, AVR, CSV, JSON Lines).

    ``max_line_bytes`` bounds a line (a format may raise it): longer lines are rejected
    ``too_large`` with a preview of their start, and a line still growing past the bound
    is discarded as it arrives until its newline. A line that opens with ``{`` or ``[``
    is JSON in every line format that has such lines: it is rejected ``too_large`` before
    parsing when nested deeper than ``max_json_depth``.
    """

    max_line_bytes: ClassVar[int] = MAX_LINE_BYTES
    max_json_depth: ClassVar[int] = MAX_JSON_DEPTH

    def __post_init__(self) -> None:
        self._buf = b""
        self._line = 0
        self._offset = 0
        self._overlong: tuple[bytes, int] | None = None  # (preview, bytes so far) of a cut line

    @abstractmethod
    def parse_line(self, text: str, line: int, t_received: float) -> Detection | None:
        """Decode one line; raise RejectedMessage; return None when absorbed."""

    def skip_line(self, text: str) -> bool:
        """Blank lines and comments are not messages."""
        return not text or text.startswith("#")

    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        t_rx = self.options.clock() if t_received is None else t_received
        data, out = self.skip_overlong(data, t_rx)
        buf = self._buf + data if self._buf else data
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        for raw in lines:
            out.extend(self._one(raw, t_rx))
        self.cap_tail()
        return out

    def skip_overlong(self, data: bytes, t_rx: float) -> tuple[bytes, list[Item]]:
        """Inside an over-long line, drop ``data`` up to its newline; the rest goes on.

        Formats that override :meth:`feed` call this first and :meth:`cap_tail` after
        keeping their partial line in ``_buf``.
        """
        if self._overlong is None:
            return data, []
        head, sep, rest = data.partition(b"\n")
        preview, n = self._overlong
        self._overlong = (preview, n + len(head))
        if not sep:
            return b"", []
        return rest, [self._too_long(t_rx)]

    def cap_tail(self) -> None:
        """A partial line past ``max_line_bytes`` is dropped, its start kept for the rejection."""
        if len(self._buf) > self.max_line_bytes:
            self._overlong = (self._buf[:RAW_PREVIEW_CHARS], len(self._buf))
            self._buf = b""

    def _too_long(self, t_rx: float) -> Rejection:
        """The rejection of a finished over-long line (counted as one line)."""
        assert self._overlong is not None
        preview, n = self._overlong
        self._overlong = None
        self._line += 1
        self._offset += n + 1
        return self.reject(
            Reason.TOO_LARGE,
            f"line of {n} bytes is longer than this format's {self.max_line_bytes}"
            f" (first {len(preview)} kept)",
            preview,
            line=self._line,
            t_received=t_rx,
        )

    def _one(self, raw: bytes, t_rx: float) -> list[Item]:
        if len(raw) > self.max_line_bytes:
            self._overlong = (raw[:RAW_PREVIEW_CHARS], len(raw))
            return [self._too_long(t_rx)]
        self._line += 1
        line = self._line
        self._offset += len(raw) + 1
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError as e:
            return [self.reject(Reason.CORRUPT, f"not UTF-8: {e}", raw, line=line, t_received=t_rx)]
        if self.skip_line(text):
            return []

        def parse() -> Detection | None:
            if text[:1] in ("{", "["):
                check_json_depth(raw, self.max_json_depth)
            return self.parse_line(text, line, t_rx)

        item = self.guarded(parse, text, line=line, t_received=t_rx)
        return [] if item is None else [item]

    def close(self) -> list[Item]:
        if self._overlong is not None:
            return [self._too_long(self.options.clock())]
        if not self._buf:
            return []
        raw, self._buf = self._buf, b""
        if raw.strip() == b"":
            return []
        # A last line without newline is complete in a file; on a socket it is cut.
        return self._one(raw, self.options.clock())

    def reset_framing(self) -> list[Item]:
        if self._overlong is not None:
            return [self._too_long(self.options.clock())]
        if not self._buf:
            return []
        raw, self._buf = self._buf, b""
        self._line += 1
        return [self.reject(Reason.TRUNCATED, "connection dropped mid-line", raw, line=self._line)]


def finite_or_reject(name: str, value: float, lo: float, hi: float) -> float:
    """A decoded number must be finite and inside its physical range, else reject it."""
    if not math.isfinite(value):
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"{name} is not finite: {value}", name)
    if not lo <= value <= hi:
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"{name}={value} outside [{lo}, {hi}]", name)
    return value
