"""GNN per cluster gives the same total cost as one global assignment with miss costs."""

import numpy as np
from scipy.optimize import linear_sum_assignment

from skywarden.tracking.association import gnn_assign


def _global(n, m, ti, dj, cost, miss):  # type: ignore[no-untyped-def]
    c = np.full((n, m + n), np.inf)
    c[ti, dj] = cost
    c[np.arange(n), m + np.arange(n)] = miss
    r, k = linear_sum_assignment(c)
    return float(c[r, k].sum())


def test_cluster_decomposition_is_exact() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        n, m = int(rng.integers(1, 40)), int(rng.integers(1, 40))
        pairs = {
            (int(rng.integers(n)), int(rng.integers(m))) for _ in range(int(rng.integers(1, 60)))
        }
        ti = np.array([p[0] for p in pairs], dtype=np.intp)
        dj = np.array([p[1] for p in pairs], dtype=np.intp)
        cost = rng.uniform(0, 10, ti.shape[0])
        at, ad = gnn_assign(n, m, ti, dj, cost, miss_cost=10.0)
        lookup = dict(zip(zip(ti.tolist(), dj.tolist(), strict=True), cost.tolist(), strict=True))
        total = sum(lookup[(a, d)] for a, d in zip(at.tolist(), ad.tolist(), strict=True))
        total += 10.0 * (n - at.shape[0])
        assert (
            total == np.float64(_global(n, m, ti, dj, cost, 10.0)).round(9)
            or abs(total - _global(n, m, ti, dj, cost, 10.0)) < 1e-9
        )
        assert len(set(at.tolist())) == at.shape[0] and len(set(ad.tolist())) == ad.shape[0]


def test_a_track_prefers_missing_to_a_pairing_dearer_than_the_miss() -> None:
    # Two tracks, one detection: track 0 at cost 1, track 1 at cost 2 -> track 0 wins.
    at, ad = gnn_assign(2, 1, np.array([0, 1]), np.array([0, 0]), np.array([1.0, 2.0]), 16.0)
    assert at.tolist() == [0] and ad.tolist() == [0]
