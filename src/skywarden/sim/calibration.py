"""Measuring a sensor model against its parameters: synthetic layouts and acceptance bounds.

A sensor model is only trustworthy if, over many draws, it detects as often, errs as
much and loses as many messages as its parameters say. These helpers place many
identical targets around a site and state the statistical bounds used to accept a
model: counts within 4.5 standard deviations of their binomial mean, sample variances
inside the two-sided 0.9999 chi-square interval (a correct model fails either with
probability below 1e-4).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from skywarden.geo import LocalFrame
from skywarden.sim.snapshot import Snapshot

#: 2026-02-11T03:00:00Z, the night of the El Paso closure: a default epoch for layouts.
T_NIGHT = 1_770_778_800.0


def ring(
    frame: LocalFrame,
    n: int,
    radius_m: float,
    up_m: float = 100.0,
    t: float = T_NIGHT,
    **kw: Any,
) -> Snapshot:
    """``n`` synthetic targets evenly spread on a circle of ``radius_m`` around a site,
    ``up_m`` above it (keywords as ``Snapshot.synthetic``)."""
    az = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    lat, lon, alt = frame.to_geodetic(
        radius_m * np.sin(az), radius_m * np.cos(az), np.full(n, up_m)
    )
    return Snapshot.synthetic(t, np.asarray(lat), np.asarray(lon), np.asarray(alt), **kw)


def binomial_ok(k: int, n: int, p: float, z: float = 4.5) -> bool:
    """``k`` successes in ``n`` trials is within ``z`` standard deviations of ``n p``."""
    return abs(k - n * p) <= z * max(float(np.sqrt(n * p * (1 - p))), 1e-9)


def poisson_ok(k: int, mean: float, z: float = 4.5) -> bool:
    """A Poisson count within ``z`` standard deviations of its mean."""
    return abs(k - mean) <= z * max(float(np.sqrt(mean)), 1e-9)


def sd_ok(x: npt.NDArray[np.float64], sigma: float, p: float = 1e-4) -> bool:
    """Errors ``x`` are zero-mean with standard deviation ``sigma``.

    The sample variance must lie in the two-sided ``1 - p`` chi-square interval and the
    mean within 4.5 standard errors of zero.
    """
    n = len(x)
    lo, hi = stats.chi2.ppf([p / 2, 1 - p / 2], n - 1) / (n - 1)
    s2 = float(np.var(x, ddof=1))
    mean_ok = abs(float(np.mean(x))) <= 4.5 * sigma / np.sqrt(n)
    return bool(lo * sigma**2 <= s2 <= hi * sigma**2) and mean_ok
