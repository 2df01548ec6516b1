"""An RF direction finder: bearings to drones whose control link is transmitting.

Parameters (``RFConfig``): site; ``range_max_m`` (horizontal distance at which a
control link is still heard); ``pd``, the probability of intercepting a transmitting
link in one update (frequency hopping, antenna nulls); ``sigma_bearing_deg``, the
Gaussian bearing error; ``update_s``. Only drones with an active link are heard: a
pre-programmed smuggler flying silent is invisible to it. The bearing is the true
geodesic azimuth from the site (as ``skywarden.geo.bearing_deg``) plus noise, wrapped
to [0, 360). ``attrs["protocol"]`` names the link (ocusync, elrs...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.model import Bearing, Detection, SensorKind
from skywarden.sim.scenario import RFConfig
from skywarden.sim.sensors.base import FloatArray, SensorModel
from skywarden.sim.snapshot import Snapshot


@dataclass(frozen=True)
class RFScan:
    target_idx: npt.NDArray[np.intp]
    bearing_deg: FloatArray  # measured, one per detected target
    true_bearing_deg: FloatArray
    eligible: npt.NDArray[np.bool_]


class DirectionFinder(SensorModel):
    cfg: RFConfig

    def scan(self, snap: Snapshot) -> RFScan:
        c = self.cfg
        s = c.site
        if len(snap) == 0:
            z = np.zeros(0)
            return RFScan(np.zeros(0, dtype=np.intp), z, z, np.zeros(0, dtype=bool))
        brg, d = self.geometry.geodesic(snap, s.lat, s.lon)
        eligible = snap.is_drone & snap.link & (d <= c.range_max_m)
        hit = eligible & (self.rng.uniform(size=len(d)) < c.pd)
        idx = np.flatnonzero(hit)
        true = brg[idx]
        meas = np.mod(true + self.rng.normal(0.0, c.sigma_bearing_deg, len(idx)), 360.0)
        return RFScan(idx, meas, true, eligible)

    def observe(self, snap: Snapshot) -> list[Detection]:
        if not self.due(snap.t):
            self.last_seen = []
            return []
        sc = self.scan(snap)
        self._seen(snap, sc.target_idx)
        s = self.cfg.site
        out = []
        for j, i in enumerate(sc.target_idx):
            out.append(
                Detection(
                    t=snap.t,
                    sensor=self.id,
                    kind=SensorKind.RF,
                    bearing=Bearing(
                        s.lat,
                        s.lon,
                        s.alt_m,
                        round(float(sc.bearing_deg[j]), 3) % 360.0,
                        self.cfg.sigma_bearing_deg,
                    ),
                    attrs={"protocol": snap.targets[i].attrs.get("protocol", "unknown")},
                )
            )
        return out
