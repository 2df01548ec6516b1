"""Gating: the k-d tree pre-gate finds exactly the pairs a brute-force test finds."""

import numpy as np
import pytest

from skywarden.tracking.gating import CHI2_999, gate_positions


def _brute(tp, ts, dp, dr, chi2):  # type: ignore[no-untyped-def]
    out = set()
    for i in range(tp.shape[0]):
        for j in range(dp.shape[0]):
            nu = dp[j] - tp[i]
            if nu @ np.linalg.solve(ts[i] + dr[j], nu) <= chi2:
                out.add((i, j))
    return out


def test_tree_and_dense_paths_agree_with_brute_force() -> None:
    rng = np.random.default_rng(7)
    for _ in range(5):
        n, m = 80, 120
        tp = rng.uniform(0, 2000, (n, 2))
        a = rng.normal(0, 1, (n, 2, 2))
        ts = a @ a.transpose(0, 2, 1) * rng.uniform(50, 3000, (n, 1, 1)) + np.eye(2) * 10
        dp = rng.uniform(0, 2000, (m, 2))
        dr = np.eye(2)[None] * rng.uniform(25, 400, (m, 1, 1))
        want = _brute(tp, ts, dp, dr, CHI2_999[2])
        tree = gate_positions(tp, ts, dp, dr, CHI2_999[2], dense_limit=0)
        dense = gate_positions(tp, ts, dp, dr, CHI2_999[2], dense_limit=10**9)
        assert set(zip(tree.ti.tolist(), tree.dj.tolist(), strict=True)) == want
        assert set(zip(dense.ti.tolist(), dense.dj.tolist(), strict=True)) == want


def test_empty_inputs_give_no_pairs() -> None:
    p = gate_positions(
        np.empty((0, 3)), np.empty((0, 3, 3)), np.zeros((2, 3)), np.zeros((2, 3, 3)), 16.0
    )
    assert len(p) == 0


@pytest.mark.parametrize("d", [1, 2, 3])
def test_mahalanobis_by_adjugate_matches_the_inverse(d: int) -> None:
    from skywarden.tracking.gating import mahalanobis2
    from skywarden.tracking.kalman import inv_small

    rng = np.random.default_rng(d)
    a = rng.normal(size=(200, d, d)) * rng.uniform(1.0, 300.0, (200, 1, 1))
    s = a @ a.transpose(0, 2, 1) + np.eye(d) * 100.0
    nu = rng.normal(size=(200, d)) * 50.0
    want = np.einsum("ki,kij,kj->k", nu, inv_small(s), nu)
    np.testing.assert_allclose(mahalanobis2(nu, s), want, rtol=1e-10)
