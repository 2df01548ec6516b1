"""Polar radar measurements in ENU: positions and their first-order covariances.

Shared by the one-radar path (``radar.py``) and the bank of all a simulation's radars
(``radar_bank.py``), so both convert a plot with the very same operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skywarden.sim.sensors.base import FloatArray

#: the cross-section of a small quadcopter, the reference of a radar's ``range_50_m``
REFERENCE_RCS_M2 = 0.01

Trig = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def polar_trig(az_deg: FloatArray, el_deg: FloatArray) -> Trig:
    """sin and cos of azimuth, then of elevation: a scan's position and covariance share them."""
    a, e = np.radians(az_deg), np.radians(el_deg)
    return np.sin(a), np.cos(a), np.sin(e), np.cos(e)


def polar_noise(sr: float, sa_deg: float, se_deg: float) -> FloatArray:
    """diag(sr^2, sa^2, se^2) of independent range/azimuth/elevation errors (radians)."""
    return np.diag([sr**2, np.radians(sa_deg) ** 2, np.radians(se_deg) ** 2])


def polar_to_enu(r: FloatArray, az_deg: FloatArray, el_deg: FloatArray) -> FloatArray:
    """(N, 3) ENU offsets of range/azimuth/elevation."""
    return np.column_stack(polar_enu(r, polar_trig(az_deg, el_deg)))


def polar_enu(r: FloatArray, trig: Trig) -> tuple[FloatArray, FloatArray, FloatArray]:
    """East, north, up as three arrays (contiguous, as the geodetic conversion takes them)."""
    sa, ca, se_, ce = trig
    return r * ce * sa, r * ce * ca, r * se_


def polar_covariance(
    r: FloatArray, az_deg: FloatArray, el_deg: FloatArray, sr: float, sa_deg: float, se_deg: float
) -> FloatArray:
    """(N, 3, 3) ENU covariances from independent polar errors (first-order propagation)."""
    return trig_covariance(r, polar_trig(az_deg, el_deg), polar_noise(sr, sa_deg, se_deg))


def trig_covariance(r: FloatArray, trig: Trig, noise: FloatArray) -> FloatArray:
    """``J noise J^T``, J the Jacobian of polar -> ENU at each measurement; ``noise`` one
    (3, 3) for all or one per measurement (N, 3, 3)."""
    sa, ca, se_, ce = trig
    n = len(r)
    # the Jacobian's nine cells, row by row, in one array call
    J = np.stack(
        [
            *(ce * sa, r * ce * ca, -r * se_ * sa),
            *(ce * ca, -r * ce * sa, -r * se_ * ca),
            *(se_, np.zeros(n), r * ce),
        ],
        axis=1,
    ).reshape(n, 3, 3)
    return J @ noise @ J.transpose(0, 2, 1)


def plot_attrs(
    range_m: FloatArray,
    azimuth_deg: FloatArray,
    elevation_deg: FloatArray,
    radial_velocity_mps: FloatArray,
    rcs_dbsm: FloatArray,
) -> list[dict[str, Any]]:
    """Each plot's measured values as a detection's ``attrs``, rounded as whole arrays
    once (the files stay short and byte-stable)."""
    rngs, azs = range_m.round(2).tolist(), azimuth_deg.round(4).tolist()
    els, vrs = elevation_deg.round(4).tolist(), radial_velocity_mps.round(2).tolist()
    rcss = rcs_dbsm.round(1).tolist()
    return [
        {
            "range_m": rngs[i],
            "azimuth_deg": azs[i],
            "elevation_deg": els[i],
            "radial_velocity_mps": vrs[i],
            "rcs_dbsm": rcss[i],
        }
        for i in range(len(rngs))
    ]
