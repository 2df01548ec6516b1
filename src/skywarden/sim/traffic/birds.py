"""Birds: slow, low, meandering radar targets that no cooperative sensor reports.

At night over the Rio Grande these are mostly migrants and roosting flocks (ducks,
cranes): 6-15 m/s, tens to a few hundred metres above ground, radar cross-sections of
1-200 cm^2 -- the same size as a small drone's, which is why the tracker must tell them
apart by behaviour, not by echo strength.
"""

from __future__ import annotations

import numpy as np

from skywarden.model import TargetClass
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import BirdTraffic
from skywarden.sim.target import Path, Target


def bird(cfg: BirdTraffic, geo: Geography, t0: float, rng: np.random.Generator, tid: str) -> Target:
    """A meandering flight of 10-40 minutes: a random walk of gently turning legs."""
    r = cfg.radius_m * np.sqrt(rng.uniform())
    th = rng.uniform(0, 2 * np.pi)
    x, y = r * np.cos(th), r * np.sin(th)
    g = float(geo.ground_at(x, y))
    speed = float(rng.uniform(*cfg.speed_mps))
    alt = g + float(rng.uniform(*cfg.agl_m))
    heading = rng.uniform(0, 2 * np.pi)
    path = Path((x, y, alt))
    duration = rng.uniform(600.0, 2400.0)
    lo, hi = g + cfg.agl_m[0], g + cfg.agl_m[1]
    while path.duration_s < duration:
        heading += rng.normal(0.0, 0.5)
        leg = rng.uniform(200.0, 1200.0)
        alt = float(np.clip(alt + rng.normal(0.0, 20.0), lo, hi))
        x, y = x + leg * np.sin(heading), y + leg * np.cos(heading)
        path.to((x, y, alt), speed * float(rng.uniform(0.8, 1.2)))
    xyz, vel = path.sample(smooth_s=8, jitter_m=1.5, rng=rng)
    floor = geo.ground_at(xyz[:, 0], xyz[:, 1]) + 5.0  # the terrain rises near airports
    xyz[:, 2] = np.maximum(xyz[:, 2], floor)
    return Target(
        id=tid,
        kind=TargetClass.BIRD,
        role="bird",
        t0=t0,
        xyz=xyz,
        vel=vel,
        rcs_m2=float(rng.uniform(*cfg.rcs_m2)),
    )
