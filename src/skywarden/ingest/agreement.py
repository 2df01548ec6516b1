"""Agreement of skywarden's Mode S positions with an independent decoder's, per input form.

The reference is a JSON Lines recording decoded by rs1090 (a Rust decoder independent
of pyModeS and of skywarden), e.g. ``full_flight_short.jsonl`` shipped in ``traffic``
2.13: one object per frame with ``timestamp``, ``frame`` and, where rs1090 found one,
``latitude``/``longitude``. The same frames are re-encoded as every raw form skywarden
reads, and each is fed to its parser one frame per chunk, received at the frame's
recorded time (as a live feed delivers them):

* ``rs1090_jsonl``: the recording itself (absolute timestamps);
* ``avr``: ``*HEX;`` lines, no counter: time is the receive time;
* ``avr_mlat``: ``@CCCCCCCCCCCCHEX;`` lines, a 12 MHz counter from the first frame;
* ``beast``: Beast binary frames with the same counter.

A frame that skywarden quarantines as a ``duplicate`` (the same transmission from a
second receiver of the merged feed, < 10 ms apart) counts with the position of its
first copy. Coverage is the share of rs1090's positions skywarden also gives; errors
are geodesic distances between the two positions of one frame.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skywarden.geo import distance_m
from skywarden.ingest.base import IngestOptions
from skywarden.ingest.beast import encode_frame
from skywarden.ingest.formats import make_parser
from skywarden.ingest.rejection import Rejection
from skywarden.model import Detection

FORMS = ("rs1090_jsonl", "avr", "avr_mlat", "beast")
PARSER_OF = {"rs1090_jsonl": "modes_jsonl", "avr": "avr", "avr_mlat": "avr", "beast": "beast"}
COUNTER_HZ = 12_000_000


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The recording's rows; each must hold a numeric ``timestamp`` and a hex ``frame``."""
    rows = []
    for i, line in enumerate(path.read_text().splitlines(), 1):
        row = json.loads(line)
        if not isinstance(row.get("timestamp"), int | float) or not isinstance(
            row.get("frame"), str
        ):
            raise ValueError(f"{path}:{i}: a row needs a numeric timestamp and a hex frame")
        rows.append(row)
    return rows


def _trimmed(hexframe: str) -> bytes:
    """The frame as transmitted: recorders pad short (56-bit) replies to 112 bits."""
    frame = bytes.fromhex(hexframe)
    return frame[:7] if frame[0] >> 3 < 16 else frame


def encode_rows(rows: list[dict[str, Any]], form: str) -> list[bytes]:
    """One chunk per row: the row's frame written in ``form``."""
    t0 = float(rows[0]["timestamp"])
    out = []
    for r in rows:
        counter = round((float(r["timestamp"]) - t0) * COUNTER_HZ)
        if form == "rs1090_jsonl":
            chunk = (json.dumps(r) + "\n").encode()
        elif form == "avr":
            chunk = f"*{_trimmed(r['frame']).hex().upper()};\n".encode()
        elif form == "avr_mlat":
            chunk = f"@{counter:012X}{_trimmed(r['frame']).hex().upper()};\n".encode()
        elif form == "beast":
            chunk = encode_frame(_trimmed(r["frame"]), counter)
        else:
            raise ValueError(f"unknown form {form!r}; known: {', '.join(FORMS)}")
        out.append(chunk)
    return out


@dataclass
class Agreement:
    """How one form's positions compare with the reference's."""

    form: str
    receiver: tuple[float, float] | None
    reference_positions: int = 0
    matched: int = 0
    extra: int = 0  # positions skywarden gave where the reference has none
    errors_m: list[float] = field(default_factory=list)
    detections: list[Detection] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)
    absorbed: dict[str, int] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        return self.matched / self.reference_positions if self.reference_positions else 0.0

    def share_within(self, metres: float) -> float:
        if not self.errors_m:
            return 0.0
        return float(np.mean(np.asarray(self.errors_m) <= metres))

    @property
    def worst_m(self) -> float:
        return max(self.errors_m, default=0.0)

    def row(self) -> dict[str, object]:
        """The figures of one line of the agreement table."""
        return {
            "form": self.form,
            "receiver": self.receiver,
            "reference_positions": self.reference_positions,
            "positions": self.matched,
            "coverage": round(self.coverage, 4),
            "within_500m": round(self.share_within(500.0), 5),
            "worst_error_m": round(self.worst_m, 1),
            "extra_positions": self.extra,
        }


def measure(
    rows: list[dict[str, Any]],
    form: str,
    receiver: tuple[float, float] | None = None,
    chunks: Iterable[bytes] | None = None,
    batch_s: float | None = None,
) -> Agreement:
    """Feed ``rows`` written as ``form`` and compare every position with the reference's.

    ``batch_s`` delivers frames in batches: each is received at the end of its
    ``batch_s`` window (as a network feed delivers several frames per read), which is
    the time of a frame without a counter (plain AVR).
    """
    t0 = float(rows[0]["timestamp"])
    opts = IngestOptions(reference_time=t0, receiver=receiver, clock=lambda: t0)
    parser = make_parser(PARSER_OF[form], "agreement", opts)
    result = Agreement(form if batch_s is None else f"{form} ({batch_s:g} s batches)", receiver)
    first_copy: dict[str, Detection] = {}
    rejected: dict[str, int] = {}
    for r, chunk in zip(rows, chunks or encode_rows(rows, form), strict=True):
        t_rx = float(r["timestamp"])
        if batch_s is not None:
            t_rx = t0 + math.ceil((t_rx - t0) / batch_s) * batch_s
        out = parser.feed(chunk, t_rx)
        det = next((o for o in out if isinstance(o, Detection)), None)
        for o in out:
            if isinstance(o, Rejection):
                rejected[o.reason] = rejected.get(o.reason, 0) + 1
        if det is not None:
            first_copy[r["frame"]] = det
            result.detections.append(det)
        elif any(isinstance(o, Rejection) and o.reason == "duplicate" for o in out):
            det = first_copy.get(r["frame"])
        has_ref = "latitude" in r and "longitude" in r
        result.reference_positions += has_ref
        if det is None or det.position is None:
            continue
        if not has_ref:
            result.extra += 1
            continue
        result.matched += 1
        d = distance_m(r["latitude"], r["longitude"], det.position.lat, det.position.lon)
        result.errors_m.append(float(d))
    parser.close()
    result.rejected = rejected
    result.absorbed = dict(parser.absorbed)
    return result
