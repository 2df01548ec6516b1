"""The evidence chain's rows: stamp per source, raw records, the head per scan.

Persistence only: the hashing is ``skywarden.evidence.chain`` (the pipeline's hook
computes, this module stores plain values), so the store does not depend on it.
Records are appended in one ``executemany`` per scan; ``seq`` is unique per source, so
a record can never be stored twice or replaced by an insert.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from skywarden.store.schema import Base, EvidenceHead, EvidenceRecord, EvidenceSource

# Core executemany: half the CPU of the ORM's bulk insert path (bench/evidence.py).
_INSERT = insert(Base.metadata.tables["evidence_records"])


class Row(NamedTuple):
    """A stored raw record: chain index, receive time, kind, bytes, hash (hex)."""

    seq: int
    t: float
    kind: int
    raw: bytes
    hash: str


class HeadRow(NamedTuple):
    t: float
    steps: int
    records: int
    head: str
    outputs: dict[str, str]


def start(
    s: Session, source: str, t: float, version: dict[str, Any], config: dict[str, Any], h: str
) -> None:
    """Record the stamp of a source's chain once (the first start); later starts keep it."""
    if s.get(EvidenceSource, source) is None:
        s.add(
            EvidenceSource(
                source=source, t_started=t, version=version, config=config, config_hash=h
            )
        )
        s.flush()


def stamp_of(s: Session, source: str) -> EvidenceSource | None:
    return s.get(EvidenceSource, source)


def sources(s: Session) -> list[str]:
    return list(s.scalars(select(EvidenceSource.source).order_by(EvidenceSource.t_started)))


def tail(s: Session, source: str) -> tuple[int, str | None]:
    """(records stored, hash of the last one) of ``source``'s chain."""
    n = s.scalar(select(func.max(EvidenceRecord.seq)).where(EvidenceRecord.source == source))
    if n is None:
        return 0, None
    h = s.scalar(
        select(EvidenceRecord.hash).where(EvidenceRecord.source == source, EvidenceRecord.seq == n)
    )
    return int(n) + 1, h


def append(s: Session, source: str, rows: Sequence[Row]) -> None:
    if rows:
        s.execute(
            _INSERT,
            [
                {
                    "source": source,
                    "seq": r.seq,
                    "t": r.t,
                    "kind": r.kind,
                    "raw": r.raw,
                    "hash": r.hash,
                }
                for r in rows
            ],
        )


def put_head(
    s: Session, source: str, t: float, steps: int, records: int, head: str, outputs: dict[str, str]
) -> None:
    s.add(
        EvidenceHead(source=source, t=t, steps=steps, records=records, head=head, outputs=outputs)
    )


def records(s: Session, source: str, seq0: int = 0, seq1: int | None = None) -> Iterator[Row]:
    """``source``'s records in chain order, ``seq0 <= seq < seq1``."""
    q = select(
        EvidenceRecord.seq,
        EvidenceRecord.t,
        EvidenceRecord.kind,
        EvidenceRecord.raw,
        EvidenceRecord.hash,
    ).where(EvidenceRecord.source == source, EvidenceRecord.seq >= seq0)
    if seq1 is not None:
        q = q.where(EvidenceRecord.seq < seq1)
    for r in s.execute(q.order_by(EvidenceRecord.seq).execution_options(yield_per=2000)):
        seq, t, kind, raw, h = r  # positional: a Row's ``.t`` is its tuple, not the column
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
        yield Row(int(seq), float(t), int(kind), data, str(h))  # text: edited by hand


def heads(s: Session, source: str) -> Iterator[HeadRow]:
    """``source``'s committed scans in commit order."""
    q = select(EvidenceHead).where(EvidenceHead.source == source).order_by(EvidenceHead.id)
    for h in s.scalars(q.execution_options(yield_per=2000)):
        yield HeadRow(h.t, h.steps, h.records, h.head, dict(h.outputs))


def count_heads(s: Session, source: str) -> int:
    return int(s.scalar(select(func.count()).where(EvidenceHead.source == source)) or 0)


def seq_range(s: Session, source: str, t0: float, t1: float) -> tuple[int, int] | None:
    """(first seq, last seq + 1) of ``source``'s records received in ``[t0, t1]``."""
    w = (EvidenceRecord.source == source, EvidenceRecord.t >= t0, EvidenceRecord.t <= t1)
    lo = s.scalar(select(func.min(EvidenceRecord.seq)).where(*w))
    hi = s.scalar(select(func.max(EvidenceRecord.seq)).where(*w))
    return None if lo is None or hi is None else (int(lo), int(hi) + 1)


def hash_at(s: Session, source: str, seq: int) -> str | None:
    return s.scalar(
        select(EvidenceRecord.hash).where(
            EvidenceRecord.source == source, EvidenceRecord.seq == seq
        )
    )
