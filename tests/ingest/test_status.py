"""The status line's figures: per-second rates from a fake clock, states, and the clock check."""

from __future__ import annotations

import io
from dataclasses import dataclass

from rich.console import Console

from skywarden.ingest.sink import Sink
from skywarden.ingest.status import ClockWatch, LiveStatus
from skywarden.model import Detection, Position, SensorKind


@dataclass
class FakeSource:
    name: str
    state: str
    parser: None = None


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_rates_are_per_second_between_ticks_and_a_pipe_gets_a_line_per_change() -> None:
    sink, clock, text = Sink(), FakeClock(), io.StringIO()
    src = FakeSource("tcp://127.0.0.1:30003", "retrying in 0.5 s: nobody listening")
    status = LiveStatus([src], sink, Console(file=text, width=300), log_every_s=10.0, clock=clock)
    with status:
        clock.t += 1.0
        status.tick()  # first state: logged
        src.state = "connected"
        sink.summary.accepted["sbs"] += 30
        sink.summary.rejected[("sbs", "corrupt")] += 2
        sink.summary.absorbed[("sbs", "state")] += 8
        clock.t += 2.0
        status.tick()  # state changed: logged, rates over the 2 s
        sink.summary.accepted["sbs"] += 10
        clock.t += 1.0
        status.tick()  # same state, 1 s after the last log: not logged
    lines = text.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("tcp://127.0.0.1:30003: retrying in 0.5 s: nobody listening |")
    assert lines[1] == (
        "tcp://127.0.0.1:30003: connected | 40 messages (20/s) | accepted 30 (15/s)"
        " | rejected 2 (1/s) | 3 s"
    )


def test_a_file_read_before_the_first_tick_prints_no_status() -> None:
    text = io.StringIO()
    status = LiveStatus([FakeSource("a.sbs", "done")], Sink(), Console(file=text))
    status.tick()
    assert text.getvalue() == ""


def _det(t: float) -> Detection:
    return Detection(1_770_000_000.0 + t, "rx", SensorKind.ADSB, Position(31.8, -106.4, 1200.0))


def test_clock_watch_flags_only_receive_time_formats_frozen_at_one_instant() -> None:
    w = ClockWatch()
    for fmt, times in {
        "sbs": [5.0, 5.0, 5.0],  # undated lines read in one go
        "avr": [5.0, 6.0],  # a counter: fine
        "plots_csv": [5.0, 5.0],  # its own absolute times: a snapshot is legitimate
        "beast": [7.0],  # one frame proves nothing
    }.items():
        for t in times:
            w.see(fmt, _det(t))
    assert w.frozen() == [("sbs", 3)]
