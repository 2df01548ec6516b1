"""Where parsed items go: detections and quarantine JSON Lines, counts, time order.

One sink serves every source of a run (asyncio tasks share one thread, so no locks).
It applies the last stream-level check, time order per sensor, turning a detection
that runs backwards into an ``out_of_order`` Rejection, then writes each item as one
line and counts it by format and reason. Files are line-buffered and flushed on close,
so every counted detection is on disk when the counts are printed.

The quarantine is bounded: a 10 MB file forced through the wrong format once wrote
107 MB of it. Each row keeps at most ``QUARANTINE_RAW_CHARS`` of its raw message
(``raw_chars`` then gives the full length), and once ``QUARANTINE_MAX_BYTES`` are
written further rows are only counted; at close one last row (format ``quarantine``,
reason ``too_large``) says how many were left out, by format and reason. Every
rejection is still counted in the summary.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from skywarden.ingest.base import Item, Parser
from skywarden.ingest.rejection import Reason, Rejection
from skywarden.ingest.validate import TimeOrder
from skywarden.model import Detection

#: Characters of raw message kept per quarantine row (hex for binary formats: 2 per byte).
QUARANTINE_RAW_CHARS = 4096
#: Bytes of quarantine rows written per run before further rows are only counted.
QUARANTINE_MAX_BYTES = 16 * 1024 * 1024


@dataclass
class Summary:
    """Counts of one run: accepted by format, rejected and absorbed by format and reason."""

    accepted: Counter[str] = field(default_factory=Counter)
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)
    absorbed: Counter[tuple[str, str]] = field(default_factory=Counter)
    not_quarantined: Counter[tuple[str, str]] = field(default_factory=Counter)  # over the cap

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": dict(self.accepted),
            "rejected": {f"{f}/{r}": n for (f, r), n in sorted(self.rejected.items())},
            "absorbed": {f"{f}/{r}": n for (f, r), n in sorted(self.absorbed.items())},
            "not_quarantined": {
                f"{f}/{r}": n for (f, r), n in sorted(self.not_quarantined.items())
            },
        }

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted.values())

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())


class Sink:
    """Collects items from parsers: optionally into files, always into counts.

    ``keep=True`` also keeps them in memory (tests, small replays).
    """

    def __init__(
        self,
        out: Path | None = None,
        quarantine: Path | None = None,
        *,
        keep: bool = False,
        max_time_regression_s: float = 2.0,
        quarantine_raw_chars: int = QUARANTINE_RAW_CHARS,
        quarantine_max_bytes: int = QUARANTINE_MAX_BYTES,
    ) -> None:
        if quarantine_raw_chars < 0 or quarantine_max_bytes < 0:
            raise ValueError("quarantine caps must be >= 0")
        self.summary = Summary()
        self.quarantine_raw_chars = quarantine_raw_chars
        self.quarantine_max_bytes = quarantine_max_bytes
        self.quarantine_bytes = 0
        self.order = TimeOrder(max_time_regression_s)
        self.keep = keep
        self.detections: list[Detection] = []
        self.rejections: list[Rejection] = []
        self._out: IO[str] | None = _open(out)
        self._quarantine: IO[str] | None = _open(quarantine)

    def put(self, parser: Parser, items: list[Item]) -> None:
        for item in items:
            if isinstance(item, Detection):
                latest = self.order.check(item.sensor, item.t)
                if latest is None:
                    self._accept(parser.format, item)
                    continue
                item = parser.reject(
                    Reason.OUT_OF_ORDER,
                    f"t={item.t:.3f} is {latest - item.t:.3f} s before this sensor's latest",
                    json.dumps(item.to_dict()),
                    field_name="t",
                )
            self.reject(item)

    def absorb(self, parser: Parser) -> None:
        """Fold a finished parser's absorbed counts into the summary."""
        for why, n in parser.absorbed.items():
            self.summary.absorbed[(parser.format, why)] += n
        parser.absorbed.clear()

    def _accept(self, fmt: str, det: Detection) -> None:
        self.summary.accepted[fmt] += 1
        if self._out is not None:
            self._out.write(json.dumps(det.to_dict()) + "\n")
        if self.keep:
            self.detections.append(det)

    def reject(self, rej: Rejection) -> None:
        """Count and quarantine one rejection (within the caps; see the module doc)."""
        key = (rej.format, str(rej.reason))
        self.summary.rejected[key] += 1
        if self._quarantine is not None:
            d = rej.to_dict()
            cap = self.quarantine_raw_chars
            if len(rej.raw) > cap:
                d["raw"] = rej.raw[: cap - cap % 2 if rej.raw_encoding == "hex" else cap]
                d["raw_chars"] = len(rej.raw)
            row = json.dumps(d) + "\n"
            if self.quarantine_bytes + len(row) <= self.quarantine_max_bytes:
                self._quarantine.write(row)
                self.quarantine_bytes += len(row)
            else:
                self.summary.not_quarantined[key] += 1
        if self.keep:
            self.rejections.append(rej)

    def _write_cap_summary(self) -> None:
        left = self.summary.not_quarantined
        if self._quarantine is None or not left:
            return
        by = ", ".join(f"{f}/{r}: {n}" for (f, r), n in left.most_common())
        row = Rejection(
            source="skywarden",
            format="quarantine",
            reason=Reason.TOO_LARGE,
            detail=f"{sum(left.values())} further rejections counted but not written (cap"
            f" {self.quarantine_max_bytes} bytes): {by}",
            raw="",
        ).to_dict()
        row["not_written"] = {f"{f}/{r}": n for (f, r), n in sorted(left.items())}
        self._quarantine.write(json.dumps(row) + "\n")

    def flush(self) -> None:
        """Push the rows written so far to disk, so a live run's readers see them."""
        for f in (self._out, self._quarantine):
            if f is not None:
                f.flush()

    def close(self) -> None:
        self._write_cap_summary()
        for f in (self._out, self._quarantine):
            if f is not None:
                f.flush()
                f.close()
        self._out = self._quarantine = None

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open(path: Path | None) -> IO[str] | None:
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8", buffering=1 << 16)
