"""Snapshots of the pipeline's stage state, so a restart replays minutes, not a night.

Why: resuming used to re-run every scan since the start of the source through the
tracker and analyzer (issue 12, finding 11: 2,688 scans and 45 s frozen an hour into a
night). Every N scans the pipeline stores the state of its stages *with the cursor*, in
the scan's own transaction; a restart loads the newest one and replays only the scans
after it.

Format (``FORMAT`` 1): a pickle (protocol 5) of a dict of the stage objects (tracker,
analyzer, a resumable source's position). Large objects that are rebuilt identically on
every start (the analyzer's zone index) are left out as *persistent ids* and bound to
the fresh objects on load, which keeps a snapshot near 100 kB instead of 6 MB. Each row
carries ``code``: a SHA-256 over the skywarden version, the source files of the stages
and the stage configuration (frame, zones, plan). A snapshot whose fingerprint differs
from the running service's is never loaded; the pipeline then replays from the start,
as before.

Trust: pickle runs code when loaded, so a snapshot is only ever read back from the
service's own store, written by this module; anyone who can write that table can already
rewrite the incidents and the audit log. Snapshots are never imported or exported.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
import time
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from skywarden.errors import SkywardenError
from skywarden.store.schema import StateSnapshot

FORMAT = 1
KEEP = 2  # snapshots kept per source (the newest, and one in case it is unreadable)
_PKG = Path(__file__).resolve().parents[1]
_CODE = (
    "pipeline",
    "stages",
    "lifecycle.py",
    "model.py",
    "geo.py",
    "tracking",
    "airspace",
    "laser",
    "sim",
)


def _proxy(d: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(d)


def _reduce_proxy(m: types.MappingProxyType[Any, Any]) -> tuple[Any, tuple[Any, ...]]:
    return _proxy, (dict(m),)


class _Pickler(pickle.Pickler):
    """Pickles read-only mappings (configs use them) and leaves ``static`` objects out."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[types.MappingProxyType] = _reduce_proxy

    def __init__(self, f: io.BytesIO, static: Mapping[str, object]) -> None:
        super().__init__(f, protocol=5)
        self._static = {id(v): k for k, v in static.items()}

    def persistent_id(self, obj: Any) -> str | None:
        return self._static.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, f: io.BytesIO, static: Mapping[str, object]) -> None:
        super().__init__(f)
        self._static = static

    def persistent_load(self, pid: Any) -> object:
        try:
            return self._static[str(pid)]
        except KeyError:
            raise pickle.UnpicklingError(f"snapshot refers to {pid!r}, not rebuilt") from None


class SnapshotError(SkywardenError, RuntimeError):
    """A snapshot cannot be read back (corrupt, or written by other code)."""


def dumps(state: Mapping[str, Any], static: Mapping[str, object] | None = None) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, static or {}).dump(dict(state))
    return buf.getvalue()


def loads(blob: bytes, static: Mapping[str, object] | None = None) -> dict[str, Any]:
    try:
        out = _Unpickler(io.BytesIO(blob), static or {}).load()
    except Exception as e:
        raise SnapshotError(f"unreadable snapshot: {type(e).__name__}: {e}") from e
    if not isinstance(out, dict):
        raise SnapshotError(f"snapshot holds a {type(out).__name__}, not a dict")
    return out


def fingerprint(parts: Iterable[str]) -> str:
    """SHA-256 over the version, the stages' source files and ``parts`` (configuration)."""
    from skywarden import __version__

    h = hashlib.sha256(f"format={FORMAT}|{__version__}".encode())
    for name in _CODE:
        p = _PKG / name
        files = sorted(p.rglob("*.py")) if p.is_dir() else [p]
        for f in files:
            h.update(str(f.relative_to(_PKG)).encode())
            h.update(f.read_bytes())
    for part in parts:
        h.update(b"\0" + part.encode())
    return h.hexdigest()


def put(s: Session, source: str, t: float, steps: int, code: str, blob: bytes) -> None:
    """Store a snapshot and drop the source's older ones beyond ``KEEP``."""
    s.add(
        StateSnapshot(
            source=source,
            t=t,
            steps=steps,
            format=FORMAT,
            code=code,
            t_written=time.time(),
            blob=blob,
        )
    )
    s.flush()
    keep = select(StateSnapshot.id).where(StateSnapshot.source == source)
    keep = keep.order_by(StateSnapshot.t.desc(), StateSnapshot.id.desc()).limit(KEEP)
    ids = list(s.scalars(keep))
    s.execute(
        delete(StateSnapshot).where(StateSnapshot.source == source, StateSnapshot.id.not_in(ids))
    )


def latest(s: Session, source: str, code: str, t_max: float) -> list[tuple[float, int, bytes]]:
    """The source's snapshots written by this code at or before ``t_max``, newest first,
    as (t, steps, blob)."""
    q = (
        select(StateSnapshot)
        .where(
            StateSnapshot.source == source,
            StateSnapshot.code == code,
            StateSnapshot.format == FORMAT,
            StateSnapshot.t <= t_max,
        )
        .order_by(StateSnapshot.t.desc(), StateSnapshot.id.desc())
    )
    return [(r.t, r.steps, r.blob) for r in s.scalars(q)]
