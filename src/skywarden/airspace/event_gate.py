"""When an observed border crossing or zone entry becomes a reported event.

The border and zone detectors watch every track that is not manned from its first
update, so a smuggler that crosses before its drone probability rises still has its
crossing, at the true time and place. This gate decides when such an observation is
*reported*: when its track is **confident**, i.e.

- its drone probability is at least ``min_p_drone`` (0.8), its bird probability below
  one half and its existence probability at least ``min_p_exist`` (0.9), and
- that has held for ``dwell_s`` (30 s), or the track is corroborated now: a Remote ID
  identity or ``min_kinds`` independent kinds of evidence. An update below the class
  floors breaks the run at once (a bird's drone probability flickers); the existence
  floor may lapse for up to ``gap_s`` (5 s, as the policy's persistence gap), because a
  missed scan or two lowers the existence probability of a real drone flying in a
  convoy.

Why: on simulated nights at El Paso, Laredo and Yuma the false crossings and most false
zone entries were birds classed drone for a few seconds; a bird's drone probability
flickers, a drone's holds. A held observation keeps its true time and place, so waiting
costs latency (stated on the event as ``reported_after_s``), not recall.

Look-back: a crossing is reported only if its track becomes confident within
``lookback_s`` (300 s) of it; an older one is dropped, being no longer news. A zone entry
is held while the track stays inside (the exit hold of :mod:`.zone_watch` applies), and
reported with its true time however long that is. If the track leaves before it is
confident, the entry and its exit are reported together if it becomes confident within
``lookback_s`` of the entry, else neither. An exit is reported only with its entry. All
state is in arrays or small dicts keyed by track row, and is forgotten with the row.
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
    gap_s: float = 5.0
    lookback_s: float = 300.0

    def __post_init__(self) -> None:
        for name in ("min_p_drone", "min_p_exist", "max_p_bird"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"EventGateConfig.{name} must be in [0, 1], got {v!r}")
        for name in ("dwell_s", "gap_s", "lookback_s"):
            v = getattr(self, name)
            if not 0.0 <= v < float("inf"):
                raise ValueError(f"EventGateConfig.{name} must be finite and >= 0, got {v!r}")


class EventGate:
    """Holds crossings and zone entries until their track is confident (see module)."""

    def __init__(self, config: EventGateConfig = EventGateConfig()) -> None:
        self.config = config
        self.since = np.full(0, np.nan)  # first time of the current confident run, per row
        self.last_ok = np.full(0, np.nan)  # last update that met the floors, per row
        self.crossings: dict[int, list[Crossing]] = {}
        self.entries: dict[tuple[int, int], ZoneTransition] = {}
        self.reported: set[tuple[int, int]] = set()  # (row, zone) whose entry was reported
        # Entry-exit pairs of a zone left before the track was confident, per row.
        self.visits: dict[int, list[tuple[ZoneTransition, ZoneTransition]]] = {}

    def confident(self, b: Batch, corroborated: BoolArray) -> BoolArray:
        """Update each row's confidence clock with batch ``b``; which rows are confident.

        ``corroborated`` (per update) lets a track with independent evidence through
        without the dwell.
        """
        c = self.config
        if len(b) == 0:
            return np.zeros(0, dtype=bool)
        n = b.row_cap
        self.since = grown(self.since, n, np.nan)
        self.last_ok = grown(self.last_ok, n, np.nan)
        drone = (b.p_drone >= c.min_p_drone) & (b.p_bird < c.max_p_bird)
        ok = drone & (b.p_exist >= c.min_p_exist)
        since, last_ok = self.since[b.rows], self.last_ok[b.rows]
        # A class below the floors ends the run at once (a bird's drone probability
        # flickers); an existence probability below its floor only after gap_s.
        broken = ~drone | ~(b.t - last_ok <= c.gap_s)
        since = np.where(broken & ~ok, np.nan, since)
        since = np.where(ok & np.isnan(since), b.t, since)
        last_ok = np.where(ok, b.t, last_ok)
        self.since[b.rows], self.last_ok[b.rows] = since, last_ok
        held = ~np.isnan(since) & drone & (b.t - last_ok <= c.gap_s)
        return held & ((b.t - since >= c.dwell_s) | (ok & corroborated))

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
        self, found: list[ZoneTransition], rows: IntArray, ready: BoolArray, t: float
    ) -> list[ZoneTransition]:
        """Hold entries (and entry-exit pairs), pass exits of reported entries; release
        what ready rows ``rows[ready]`` hold, time ordered."""
        out: list[ZoneTransition] = []
        for tr in found:
            key = (tr.row, tr.zone)
            if tr.kind == "entry":
                self.entries[key] = tr
            elif key in self.reported:
                self.reported.discard(key)
                out.append(tr)
            else:
                entry = self.entries.pop(key, None)  # left before its track was confident
                if entry is not None:
                    self.visits.setdefault(tr.row, []).append((entry, tr))
        horizon = t - self.config.lookback_s
        if self.entries or self.visits:
            ready_rows = set(rows[ready].tolist())
            for key in [k for k in self.entries if k[0] in ready_rows]:
                out.append(self.entries.pop(key))
                self.reported.add(key)
            for r in ready_rows & self.visits.keys():
                for entry, exit_ in self.visits.pop(r):
                    if entry.t >= horizon:
                        out += [entry, exit_]
            for r in [r for r, v in self.visits.items() if v[-1][0].t < horizon]:
                del self.visits[r]
        out.sort(key=lambda e: e.t)
        return out

    def forget(self, rows: IntArray) -> None:
        """Drop the state of ended tracks' rows (their held events are never reported)."""
        gone = set(int(r) for r in rows)
        if not gone:
            return
        self.since[rows[rows < len(self.since)]] = np.nan
        self.last_ok[rows[rows < len(self.last_ok)]] = np.nan
        for r in gone & self.crossings.keys():
            del self.crossings[r]
        for r in gone & self.visits.keys():
            del self.visits[r]
        self.entries = {k: v for k, v in self.entries.items() if k[0] not in gone}
        self.reported = {k for k in self.reported if k[0] not in gone}
