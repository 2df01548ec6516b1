"""Accepted live scans, stored append-only before they are tracked.

Why: a live socket cannot be read twice. To promise "nothing accepted is lost" (DESIGN.md)
for live sources as for files, the pipeline commits each scan's accepted detections (and
its rejections) here *before* tracking it, and commits the scan's outputs with the
cursor afterwards. After a crash, the scans up to the cursor rebuild the tracker's and
analyzer's state, and those after it (accepted, never processed) are processed then.
A scan is a row: (source, t) is unique, so a scan can never be stored twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skywarden.model import Detection
from skywarden.rejection import Reason, Rejection
from skywarden.store.schema import SourceScan


def append(
    s: Session,
    source: str,
    t: float,
    detections: Sequence[Detection],
    rejected: Sequence[Rejection],
) -> None:
    s.add(
        SourceScan(
            source=source,
            t=t,
            detections=[d.to_dict() for d in detections],
            rejected=[r.to_dict() for r in rejected],
        )
    )
    s.flush()


def after(
    s: Session, source: str, t0: float | None = None
) -> Iterator[tuple[float, list[Detection], list[Rejection]]]:
    """The stored scans of ``source`` later than ``t0``, in time order."""
    q = select(SourceScan).where(SourceScan.source == source)
    if t0 is not None:
        q = q.where(SourceScan.t > t0)
    for r in s.scalars(q.order_by(SourceScan.t).execution_options(yield_per=500)):
        dets = [Detection.from_dict(d) for d in r.detections]
        yield r.t, dets, [_rejection(source, x) for x in r.rejected]


def last_t(s: Session, source: str) -> float | None:
    v = s.scalar(select(func.max(SourceScan.t)).where(SourceScan.source == source))
    return None if v is None else float(v)


def count(s: Session, source: str) -> int:
    return int(s.scalar(select(func.count()).where(SourceScan.source == source)) or 0)


def _rejection(source: str, stored: dict[str, Any] | list[Any]) -> Rejection:
    """A stored rejection; stores written before the record was typed kept
    ``[reason, field, raw]`` lists, read back as corrupt input with that reason."""
    if isinstance(stored, dict):
        return Rejection.from_dict(stored)
    reason, fld, raw = (str(x) for x in stored)
    return Rejection(source, "stored", Reason.CORRUPT, reason, raw, field=fld)
