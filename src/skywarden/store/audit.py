"""The append-only audit log: who did what, when, with the before and after picture.

Every state-changing API request writes one row *in the same transaction* as the change,
so a change and its audit record are committed together or not at all.

The log holds against more than a careless UPDATE (issue #12 finding 4):

- **Hash chain.** Row ``seq`` stores ``hash = sha256(prev_hash + canonical JSON of its
  content)``, the content being seq, time, user, role, action, target, before and after;
  ``prev_hash`` is the hash of row ``seq - 1`` (64 zeros for the first). Changing,
  removing or inserting a row anywhere breaks every later link, which :func:`verify`
  (``skywarden audit verify``) finds and names.
- **Time never goes backwards.** An append is stamped no earlier than the last row; an
  explicit back-dated or forward-dated time is refused.
- **Database triggers** (migrations 0001 and 0003) refuse UPDATE, DELETE, TRUNCATE and any
  INSERT that reuses an id or does not extend the chain (wrong seq, prev_hash or time),
  which also stops SQLite's ``INSERT OR REPLACE``. Someone who can drop the triggers can
  still rewrite rows, but not without :func:`verify` seeing the break; only truncating
  the newest rows leaves a valid chain, which is why ``verify`` prints the head to keep
  elsewhere and checks a kept head with ``--head``.
- **PostgreSQL role.** :func:`pg_grants` gives the service's login role INSERT and
  SELECT only on the log (the triggers belong to the owner, who alone can drop them).

Appends are serialised (SQLite's write lock, a PostgreSQL advisory lock) so that two
requests never compute the same ``seq``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from skywarden.errors import SkywardenError
from skywarden.store.schema import AuditRow

GENESIS = "0" * 64
APPEND_ONLY = "audit log is append-only"
MAX_FUTURE_S = 60.0  # an explicit time this far ahead of the clock is refused
_PG_LOCK = 0x5357_4155  # "SWAU": the advisory lock that serialises appends on PostgreSQL


class AuditError(SkywardenError, ValueError):
    """An append the log refuses (back-dated, non-finite time); says why."""


def canonical(content: dict[str, Any]) -> str:
    """The one JSON text of ``content`` that is hashed: sorted keys, no spaces, ASCII.

    Values are first taken through a JSON round trip, so what is hashed on append is
    exactly what is read back from the database (tuples become lists, and so on).
    """
    plain = json.loads(json.dumps(content, allow_nan=True))
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def content_of(
    seq: int,
    t: float,
    user: str,
    role: str,
    action: str,
    target: str,
    before: Any,
    after: Any,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "t": float(t),
        "user": user,
        "role": role,
        "action": action,
        "target": target,
        "before": before,
        "after": after,
    }


def link_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical(content))`` as hex: one link of the chain."""
    return hashlib.sha256((prev_hash + canonical(content)).encode("ascii")).hexdigest()


def _row_hash(r: Mapping[str, Any]) -> str:
    c = content_of(
        r["seq"], r["t"], r["user"], r["role"], r["action"], r["target"], r["before"], r["after"]
    )
    return link_hash(r["prev_hash"], c)


def _lock(s: Session) -> None:
    """Hold the append lock until the transaction ends, before reading the chain head.

    On SQLite any write statement takes the database's write lock (pysqlite begins the
    transaction just before it); a write that matches no row is enough. On PostgreSQL a
    transaction-scoped advisory lock needs no privilege on any table.
    """
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    else:
        s.execute(text("DELETE FROM settings WHERE 0"))


def head(s: Session) -> AuditRow | None:
    """The newest row of the chain (highest seq), or None for an empty log."""
    return s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()


def append(
    s: Session,
    user: str,
    role: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    t: float | None = None,
) -> AuditRow:
    """Add one row at the end of the chain, in ``s``'s transaction.

    ``t`` defaults to now, raised to the last row's time if the clock stepped back; an
    explicit ``t`` before the last row, more than a minute ahead or not finite is refused.
    """
    if t is not None and not math.isfinite(t):
        raise AuditError(f"audit time {t!r} is not a finite number")
    s.flush()
    _lock(s)
    last = head(s)
    last_t = last.t if last is not None else -math.inf
    now = time.time()
    if t is None:
        t = max(now, last_t)
    elif t < last_t:
        raise AuditError(
            f"audit time {t} is before the last row's ({last_t}, seq {last.seq if last else 0})"
            ": the log is append-only"
        )
    elif t > now + MAX_FUTURE_S:
        raise AuditError(f"audit time {t} is in the future (now {now:.0f})")
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    row = AuditRow(
        t=float(t),
        user=user,
        role=role,
        action=action,
        target=target,
        before=before,
        after=after,
        seq=seq,
        prev_hash=prev,
        hash=link_hash(prev, content_of(seq, t, user, role, action, target, before, after)),
    )
    s.add(row)
    s.flush()
    return row


def entries(
    s: Session,
    t0: float | None = None,
    t1: float | None = None,
    user: str | None = None,
    target: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    q = select(AuditRow)
    if t0 is not None:
        q = q.where(AuditRow.t >= t0)
    if t1 is not None:
        q = q.where(AuditRow.t <= t1)
    if user is not None:
        q = q.where(AuditRow.user == user)
    if target is not None:
        q = q.where(AuditRow.target == target)
    q = q.order_by(AuditRow.seq.desc()).limit(limit)
    return [
        {
            "id": r.id,
            "seq": r.seq,
            "t": r.t,
            "user": r.user,
            "role": r.role,
            "action": r.action,
            "target": r.target,
            "before": r.before,
            "after": r.after,
            "hash": r.hash,
        }
        for r in s.scalars(q)
    ]


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True, slots=True)
class Break:
    """The first place the chain does not hold: which row, and what is wrong with it."""

    row_id: int | None
    seq: int
    what: str


@dataclass(frozen=True, slots=True)
class Verdict:
    rows: int
    head_seq: int
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _walk(s: Session) -> Iterator[Mapping[str, Any]]:
    """Plain rows (no ORM objects: a few times faster over a long log), in seq order."""
    tbl = AuditRow.__table__
    q = select(tbl).order_by(tbl.c.seq.asc().nulls_first(), tbl.c.id)
    for m in s.execute(q.execution_options(yield_per=5000)).mappings():
        yield dict(m)


def verify(s: Session, expect_head: tuple[int, str] | None = None) -> Verdict:
    """Walk the chain from the first row and report the first broken link.

    Checks, row by row in seq order: seq is 1, 2, 3... without gap or repeat, ids grow
    with seq, ``prev_hash`` is the previous row's hash, the stored hash is the hash of the
    row's content, and time does not go backwards. ``expect_head`` = (seq, hash) kept
    from an earlier run also catches rows cut off the end.
    """
    n, prev_hash, prev_t, prev_id, last_seq = 0, GENESIS, -math.inf, -1, 0
    kept: str | None = None
    broken: Break | None = None
    for r in _walk(s):
        n += 1
        if broken is not None:
            continue
        rid, seq, h, ph, t = r["id"], r["seq"], r["hash"], r["prev_hash"], r["t"]
        where = (rid, seq if seq is not None else 0)
        if seq is None or h is None or ph is None:
            broken = Break(*where, "row has no seq/hash: inserted around the chain")
        elif seq != last_seq + 1:
            what = "repeated" if seq <= last_seq else f"rows {last_seq + 1}..{seq - 1} missing"
            broken = Break(*where, f"seq {seq} after {last_seq}: {what}")
        elif rid <= prev_id:
            broken = Break(*where, f"id {rid} not after the previous row's id {prev_id}")
        elif ph != prev_hash:
            broken = Break(*where, "prev_hash is not the previous row's hash")
        elif _row_hash(r) != h:
            broken = Break(*where, "content does not match its hash: the row was changed")
        elif t < prev_t:
            broken = Break(*where, f"time {t} before the previous row's {prev_t}: back-dated")
        else:
            prev_hash, prev_t, prev_id, last_seq = h, t, rid, seq
            if expect_head is not None and seq == expect_head[0]:
                kept = h
    if broken is None and expect_head is not None:
        seq, h = expect_head
        if kept is None:
            broken = Break(None, seq, f"kept head seq {seq} is gone: the log was cut to {n}")
        elif kept != h:
            broken = Break(None, seq, f"seq {seq} hash differs from the kept head {h[:12]}...")
    return Verdict(n, last_seq, prev_hash, broken)


def parse_head(value: str) -> tuple[int, str]:
    """``SEQ:HASH`` as ``skywarden audit verify`` prints it."""
    m = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip())
    if m is None:
        raise AuditError(f"head {value!r}: expected SEQ:HASH (64 hex digits)")
    return int(m[1]), m[2]


# --------------------------------------------------------------------------- PostgreSQL role


def pg_grants(app_role: str, tables: list[str]) -> list[str]:
    """GRANT statements for the service's PostgreSQL login role ``app_role``.

    The schema owner (who runs the migrations and owns the triggers) keeps every right;
    the service gets full rights on the other ``tables`` but only SELECT and INSERT on
    ``audit``, so a compromised service can add to the log but neither change, delete,
    truncate it nor drop its triggers (only an owner may).
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", app_role):
        raise AuditError(f"role {app_role!r}: lower-case letters, digits and _ only")
    others = [t for t in tables if t not in ("audit", "alembic_version")]
    out = [f"REVOKE ALL ON audit FROM {app_role}", f"GRANT SELECT, INSERT ON audit TO {app_role}"]
    out.append(f"GRANT USAGE ON SEQUENCE audit_id_seq TO {app_role}")
    out += [f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {app_role}" for t in sorted(others)]
    out.append(f"GRANT SELECT ON alembic_version TO {app_role}")  # migrate() checks the head
    out.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_role}")
    return out
