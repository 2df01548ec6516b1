"""AVR raw frames: one hex-encoded Mode S frame per line (dump1090 port 30002).

    *8D4840D6202CC371C32CE0576098;            frame only: time is the receive time
    @0000B3B5A2E48D4840D6202CC371C32CE0576098; 12 hex digits of 12 MHz counter, then frame
    %0000B3B5A2E48D4840D6202CC371C32CE0576098; same as @ (some builds)
    <0000B3B5A2E4A08D4840D6202CC371C32CE0576098; counter, 2 hex digits of signal, frame

Frames of 2 bytes are Mode A/C replies (counted, not positions); 7 and 14 bytes are
Mode S and go to :class:`~skywarden.ingest.modes.ModeSDecoder`. How the counter
becomes UTC is told in :mod:`skywarden.ingest.modes_stream`.
"""

from __future__ import annotations

from dataclasses import dataclass

from skywarden.ingest.base import LineParser
from skywarden.ingest.modes_stream import ModeSStream
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Detection


@dataclass
class AvrParser(ModeSStream, LineParser):
    """Streaming AVR parser."""

    format = "avr"

    def __post_init__(self) -> None:
        LineParser.__post_init__(self)
        ModeSStream.__post_init__(self)

    def parse_line(self, text: str, line: int, t_received: float) -> Detection | None:
        if not text.endswith(";"):
            raise RejectedMessage(Reason.TRUNCATED, "no closing ';'", "frame")
        lead, body = text[0], text[1:-1]
        counter: int | None = None
        extra: dict[str, object] | None = None
        try:
            if lead == "*":
                hexframe = body
            elif lead in "@%":
                counter, hexframe = int(body[:12], 16), body[12:]
            elif lead == "<":
                counter, hexframe = int(body[:12], 16), body[14:]
                extra = {"signal": int(body[12:14], 16)}
            else:
                raise RejectedMessage(Reason.CORRUPT, f"unknown lead character {lead!r}", "lead")
            frame = bytes.fromhex(hexframe)
        except ValueError:
            raise RejectedMessage(Reason.CORRUPT, "not hexadecimal", "frame") from None
        if len(frame) == 2:
            self.absorbed["mode_ac"] += 1
            return None
        t = self.untimed(t_received) if counter is None else self.clock.time(counter, t_received)
        return self.decode(frame, t, extra)
