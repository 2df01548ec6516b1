"""GOSPA on cases small enough to compute by hand (alpha = 2, Rahmathullah et al. 2017)."""

import math

import numpy as np
import pytest

from skywarden.tracking.metrics import MetricInputError, assign_within, gospa


def test_identical_sets_score_zero() -> None:
    x = np.array([[0.0, 0.0], [50.0, 10.0]])
    g = gospa(x, x.copy(), c=10.0)
    assert g.distance == 0.0
    assert (g.n_missed, g.n_false, g.n_assigned) == (0, 0, 2)


def test_one_missed_target_costs_half_c_squared() -> None:
    # sqrt(c^2 / 2) with c = 10: one unassigned truth point.
    g = gospa(np.array([[0.0, 0.0]]), np.empty((0, 2)), c=10.0)
    assert g.distance == pytest.approx(math.sqrt(50.0))
    assert g.missed == pytest.approx(50.0) and g.false == 0.0


def test_localisation_plus_missed() -> None:
    # Truth (0,0) and (10,0); estimate (3,4) is 5 m from the first and 8.06 m from the
    # second: assign to the first (25) and miss the second (100/2): sqrt(75).
    g = gospa(np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[3.0, 4.0]]), c=10.0)
    assert g.localisation == pytest.approx(25.0)
    assert g.missed == pytest.approx(50.0)
    assert g.distance == pytest.approx(math.sqrt(75.0))


def test_pair_beyond_cutoff_is_a_miss_and_a_false_track() -> None:
    # 20 m apart with c = 10: never assigned; c^2/2 + c^2/2 = 100 -> 10.
    g = gospa(np.array([[0.0, 0.0]]), np.array([[20.0, 0.0]]), c=10.0)
    assert g.distance == pytest.approx(10.0)
    assert (g.n_missed, g.n_false, g.n_assigned) == (1, 1, 0)


def test_assignment_is_optimal_not_greedy() -> None:
    # Truth at 0 and 4, estimates at 2 and 6 (on a line). Greedy from truth 0 would not
    # matter here but the optimum pairs 0-2 and 4-6: 4 + 4 = 8, not 0-6 and 4-2: 36 + 4.
    x = np.array([[0.0, 0.0], [4.0, 0.0]])
    y = np.array([[2.0, 0.0], [6.0, 0.0]])
    assert gospa(x, y, c=10.0).distance == pytest.approx(math.sqrt(8.0))
    ix, iy = assign_within(x, y, 10.0)
    assert sorted(zip(ix.tolist(), iy.tolist(), strict=True)) == [(0, 0), (1, 1)]


def test_p_equal_one() -> None:
    g = gospa(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), c=10.0, p=1.0)
    assert g.distance == pytest.approx(5.0)


def test_clustered_solution_matches_brute_force() -> None:
    from itertools import permutations

    rng = np.random.default_rng(3)
    for _ in range(20):
        x = rng.uniform(0, 30, (4, 2))
        y = rng.uniform(0, 30, (4, 2))
        c = 12.0
        best = math.inf
        for perm in permutations(range(4)):
            cost = sum(min(np.linalg.norm(x[i] - y[j]), c) ** 2 for i, j in enumerate(perm))
            best = min(best, cost)
        assert gospa(x, y, c=c).distance == pytest.approx(math.sqrt(best))


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (np.zeros((2, 2)), np.zeros((2, 3))),
        (np.array([[0.0, math.nan]]), np.zeros((1, 2))),
    ],
)
def test_bad_inputs_raise_a_typed_error(x: np.ndarray, y: np.ndarray) -> None:
    with pytest.raises(MetricInputError):
        gospa(x, y)


def test_bad_parameters_raise() -> None:
    with pytest.raises(MetricInputError, match="c > 0"):
        gospa(np.zeros((1, 2)), np.zeros((1, 2)), c=0.0)
