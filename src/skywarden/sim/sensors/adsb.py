"""A 1090 MHz ADS-B receiver: manned aircraft with a transponder, ICAO address and callsign.

Parameters (``ADSBConfig``): site; ``range_max_m`` (line of sight, ~250 km for a mast
antenna); ``message_loss`` per update (garbling, fruit); ``sigma_position_m``, the
horizontal error of the broadcast position (NACp 9 means an estimated position
uncertainty below 30 m, 95 %); ``update_s``. Altitude is barometric, broadcast in 25 ft
steps (Mode S Q-bit = 1), so the reported altitude is quantised to 25 ft = 7.62 m. Each
aircraft's altimeter has its own steady error (``baro_bias_m``, 10 m rms, drawn with
the aircraft), so a level aircraft reports one steady altitude; the covariance carries
the quantisation variance q^2/12 plus that 10 m. Velocity
(``velocity_sigma`` 1 m/s) from the airborne velocity message.
"""

from __future__ import annotations

import numpy as np

from skywarden.geo import M_PER_FT
from skywarden.model import Detection, Position, SensorKind
from skywarden.sim.scenario import ADSBConfig
from skywarden.sim.sensors.base import CooperativeScan, SensorModel, r2, r7
from skywarden.sim.snapshot import Snapshot

ALT_STEP_M = 25 * M_PER_FT
BARO_SIGMA_M = 10.0
VELOCITY_SIGMA_MPS = 1.0


class ADSBReceiver(SensorModel):
    cfg: ADSBConfig

    def scan(self, snap: Snapshot) -> CooperativeScan:
        c = self.cfg
        e, n, u = self.local(snap)
        rng_m = np.sqrt(e * e + n * n + u * u)
        eligible = snap.is_manned & snap.adsb & (rng_m <= c.range_max_m)
        got = eligible & (self.rng.uniform(size=len(snap)) >= c.message_loss)
        idx = np.flatnonzero(got)
        lat, lon, _ = self.perturbed(snap, idx, c.sigma_position_m, 0.0)
        bias = np.array([snap.targets[i].attrs.get("baro_bias_m", 0.0) for i in idx])
        alt = np.round((snap.alt[idx] + bias) / ALT_STEP_M) * ALT_STEP_M
        vel = snap.vel[idx] + self.rng.normal(0.0, VELOCITY_SIGMA_MPS, (len(idx), 3))
        return CooperativeScan(idx, eligible, lat, lon, alt, vel)

    def observe(self, snap: Snapshot) -> list[Detection]:
        if not self.due(snap.t):
            self.last_seen = []
            return []
        sc = self.scan(snap)
        self._seen(snap, sc.target_idx)
        c = self.cfg
        sv = r2(np.sqrt(ALT_STEP_M**2 / 12 + BARO_SIGMA_M**2))
        cov = (
            (r2(c.sigma_position_m**2), 0.0, 0.0),
            (0.0, r2(c.sigma_position_m**2), 0.0),
            (0.0, 0.0, r2(sv * sv)),
        )
        out = []
        for j, i in enumerate(sc.target_idx):
            out.append(
                Detection(
                    t=snap.t,
                    sensor=self.id,
                    kind=SensorKind.ADSB,
                    position=Position(r7(sc.lat[j]), r7(sc.lon[j]), r2(sc.alt[j]), cov),
                    velocity=(r2(sc.vel[j, 0]), r2(sc.vel[j, 1]), r2(sc.vel[j, 2])),
                    velocity_sigma=VELOCITY_SIGMA_MPS,
                    identity=snap.targets[i].identity,
                    attrs={"altitude_ft": round(float(sc.alt[j]) / M_PER_FT)},
                )
            )
        return out
