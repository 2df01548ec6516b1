"""The coverage model recovers a known number of crossings from the ones it was shown.

Constructed cases: a straight 20 km border, sensors whose detection probability along it
is known from their parameters, a known number of true crossings spread evenly along it,
and each crossing counted with the model's own probability at its place. The estimate
must find the true number within its interval.
"""

from __future__ import annotations

import numpy as np
import pytest
from analytics_build import LAT_BORDER, LON0, T0, lon_at
from shapely.geometry import LineString

from skywarden.analytics.border_samples import BorderSamples, sample_border
from skywarden.analytics.coverage import coverage_estimate, crossing_p, probabilities
from skywarden.analytics.material import Material, SectorData, SensorSite
from skywarden.analytics.records import Incursion

BORDER = LineString([(lon_at(-12_000.0), LAT_BORDER), (lon_at(12_000.0), LAT_BORDER)])
TRUE_N = 400


def _radar(east_m: float, **params: float) -> SensorSite:
    base = {"range_max_m": 100_000.0, "range_50_m": 1e6, "pd_max": 0.95, "pd_slope": 6.0}
    return SensorSite(
        "radar", "radar", LAT_BORDER + 0.005, lon_at(east_m), 1225.0, {**base, **params}
    )


def _material(*sensors: SensorSite) -> Material:
    sector = SectorData(
        id="S1",
        sensors=list(sensors),
        origin=(LAT_BORDER, LON0),
        extent_m=10_000.0,
        ground_alt_m=1200.0,
    )
    return Material("constructed", "run", [sector])


def _counted(mat: Material, seed: int) -> list[Incursion]:
    """TRUE_N crossings evenly along the border, each counted with probability p there."""
    bs = sample_border(mat.sectors, BORDER)
    p = probabilities(mat, bs).p
    rng = np.random.default_rng(seed)
    where = rng.integers(0, len(bs.lat), TRUE_N)
    seen = rng.random(TRUE_N) < p[where]
    return [
        Incursion(
            id=f"u{i}",
            rule="incursion",
            t=T0 + i,
            lat=float(bs.lat[j]),
            lon=float(bs.lon[j]),
            alt_m=1275.0,
            direction="northbound",
            sector="S1",
        )
        for i, j in enumerate(where[seen])
    ]


def test_the_border_is_sampled_inside_the_sector_only() -> None:
    bs = sample_border(_material(_radar(0.0)).sectors, BORDER)
    assert isinstance(bs, BorderSamples)
    assert len(bs.lat) * bs.step_km == pytest.approx(20.0, abs=0.3)  # 2 x 10 km of 24 km
    assert bs.lon.min() > lon_at(-10_100.0)
    assert bs.lon.max() < lon_at(10_100.0)


def test_a_radar_that_sees_half_the_border_recovers_the_whole_count() -> None:
    # Reach 10 km from a mast at -5 km: the western half and a bit; the east is blind and
    # is estimated at the west's rate per km (the stated rate assumption).
    mat = _material(_radar(-5000.0, range_max_m=6_000.0))
    units = _counted(mat, seed=1)
    cov = coverage_estimate(mat, units, border=BORDER)
    assert cov is not None
    assert cov.counted == len(units) < 0.7 * TRUE_N
    radar = next(s for s in cov.sets if s.name == "radar")
    assert 0.5 < radar.share < 0.65
    assert cov.low <= TRUE_N <= cov.high
    assert cov.estimated == pytest.approx(TRUE_N, rel=0.15)


def test_a_weak_sensor_everywhere_recovers_the_count_within_its_interval() -> None:
    # Per-scan Pd 0.163 everywhere: about half the crossings are counted.
    mat = _material(_radar(0.0, pd_max=0.163))
    p = float(crossing_p(np.array([0.163]))[0])
    assert 0.4 < p < 0.6
    inside = 0
    for seed in range(30):
        cov = coverage_estimate(mat, _counted(mat, seed), border=BORDER, seed=seed)
        assert cov is not None
        assert cov.counted < 0.7 * TRUE_N
        inside += cov.low <= TRUE_N <= cov.high
    assert inside >= 26  # a 95 % interval: 28.5 of 30 expected


def test_nothing_counted_gives_zero_with_an_upper_bound() -> None:
    mat = _material(_radar(0.0, pd_max=0.163))
    cov = coverage_estimate(mat, [], border=BORDER)
    assert cov is not None
    assert cov.estimated == 0.0
    assert cov.low == 0.0
    assert cov.high > 3.0  # the zero-count Poisson bound, scaled by 1/p


def test_no_sensors_means_no_coverage_model() -> None:
    assert coverage_estimate(_material(), [], border=BORDER) is None
