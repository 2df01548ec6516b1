"""What every raw Mode S framing (AVR, Beast, frame JSON Lines) shares.

The framings differ only in how a frame and its time are cut out of the stream; the
rest is common and lives here: turning a receiver's 12 MHz counter into UTC, dropping
the same frame heard twice, and running the stateful :class:`ModeSDecoder` so its
absorptions are counted and its failures become Rejections.

Time. Beast and AVR-with-MLAT frames carry a free-running 48-bit counter at 12 MHz
(dump1090, readsb) with no absolute epoch. The first frame of a stream is placed at
``IngestOptions.reference_time`` when given (replaying a recording whose start is
known), else at its receive time (the wall clock when its chunk was read); later
frames are placed by counter difference, so inter-frame timing keeps the receiver's
precision. A counter that jumps backwards (receiver restart) re-anchors at receive
time. Frames without a counter (plain AVR ``*...;``) take the receive time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skywarden.ingest.base import IngestOptions, Parser
from skywarden.ingest.modes import ModeSDecoder
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.ingest.validate import Deduplicator
from skywarden.model import Detection

COUNTER_HZ = 12_000_000.0
COUNTER_MOD = 1 << 48
# Two receivers' copies of one transmission differ by well under 1 ms in the traffic
# sample (3,539 pairs); genuine repeats (DF20/21 replies to successive interrogations,
# DF17 every 0.5 s) come >= 50 ms apart. 10 ms separates the two with margin; widen it
# (IngestOptions.duplicate_window_s) for feeds stamped on arrival over a network.
# Within one source only extended squitters (DF17/18) are checked: one receiver hears
# identical DF11/DF4 replies to two interrogators 3-8 ms apart (dump1090 sample).
MODES_DUPLICATE_WINDOW_S = 0.01


@dataclass
class CounterClock:
    """Maps a 12 MHz receiver counter onto UTC epoch seconds (see module docstring)."""

    reference_time: float | None = None
    _anchor_t: float | None = None
    _anchor_c: int = 0

    def time(self, counter: int, t_received: float) -> float:
        if self._anchor_t is None:
            self._anchor_t = self.reference_time if self.reference_time is not None else t_received
            self._anchor_c = counter
        delta = (counter - self._anchor_c) % COUNTER_MOD
        if delta > COUNTER_MOD // 2:  # backwards: the receiver restarted its counter
            self._anchor_t, self._anchor_c, delta = t_received, counter, 0
        return self._anchor_t + delta / COUNTER_HZ


@dataclass
class ModeSStream(Parser):
    """Base of the raw-frame parsers: owns the decoder, the clock and duplicate check."""

    dedup: Deduplicator | None = None
    decoder: ModeSDecoder = field(init=False)
    clock: CounterClock = field(init=False)

    def __post_init__(self) -> None:
        o: IngestOptions = self.options
        self.decoder = ModeSDecoder(
            self.sensor, o.receiver, o.receiver_alt_m, o.receiver_max_range_m
        )
        self.clock = CounterClock(o.reference_time)
        if self.dedup is None:
            self.dedup = Deduplicator(o.duplicate_window_s or MODES_DUPLICATE_WINDOW_S)
        self._t0_rx: float | None = None

    def untimed(self, t_received: float) -> float:
        """Time of a frame without a counter: receive time, shifted onto the reference."""
        ref = self.options.reference_time
        if ref is None:
            return t_received
        if self._t0_rx is None:
            self._t0_rx = t_received
        return ref + (t_received - self._t0_rx)

    def decode(
        self, frame: bytes, t: float, extra: dict[str, object] | None = None
    ) -> Detection | None:
        """Decode one frame at UTC ``t``: a Detection, or None when it only fed state.

        Raises ``RejectedMessage`` (duplicate, crc, truncated, ...) for the caller's
        guard to turn into a Rejection with the frame's place in the stream.
        """
        squitter = (frame[0] >> 3) in (17, 18)
        if self.dedup is not None and self.dedup.is_duplicate(
            frame, t, self.source, same_source=squitter
        ):
            raise RejectedMessage(Reason.DUPLICATE, "same frame within window", "frame")
        det, why = self.decoder.decode(frame, t, extra)
        if det is None:
            self.absorbed[why] += 1
        return det
