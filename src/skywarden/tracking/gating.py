"""Gating: which (track, detection) pairs are close enough to be worth a cost.

Two stages, both on whole arrays. A k-d tree (``scipy.spatial.cKDTree``) over the scan's
detections is queried once with a per-track Euclidean radius that bounds the Mahalanobis
gate (``sqrt(chi2 * (trace S_i + max trace R))`` is at least the gate ellipsoid's longest
semi-axis). The few candidate pairs it returns get their exact squared Mahalanobis
distance ``nu^T (S_i + R_j)^-1 nu``; pairs above ``chi2`` are dropped. Cost grows with the
number of nearby pairs, not with tracks x detections. Below ``dense_limit`` pairs the tree
is not worth building and every pair is tested directly.

The chi-square thresholds: 16.27 is the 99.9 % point for 3 degrees of freedom, 13.82 for
2, 10.83 for 1 (Bar-Shalom et al. 2001, table of chi-square quantiles).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from skywarden.geo import FloatArray
from skywarden.tracking.kalman import inv_small

IntArray = npt.NDArray[np.intp]

CHI2_999 = {1: 10.83, 2: 13.82, 3: 16.27}

# adj(S)[i, j] = cofactor(j, i) = S[a] S[b] - S[c] S[e] over the flattened 3x3 matrix
# (index 3 * row + column), cell by cell in row-major order of adj:
#   adj00 = m11 m22 - m12 m21    adj01 = m02 m21 - m01 m22    adj02 = m01 m12 - m02 m11
#   adj10 = m12 m20 - m10 m22    adj11 = m00 m22 - m02 m20    adj12 = m02 m10 - m00 m12
#   adj20 = m10 m21 - m11 m20    adj21 = m01 m20 - m00 m21    adj22 = m00 m11 - m01 m10
_ADJ_A = np.array([4, 2, 1, 5, 0, 2, 3, 1, 0])
_ADJ_B = np.array([8, 7, 5, 6, 8, 3, 7, 6, 4])
_ADJ_C = np.array([5, 1, 2, 3, 2, 0, 4, 0, 1])
_ADJ_D = np.array([7, 8, 4, 8, 6, 5, 6, 7, 3])


@dataclass
class Pairs:
    """Gated pairs: track row ``ti``, detection index ``dj``, squared distance ``d2``."""

    ti: IntArray
    dj: IntArray
    d2: FloatArray

    @classmethod
    def empty(cls) -> Pairs:
        return cls(np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0))

    def __len__(self) -> int:
        return int(self.ti.shape[0])


def candidate_pairs(
    track_pos: FloatArray, radius: FloatArray, det_pos: FloatArray, dense_limit: int = 4096
) -> tuple[IntArray, IntArray]:
    """Pairs with ``|det - track| <= radius[track]`` (Euclidean), by k-d tree or directly."""
    n, m = track_pos.shape[0], det_pos.shape[0]
    if n == 0 or m == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    if n * m <= dense_limit:
        d2 = ((track_pos[:, None, :] - det_pos[None, :, :]) ** 2).sum(axis=2)
        ti, dj = np.nonzero(d2 <= (radius**2)[:, None])
        return ti.astype(np.intp), dj.astype(np.intp)
    tree = cKDTree(det_pos)
    hits = tree.query_ball_point(track_pos, radius, return_sorted=False)
    counts = np.fromiter(map(len, hits), dtype=np.intp, count=n)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    dj = np.fromiter(chain.from_iterable(hits), dtype=np.intp, count=total)
    ti = np.repeat(np.arange(n, dtype=np.intp), counts)
    return ti, dj


def mahalanobis2(nu: FloatArray, s: FloatArray) -> FloatArray:
    """Squared Mahalanobis distances ``nu_k^T S_k^-1 nu_k`` of a stack (k, d), (k, d, d).

    In 2-D and 3-D by the adjugate (``S^-1 = adj(S) / det(S)``), written out: no
    batched LAPACK call, whose per-matrix cost dominates at the few hundred pairs of a
    scan. Gating only compares these with a threshold and ranks pairs by them; no
    state is computed from them, so rounding in the last bits moves no estimate.
    """
    d = nu.shape[1]
    if d == 2:
        a, b, c, e = s[:, 0, 0], s[:, 0, 1], s[:, 1, 0], s[:, 1, 1]
        x, y = nu[:, 0], nu[:, 1]
        return np.asarray((e * x * x - (b + c) * x * y + a * y * y) / (a * e - b * c))
    if d == 3:
        # The nine cofactors as two gathered products and one difference (the same
        # products and difference per cell as written out one by one, so the same
        # numbers), in 5 array calls instead of some 40 on a scan's few pairs.
        flat = s.reshape(-1, 9)
        adj = (flat[:, _ADJ_A] * flat[:, _ADJ_B] - flat[:, _ADJ_C] * flat[:, _ADJ_D]).reshape(
            -1, 3, 3
        )
        # det = m00 c00 + m01 c01 + m02 c02, c0j = adj[j, 0], summed left to right
        det = flat[:, 0] * adj[:, 0, 0] + flat[:, 1] * adj[:, 1, 0] + flat[:, 2] * adj[:, 2, 0]
        return np.asarray(np.einsum("ki,kij,kj->k", nu, adj, nu) / det)
    return np.asarray(np.einsum("ki,kij,kj->k", nu, inv_small(s), nu))


def gate_positions(
    track_pos: FloatArray,
    track_s: FloatArray,
    det_pos: FloatArray,
    det_r: FloatArray,
    chi2: float,
    dense_limit: int = 4096,
) -> Pairs:
    """Mahalanobis-gated pairs between predicted track positions and position detections.

    ``track_s`` is each track's predicted position covariance ``H P H^T`` (n, d, d);
    ``det_r`` each detection's covariance (m, d, d).
    """
    if track_pos.shape[0] == 0 or det_pos.shape[0] == 0:
        return Pairs.empty()
    max_r = float(det_r.trace(axis1=1, axis2=2).max())
    radius = np.sqrt(chi2 * (track_s.trace(axis1=1, axis2=2) + max_r))
    ti, dj = candidate_pairs(track_pos, radius, det_pos, dense_limit)
    if ti.shape[0] == 0:
        return Pairs.empty()
    nu = det_pos[dj] - track_pos[ti]
    d2 = mahalanobis2(nu, track_s[ti] + det_r[dj])
    keep = d2 <= chi2
    return Pairs(ti[keep], dj[keep], d2[keep])


@dataclass(frozen=True)
class PositionGate:
    """The position gate as a component: Mahalanobis distance at ``chi2`` (None: the
    99.9 % chi-square point of the dimension), direct below ``dense_limit`` pairs."""

    chi2: float | None = None
    dense_limit: int = 4096

    def threshold(self, dims: int) -> float:
        return self.chi2 if self.chi2 is not None else CHI2_999[dims]

    def pairs(
        self, track_pos: FloatArray, track_s: FloatArray, det_pos: FloatArray, det_r: FloatArray
    ) -> Pairs:
        """Gated pairs (see :func:`gate_positions`)."""
        chi2 = self.threshold(det_pos.shape[1])
        return gate_positions(track_pos, track_s, det_pos, det_r, chi2, self.dense_limit)
