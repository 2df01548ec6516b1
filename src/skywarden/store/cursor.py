"""Where a replayed source got to, committed in the same transaction as its outputs.

Because the cursor and a step's tracks, incidents and recommendations are committed
together, after a crash the store holds exactly the steps up to the cursor; the pipeline
replays the (deterministic) source up to there without writing, then carries on.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from skywarden.store.schema import PipelineCursor


def get(s: Session, source: str) -> tuple[float, int] | None:
    r = s.get(PipelineCursor, source)
    return None if r is None else (r.t, r.steps)


def put(s: Session, source: str, t: float, steps: int) -> None:
    s.merge(PipelineCursor(source=source, t=t, steps=steps))
