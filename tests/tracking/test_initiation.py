"""M-of-N confirmation on bit-mask histories, and single-point priors."""

import numpy as np
import pytest

from skywarden.tracking.initiation import MofN, single_point_prior


def test_three_of_four() -> None:
    rule = MofN(3, 4)
    h = np.zeros(1, dtype=np.uint32)
    for hit in (True, False, True):
        h = rule.shift(h, np.array([hit]))
    assert not rule.confirmed(h)[0]
    h = rule.shift(h, np.array([True]))
    assert rule.confirmed(h)[0]


def test_window_forgets_old_hits() -> None:
    rule = MofN(2, 3)
    h = np.zeros(1, dtype=np.uint32)
    for hit in (True, True, False, False, False):
        h = rule.shift(h, np.array([hit]))
    assert rule.hits(h)[0] == 0


def test_hopeless_as_soon_as_m_cannot_be_reached() -> None:
    rule = MofN(3, 4)
    h = rule.shift(np.zeros(1, dtype=np.uint32), np.array([True]))
    h = rule.shift(h, np.array([False]))
    assert not rule.hopeless(h, np.array([2]))[0]  # 1 hit + 2 scans to go = 3
    h = rule.shift(h, np.array([False]))
    assert rule.hopeless(h, np.array([3]))[0]  # 1 hit + 1 scan to go < 3


def test_bad_rule_is_rejected() -> None:
    with pytest.raises(ValueError, match="m <= n"):
        MofN(5, 4)


def test_prior_uses_reported_velocity_when_there_is_one() -> None:
    z = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    r = np.eye(3)[None].repeat(2, axis=0) * 9.0
    vel = np.array([[10.0, 0.0, 0.0], [np.nan, np.nan, np.nan]])
    x0, p0 = single_point_prior(z, r, 25.0, vel, np.array([1.0, np.nan]))
    assert x0[0, 3:].tolist() == [10.0, 0.0, 0.0] and x0[1, 3:].tolist() == [0.0, 0.0, 0.0]
    assert p0[0, 3, 3] == 1.0 and p0[1, 3, 3] == 625.0
    assert p0[0, 0, 0] == 9.0
