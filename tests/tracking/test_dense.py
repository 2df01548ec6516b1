"""``unique_inverse`` is ``np.unique(v, return_inverse=True)`` for small index arrays."""

from __future__ import annotations

import numpy as np

from skywarden.tracking.dense import unique_inverse


def test_it_gives_what_np_unique_gives() -> None:
    rng = np.random.default_rng(5)
    for _ in range(500):
        v = rng.integers(0, int(rng.integers(1, 60)), size=int(rng.integers(1, 40)))
        want_values, want_place = np.unique(v, return_inverse=True)
        values, place = unique_inverse(v)
        assert values.tolist() == want_values.tolist()
        assert place.tolist() == want_place.tolist()
        assert (values[place] == v).all()


def test_an_empty_array_has_no_values() -> None:
    values, place = unique_inverse(np.empty(0, dtype=np.intp))
    assert values.shape == (0,) and place.shape == (0,)
