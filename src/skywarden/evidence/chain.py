"""The evidence hash chain: every accepted raw input record, in order, bound to the last.

Why: an incident is only as good as the inputs it rests on. Hashing each raw record
together with the previous hash at the moment it is accepted means that changing,
inserting, dropping or reordering any stored record afterwards changes every hash from
that record on, so ``skywarden replay --verify`` names the first record that no longer
matches. What this proves is integrity *from receipt*: nothing was altered after it was
received. It does not prove that the sensor told the truth (docs/evidence.md).

The byte layout of one link (all integers unsigned big-endian, no text formatting)::

    h_i = SHA-256( DOMAIN                       28 bytes  b"skywarden/evidence-chain/v1\\0"
                 || h_{i-1}                     32 bytes  (h_{-1} = GENESIS, 32 zero bytes)
                 || i                            8 bytes  u64, the record's index from 0
                 || receive_time                 8 bytes  IEEE-754 binary64, UTC epoch s
                 || kind                         1 byte   0 detection, 1 track update,
                                                          2 rejected (quarantined),
                                                          3 operator action
                 || len(raw)                     8 bytes  u64
                 || raw )                   len(raw)      the record's bytes as received

Every field but the last has a fixed size and the last is length-prefixed, so two
different inputs can never concatenate to the same bytes; the domain prefix keeps these
hashes apart from any other SHA-256 use (the audit chain, export manifests).
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from skywarden.errors import SkywardenError

DOMAIN = b"skywarden/evidence-chain/v1\x00"
GENESIS = bytes(32)
_FIELDS = struct.Struct(">QdBQ")  # index, receive time, kind, raw length
_SEEDED = hashlib.sha256(DOMAIN)  # copied per link: the prefix is hashed once


class Kind(IntEnum):
    """What a chained record is; rejected input is chained too (it was received)."""

    DETECTION = 0
    TRACK_UPDATE = 1
    REJECTED = 2
    OPERATOR_ACTION = 3  # an operator's action as it reached the analyzer


class ChainError(SkywardenError, ValueError):
    """A chain argument that cannot be hashed (bad head, time, kind); says which."""


def link(prev: bytes, index: int, t_recv: float, kind: int, raw: bytes) -> bytes:
    """``h_i`` of the module docstring's layout (32 raw bytes)."""
    if len(prev) != 32:
        raise ChainError(f"previous hash must be 32 bytes, got {len(prev)}")
    if not math.isfinite(t_recv):
        raise ChainError(f"record {index}: receive time {t_recv!r} is not finite")
    if index < 0:
        raise ChainError(f"record index {index} is negative")
    if not 0 <= int(kind) <= 255:
        raise ChainError(f"record {index}: kind {kind!r} is not one byte")
    h = _SEEDED.copy()
    h.update(prev)
    h.update(_FIELDS.pack(index, t_recv, int(kind), len(raw)))
    h.update(raw)
    return h.digest()


@dataclass(frozen=True, slots=True)
class Record:
    """One chained raw record: index, receive time, kind, bytes and its hash (hex)."""

    index: int
    t: float
    kind: Kind | int  # an int only when read back from tampered storage
    raw: bytes
    hash: str


@dataclass(frozen=True, slots=True)
class Break:
    """The first record that does not match: where, and the expected vs stored hash."""

    index: int
    t: float
    expected: str
    found: str
    where: str = ""  # e.g. "raw.jsonl line 12" or "evidence_records seq 11"
    why: str = "hash differs: the record or one before it was changed"

    def describe(self) -> str:
        at = f" ({self.where})" if self.where else ""
        return (
            f"chain broken at record {self.index}{at}, received t={self.t!r}: {self.why}; "
            f"expected {self.expected}, found {self.found}"
        )


@dataclass(frozen=True, slots=True)
class Verified:
    """A chain that holds: how many records, and the head after the last one."""

    records: int
    head: str


class Chain:
    """An append-only chain being written: ``append`` hashes one record onto the head."""

    def __init__(self, head: bytes = GENESIS, count: int = 0) -> None:
        if len(head) != 32:
            raise ChainError(f"chain head must be 32 bytes, got {len(head)}")
        self._head = head
        self.count = count

    @property
    def head(self) -> str:
        return self._head.hex()

    @property
    def head_bytes(self) -> bytes:
        return self._head

    def append(self, t_recv: float, kind: Kind, raw: bytes) -> Record:
        h = link(self._head, self.count, t_recv, kind, raw)
        rec = Record(self.count, t_recv, kind, raw, h.hex())
        self._head = h
        self.count += 1
        return rec


def verify(
    records: Iterable[tuple[Record, str]], prev: bytes = GENESIS, start: int = 0
) -> Verified | Break:
    """Recompute the chain over ``(record, where)`` pairs from ``prev``; the first
    :class:`Break` (wrong hash, index out of sequence, time running back), else
    :class:`Verified`. ``start`` is the index the first record must carry (a segment)."""
    head, n, last_t = prev, start, -math.inf
    for rec, where in records:
        if rec.index != n:
            return Break(
                n, rec.t, f"index {n}", f"index {rec.index}", where, "record missing or moved"
            )
        if rec.t < last_t:
            why = f"receive time runs back from {last_t!r}"
            return Break(n, rec.t, "t >= previous", repr(rec.t), where, why)
        try:
            h = link(head, n, rec.t, rec.kind, rec.raw)
        except ChainError as e:
            return Break(n, rec.t, "a hashable record", rec.hash, where, str(e))
        if h.hex() != rec.hash:
            return Break(n, rec.t, h.hex(), rec.hash, where)
        head, n, last_t = h, n + 1, rec.t
    return Verified(n - start, head.hex())
