"""Ids unique in a store forever: every source gets a run number from the store.

Why: the tracker, the incident book and the responder count from 1 in every process, so
two sources, or a source restarted without its state, writing to one database reused
``T000001``, ``I00001`` and ``M0001`` and merged new incidents into old rows.

Choice: a *run prefix* rather than ULIDs. The store hands each source id (a scenario and
seed, a recorded file by content, a set of live sockets) one number from an
autoincrement column, and every id that source's stages mint carries it after the kind
letter: ``T3-000042``, ``I3-00007``, ``M3-0002``. Ids stay short enough for a map label,
say which run made them, and are unique because the number is (the database allocates
it; a unique constraint on the source settles two processes racing for the same one).
A restart of the same source resumes its run: its state is rebuilt from the store (see
``skywarden.pipeline``), so its counters carry on from where they were instead of
starting again. Recorded track ids from a ``tracks.jsonl`` are scoped the same way.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skywarden.store.schema import SourceRun

_OURS = re.compile(r"^([A-Z])(\d+)$")


def run_for(s: Session, source: str) -> int:
    """The run number of ``source`` in this store, allocated on first use."""
    got = s.scalar(select(SourceRun.id).where(SourceRun.source == source))
    if got is not None:
        return int(got)
    try:
        with s.begin_nested():
            row = SourceRun(source=source, t_started=time.time())
            s.add(row)
            s.flush()
            return int(row.id)
    except IntegrityError:  # another process registered it first
        got = s.scalar(select(SourceRun.id).where(SourceRun.source == source))
        if got is None:
            raise
        return int(got)


def prefix(run: int) -> str:
    """What goes after an id's kind letter: ``3-`` for run 3 (``T3-000042``)."""
    if run < 1:
        raise ValueError(f"run number must be >= 1, got {run}")
    return f"{run}-"


def scoped(ident: str, pre: str) -> str:
    """A foreign id (a recorded track) in the run's namespace: ``T000001`` -> ``T3-000001``,
    anything else gets the prefix in front (``abc`` -> ``3-abc``)."""
    if not pre:
        return ident
    m = _OURS.match(ident)
    return f"{m.group(1)}{pre}{m.group(2)}" if m else f"{pre}{ident}"
