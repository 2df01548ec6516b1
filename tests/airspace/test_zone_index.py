"""The vectorised zone test agrees with a plain shapely loop, point for point."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.airspace import ZoneIndex


def naive(index: ZoneIndex, x: float, y: float, z: float) -> set[str]:
    """One point, one zone at a time: the reference the vectorised path must match."""
    out = set()
    p = shapely.Point(x, y)
    for k, poly in enumerate(index.polygons):
        if not poly.contains(p):
            continue
        ceiling = float(index.ceiling_at(np.array([k]), np.array([x]), np.array([y]))[0])
        if index.floor[k] <= z <= ceiling:
            out.add(index.ids[k])
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-25_000, 25_000), st.floats(-25_000, 25_000), st.floats(1000, 2600)),
        min_size=1,
        max_size=40,
    )
)
def test_vectorised_memberships_equal_the_naive_loop(index, pts):
    x, y, z = (np.array(c) for c in zip(*pts, strict=True))
    m = index.membership_matrix(x, y, z)
    for i in range(len(x)):
        got = {index.ids[k] for k in np.flatnonzero(m[i])}
        assert got == naive(index, x[i], y[i], z[i])


def test_pairs_come_sorted_by_point_and_empty_input_is_fine(index):
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-20_000, 20_000, (2, 5000))
    z = rng.uniform(1100, 1500, 5000)
    pi, _zi = index.memberships(x, y, z)
    assert len(pi) > 100 and np.all(np.diff(pi) >= 0)
    e_pi, e_zi = index.memberships(np.array([]), np.array([]), np.array([]))
    assert len(e_pi) == 0 and len(e_zi) == 0
