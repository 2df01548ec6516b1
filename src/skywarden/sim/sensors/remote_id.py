"""A Remote ID receiver (ASTM F3411 broadcast, Bluetooth/Wi-Fi): cooperative drones only.

Parameters (``RemoteIDConfig``): site; ``range_max_m`` (slant range at which broadcasts
are received; a few km for Wi-Fi beacon); ``message_loss``, the probability that one
update's location message is lost; ``sigma_position_m`` and ``sigma_altitude_m``, the
Gaussian error of the drone's own GNSS fix it broadcasts; ``update_s`` (F3411 requires
at least 1 Hz location messages). A received message carries position, velocity
(``velocity_sigma`` 0.5 m/s), the height above the takeoff point, the UAS serial
number and the operator's position; only drones that are Remote ID compliant
broadcast at all. A spoofer (``skywarden.sim.spoofing``) is heard where it really is
(reception follows the transmitter) but its message carries its lie: an offset
position or a scaled speed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from skywarden.model import Detection, Position, SensorKind
from skywarden.sim.scenario import RemoteIDConfig
from skywarden.sim.sensors.base import (
    CooperativeScan,
    FloatArray,
    SensorModel,
    diag_cov,
    r2,
    r7,
)
from skywarden.sim.snapshot import Snapshot
from skywarden.sim.spoofing import spoof_of

VELOCITY_SIGMA_MPS = 0.5


class RemoteIDReceiver(SensorModel):
    cfg: RemoteIDConfig

    def scan(self, snap: Snapshot) -> CooperativeScan:
        c = self.cfg
        # Only a broadcasting target can be received: its range is computed for those
        # alone (the same point-wise numbers); the draws stay one per target. The ENU
        # offsets are the site's, shared with a radar there.
        rng_m = np.full(len(snap), np.inf)
        if snap.remote_id.any():
            k = np.flatnonzero(snap.remote_id)
            e, n, u = (a[k] for a in self.local(snap))
            rng_m[k] = np.sqrt(e * e + n * n + u * u)
        eligible = snap.remote_id & (rng_m <= c.range_max_m)
        got = eligible & (self.rng.uniform(size=len(snap)) >= c.message_loss)
        idx = np.flatnonzero(got)
        lat, lon, alt = self.perturbed(snap, idx, c.sigma_position_m, c.sigma_altitude_m)
        vel = snap.vel[idx] + self.rng.normal(0.0, VELOCITY_SIGMA_MPS, (len(idx), 3))
        self._lie(snap, idx, lat, lon, alt, vel)
        return CooperativeScan(idx, eligible, lat, lon, alt, vel)

    def _lie(
        self,
        snap: Snapshot,
        idx: npt.NDArray[np.intp],
        lat: FloatArray,
        lon: FloatArray,
        alt: FloatArray,
        vel: FloatArray,
    ) -> None:
        """Replace what spoofers broadcast by their lie, in place (no random draws, so
        the receiver's stream, and every honest message, is unchanged)."""
        for j, i in enumerate(idx.tolist()):
            sp = spoof_of(snap.targets[i])
            if sp is None:
                continue
            if sp.offset_e_m or sp.offset_n_m:
                e, n, u = self.frame.to_enu(lat[j], lon[j], alt[j])
                la, lo, _ = self.frame.to_geodetic(e + sp.offset_e_m, n + sp.offset_n_m, u)
                lat[j], lon[j] = float(la), float(lo)
            if sp.speed_factor != 1.0:
                vel[j, :2] *= sp.speed_factor

    def observe(self, snap: Snapshot) -> list[Detection]:
        if not self.due(snap.t):
            self.last_seen = []
            return []
        sc = self.scan(snap)
        self._seen(snap, sc.target_idx)
        c = self.cfg
        cov = diag_cov(c.sigma_position_m, c.sigma_position_m, c.sigma_altitude_m)
        out = []
        for j, i in enumerate(sc.target_idx):
            out.append(
                Detection(
                    t=snap.t,
                    sensor=self.id,
                    kind=SensorKind.REMOTE_ID,
                    position=Position(r7(sc.lat[j]), r7(sc.lon[j]), r2(sc.alt[j]), cov),
                    velocity=(r2(sc.vel[j, 0]), r2(sc.vel[j, 1]), r2(sc.vel[j, 2])),
                    velocity_sigma=VELOCITY_SIGMA_MPS,
                    identity=snap.targets[i].identity,
                    attrs=self._attrs(snap, i, float(sc.alt[j])),
                )
            )
        return out

    @staticmethod
    def _attrs(snap: Snapshot, i: int, alt: float) -> dict[str, object]:
        attrs: dict[str, object] = {"ua_type": "helicopter_or_multirotor"}
        takeoff = snap.targets[i].attrs.get("takeoff_alt_m")
        if takeoff is not None:  # F3411 Location message: height above the takeoff point
            attrs["height_above_takeoff_m"] = round(alt - float(takeoff), 1)
        return attrs
