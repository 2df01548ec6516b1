"""What ``skywarden ingest`` shows while it runs: one status line, and the clock check.

A live feed used to be invisible: nothing on screen, nothing on disk, for as long as it
ran. :class:`LiveStatus` is ticked once a second by
:func:`~skywarden.ingest.sources.run_until_stopped`: it flushes the output files and
shows each source's state (connected, retrying and why) with messages, accepted and
rejected per second. On a terminal that is one rich line redrawn in place; otherwise
(a pipe, a log) a plain line is printed whenever a source's state changes and every
``log_every_s`` seconds, so a log still shows "retrying: nobody listening".

:class:`ClockWatch` notices a stream with no usable clock: every detection of a file
at one instant (undated SBS lines, AVR without counter, read in one go), which
tracking cannot use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rich.console import Console
from rich.live import Live
from rich.text import Text

from skywarden.ingest.sink import Sink
from skywarden.model import Detection

#: Formats whose time may fall back to the moment a chunk was read.
RECEIVE_TIME_FORMATS = frozenset({"sbs", "avr", "beast", "rid"})


class HasState(Protocol):
    """What the status line needs of a source."""

    name: str
    state: str


@dataclass
class Rates:
    """Counts at the last tick, to turn totals into per-second rates."""

    t: float
    messages: int = 0
    accepted: int = 0
    rejected: int = 0


def _absorbed_live(sources: Sequence[object]) -> int:
    """Messages that only fed decoder state so far (not yet folded into the sink)."""
    total = 0
    for s in sources:
        parser = getattr(s, "parser", None)
        if parser is not None:
            total += sum(parser.absorbed.values())
    return total


@dataclass
class LiveStatus:
    """The status line of one ingest run; call :meth:`tick` every second."""

    sources: Sequence[HasState]
    sink: Sink
    console: Console
    log_every_s: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _last: Rates = field(init=False)
    _start: float = field(init=False)
    _live: Live | None = field(init=False, default=None)
    _states: list[str] = field(init=False, default_factory=list)
    _logged: float = field(init=False)
    _printed: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._start = self._logged = self.clock()
        self._last = Rates(self._start)

    def __enter__(self) -> LiveStatus:
        if self.console.is_terminal:
            self._live = Live(
                self.line(), console=self.console, refresh_per_second=4, transient=True
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    def totals(self) -> Rates:
        s = self.sink.summary
        acc, rej = s.total_accepted, s.total_rejected
        absorbed = sum(s.absorbed.values()) + _absorbed_live(self.sources)
        return Rates(self.clock(), acc + rej + absorbed, acc, rej)

    def line(self, now: Rates | None = None) -> Text:
        """``tcp://...: connected | 1,204 messages (120/s) | accepted ... | rejected ...``."""
        now = now or self.totals()
        dt = max(now.t - self._last.t, 1e-9)

        def rate(a: int, b: int) -> str:
            return f"{(a - b) / dt:,.0f}/s"

        text = Text()
        for s in self.sources:
            style = "green" if s.state == "connected" else "yellow"
            text.append(f"{s.name}: ", style="bold").append(s.state, style=style)
            text.append(" | ")
        text.append(f"{now.messages:,} messages ({rate(now.messages, self._last.messages)})")
        text.append(f" | accepted {now.accepted:,} ({rate(now.accepted, self._last.accepted)})")
        text.append(
            f" | rejected {now.rejected:,} ({rate(now.rejected, self._last.rejected)})",
            style="red" if now.rejected > self._last.rejected else "",
        )
        text.append(f" | {now.t - self._start:,.0f} s")
        return text

    def tick(self) -> None:
        """Flush the output files, then redraw (terminal) or log (changes, every 10 s)."""
        self.sink.flush()
        now = self.totals()
        line = self.line(now)
        states = [s.state for s in self.sources]
        finished_quietly = not self._printed and all(st == "done" for st in states)
        if self._live is not None:
            self._live.update(line)
        elif finished_quietly:
            pass  # a file read to its end before the first tick: the summary says it all
        elif states != self._states or now.t - self._logged >= self.log_every_s:
            self.console.print(line, soft_wrap=True)
            self._logged = now.t
            self._printed = True
        self._states = states
        self._last = now


class ClockWatch:
    """The time span of the accepted detections, per format (see the module doc)."""

    def __init__(self) -> None:
        self.span: dict[str, tuple[float, float, int]] = {}

    def see(self, fmt: str, det: Detection) -> None:
        lo, hi, n = self.span.get(fmt, (det.t, det.t, 0))
        self.span[fmt] = (min(lo, det.t), max(hi, det.t), n + 1)

    def frozen(self) -> list[tuple[str, int]]:
        """Formats (with their counts) whose detections, two or more, share one time."""
        return [
            (fmt, n)
            for fmt, (lo, hi, n) in sorted(self.span.items())
            if n >= 2 and hi == lo and fmt in RECEIVE_TIME_FORMATS
        ]


class WatchedSink(Sink):
    """A :class:`Sink` that also feeds every accepted detection to a :class:`ClockWatch`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.clock_watch = ClockWatch()

    def _accept(self, fmt: str, det: Detection) -> None:
        self.clock_watch.see(fmt, det)
        super()._accept(fmt, det)
