"""GOSPA: the generalised optimal sub-pattern assignment metric, with its three parts.

Rahmathullah, García-Fernández and Svensson, "Generalized optimal sub-pattern assignment
metric", FUSION 2017, with ``alpha = 2``: for truth set ``X`` and estimate set ``Y``

    GOSPA = ( min over assignments  sum_{assigned} d(x, y)^p
              + c^p / 2 * (#missed + #false) ) ^ (1/p)

where a pair further apart than the cut-off ``c`` is never worth assigning (it costs
``c^p``, exactly a miss plus a false track). The three parts returned are the terms of
that sum before the ``1/p`` root: ``localisation`` (assigned pairs), ``missed``
(``c^p/2`` per unassigned truth) and ``false`` (``c^p/2`` per unassigned estimate).

Because pairs at ``c`` or more never help, the assignment splits exactly into the
connected clusters of pairs closer than ``c``; those are found with a k-d tree and
solved one by one (:func:`~skywarden.tracking.association.gnn_assign`), so scoring
thousands of targets per scan stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from skywarden.errors import SkywardenError
from skywarden.geo import FloatArray
from skywarden.tracking.association import gnn_assign

IntArray = npt.NDArray[np.intp]


class MetricInputError(SkywardenError, ValueError):
    """GOSPA inputs of the wrong shape or with non-finite values."""


@dataclass(frozen=True)
class Gospa:
    """One GOSPA evaluation: the distance and its parts (parts are before the p-th root)."""

    distance: float
    localisation: float
    missed: float
    false: float
    n_missed: int
    n_false: int
    n_assigned: int


def assign_within(
    x: FloatArray, y: FloatArray, c: float, p: float = 2.0
) -> tuple[IntArray, IntArray]:
    """Optimal assignment of points ``x`` to ``y`` minimising ``sum d^p`` over pairs
    closer than ``c`` (each point at most once): the GOSPA assignment.

    Returns index arrays ``(ix, iy)``.
    """
    n, m = x.shape[0], y.shape[0]
    if n == 0 or m == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    near = cKDTree(x).query_ball_tree(cKDTree(y), r=c, eps=0.0)
    counts = np.fromiter((len(h) for h in near), dtype=np.intp, count=n)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    ti = np.repeat(np.arange(n, dtype=np.intp), counts)
    dj = np.fromiter((j for h in near for j in h), dtype=np.intp, count=total)
    dist = np.linalg.norm(x[ti] - y[dj], axis=1)
    close = dist < c
    return gnn_assign(n, m, ti[close], dj[close], dist[close] ** p, miss_cost=c**p)


def gospa(truth: FloatArray, estimates: FloatArray, c: float = 100.0, p: float = 2.0) -> Gospa:
    """GOSPA (alpha = 2) between point sets ``truth`` (n, d) and ``estimates`` (m, d).

    ``c`` (same unit as the points, metres here) is the cut-off distance, ``p >= 1``.
    """
    x = np.asarray(truth, dtype=float).reshape(-1, truth.shape[-1] if truth.ndim > 1 else 1)
    y = np.asarray(estimates, dtype=float)
    if y.size == 0:
        y = np.empty((0, x.shape[1]))
    if x.size == 0:
        x = np.empty((0, y.shape[1] if y.ndim == 2 else 1))
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise MetricInputError(f"gospa: shapes {x.shape} and {y.shape} do not match")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise MetricInputError("gospa: non-finite coordinates")
    if not (c > 0 and p >= 1):
        raise MetricInputError(f"gospa: need c > 0 and p >= 1, got c={c}, p={p}")
    n, m = x.shape[0], y.shape[0]
    at, ad = assign_within(x, y, c, p)
    n_assigned = int(at.shape[0])
    loc = float((np.linalg.norm(x[at] - y[ad], axis=1) ** p).sum()) if n_assigned else 0.0
    n_missed, n_false = n - n_assigned, m - n_assigned
    missed = c**p / 2.0 * n_missed
    false = c**p / 2.0 * n_false
    return Gospa(
        float((loc + missed + false) ** (1.0 / p)),
        loc,
        missed,
        false,
        n_missed,
        n_false,
        n_assigned,
    )
