"""Resuming after a crash: the stages' state in snapshots, and the stream after the cursor.

Stages are deterministic for a given source (DESIGN.md, "replaying the same input gives
the same tracks and incidents"). On start the pipeline loads the newest snapshot at or
before the committed cursor; the runner then skips the scans the snapshot covers and
recomputes, without storing or pacing them, the ones up to the cursor (rebuilding the
tracker's and analyzer's state), then carries on from the first uncommitted scan. For a
live source those come from the store first (accepted before the crash, never
processed), then from the sockets. Nothing committed is lost or written twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from skywarden.stages import Scan
from skywarden.store import scans as store_scans
from skywarden.store import snapshots as store_snapshots

if TYPE_CHECKING:
    from skywarden.pipeline.service import Pipeline

log = logging.getLogger("skywarden.pipeline")


def static_objects(p: Pipeline) -> dict[str, object]:
    """Big objects every start rebuilds identically, left out of snapshots."""
    out: dict[str, object] = {}
    zindex = getattr(p.analyzer, "zindex", None)
    if zindex is not None:
        out["analyzer.zindex"] = zindex
    src_static = getattr(p.source, "static_objects", None)
    if callable(src_static):
        out.update({f"source.{k}": v for k, v in src_static().items()})
    return out


def fingerprint(p: Pipeline) -> str:
    """The snapshot fingerprint of this code and configuration."""
    parts = [
        p.source.id,
        p.id_prefix,
        json.dumps([z.to_dict() for z in p.zones], sort_keys=True, default=str),
        json.dumps(p.laser_plan, sort_keys=True, default=str),
        type(p.tracker).__qualname__,
        type(p.analyzer).__qualname__,
        *p.config,
    ]
    return store_snapshots.fingerprint(parts)


def state(p: Pipeline) -> dict[str, Any]:
    out: dict[str, Any] = {"tracker": p.tracker, "analyzer": p.analyzer}
    pos = getattr(p.source, "resume_state", None)
    if callable(pos):
        out["source"] = pos()
    return out


def dumps(p: Pipeline) -> bytes:
    return store_snapshots.dumps(state(p), static_objects(p))


def restore(p: Pipeline, s: Session, t_max: float) -> Any:
    """Load the newest readable snapshot at or before ``t_max`` into ``p``; return the
    source's position in it (None if it has none or no snapshot was loaded)."""
    for t, steps, blob in store_snapshots.latest(s, p.source.id, p.code(), t_max):
        try:
            st = store_snapshots.loads(blob, static_objects(p))
        except store_snapshots.SnapshotError as e:
            log.warning("pipeline: snapshot at t=%s skipped: %s", t, e)
            continue
        p.tracker, p.analyzer = st.get("tracker"), st.get("analyzer")
        p.restored = (t, steps)
        log.info("pipeline: state restored from the snapshot at t=%s (%d scans)", t, steps)
        return st.get("source")
    return None


def stream(p: Pipeline, t_from: float, position: Any) -> Iterator[tuple[Scan, bool]]:
    """(scan, already stored) in time order, from just after ``t_from``."""
    if p.durable_input:
        last = t_from
        while True:  # the stored scans after t_from, a chunk per session
            with p.db.session() as s:
                chunk = []
                for t, dets, rej in store_scans.after(s, p.source.id, last):
                    chunk.append(Scan(t, dets, rejected=rej))
                    if len(chunk) >= 500:
                        break
            if not chunk:
                break
            for scan in chunk:
                yield scan, True
            last = chunk[-1].t
        for scan in p.source.scans():
            if scan.t > last:
                yield scan, False
        return
    scans = (
        p.source.scans(position)  # type: ignore[call-arg]
        if position is not None
        else p.source.scans()
    )
    for scan in scans:
        yield scan, False
