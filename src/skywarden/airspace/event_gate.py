"""When an observed border crossing or zone entry becomes a reported event.

The border and zone detectors watch every track that is not manned from its first
update, so a smuggler that crosses before its drone probability rises still has its
crossing, at the true time and place. This gate decides when such an observation is
*reported*: when its track is **confident**, i.e.

- its drone probability is at least ``min_p_drone`` (0.8), its bird probability below
  one half and its existence probability at least ``min_p_exist`` (0.9), and
- that has held on every update for ``dwell_s`` (30 s), or the track is corroborated now:
  a Remote ID identity or ``min_kinds`` independent kinds of evidence.

Why: on simulated nights at El Paso, Laredo and Yuma the false crossings and most false
zone entries were birds classed drone for a few seconds; a bird's drone probability
flickers, a drone's holds. A held observation keeps its true time and place, so waiting
costs latency (stated on the event as ``reported_after_s``), not recall.

Look-back: a crossing is reported only if its track becomes confident within
``lookback_s`` (300 s) of it; an older one is dropped, being no longer news. A zone entry
is held while the track stays inside (the exit hold of :mod:`.zone_watch` applies); if
the track leaves before it is confident, neither the entry nor the exit is reported. An
exit is reported only for a reported entry. All state is in arrays or small dicts keyed
by track row, and is forgotten with the row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.airspace._arrays import grown
from skywarden.airspace.border import Crossing
from skywarden.airspace.track_table import Batch
from skywarden.airspace.zone_watch import ZoneTransition

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class EventGateConfig:
    """The confidence an event's track needs before the event is reported (see module)."""

    min_p_drone: float = 0.8
    min_p_exist: float = 0.9
    max_p_bird: float = 0.5
    dwell_s: float = 30.0
    lookback_s: float = 300.0

    def __post_init__(self) -> None:
        for name in ("min_p_drone", "min_p_exist", "max_p_bird"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"EventGateConfig.{name} must be in [0, 1], got {v!r}")
        for name in ("dwell_s", "lookback_s"):
            v = getattr(self, name)
            if not 0.0 <= v < float("inf"):
                raise ValueError(f"EventGateConfig.{name} must be finite and >= 0, got {v!r}")


class EventGate:
    """Holds crossings and zone entries until their track is confident (see module)."""

    def __init__(self, config: EventGateConfig = EventGateConfig()) -> None:
        self.config = config
        self.since = np.full(0, np.nan)  # first time of the current confident run, per row
        self.crossings: dict[int, list[Crossing]] = {}
        self.entries: dict[tuple[int, int], ZoneTransition] = {}
        self.reported: set[tuple[int, int]] = set()  # (row, zone) whose entry was reported

    def confident(self, b: Batch, corroborated: BoolArray) -> BoolArray:
        """Update each row's confidence clock with batch ``b``; which rows are confident.

        ``corroborated`` (per update) lets a track with independent evidence through
        without the dwell.
        """
        c = self.config
        if len(b) == 0:
            return np.zeros(0, dtype=bool)
        self.since = grown(self.since, int(b.rows.max()) + 1, np.nan)
        ok = (b.p_drone >= c.min_p_drone) & (b.p_exist >= c.min_p_exist) & (b.p_bird < c.max_p_bird)
        since = self.since[b.rows]
        since = np.where(ok, np.where(np.isnan(since), b.t, since), np.nan)
        self.since[b.rows] = since
        return ok & ((b.t - since >= c.dwell_s) | corroborated)

    def crossings_step(
        self, found: list[Crossing], rows: IntArray, ready: BoolArray, t: float
    ) -> list[Crossing]:
        """Hold ``found``; return the held crossings of rows ``rows[ready]``, oldest first."""
        for cr in found:
            self.crossings.setdefault(cr.row, []).append(cr)
        out: list[Crossing] = []
        if not self.crossings:
            return out
        horizon = t - self.config.lookback_s
        for r in rows[ready].tolist():
            held = self.crossings.pop(r, None)
            if held:
                out += [cr for cr in held if cr.t >= horizon]
        for r in [r for r, held in self.crossings.items() if held[-1].t < horizon]:
            del self.crossings[r]
        return out

    def zones_step(
        self, found: list[ZoneTransition], rows: IntArray, ready: BoolArray
    ) -> list[ZoneTransition]:
        """Hold entries, pass exits of reported entries; release entries of ready rows."""
        out: list[ZoneTransition] = []
        for tr in found:
            key = (tr.row, tr.zone)
            if tr.kind == "entry":
                self.entries[key] = tr
            elif key in self.reported:
                self.reported.discard(key)
                out.append(tr)
            else:
                self.entries.pop(key, None)  # left before its track was confident
        if self.entries:
            ready_rows = set(rows[ready].tolist())
            for key in [k for k in self.entries if k[0] in ready_rows]:
                out.append(self.entries.pop(key))
                self.reported.add(key)
        out.sort(key=lambda e: e.t)
        return out

    def forget(self, rows: IntArray) -> None:
        """Drop the state of ended tracks' rows (their held events are never reported)."""
        gone = set(int(r) for r in rows)
        if not gone:
            return
        self.since[rows[rows < len(self.since)]] = np.nan
        for r in gone & self.crossings.keys():
            del self.crossings[r]
        self.entries = {k: v for k, v in self.entries.items() if k[0] not in gone}
        self.reported = {k for k in self.reported if k[0] not in gone}
