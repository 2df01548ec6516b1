"""The radar model measured against its own parameters over many draws.

Tolerances: counts are checked against their binomial/Poisson expectation within
4.5 standard deviations (a correct model fails with probability < 1e-5); variances
against the chi-square interval at 0.9999 two-sided. Seeds are fixed, so the tests are
reproducible; the bounds say how far an honest model may stray.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skywarden.model import SensorKind, TargetClass
from skywarden.sim.calibration import T_NIGHT, binomial_ok, sd_ok
from skywarden.sim.scenario import RadarConfig, Site
from skywarden.sim.sensors.radar import Radar, polar_covariance, polar_to_enu
from skywarden.sim.snapshot import Snapshot

T = T_NIGHT
SITE = Site(lat=31.77, lon=-106.475, alt_m=1210.0)


def radar(seed: int = 1, **kw: object) -> Radar:
    params: dict[str, object] = {
        "id": "r1",
        "kind": "radar",
        "site": SITE,
        "range_max_m": 12_000.0,
        "false_alarms_per_scan": 0.0,
    }
    params.update(kw)
    return Radar(RadarConfig.model_validate(params), np.random.default_rng(seed))


def targets_at(
    r: Radar, rng_m: float, az_deg: float, el_deg: float, n: int, **kw: object
) -> Snapshot:
    e, nn, u = polar_to_enu(np.full(n, rng_m), np.full(n, az_deg), np.full(n, el_deg)).T
    lat, lon, alt = r.frame.to_geodetic(e, nn, u)
    return Snapshot.synthetic(T, lat, lon, alt, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("range_m", [2_000.0, 6_000.0, 9_000.0, 11_500.0])
def test_detection_probability_follows_the_range_law(range_m: float) -> None:
    r = radar(range_50_m=6_000.0, pd_max=0.95, pd_slope=6.0)
    snap = targets_at(r, range_m, 45.0, 2.0, 20_000, rcs_m2=0.01)
    scan = r.scan(snap)
    expected = 0.95 / (1 + (range_m / 6_000.0) ** 6)
    assert float(r.pd(np.array([range_m]), np.array([0.01]))[0]) == pytest.approx(expected)
    assert binomial_ok(len(scan.target_idx), 20_000, expected)


def test_bigger_targets_are_seen_further() -> None:
    r = radar(range_50_m=6_000.0)
    small, big = r.pd(np.array([9_000.0, 9_000.0]), np.array([0.01, 1.0]))
    assert big > 0.9 > 0.2 > small
    # R50 scales with RCS^(1/4): 100x the cross-section, 3.16x the range.
    assert float(r.pd(np.array([6_000.0 * 100**0.25]), np.array([1.0]))[0]) == pytest.approx(0.475)


def test_nothing_outside_range_azimuth_or_elevation_limits() -> None:
    r = radar(pd_max=1.0, range_50_m=1e6, azimuth_min_deg=90.0, azimuth_max_deg=180.0)
    for rng_m, az, el in [
        (13_000.0, 120.0, 1.0),
        (50.0, 120.0, 1.0),
        (5_000.0, 45.0, 1.0),
        (5_000.0, 200.0, 1.0),
        (5_000.0, 120.0, 60.0),
    ]:
        assert len(r.scan(targets_at(r, rng_m, az, el, 200)).target_idx) == 0
    assert len(r.scan(targets_at(r, 5_000.0, 120.0, 1.0, 200)).target_idx) == 200


def test_azimuth_sector_across_north() -> None:
    r = radar(pd_max=1.0, range_50_m=1e6, azimuth_min_deg=300.0, azimuth_max_deg=420.0)
    assert len(r.scan(targets_at(r, 5_000.0, 10.0, 1.0, 50)).target_idx) == 50
    assert len(r.scan(targets_at(r, 5_000.0, 200.0, 1.0, 50)).target_idx) == 0


def test_noise_standard_deviations_in_range_azimuth_elevation() -> None:
    r = radar(
        pd_max=1.0,
        range_50_m=1e6,
        sigma_range_m=12.0,
        sigma_azimuth_deg=0.4,
        sigma_elevation_deg=0.9,
    )
    snap = targets_at(r, 7_000.0, 100.0, 3.0, 10_000)
    scan = r.scan(snap)
    assert len(scan.target_idx) == 10_000
    assert sd_ok(scan.range_m - 7_000.0, 12.0)
    assert sd_ok((scan.azimuth_deg - 100.0 + 180.0) % 360.0 - 180.0, 0.4)
    assert sd_ok(scan.elevation_deg - 3.0, 0.9)


def test_false_alarm_count_is_poisson_with_the_configured_mean() -> None:
    lam, scans = 2.5, 4_000
    r = radar(false_alarms_per_scan=lam)
    empty = Snapshot.of(T, [], r.frame)
    counts = np.array([r.scan(empty).n_false for _ in range(scans)])
    total = int(counts.sum())
    assert abs(total - lam * scans) <= 4.5 * np.sqrt(lam * scans)
    # Poisson dispersion test: sum (k - mean)^2 / mean ~ chi2(scans - 1).
    d = float(((counts - counts.mean()) ** 2).sum() / counts.mean())
    assert stats.chi2.ppf(0.00005, scans - 1) <= d <= stats.chi2.ppf(0.99995, scans - 1)


def test_false_alarms_lie_inside_the_coverage() -> None:
    r = radar(
        false_alarms_per_scan=50.0, azimuth_min_deg=90.0, azimuth_max_deg=180.0, range_min_m=200.0
    )
    scan = r.scan(Snapshot.of(T, [], r.frame))
    assert scan.n_false > 0
    assert np.all((scan.range_m >= 200.0) & (scan.range_m <= 12_000.0))
    assert np.all((scan.azimuth_deg >= 90.0) & (scan.azimuth_deg <= 180.0))
    assert np.all(scan.elevation_deg <= 10.0)


def test_reported_covariance_matches_the_scatter_of_positions() -> None:
    """Polar noise converted to ENU: the covariance each detection carries is the truth."""
    r = radar(
        pd_max=1.0,
        range_50_m=1e6,
        sigma_range_m=10.0,
        sigma_azimuth_deg=0.5,
        sigma_elevation_deg=1.0,
    )
    snap = targets_at(r, 8_000.0, 60.0, 2.0, 6_000)
    dets = r.observe(snap)
    assert len(dets) == 6_000 and all(d.kind is SensorKind.RADAR for d in dets)
    pos = np.array([[d.position.lat, d.position.lon, d.position.alt_m] for d in dets])  # type: ignore[union-attr]
    e, n, u = r.frame.to_enu(pos[:, 0], pos[:, 1], pos[:, 2])
    empirical = np.cov(np.vstack([e, n, u]))
    reported = np.array(dets[0].position.cov)  # type: ignore[union-attr]
    # Standard error of a sample variance is sqrt(2/n) ~ 1.8 %; allow 10 % on the diagonal.
    assert np.allclose(np.diag(empirical), np.diag(reported), rtol=0.10)
    # Cross-range spread (8 km x 0.5 deg = 70 m) dominates range noise (10 m).
    assert reported[0][0] > 10 * 10.0**2
    a = dets[0].attrs
    assert abs(a["range_m"] - 8_000.0) < 100 and abs(a["azimuth_deg"] - 60.0) < 5


def test_drones_and_aircraft_alike_no_identity() -> None:
    r = radar(pd_max=1.0, range_50_m=1e6)
    snap = targets_at(r, 3_000.0, 10.0, 5.0, 5, kind=TargetClass.MANNED)
    dets = r.observe(snap)
    assert len(dets) == 5 and all(d.identity is None for d in dets)


def test_doppler_radial_velocity_noise_and_sign() -> None:
    r = radar(pd_max=1.0, range_50_m=1e6, sigma_radial_velocity_mps=0.7)
    # Targets due north of the site flying north at 10 m/s: opening at ~10 m/s.
    snap = targets_at(r, 4_000.0, 0.0, 1.0, 10_000, velocity=(0.0, 10.0, 0.0))
    scan = r.scan(snap)
    assert np.allclose(scan.true_radial_velocity_mps, 10.0 * np.cos(np.radians(1.0)), atol=0.01)
    err = scan.radial_velocity_mps[:10_000] - scan.true_radial_velocity_mps
    assert sd_ok(err, 0.7)
    # RCS estimate: 0.01 m^2 is -20 dBsm, with 3 dB fluctuation.
    assert sd_ok(scan.rcs_dbsm[:10_000] + 20.0, 3.0)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(100.0, 50_000.0),
    st.floats(0.0, 360.0),
    st.floats(-10.0, 80.0),
    st.floats(0.5, 100.0),
    st.floats(0.01, 5.0),
    st.floats(0.01, 5.0),
)
def test_polar_covariance_is_symmetric_positive_definite(
    r: float, az: float, el: float, sr: float, sa: float, se: float
) -> None:
    cov = polar_covariance(np.array([r]), np.array([az]), np.array([el]), sr, sa, se)[0]
    assert np.allclose(cov, cov.T)
    assert np.linalg.eigvalsh(cov).min() > 0
    # Its trace is the total variance: range variance plus the two cross-range ones.
    cross = (r * np.radians(sa) * np.cos(np.radians(el))) ** 2 + (r * np.radians(se)) ** 2
    assert np.trace(cov) == pytest.approx(sr**2 + cross, rel=1e-9)
