"""Triangulation: bearings from two or more direction finders fix a point, and the
covariance it reports is honest (normalised errors average the degrees of freedom)."""

import numpy as np
import pytest

from skywarden.tracking.triangulation import BearingPool, Triangulator

SITES = np.array([[-3000.0, 0.0, 0.0], [3000.0, 0.0, 0.0], [0.0, -4000.0, 0.0]])


def _pool(
    target: np.ndarray, sigma: float, rng: np.random.Generator, sites: np.ndarray = SITES
) -> BearingPool:
    d = target[None, :2] - sites[:, :2]
    az = np.arctan2(d[:, 0], d[:, 1]) + rng.normal(0, sigma, sites.shape[0])
    k = sites.shape[0]
    return BearingPool(
        sites, az, np.full(k, sigma), np.arange(k), np.full(k, np.nan), np.full(k, np.nan)
    )


def test_three_sites_fix_a_point_within_its_stated_covariance() -> None:
    rng = np.random.default_rng(0)
    target = np.array([500.0, 2500.0, 0.0])
    nees = []
    for _ in range(300):
        fixes = Triangulator().fixes(_pool(target, np.radians(2.0), rng))
        assert len(fixes) == 1 and fixes[0].used.shape[0] == 3
        e = fixes[0].position[:2] - target[:2]
        nees.append(e @ np.linalg.solve(fixes[0].cov[:2, :2], e))
    # Normalised estimation error squared: chi-square with 2 degrees of freedom, mean 2.
    assert 1.6 < float(np.mean(nees)) < 2.6


def test_two_sites_suffice_and_height_comes_from_the_prior() -> None:
    rng = np.random.default_rng(1)
    fixes = Triangulator(default_height_m=80.0).fixes(
        _pool(np.array([0.0, 3000.0, 0.0]), 0.01, rng, SITES[:2])
    )
    assert len(fixes) == 1
    assert fixes[0].position[2] == 80.0
    assert np.hypot(*(fixes[0].position[:2] - [0.0, 3000.0])) < 150.0


def test_one_site_cannot_triangulate() -> None:
    rng = np.random.default_rng(2)
    pool = _pool(np.array([0.0, 3000.0, 0.0]), 0.01, rng, SITES[:1])
    assert Triangulator().fixes(pool) == []


def test_rays_that_diverge_give_nothing() -> None:
    pool = BearingPool(
        SITES[:2],
        np.radians([270.0, 90.0]),
        np.full(2, 0.01),
        np.arange(2),
        np.full(2, np.nan),
        np.full(2, np.nan),
    )
    assert Triangulator().fixes(pool) == []


@pytest.mark.parametrize("el_deg", [3.0, 10.0])
def test_height_from_elevation_when_measured(el_deg: float) -> None:
    rng = np.random.default_rng(3)
    pool = _pool(np.array([0.0, 3000.0, 0.0]), 0.001, rng, SITES[:2])
    rng_m = np.hypot(*(np.array([0.0, 3000.0]) - SITES[:2, :2]).T)
    pool.elevation = np.radians(np.full(2, el_deg))
    pool.elevation_sigma = np.radians(np.full(2, 0.5))
    fix = Triangulator().fixes(pool)[0]
    assert fix.position[2] == pytest.approx(
        float(np.mean(rng_m * np.tan(np.radians(el_deg)))), rel=0.02
    )
