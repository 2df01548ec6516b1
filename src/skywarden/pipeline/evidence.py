"""The pipeline's evidence hook: chain every scan's raw records, commit the head.

What is chained, per scan, in the scan's order: each accepted detection (kind 0) and
track update (kind 1) as the compact JSON line of its record, the form every recorded
file and the store already use; each rejected message (kind 2) as its raw bytes as
received (hex-decoded for binary formats). Rejections are chained because they are
evidence that something was received, flagged by their kind so a replay skips them.
The receive time is the scan's time: when the stage loop accepted the record.

For a live (durable) source the records are written with the stored scan, before it is
tracked; for a re-readable source (a file, the simulator) in the scan's own commit, so
either way the chain, the outputs and the cursor never disagree after a crash. Each
commit also writes the chain head and the SHA-256 of the scan's outputs by kind
(``skywarden.evidence.canonical``), which ``skywarden replay --verify`` compares.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from skywarden.evidence.canonical import digests
from skywarden.evidence.chain import GENESIS, Chain, Kind
from skywarden.evidence.stamp import config_sha256, plain, stamp
from skywarden.rejection import Rejection
from skywarden.stages import Scan, StepResult
from skywarden.store import evidence as store_evidence

if TYPE_CHECKING:
    from skywarden.pipeline.service import Pipeline


def line(d: dict[str, Any]) -> bytes:
    """A record's compact JSON line, as ``skywarden run`` writes its files. A value JSON
    cannot carry is chained as its text rather than stopping the pipeline (a replay
    then reports the record it could not reproduce)."""
    return json.dumps(d, separators=(",", ":"), default=str).encode()


def rejected_bytes(r: Rejection) -> bytes:
    if r.raw_encoding == "hex":
        try:
            return bytes.fromhex(r.raw)
        except ValueError:
            pass
    return r.raw.encode("utf-8", "surrogateescape")


def config_of(p: Pipeline) -> dict[str, Any]:
    """What the pipeline's stages were built from (what a replay rebuilds them from)."""
    tracker, analyzer = p.tracker, p.analyzer
    frame = getattr(tracker, "frame", None) or getattr(analyzer, "frame", None)
    return {
        "stages": {
            "tracker": None if tracker is None else type(tracker).__qualname__,
            "analyzer": None if analyzer is None else type(analyzer).__qualname__,
        },
        "frame": None if frame is None else frame.to_dict(),
        "id_prefix": p.id_prefix,
        "zones": [z.to_dict() for z in p.zones],
        "tracker": plain(getattr(tracker, "config", None)),
        "analyzer": plain(getattr(analyzer, "config", None)),
        "policy": plain(getattr(analyzer, "policy", None)),
        "laser_plan": plain(p.laser_plan),
    }


class EvidenceLog:
    """One source's chain, continued from the store's last record (read on first use)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.chain: Chain | None = None
        self.pending: list[Scan | tuple[float, bytes]] = []

    def start(self, s: Session, p: Pipeline) -> None:
        """Record the stamp (first start of the source) and continue the stored chain."""
        config = config_of(p)
        store_evidence.start(s, self.source, time.time(), stamp(), config, config_sha256(config))
        self.chain = None  # re-read the tail: another process may have extended it

    def take(self, scan: Scan) -> None:
        """A scan accepted into the stage loop; chained and stored by :meth:`write`."""
        self.pending.append(scan)

    def action(self, t: float, what: dict[str, str]) -> None:
        """An operator's action applied to the analyzer before the scan at ``t``."""
        self.pending.append((t, line(what)))

    def write(self, s: Session) -> None:
        """Chain the pending scans' records onto the stored chain, in ``s``."""
        if not self.pending:
            return
        if self.chain is None:
            n, h = store_evidence.tail(s, self.source)
            self.chain = Chain(bytes.fromhex(h) if h else GENESIS, n)
        add, rows = self.chain.append, []
        for scan in self.pending:
            if isinstance(scan, tuple):
                rows.append(_row(add(scan[0], Kind.OPERATOR_ACTION, scan[1])))
                continue
            t = scan.t
            for d in scan.detections:
                rows.append(_row(add(t, Kind.DETECTION, line(d.to_dict()))))
            for u in scan.updates or ():
                rows.append(_row(add(t, Kind.TRACK_UPDATE, line(u.to_dict()))))
            for r in scan.rejected:
                rows.append(_row(add(t, Kind.REJECTED, rejected_bytes(r))))
        store_evidence.append(s, self.source, rows)
        self.pending = []

    def commit(self, s: Session, result: StepResult, steps: int) -> None:
        """The head after this scan and its outputs' digests, in the scan's commit."""
        self.write(s)
        if self.chain is None:
            n, h = store_evidence.tail(s, self.source)
            self.chain = Chain(bytes.fromhex(h) if h else GENESIS, n)
        store_evidence.put_head(
            s, self.source, result.t, steps, self.chain.count, self.chain.head, digests(result)
        )


def _row(rec: Any) -> store_evidence.Row:
    return store_evidence.Row(rec.index, rec.t, int(rec.kind), rec.raw, rec.hash)
