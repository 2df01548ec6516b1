"""Flight plans: legs at set speeds, holds, corner rounding that keeps ends and straight legs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.model import TargetClass
from skywarden.sim.target import Path, Target

coord = st.floats(-5_000.0, 5_000.0)
point = st.tuples(coord, coord, st.floats(1_100.0, 1_300.0))


def test_a_leg_and_a_hover() -> None:
    xyz, vel = Path((0.0, 0.0, 1200.0)).to((100.0, 0.0, 1200.0), speed=10.0).hold(5.0).sample()
    assert len(xyz) == 16  # 10 s flying, 5 s hovering, both ends included
    assert np.allclose(xyz[10], [100.0, 0.0, 1200.0]) and np.allclose(xyz[-1], xyz[10])
    assert np.allclose(vel[1:9, 0], 10.0) and np.allclose(vel[-3:], 0.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(point, min_size=2, max_size=6), st.floats(1.0, 20.0))
def test_speed_never_exceeds_the_plan_and_ends_stay_put(pts: list, speed: float) -> None:  # type: ignore[type-arg]
    path = Path(pts[0])
    for p in pts[1:]:
        path.to(p, speed)
    for window in (1, 5, 30):
        xyz, vel = path.sample(smooth_s=window)
        assert np.linalg.norm(vel, axis=1).max() <= speed * (1 + 1e-9) + 1e-9
        assert np.allclose(xyz[0], pts[0])


def test_smoothing_keeps_a_straight_constant_speed_leg_exact() -> None:
    xyz, vel = Path((0.0, 0.0, 3000.0)).to((20_000.0, 0.0, 3000.0), 200.0).sample(smooth_s=30)
    assert np.allclose(xyz[:, 0], np.arange(101) * 200.0)
    assert np.allclose(np.linalg.norm(vel, axis=1), 200.0)


def test_bad_plans_and_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        Path((0.0, 0.0, 0.0)).to((1.0, 0.0, 0.0), speed=0.0)
    one = np.zeros((3, 3))
    with pytest.raises(ValueError, match="link mask"):
        Target("x", TargetClass.DRONE, "hobby", 0.0, one, one, 0.01, link=np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        Target("x", TargetClass.DRONE, "hobby", 0.0, np.zeros((0, 3)), np.zeros((0, 3)), 0.01)
