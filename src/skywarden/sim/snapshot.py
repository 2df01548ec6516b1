"""The state of every airborne target at one tick, as arrays: what each sensor model sees.

Sensors are vectorised over targets: they take one ``Snapshot`` per tick and compute
visibility, detection draws and noise for all targets at once (no per-target Python in
the maths; only building the output records loops).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import LocalFrame
from skywarden.model import TargetClass
from skywarden.sim.target import Target

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Snapshot:
    """Targets at time ``t``: geographic position (lat, lon deg; alt m MSL), ENU velocity."""

    t: float
    targets: list[Target]
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray
    vel: FloatArray
    rcs_m2: FloatArray
    is_drone: BoolArray
    is_manned: BoolArray
    link: BoolArray
    remote_id: BoolArray
    adsb: BoolArray

    def __len__(self) -> int:
        return len(self.targets)

    @classmethod
    def of(cls, t: float, targets: list[Target], frame: LocalFrame) -> Snapshot:
        """Gather row ``t`` of each target's trajectory and place it on the ellipsoid."""
        n = len(targets)
        if n == 0:
            e = np.zeros(0)
            b = np.zeros(0, dtype=bool)
            return cls(t, [], e, e, e, np.zeros((0, 3)), e, b, b, b, b, b)
        rows = [tg.index(t) for tg in targets]
        xyz = np.array([tg.xyz[i] for tg, i in zip(targets, rows, strict=True)])
        vel = np.array([tg.vel[i] for tg, i in zip(targets, rows, strict=True)])
        # Map x, y are ENU east/north; the altitude is MSL, kept as is (see target.py).
        lat, lon, _ = frame.to_geodetic(xyz[:, 0], xyz[:, 1], np.zeros(n))
        return cls(
            t=t,
            targets=targets,
            lat=np.asarray(lat),
            lon=np.asarray(lon),
            alt=xyz[:, 2].copy(),
            vel=vel,
            rcs_m2=np.array([tg.rcs_m2 for tg in targets]),
            is_drone=np.array([tg.kind is TargetClass.DRONE for tg in targets]),
            is_manned=np.array([tg.kind is TargetClass.MANNED for tg in targets]),
            link=np.array(
                [
                    bool(tg.link[i]) if tg.link is not None else False
                    for tg, i in zip(targets, rows, strict=True)
                ]
            ),
            remote_id=np.array([tg.remote_id for tg in targets]),
            adsb=np.array([tg.adsb for tg in targets]),
        )

    @classmethod
    def synthetic(
        cls,
        t: float,
        lat: FloatArray,
        lon: FloatArray,
        alt: FloatArray,
        *,
        kind: TargetClass = TargetClass.DRONE,
        rcs_m2: float = 0.01,
        link: bool = True,
        remote_id: bool = True,
        adsb: bool = True,
        velocity: tuple[float, float, float] = (5.0, 0.0, 0.0),
    ) -> Snapshot:
        """Many identical targets at given places: for measuring sensor models in tests."""
        from skywarden.model import Identity

        n = len(lat)
        one = np.zeros((1, 3))
        ident = (
            Identity(icao24="a00001", callsign="TEST1")
            if kind is TargetClass.MANNED
            else Identity(
                rid_serial="1581ETEST", operator_lat=float(lat[0]), operator_lon=float(lon[0])
            )
        )
        tgs = [
            Target(
                f"T{i}",
                kind,
                "test",
                t,
                one,
                one,
                rcs_m2,
                identity=ident,
                remote_id=remote_id,
                adsb=adsb,
            )
            for i in range(n)
        ]
        return cls(
            t=t,
            targets=tgs,
            lat=np.asarray(lat, dtype=float),
            lon=np.asarray(lon, dtype=float),
            alt=np.asarray(alt, dtype=float),
            vel=np.tile(np.asarray(velocity, dtype=float), (n, 1)),
            rcs_m2=np.full(n, rcs_m2),
            is_drone=np.full(n, kind is TargetClass.DRONE),
            is_manned=np.full(n, kind is TargetClass.MANNED),
            link=np.full(n, link and kind is TargetClass.DRONE),
            remote_id=np.full(n, remote_id),
            adsb=np.full(n, adsb and kind is TargetClass.MANNED),
        )
