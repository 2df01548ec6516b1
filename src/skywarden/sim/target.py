"""A simulated target: its whole 1 Hz trajectory and what it carries (link, Remote ID, ADS-B).

Trajectories are planned in *map coordinates*: east and north in the sector's ENU frame
(metres) and altitude above mean sea level. Flying level then means constant altitude
even 30 km from the origin, where the ENU plane already lies 70 m above the ground; the
conversion to latitude/longitude happens once per tick for all targets (engine.py).

A target is built only when it is due (the scheduler holds just its launch time and
random stream), so a run streams: memory follows the number of targets in the air.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.ndimage import uniform_filter1d

from skywarden.model import Identity, TargetClass

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(eq=False)
class Target:
    """One target's truth from ``t0`` to ``t_end`` at 1 s steps.

    ``xyz`` rows are (east m, north m, altitude m MSL) at ``t0 + i``; ``vel`` the
    (east, north, up) velocity in m/s; ``link`` whether a drone's control link is
    transmitting at that second (what an RF direction finder can hear).
    """

    id: str
    kind: TargetClass
    role: str
    t0: float
    xyz: FloatArray
    vel: FloatArray
    rcs_m2: float
    link: BoolArray | None = None
    identity: Identity | None = None
    remote_id: bool = False
    adsb: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.xyz)
        if n == 0 or self.xyz.shape != (n, 3) or self.vel.shape != (n, 3):
            raise ValueError(f"target {self.id}: trajectory arrays must be (N, 3), N > 0")
        if self.link is not None and self.link.shape != (n,):
            raise ValueError(f"target {self.id}: link mask must have {n} entries")

    @property
    def t_end(self) -> float:
        """Time of the last sample (inclusive)."""
        return self.t0 + len(self.xyz) - 1

    def index(self, t: float) -> int:
        """Row of time ``t`` (which must be within [t0, t_end])."""
        return round(t - self.t0)


class Path:
    """Piecewise-linear flight plan: fly to points at given speeds, hold, then sample at 1 Hz.

    >>> p = Path((0.0, 0.0, 1200.0)).to((100.0, 0.0, 1200.0), speed=10.0).hold(5.0)
    >>> p.duration_s
    15.0
    """

    def __init__(self, start: tuple[float, float, float]) -> None:
        self._t: list[float] = [0.0]
        self._p: list[tuple[float, float, float]] = [tuple(map(float, start))]  # type: ignore[list-item]

    @property
    def start(self) -> tuple[float, float, float]:
        return self._p[0]

    @property
    def here(self) -> tuple[float, float, float]:
        return self._p[-1]

    @property
    def duration_s(self) -> float:
        return self._t[-1]

    def to(self, point: tuple[float, float, float], speed: float) -> Path:
        """Fly straight to ``point`` at ``speed`` m/s (3-D distance)."""
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        p = tuple(map(float, point))
        d = float(np.linalg.norm(np.subtract(p, self._p[-1])))
        if d > 0:
            self._t.append(self._t[-1] + d / speed)
            self._p.append(p)  # type: ignore[arg-type]
        return self

    def through(self, points: FloatArray, speed: float) -> Path:
        """Fly through each row of ``points`` (N, 3) in turn at ``speed``."""
        for row in points:
            self.to((float(row[0]), float(row[1]), float(row[2])), speed)
        return self

    def hold(self, seconds: float) -> Path:
        """Stay at the current point (hover) for ``seconds``."""
        if seconds > 0:
            self._t.append(self._t[-1] + seconds)
            self._p.append(self._p[-1])
        return self

    def sample(
        self, smooth_s: int = 1, jitter_m: float = 0.0, rng: np.random.Generator | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Positions and velocities at 1 s steps from the start.

        ``smooth_s`` is a moving-average window that rounds corners into turns (a few
        seconds for a quadcopter, ~30 s for an airliner); ``jitter_m`` adds a slowly
        varying position wander (gusts, GNSS hold) with that standard deviation.
        """
        knots_t = np.asarray(self._t)
        knots_p = np.asarray(self._p)
        ts = np.arange(0.0, np.floor(knots_t[-1]) + 1.0)
        xyz = np.column_stack([np.interp(ts, knots_t, knots_p[:, k]) for k in range(3)])
        if smooth_s > 1 and len(ts) > 2:
            xyz = _smooth(xyz, smooth_s)
        if jitter_m > 0 and rng is not None and len(ts) > 2:
            w = rng.normal(0.0, 1.0, size=xyz.shape)
            w = uniform_filter1d(w, size=10, axis=0, mode="nearest") * np.sqrt(10.0)
            xyz = xyz + w * jitter_m
        vel = np.gradient(xyz, axis=0) if len(ts) > 1 else np.zeros_like(xyz)
        return xyz, vel


def _smooth(xyz: FloatArray, window: int) -> FloatArray:
    """Moving average that rounds corners but keeps both ends and straight legs exact.

    The track is padded by point reflection about each end (``2 x0 - x[k]``), which
    continues a straight, constant-speed leg exactly, so a departure still starts on
    its threshold and an overflight keeps its speed to the edge.
    """
    # Odd, so the average is centred (an even window shifts it by half a second), and no
    # wider than the reflection padding a short track allows.
    window = min(window | 1, 2 * len(xyz) - 1)
    w = window // 2
    head = 2 * xyz[0] - xyz[w:0:-1]
    tail = 2 * xyz[-1] - xyz[-2 : -w - 2 : -1]
    padded = np.concatenate([head, xyz, tail])
    return uniform_filter1d(padded, size=window, axis=0, mode="nearest")[w : w + len(xyz)]
