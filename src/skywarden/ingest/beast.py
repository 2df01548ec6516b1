"""Beast binary frames (Mode-S Beast receiver protocol; dump1090/readsb port 30005).

Each frame is ``0x1a``, a type byte, a 6-byte big-endian 12 MHz counter, a signal
level byte and the payload:

    type '1' (0x31)  Mode A/C reply, 2 bytes        (counted, not a position)
    type '2' (0x32)  Mode S short, 7 bytes
    type '3' (0x33)  Mode S long, 14 bytes
    type '4' (0x34)  receiver status, 14 bytes      (counted)

Any ``0x1a`` inside counter, signal or payload is sent twice (``1a 1a``); a single
``0x1a`` always starts a frame, which is how a reader resynchronises. So a lone
``0x1a`` met before a frame is complete means that frame was cut (``truncated``), and
bytes between frames are ``corrupt``; both are quarantined with their stream offset.
How the counter becomes UTC is told in :mod:`skywarden.ingest.modes_stream`.
"""

from __future__ import annotations

from dataclasses import dataclass

from skywarden.ingest.base import Item
from skywarden.ingest.modes_stream import ModeSStream
from skywarden.ingest.rejection import Reason

ESC = 0x1A
PAYLOAD_LEN = {0x31: 2, 0x32: 7, 0x33: 14, 0x34: 14}


@dataclass
class BeastParser(ModeSStream):
    """Streaming Beast parser: keeps a partial frame between chunks."""

    format = "beast"
    binary = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self._buf = b""
        self._base = 0  # stream offset of self._buf[0]

    # size: a byte-stream framing loop (escapes, resync, partial frames), state in the loop
    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        t_rx = self.options.clock() if t_received is None else t_received
        buf = self._buf + data if self._buf else bytes(data)
        out: list[Item] = []
        pos, n = 0, len(buf)
        while pos < n:
            i = buf.find(ESC, pos)
            if i < 0:
                i = n
            if i > pos:
                out.append(
                    self.reject(
                        Reason.CORRUPT,
                        "bytes outside a frame",
                        buf[pos:i],
                        offset=self._base + pos,
                        t_received=t_rx,
                    )
                )
                pos = i
                continue
            if i + 1 >= n:
                break  # need the type byte
            kind = buf[i + 1]
            size = PAYLOAD_LEN.get(kind)
            if size is None:
                # "1a 1a" here is an escaped byte with no frame start; anything else unknown.
                skip = 2 if kind == ESC else 1
                out.append(
                    self.reject(
                        Reason.CORRUPT,
                        f"unknown frame type 0x{kind:02x}",
                        buf[i : i + skip],
                        offset=self._base + i,
                        t_received=t_rx,
                    )
                )
                pos = i + skip
                continue
            need = 7 + size
            seg = buf[i + 2 : i + 2 + need]
            if len(seg) == need and ESC not in seg:
                end = i + 2 + need
            else:
                seg_or_end = _unescape(buf, i + 2, need)
                if seg_or_end is None:
                    break  # incomplete: wait for more bytes
                if isinstance(seg_or_end, int):  # a new frame started inside this one
                    out.append(
                        self.reject(
                            Reason.TRUNCATED,
                            "frame cut by a new frame start",
                            buf[i:seg_or_end],
                            offset=self._base + i,
                            t_received=t_rx,
                        )
                    )
                    pos = seg_or_end
                    continue
                seg, end = seg_or_end
            item = self._frame(kind, seg, buf[i:end], self._base + i, t_rx)
            if item is not None:
                out.append(item)
            pos = end
        self._buf = buf[pos:]
        self._base += pos
        return out

    def _frame(self, kind: int, seg: bytes, raw: bytes, offset: int, t_rx: float) -> Item | None:
        if kind == 0x31:
            self.absorbed["mode_ac"] += 1
            return None
        if kind == 0x34:
            self.absorbed["status"] += 1
            return None
        t = self.clock.time(int.from_bytes(seg[:6], "big"), t_rx)
        try:
            return self.decode(seg[7:], t, {"signal": seg[6]})
        except Exception as e:  # becomes a typed Rejection; the stream goes on
            return self.as_rejection(e, raw, offset=offset, t_received=t_rx)

    def close(self) -> list[Item]:
        if not self._buf:
            return []
        raw, self._buf = self._buf, b""
        rej = self.reject(Reason.TRUNCATED, "stream ended inside a frame", raw, offset=self._base)
        self._base += len(raw)
        return [rej]


def _unescape(buf: bytes, start: int, need: int) -> tuple[bytes, int] | int | None:
    """Read ``need`` unescaped bytes from ``start``.

    Returns (bytes, end offset); or the offset of a lone ``0x1a`` (a new frame start)
    if one interrupts the frame; or None if the buffer ends first.
    """
    out = bytearray()
    j, n = start, len(buf)
    while len(out) < need:
        if j >= n:
            return None
        b = buf[j]
        if b == ESC:
            if j + 1 >= n:
                return None
            if buf[j + 1] != ESC:
                return j
            j += 2
        else:
            j += 1
        out.append(b)
    return bytes(out), j


def encode_frame(frame: bytes, counter: int, signal: int = 0x80) -> bytes:
    """Beast-encode one Mode S frame (for replay servers and tests)."""
    kind = {2: 0x31, 7: 0x32, 14: 0x33}[len(frame)]
    body = counter.to_bytes(6, "big") + bytes([signal]) + frame
    return bytes([ESC, kind]) + body.replace(b"\x1a", b"\x1a\x1a")
