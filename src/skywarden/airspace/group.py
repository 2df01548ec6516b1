"""Groups: three or more drones moving together (close, same velocity) for a while.

A swarm or a convoy of smuggling drones is a different situation from one hobby drone:
the response policy escalates on "several drones". Pairs within ``radius_m`` whose
velocities differ by less than ``max_velocity_diff_ms`` (and who are moving) are linked
with a k-d tree; connected components of ``min_size`` or more are candidate groups. A
group keeps its id while its membership overlaps the previous step's (or, after a split,
re-forms within ``keep_s``), and is reported once it has lasted ``min_duration_s``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from skywarden.airspace.track_table import Batch

IntArray = npt.NDArray[np.intp]


@dataclass
class Group:
    id: str
    members: set[str]
    since: float
    t: float = 0.0
    x: float = 0.0
    y: float = 0.0
    alt_m: float = 0.0
    reported: bool = False
    last_seen: float = 0.0


@dataclass
class GroupDetector:
    radius_m: float = 300.0
    max_velocity_diff_ms: float = 3.0
    min_speed_ms: float = 1.0
    min_size: int = 3
    min_duration_s: float = 10.0
    max_p_manned: float = 0.5
    keep_s: float = 120.0
    groups: dict[str, Group] = field(default_factory=dict)
    _next: int = 1
    _reported_of: dict[str, str] = field(default_factory=dict)

    def step(self, batch: Batch, ids: list[str], t: float | None = None) -> list[Group]:
        """Update groups from this batch at time ``t`` (default: the batch's latest time);
        return the groups that became reportable."""
        if t is None:
            t = batch.t_max if len(batch) else 0.0
        cand = (
            (batch.speed >= self.min_speed_ms) & (batch.p_manned <= self.max_p_manned)
        ).nonzero()[0]
        comps: list[np.ndarray] = []
        if len(cand) >= self.min_size:
            xy = np.column_stack([batch.x[cand], batch.y[cand]])
            pairs = cKDTree(xy).query_pairs(self.radius_m, output_type="ndarray")
            if len(pairs):
                dv = np.linalg.norm(
                    batch.vel[cand[pairs[:, 0]]] - batch.vel[cand[pairs[:, 1]]], axis=1
                )
                pairs = pairs[dv <= self.max_velocity_diff_ms]
            if len(pairs):
                m = len(cand)
                adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
                _, labels = connected_components(adj, directed=False)
                sizes = np.bincount(labels)
                for lab in (sizes >= self.min_size).nonzero()[0]:
                    comps.append(cand[labels == lab])
        out: list[Group] = []
        matched: set[str] = set()
        member_of = {m: g.id for g in self.groups.values() for m in g.members}
        for comp in comps:
            members = {ids[int(batch.rows[k])] for k in comp}
            votes = Counter(
                member_of[m] for m in members if m in member_of and member_of[m] not in matched
            )
            if votes:
                best = self.groups[votes.most_common(1)[0][0]]
            else:
                best = Group(f"G{self._next:05d}", members, t)
                self._next += 1
                self.groups[best.id] = best
            matched.add(best.id)
            best.members = members
            best.last_seen = t
            best.t = t
            best.x = float(batch.x[comp].mean())
            best.y = float(batch.y[comp].mean())
            best.alt_m = float(batch.alt[comp].mean())
            if not best.reported and t - best.since >= self.min_duration_s:
                best.reported = True
                out.append(best)
        # A group that splits for a moment (members spread out over a drop point) keeps
        # its id for ``keep_s``, so re-forming is not reported as a new group.
        for gid in [g for g, grp in self.groups.items() if g not in matched]:
            if t - self.groups[gid].last_seen > self.keep_s:
                del self.groups[gid]
        self._reported_of = {m: g.id for g in self.groups.values() if g.reported for m in g.members}
        return out

    def group_of(self, track: str) -> str | None:
        """The reported group a track flies in, if any."""
        return self._reported_of.get(track)
