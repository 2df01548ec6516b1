"""What every sensor model shares: a site with its own ENU frame, an update period, noise helpers.

Each sensor measures in its own local frame (centred on its site), exactly as the real
device does; ``skywarden.geo.LocalFrame`` converts to and from WGS84. Position
covariances are reported in that site frame; between the site and the sector origin
(tens of km) the two frames differ by a rotation of a few hundredths of a degree, far
below any sensor's angular noise.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from skywarden.geo import WGS84, LocalFrame
from skywarden.model import Detection
from skywarden.sim.snapshot import Snapshot

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CooperativeScan:
    """What a cooperative receiver (ADS-B, Remote ID) decoded in one scan: the targets it
    heard, which were eligible, and their reported positions and velocities."""

    target_idx: npt.NDArray[np.intp]
    eligible: npt.NDArray[np.bool_]
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray
    vel: FloatArray


def r7(x: float) -> float:
    """Latitude/longitude to 1e-7 degree (~1 cm): keeps the files short, loses nothing."""
    return round(float(x), 7)


def r2(x: float) -> float:
    return round(float(x), 2)


def diag_cov(se: float, sn: float, su: float) -> tuple[tuple[float, ...], ...]:
    return ((r2(se * se), 0.0, 0.0), (0.0, r2(sn * sn), 0.0), (0.0, 0.0, r2(su * su)))


def record_alt(alt: FloatArray) -> FloatArray:
    """Clip noisy altitudes into what records accept (-500..30,000 m MSL).

    Only absurd noise settings (kilometres of altitude error) ever reach the limits; a
    real report is never below the Dead Sea nor above the flight levels either.
    """
    # np.minimum/np.maximum: np.clip's numbers (NaN stays NaN) without its Python layers
    return np.minimum(np.maximum(alt, -499.0), 29_999.0)


class TickGeometry:
    """Where every target is seen from a site, computed once per tick and shared.

    Sensors on one site (a radar, its RF finder, a Remote ID receiver, the visual
    observers) need the same ENU offsets or geodesics of every target; one simulation
    hands all its sensors one ``TickGeometry``, so each conversion runs once per snapshot.
    Each value is the element-wise conversion of the whole snapshot, so a sensor that
    indexes a subset gets the very floats a conversion of that subset gives. The arrays
    are read-only: they are shared.
    """

    def __init__(self) -> None:
        self._snap: Snapshot | None = None
        self._memo: dict[object, tuple[FloatArray, ...]] = {}
        #: the sites geodesics were asked from (computed together every tick)
        self._sites: dict[tuple[float, float], None] = {}

    def _of(self, snap: Snapshot) -> dict[object, tuple[FloatArray, ...]]:
        if snap is not self._snap:  # a new tick (the old snapshot is held, so never reused)
            self._snap, self._memo = snap, {}
        return self._memo

    def enu(self, snap: Snapshot, frame: LocalFrame) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Every target in ``frame``'s ENU axes (metres), as ``frame.to_enu`` gives them."""
        memo = self._of(snap)
        got = memo.get(frame)
        if got is None:
            got = memo[frame] = _frozen(frame.to_enu(snap.lat, snap.lon, snap.alt))
        e, n, u = got
        return e, n, u

    def geodesic(self, snap: Snapshot, lat: float, lon: float) -> tuple[FloatArray, FloatArray]:
        """Initial bearing [0, 360) and geodesic distance (m) from (lat, lon) to every
        drone and manned aircraft: the numbers of ``geo.bearing_deg`` and
        ``geo.distance_m``. Birds (most targets; no sensor that asks for geodesics, RF or
        visual, hears or reports one) get a NaN bearing and an infinite distance.

        ``Geod.inv`` is point by point, ~1 us a point plus ~10 us a call: every site
        asked for so far is computed in one call, the first time any is asked at a tick.
        """
        memo = self._of(snap)
        key = ("geodesic", lat, lon)
        got = memo.get(key)
        if got is None:
            self._sites.setdefault((lat, lon))
            self._geodesics(snap, memo)
            got = memo[key]
        brg, dist = got
        return brg, dist

    def _geodesics(self, snap: Snapshot, memo: dict[object, tuple[FloatArray, ...]]) -> None:
        """Bearings and distances from every known site not yet in ``memo``."""
        sites = [s for s in self._sites if ("geodesic", *s) not in memo]
        some = np.flatnonzero(snap.is_drone | snap.is_manned)
        m, n, k = len(sites), len(snap), len(some)
        brg, dist = np.full((m, n), np.nan), np.full((m, n), np.inf)
        if k:
            lat0, lon0 = (np.repeat([s[a] for s in sites], k) for a in (0, 1))
            az, _, d = WGS84.inv(lon0, lat0, np.tile(snap.lon[some], m), np.tile(snap.lat[some], m))
            brg[:, some], dist[:, some] = np.mod(az, 360.0).reshape(m, k), d.reshape(m, k)
        brg.flags.writeable = dist.flags.writeable = False
        for (lat, lon), b, d_ in zip(sites, brg, dist, strict=True):
            memo["geodesic", lat, lon] = (b, d_)


def _frozen(arrays: tuple[FloatArray, ...]) -> tuple[FloatArray, ...]:
    out = tuple(np.asarray(a) for a in arrays)
    for a in out:
        a.flags.writeable = False
    return out


class SensorModel(ABC):
    """A sensor at a site: ``observe`` one snapshot per tick, get its detections."""

    def __init__(self, cfg: Any, rng: np.random.Generator) -> None:
        self.cfg = cfg
        self.id: str = cfg.id
        self.rng = rng
        s = cfg.site
        self.frame = LocalFrame(s.lat, s.lon, s.alt_m)
        #: Ids of the truth targets this sensor detected at its latest ``observe`` (for
        #: evaluation only: detections themselves never carry truth).
        self.last_seen: list[str] = []
        #: Shared with the other sensors of a simulation (``build_sensor``).
        self.geometry = TickGeometry()

    def due(self, t: float) -> bool:
        """Whether this sensor reports at tick ``t`` (every ``update_s`` seconds)."""
        return round(t) % int(self.cfg.update_s) == 0

    def local(self, snap: Snapshot) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Targets in the site's ENU frame (metres); read-only, shared with the site's
        other sensors."""
        return self.geometry.enu(snap, self.frame)

    def perturbed(
        self,
        snap: Snapshot,
        idx: npt.NDArray[np.intp],
        sigma_h: float,
        sigma_v: float,
        rng: np.random.Generator | None = None,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Lat, lon, alt of targets ``idx`` with Gaussian horizontal/vertical noise (m),
        drawn from ``rng`` (default: the sensor's own stream)."""
        rng = self.rng if rng is None else rng
        k = len(idx)
        if k == 0:  # nothing drawn, nothing to convert (the frame transform costs ~10 us)
            z = np.zeros(0)
            return z, z.copy(), z.copy()
        e, n, u = (a[idx] for a in self.local(snap))
        e = e + rng.normal(0.0, sigma_h, k)
        n = n + rng.normal(0.0, sigma_h, k)
        u = u + rng.normal(0.0, sigma_v, k)
        lat, lon, alt = self.frame.to_geodetic(e, n, u)
        return np.asarray(lat), np.asarray(lon), record_alt(np.asarray(alt))

    @abstractmethod
    def observe(self, snap: Snapshot) -> list[Detection]:
        """Detections at ``snap.t`` (empty when the sensor is not due)."""

    def _seen(self, snap: Snapshot, idx: npt.NDArray[np.intp]) -> None:
        tgs = snap.targets
        self.last_seen = [tgs[i].id for i in idx.tolist()]

    def describe(self) -> dict[str, Any]:
        """The sensor's kind, id and parameters, for ``sector.json``."""
        return self.cfg.model_dump(mode="json")
