"""One month incursion as a trajectory: launch in Mexico, cross at a given border point,
drop in the US, fly home; a share of flights cross, turn back and cross again first.

The flight is ``drones.smuggler``'s (same kinematics, same parameter ranges from the
generated sectors' ``smugglers`` block: ``sector_gen``), except that the crossing point
comes from the border-wide rate model (``sim/rates.py``) instead of from the sector's own
draw, so that a drone is placed once for the whole border. A *re-crossing* flight
(``recross``) goes 150-600 m into the US, turns back 200-800 m into Mexico (spooked, or
probing a patrol) and then crosses again to its drop: the case a counting rule must
state (one incursion, three crossings).

A *watcher* (``watcher``) is the other family the border reports: a drone that crosses
to watch agents and goes home without a drop (the rate model's ``surveillance_share``
says how many, and where that comes from). It crosses at the drawn point, hovers
``watch_s`` at a watch point 100-1,500 m into the US, in half the flights moves along
the line to a second one, and flies home. Its shape takes the project's own background
patrols' numbers (``SurveillanceTraffic``: ``watch_s`` 120-420 s, link always on: a
watcher is flown on its video) and the smugglers' launch distances.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from skywarden.geo import LocalFrame
from skywarden.sim.geography import MEXICO, SEA, US, Geography
from skywarden.sim.scenario import SmugglerTraffic, SurveillanceTraffic
from skywarden.sim.target import Path, Target
from skywarden.sim.traffic.drones import CLIMB_MPS, DESCENT_MPS, _finish, _u

FloatArray = npt.NDArray[np.float64]

#: As the generated sectors' smugglers (sector_gen: per_hour 8, speed 8-16 m/s, ...).
SMUGGLER = SmugglerTraffic(
    per_hour=0.0,
    speed_mps=(8.0, 16.0),
    cruise_agl_m=(25.0, 100.0),
    launch_south_m=(300.0, 2500.0),
    drop_north_m=(500.0, 4000.0),
    hover_s=(20.0, 90.0),
    rf_link_fraction=0.75,
)
TRIES = 100
#: The background patrols' parameters (scenario defaults), launched like smugglers.
WATCHER = SurveillanceTraffic()
WATCH_NORTH_M = (100.0, 1500.0)
SECOND_WATCH_M = (300.0, 1000.0)


def border_point(
    frame: LocalFrame, lat: float, lon: float, lat_b: float, lon_b: float
) -> tuple[float, float, float, float]:
    """Map (x, y) of a border point and the unit normal into the US (left of west->east).

    ``lat_b, lon_b`` is a point a little further east along the line (the tangent).
    """
    x, y, _ = frame.to_enu(np.array([lat, lat_b]), np.array([lon, lon_b]), np.zeros(2))
    tx, ty = float(x[1] - x[0]), float(y[1] - y[0])
    n = float(np.hypot(tx, ty)) or 1.0
    return float(x[0]), float(y[0]), -ty / n, tx / n


# size: deterministic draw order: splitting risks the seeded output
def incursion(
    geo: Geography,
    crossing: tuple[float, float, float, float],
    t0: float,
    rng: np.random.Generator,
    tid: str,
    recross: bool,
    cfg: SmugglerTraffic = SMUGGLER,
) -> Target:
    """The flight through ``crossing`` (x, y, nx, ny in ``geo``'s frame), launched at ``t0``.

    Launch and drop are redrawn (up to ``TRIES`` times, keeping the crossing) until the
    launch is on Mexican land and the drop on US land; failing that the flight keeps the
    last draw (the crossing point is what the month's truth is about).
    """
    bx, by, nx, ny = crossing
    speed, agl = _u(rng, cfg.speed_mps), _u(rng, cfg.cruise_agl_m)
    hover = _u(rng, cfg.hover_s)
    endurance = _u(rng, cfg.endurance_s)
    budget = 0.9 * endurance - (2 * agl / CLIMB_MPS + hover + 2 * agl / DESCENT_MPS + 60.0)
    for _ in range(TRIES):
        south, north = _u(rng, cfg.launch_south_m), _u(rng, cfg.drop_north_m)
        lateral = float(rng.normal(0.0, 600.0))
        leg = float(np.hypot(south + north, lateral * 0.7)) + (1600.0 if recross else 0.0)
        if 2 * leg / speed > budget:
            f = max(budget * speed / (2 * leg), 0.05)
            south, north, lateral = south * f, north * f, lateral * f
        lx, ly = bx - nx * south + ny * lateral * 0.3, by - ny * south - nx * lateral * 0.3
        dx, dy = bx + nx * north + ny * lateral, by + ny * north - nx * lateral
        if geo.side(np.array([lx, dx]), np.array([ly, dy])).tolist() == [MEXICO, US]:
            break
    g = float(geo.ground_at(lx, ly))
    gd = float(geo.ground_at(dx, dy))
    cruise = max(g, gd) + agl
    path = Path((lx, ly, g)).to((lx, ly, cruise), CLIMB_MPS)
    if recross:
        into, back = _u(rng, (150.0, 600.0)), _u(rng, (200.0, 800.0))
        path.to((bx + nx * into, by + ny * into, cruise), speed)
        path.hold(_u(rng, (5.0, 40.0)))
        path.to((bx - nx * back, by - ny * back, cruise), speed)
        path.hold(_u(rng, (10.0, 120.0)))
    drop_agl = _u(rng, cfg.drop_agl_m)
    path.to((dx, dy, cruise), speed).hold(hover / 2).to((dx, dy, gd + drop_agl), DESCENT_MPS)
    path.hold(hover / 2).to((dx, dy, cruise), CLIMB_MPS).to((lx, ly, cruise), speed)
    path.to((lx, ly, g), DESCENT_MPS)
    tg = _flown(rng, path, tid, "smuggler", t0, cfg, (lx, ly), geo)
    if recross:
        tg.attrs["recross"] = True
    return tg


# size: deterministic draw order: splitting risks the seeded output
def watcher(
    geo: Geography,
    crossing: tuple[float, float, float, float],
    t0: float,
    rng: np.random.Generator,
    tid: str,
    cfg: SurveillanceTraffic = WATCHER,
) -> Target:
    """A drone that crosses at ``crossing`` to watch from the US side and flies home.

    Launch and watch points are redrawn (up to ``TRIES`` times) until the launch is on
    Mexican land and both watch points on US land; failing that the last draw flies.
    """
    bx, by, nx, ny = crossing
    speed, agl = _u(rng, cfg.speed_mps), _u(rng, cfg.cruise_agl_m)
    endurance = 0.85 * _u(rng, cfg.endurance_s)
    watch = (_u(rng, cfg.watch_s), _u(rng, cfg.watch_s))
    second = bool(rng.uniform() < 0.5)
    for _ in range(TRIES):
        south, north = _u(rng, SMUGGLER.launch_south_m), _u(rng, WATCH_NORTH_M)
        lateral = float(rng.normal(0.0, 300.0))
        along = _u(rng, SECOND_WATCH_M) * (1.0 if rng.uniform() < 0.5 else -1.0)
        lx, ly = bx - nx * south + ny * lateral * 0.3, by - ny * south - nx * lateral * 0.3
        w1 = (bx + nx * north + ny * lateral, by + ny * north - nx * lateral)
        w2 = (w1[0] + ny * along, w1[1] - nx * along) if second else w1
        xs, ys = np.array([lx, w1[0], w2[0]]), np.array([ly, w1[1], w2[1]])
        if geo.side(xs, ys).tolist() == [MEXICO, US, US]:
            break
    g = float(geo.ground_at(lx, ly))
    cruise = max(g, float(np.max(geo.ground_at(xs[1:], ys[1:])))) + agl
    path = Path((lx, ly, g)).to((lx, ly, cruise), CLIMB_MPS)
    path.to((w1[0], w1[1], cruise), speed).hold(watch[0])
    if second:
        home_s = float(np.hypot(w2[0] - lx, w2[1] - ly)) / speed + cruise / DESCENT_MPS
        if path.duration_s + abs(along) / speed + home_s + watch[1] <= endurance:
            path.to((w2[0], w2[1], cruise), speed).hold(watch[1])
    path.to((lx, ly, cruise), speed).to((lx, ly, g), DESCENT_MPS)
    tg = _flown(rng, path, tid, "surveillance", t0, cfg, (lx, ly), geo)
    tg.attrs["family"] = "watcher"
    return tg


def _flown(
    rng: np.random.Generator,
    path: Path,
    tid: str,
    role: str,
    t0: float,
    cfg: SmugglerTraffic | SurveillanceTraffic,
    launch_xy: tuple[float, float],
    geo: Geography,
) -> Target:
    """The path as a month incursion's target (sampled, its link and RCS drawn)."""
    tg = _finish(
        rng,
        path,
        tid=tid,
        role=role,
        t0=t0,
        rcs=cfg.rcs_m2,
        link_fraction=cfg.rf_link_fraction,
        launch_xy=launch_xy,
        geo=geo,
    )
    tg.attrs["month_incursion"] = tid
    return tg


def crossings(geo: Geography, tg: Target) -> list[tuple[int, str]]:
    """(row, "N" or "S") where the target's side changes (over the sea: last land kept)."""
    side = geo.side(tg.xyz[:, 0], tg.xyz[:, 1])
    out: list[tuple[int, str]] = []
    prev = None
    for i, s in enumerate(side.tolist()):
        if s == SEA:
            continue
        if prev is not None and s != prev:
            out.append((i, "N" if s == US else "S"))
        prev = s
    return out


def moved(tg: Target, src: LocalFrame, dst: LocalFrame) -> Target:
    """The same target in another sector's map frame (x, y re-projected, altitude MSL kept)."""
    lat, lon, _ = src.to_geodetic(tg.xyz[:, 0], tg.xyz[:, 1], np.zeros(len(tg.xyz)))
    x, y, _ = dst.to_enu(lat, lon, np.zeros(len(tg.xyz)))
    xyz = np.column_stack([x, y, tg.xyz[:, 2]])
    vel = np.gradient(xyz, axis=0) if len(xyz) > 1 else np.zeros_like(xyz)
    return Target(
        id=tg.id,
        kind=tg.kind,
        role=tg.role,
        t0=tg.t0,
        xyz=xyz,
        vel=vel,
        rcs_m2=tg.rcs_m2,
        link=None if tg.link is None else tg.link.copy(),
        identity=tg.identity,
        remote_id=tg.remote_id,
        adsb=tg.adsb,
        attrs=dict(tg.attrs),
    )
