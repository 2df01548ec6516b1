"""The run summary as a rich table: accepted, rejected by reason, absorbed by kind."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.table import Table

from skywarden.ingest.rejection import Rejection
from skywarden.ingest.sink import Sink, Summary


def summary_table(summary: Summary) -> Table:
    """One row per format: accepted detections, then each rejection reason's count."""
    table = Table(title="ingest")
    table.add_column("format")
    table.add_column("accepted", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("rejected by reason")
    table.add_column("absorbed (state only)", justify="right")
    formats = sorted(
        set(summary.accepted) | {f for f, _ in summary.rejected} | {f for f, _ in summary.absorbed}
    )
    for fmt in formats:
        reasons = {r: n for (f, r), n in summary.rejected.items() if f == fmt}
        absorbed = sum(n for (f, _), n in summary.absorbed.items() if f == fmt)
        table.add_row(
            fmt,
            str(summary.accepted.get(fmt, 0)),
            str(sum(reasons.values())),
            ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items())) or "-",
            str(absorbed),
        )
    return table


def nothing_accepted(summary: Summary, sources: list[str]) -> str:
    """One line for a run that accepted nothing: what came in and why it was refused."""
    if not summary.total_rejected:
        return f"nothing accepted: no message came from {', '.join(sources)}"
    reasons = ", ".join(f"{n} {why} as {fmt}" for (fmt, why), n in summary.rejected.most_common(3))
    more = len(summary.rejected) - 3
    return (
        f"nothing accepted: all {summary.total_rejected} messages rejected ({reasons}"
        f"{f', and {more} more kinds' if more > 0 else ''}); is --format right for this"
        " input? The quarantine file holds each one with its reason"
    )


class Quarantine:
    """Where ``track`` and ``analyze`` put the lines they cannot read, as ``ingest`` does.

    An ``on_reject`` callable: each :class:`Rejection` is written (through a
    :class:`Sink`, with its caps) to ``path``, which is only created at the first one,
    so a clean run leaves no empty file behind.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reasons: Counter[str] = Counter()
        self._sink: Sink | None = None

    def __call__(self, rejection: Rejection) -> None:
        if self._sink is None:
            self._sink = Sink(None, self.path)
        self._sink.reject(rejection)
        self.reasons[str(rejection.reason)] += 1

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def total(self) -> int:
        return sum(self.reasons.values())

    def line(self) -> str:
        """``quarantined 2 bad lines (corrupt: 1, missing_field: 1) -> FILE``."""
        by = ", ".join(f"{r}: {n}" for r, n in sorted(self.reasons.items()))
        return f"quarantined {self.total} bad lines ({by}) -> {self.path}"


def quarantine_path(out: Path) -> Path:
    """``tracks.jsonl`` -> ``tracks.rejected.jsonl`` (the ``ingest`` convention)."""
    return out.with_name(out.name.removesuffix(".jsonl").removesuffix(".json") + ".rejected.jsonl")
