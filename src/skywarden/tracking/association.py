"""Global nearest neighbour association, solved one connected cluster at a time.

The gated pairs form a bipartite graph between tracks and detections. Its connected
components are independent assignment problems: solving each on its own gives the same
answer as one global problem, at a cost that grows with the size of the clusters rather
than with the square of the scene. Clusters of one track and one detection (nearly all
of them in a sparse scene) are assigned in one vectorised step; the rest go to
``scipy.optimize.linear_sum_assignment`` on a small matrix augmented with one "missed"
column per track (Blackman and Popoli 1999, section 6.4), so a track may stay unassigned
when that is cheaper than a poor pairing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from skywarden.geo import FloatArray
from skywarden.tracking.dense import unique_inverse

IntArray = npt.NDArray[np.intp]


def gnn_assign(
    n_tracks: int,
    n_dets: int,
    ti: IntArray,
    dj: IntArray,
    cost: FloatArray,
    miss_cost: float,
    small_problem: int = 1024,
) -> tuple[IntArray, IntArray]:
    """Assigned ``(track_rows, det_indices)`` minimising total cost, per cluster.

    ``ti``, ``dj``, ``cost``: the gated pairs; ``miss_cost``: the cost of leaving a track
    without a detection (the gate threshold, so any gated pair beats a miss on its own).
    """
    if ti.shape[0] == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    # A pair whose track and detection are in no other pair is a cluster of its own:
    # assigned if it beats a miss, without entering any solver.
    simple = (np.bincount(ti)[ti] == 1) & (np.bincount(dj)[dj] == 1)
    take = simple & (cost <= miss_cost)
    if simple.all():
        return (ti, dj) if take.all() else (ti[take], dj[take])
    hard = ~simple
    at, ad = _solve_clusters(
        n_tracks, n_dets, ti[hard], dj[hard], cost[hard], miss_cost, small_problem
    )
    return np.concatenate([ti[take], at]), np.concatenate([dj[take], ad])


def _solve_clusters(
    n_tracks: int,
    n_dets: int,
    ti: IntArray,
    dj: IntArray,
    cost: FloatArray,
    miss_cost: float,
    small_problem: int,
) -> tuple[IntArray, IntArray]:
    """The pairs that share a track or a detection: one block if small, else per cluster."""
    rows, r_loc = unique_inverse(ti)
    cols, c_loc = unique_inverse(dj)
    if rows.shape[0] * cols.shape[0] <= small_problem:
        # Small enough to solve in one piece: the same optimum, without building a graph.
        return _solve_block(rows, cols, r_loc, c_loc, cost, miss_cost)
    graph = coo_matrix(
        (np.ones(ti.shape[0], dtype=np.int8), (ti, n_tracks + dj)),
        shape=(n_tracks + n_dets, n_tracks + n_dets),
    )
    _, label = connected_components(graph, directed=False)
    comp = label[ti]
    edges_per_comp = np.bincount(comp)
    simple = edges_per_comp[comp] == 1  # none left after gnn_assign's pre-pass; kept
    take = simple & (cost <= miss_cost)  # so this stays correct on its own
    out_t = [ti[take]]
    out_d = [dj[take]]
    hard = np.nonzero(~simple)[0]
    if hard.shape[0]:
        order = hard[np.argsort(comp[hard], kind="stable")]
        bounds = np.flatnonzero(np.diff(comp[order])) + 1
        for grp in np.split(order, bounds):
            g_rows, g_r = unique_inverse(ti[grp])
            g_cols, g_c = unique_inverse(dj[grp])
            at, ad = _solve_block(g_rows, g_cols, g_r, g_c, cost[grp], miss_cost)
            out_t.append(at)
            out_d.append(ad)
    return np.concatenate(out_t), np.concatenate(out_d)


def _solve_block(
    rows: IntArray,
    cols: IntArray,
    r_loc: IntArray,
    c_loc: IntArray,
    cost: FloatArray,
    miss_cost: float,
) -> tuple[IntArray, IntArray]:
    """One assignment problem, augmented with a "missed" column per track."""
    nr, nc = rows.shape[0], cols.shape[0]
    c = np.full((nr, nc + nr), np.inf)
    c[r_loc, c_loc] = cost
    c[np.arange(nr), nc + np.arange(nr)] = miss_cost
    r_sel, c_sel = linear_sum_assignment(c)
    real = c_sel < nc
    return rows[r_sel[real]], cols[c_sel[real]]


@dataclass(frozen=True)
class GNNAssociator:
    """Global nearest neighbour as a component: a track stays unassigned when every
    gated pair costs more than ``miss_cost`` (None: the gate's threshold, so any
    gated pair beats a miss on its own); clusters up to ``small_problem`` cells are
    solved in one piece."""

    miss_cost: float | None = None
    small_problem: int = 1024

    def assign(
        self, n_tracks: int, n_dets: int, ti: IntArray, dj: IntArray, cost: FloatArray, gate: float
    ) -> tuple[IntArray, IntArray]:
        """Assigned ``(track_rows, det_indices)`` of gated pairs (``gate``: the gate used)."""
        miss = gate if self.miss_cost is None else self.miss_cost
        return gnn_assign(n_tracks, n_dets, ti, dj, cost, miss, self.small_problem)
