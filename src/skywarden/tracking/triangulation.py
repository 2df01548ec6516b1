"""Triangulation of RF bearings from two or more direction finders into a position fix.

Bearings that no track explains are the seeds of RF-only tracks (a drone whose control
link is heard but which no radar sees). Every pair of bearings from different sites
whose rays cross in front of both, at a usable angle and within range, proposes a
point; the point that the most sites agree with (normalised azimuth residual under
``consistency_sigma``) is refined by Gauss-Newton weighted least squares over those
bearings, its covariance is ``(H^T W H)^-1`` (the Cramér-Rao bound of the fix), and its
bearings are used up before the next point is chosen (greedy, best first).

Height: from the elevation angles when the direction finders give them, otherwise a
prior ``default_height_m`` above the frame origin with ``height_sigma_m``.

Limitation stated plainly: with only two sites, two emitters give four crossings and two
of them are ghosts; the greedy choice keeps the most consistent pairs, and a third site
removes the ambiguity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.tracking.measurements import wrap_angle

IntArray = npt.NDArray[np.intp]


@dataclass
class BearingPool:
    """Bearings (radians from north) with their sites (ENU m) and site ids."""

    site: FloatArray  # (k, 3)
    azimuth: FloatArray  # (k,)
    sigma: FloatArray  # (k,)
    site_id: IntArray  # (k,)
    elevation: FloatArray  # (k,) NaN when not measured
    elevation_sigma: FloatArray  # (k,)


@dataclass
class Fix:
    """A triangulated point: ENU position, 3x3 covariance, the bearings used."""

    position: FloatArray
    cov: FloatArray
    used: IntArray


@dataclass(frozen=True)
class Triangulator:
    """Greedy multi-site bearing triangulation.

    ``min_crossing_deg``: rays crossing at a shallower angle are ignored (the fix would be
    stretched along them). ``max_range_m``: furthest usable emitter. ``consistency_sigma``:
    how many standard deviations a bearing may miss a point and still support it.
    """

    min_crossing_deg: float = 5.0
    max_range_m: float = 20_000.0
    consistency_sigma: float = 3.0
    default_height_m: float = 100.0
    height_sigma_m: float = 100.0

    def _crossings(self, pool: BearingPool) -> tuple[IntArray, IntArray, FloatArray]:
        k = pool.azimuth.shape[0]
        a, b = np.triu_indices(k, 1)
        keep = pool.site_id[a] != pool.site_id[b]
        a, b = a[keep], b[keep]
        ua = np.stack([np.sin(pool.azimuth[a]), np.cos(pool.azimuth[a])], axis=1)
        ub = np.stack([np.sin(pool.azimuth[b]), np.cos(pool.azimuth[b])], axis=1)
        cross = ua[:, 0] * ub[:, 1] - ua[:, 1] * ub[:, 0]
        ok = np.abs(cross) > np.sin(np.radians(self.min_crossing_deg))
        a, b, ua, ub, cross = a[ok], b[ok], ua[ok], ub[ok], cross[ok]
        d = pool.site[b, :2] - pool.site[a, :2]
        ra = (d[:, 0] * ub[:, 1] - d[:, 1] * ub[:, 0]) / cross
        rb = (d[:, 0] * ua[:, 1] - d[:, 1] * ua[:, 0]) / cross
        ok = (ra > 0) & (rb > 0) & (ra < self.max_range_m) & (rb < self.max_range_m)
        pts = pool.site[a[ok], :2] + ra[ok, None] * ua[ok]
        return a[ok], b[ok], pts

    def _support(
        self,
        pool: BearingPool,
        p: FloatArray,
        free: npt.NDArray[np.bool_],
        cov: FloatArray | None = None,
    ) -> IntArray:
        """Best-fitting free bearing per site consistent with point ``p``.

        With ``cov`` (the point's own 2x2 covariance) a bearing is judged against its
        noise plus the point's uncertainty seen from its site.
        """
        d = p[None, :] - pool.site[:, :2]
        rho2 = np.maximum((d**2).sum(axis=1), 1.0)
        var = pool.sigma**2
        if cov is not None:
            h = np.stack([d[:, 1] / rho2, -d[:, 0] / rho2], axis=1)
            var = var + np.einsum("ki,ij,kj->k", h, cov, h)
        res = np.abs(wrap_angle(pool.azimuth - np.arctan2(d[:, 0], d[:, 1]))) / np.sqrt(var)
        ok = free & (res < self.consistency_sigma)
        chosen: dict[int, int] = {}
        for i in np.flatnonzero(ok):
            s = int(pool.site_id[i])
            if s not in chosen or res[i] < res[chosen[s]]:
                chosen[s] = int(i)
        return np.array(sorted(chosen.values()), dtype=np.intp)

    def _refine(
        self, pool: BearingPool, idx: IntArray, p: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        w = 1.0 / pool.sigma[idx] ** 2
        cov = np.eye(2) * 1e12
        for _ in range(6):
            d = p[None, :] - pool.site[idx, :2]
            rho2 = np.maximum((d**2).sum(axis=1), 1.0)
            h = np.stack([d[:, 1] / rho2, -d[:, 0] / rho2], axis=1)
            nu = wrap_angle(pool.azimuth[idx] - np.arctan2(d[:, 0], d[:, 1]))
            info = (h * w[:, None]).T @ h
            cov = np.linalg.inv(info)
            step = cov @ ((h * w[:, None]).T @ nu)
            p = p + step
            if float(np.hypot(*step)) < 0.01:
                break
        return p, cov

    def _height(self, pool: BearingPool, idx: IntArray, p: FloatArray) -> tuple[float, float]:
        el = pool.elevation[idx]
        have = np.isfinite(el)
        if not have.any():
            return self.default_height_m, self.height_sigma_m**2
        rng = np.hypot(*(p[None, :] - pool.site[idx, :2]).T)[have]
        z = pool.site[idx, 2][have] + rng * np.tan(el[have])
        var = (rng / np.cos(el[have]) ** 2 * pool.elevation_sigma[idx][have]) ** 2
        w = 1.0 / np.maximum(var, 1.0)
        return float((w * z).sum() / w.sum()), float(1.0 / w.sum())

    def fixes(self, pool: BearingPool) -> list[Fix]:
        """Positions triangulated from the pool, each from bearings of 2+ distinct sites."""
        if np.unique(pool.site_id).shape[0] < 2:
            return []
        a, b, pts = self._crossings(pool)
        if a.shape[0] == 0:
            return []
        free = np.ones(pool.azimuth.shape[0], dtype=bool)
        support = [self._support(pool, p, free) for p in pts]
        order = sorted(range(len(pts)), key=lambda i: -len(support[i]))
        out: list[Fix] = []
        for i in order:
            if not (free[a[i]] and free[b[i]]):
                continue
            # Refine the crossing pair, then gather every site that agrees with it
            # (judged with the pair fix's own uncertainty) and refine on all of them.
            p, cov2 = self._refine(pool, np.array([a[i], b[i]]), pts[i].copy())
            idx = self._support(pool, p, free, cov2)
            if idx.shape[0] < 2:
                continue
            p, cov2 = self._refine(pool, idx, p)
            z, zvar = self._height(pool, idx, p)
            cov = np.zeros((3, 3))
            cov[:2, :2] = cov2
            cov[2, 2] = zvar
            free[idx] = False
            out.append(Fix(np.array([p[0], p[1], z]), cov, idx))
        return out
