"""Small quadcopters: cross-border smugglers, border surveillance, hobby flights over the city.

Kinematics follow small off-the-shelf multirotors: 0-20 m/s, 20-150 m above ground,
20-40 min battery endurance, climbs and descents of 2-5 m/s. Smugglers stand for the
crude off-the-shelf quadcopters behind the Pentagon's count of more than 1,000 border
incursions a month (DESIGN.md): launched a few kilometres inside Mexico, across the
border, a hover and descent to release a payload, and back.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.ndimage import uniform_filter1d

from skywarden.model import Identity, TargetClass
from skywarden.sim.geography import MEXICO, US, Geography, GeographyError
from skywarden.sim.scenario import (
    ConvoyTraffic,
    HobbyTraffic,
    SmugglerTraffic,
    SurveillanceTraffic,
)
from skywarden.sim.target import Path, Target

CLIMB_MPS = 3.0
DESCENT_MPS = 2.0
PROTOCOLS = ("ocusync3", "ocusync4", "elrs-900", "wifi-2.4")
#: Draws of a flight's place before giving up: launch and drop must lie on land, each on
#: its own side of the border (a drone does not start at sea).
PLACEMENT_TRIES = 200


def _u(rng: np.random.Generator, r: tuple[float, float]) -> float:
    return float(rng.uniform(r[0], r[1]))


def _rid_serial(rng: np.random.Generator) -> str:
    """An ANSI/CTA-2063-A serial: 4-char manufacturer code, length code, serial."""
    chars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    body = "".join(chars[i] for i in rng.integers(0, len(chars), size=14))
    return f"1581E{body}"


def _finish(
    rng: np.random.Generator,
    path: Path,
    *,
    tid: str,
    role: str,
    t0: float,
    rcs: tuple[float, float],
    link_fraction: float,
    launch_xy: tuple[float, float],
    geo: Geography,
    remote_id: bool = False,
    operator: tuple[float, float] | None = None,
) -> Target:
    xyz, vel = path.sample(smooth_s=3, jitter_m=0.8, rng=rng)
    xyz[:, 2] = np.maximum(xyz[:, 2], geo.ground_at(xyz[:, 0], xyz[:, 1]))  # never underground
    if rng.uniform() < link_fraction:
        link = np.ones(len(xyz), dtype=bool)
    else:  # pre-programmed route: link only in radio range of the pilot (launch, recovery)
        link = np.hypot(xyz[:, 0] - launch_xy[0], xyz[:, 1] - launch_xy[1]) < 1000.0
    ident = None
    if remote_id:
        ident = Identity(
            rid_serial=_rid_serial(rng),
            operator_lat=operator[0] if operator else None,
            operator_lon=operator[1] if operator else None,
        )
    return Target(
        id=tid,
        kind=TargetClass.DRONE,
        role=role,
        t0=t0,
        xyz=xyz,
        vel=vel,
        rcs_m2=_u(rng, rcs),
        link=link,
        identity=ident,
        remote_id=remote_id,
        attrs={
            "protocol": PROTOCOLS[int(rng.integers(len(PROTOCOLS)))],
            "takeoff_alt_m": float(path.start[2]),
        },
    )


# size: deterministic draw order: splitting risks the seeded output
def smuggler(
    cfg: SmugglerTraffic, geo: Geography, t0: float, rng: np.random.Generator, tid: str
) -> Target:
    """Launch in Mexico, cross north, hover and descend to drop, climb, return to launch.

    The launch lies on Mexican land and the drop on US land (``Geography.side``): where
    the border meets the sea, or the river bends, the draw of the crossing point and legs
    is repeated (up to ``PLACEMENT_TRIES`` times) instead of launching from the water.
    """
    bx, by, nx, ny = geo.border_point(float(rng.uniform(0.05, 0.95)))
    south, north = _u(rng, cfg.launch_south_m), _u(rng, cfg.drop_north_m)
    lateral = rng.normal(0.0, 600.0)
    speed, agl = _u(rng, cfg.speed_mps), _u(rng, cfg.cruise_agl_m)
    hover = _u(rng, cfg.hover_s)
    endurance = _u(rng, cfg.endurance_s)
    overhead = 2 * agl / CLIMB_MPS + hover + 2 * agl / DESCENT_MPS + 60.0
    budget = 0.9 * endurance - overhead
    for _ in range(PLACEMENT_TRIES):
        # If the battery (with a 10 % reserve) would not bring it home, the pilot launches
        # closer to the border and drops closer to it: both legs shrink, the crossing stays.
        leg = float(np.hypot(south + north, lateral * 0.7))
        if 2 * leg / speed > budget:
            f = max(budget * speed / (2 * leg), 0.05)
            south, north, lateral = south * f, north * f, lateral * f
        lx, ly = bx - nx * south + ny * lateral * 0.3, by - ny * south - nx * lateral * 0.3
        dx, dy = bx + nx * north + ny * lateral, by + ny * north - nx * lateral
        if geo.side(np.array([lx, dx]), np.array([ly, dy])).tolist() == [MEXICO, US]:
            break
        bx, by, nx, ny = geo.border_point(float(rng.uniform(0.05, 0.95)))
        south, north = _u(rng, cfg.launch_south_m), _u(rng, cfg.drop_north_m)
        lateral = rng.normal(0.0, 600.0)
    else:
        raise GeographyError(
            f"no launch on Mexican land with a drop on US land in {PLACEMENT_TRIES} draws:"
            " does the sector hold land on both sides of the border?"
        )
    g = float(geo.ground_at(lx, ly))
    launch = (lx, ly, g)
    drop = (dx, dy, g)
    drop_agl = _u(rng, cfg.drop_agl_m)
    gd = float(geo.ground_at(drop[0], drop[1]))
    cruise = max(g, gd) + agl
    path = (
        Path(launch)
        .to((launch[0], launch[1], cruise), CLIMB_MPS)
        .to((drop[0], drop[1], cruise), speed)
        .hold(hover / 2)
        .to((drop[0], drop[1], gd + drop_agl), DESCENT_MPS)
        .hold(hover / 2)
        .to((drop[0], drop[1], cruise), CLIMB_MPS)
        .to((launch[0], launch[1], cruise), speed)
        .to(launch, DESCENT_MPS)
    )
    return _finish(
        rng,
        path,
        tid=tid,
        role="smuggler",
        t0=t0,
        rcs=cfg.rcs_m2,
        link_fraction=cfg.rf_link_fraction,
        launch_xy=launch[:2],
        geo=geo,
    )


def convoy(
    cfg: ConvoyTraffic, geo: Geography, t0: float, rng: np.random.Generator, tid: str
) -> list[Target]:
    """Several smugglers flying one route in a loose formation: a leader and followers
    offset ``spacing_m`` from it in random directions, each with its own wander, echo
    and link."""
    lead = smuggler(cfg, geo, t0, rng, f"{tid}-1")
    n = int(rng.integers(cfg.size[0], cfg.size[1] + 1))
    out = [lead]
    for m in range(2, n + 1):
        spacing = _u(rng, cfg.spacing_m)
        ang = rng.uniform(0, 2 * np.pi)
        offset = np.array([spacing * np.cos(ang), spacing * np.sin(ang), rng.normal(0, 5.0)])
        w = rng.normal(0.0, 1.0, lead.xyz.shape)
        w = uniform_filter1d(w, size=10, axis=0, mode="nearest") * np.sqrt(10.0) * 0.8
        xyz = lead.xyz + offset + w
        xyz[:, 2] = np.maximum(xyz[:, 2], geo.ground_at(xyz[:, 0], xyz[:, 1]))
        link = (
            np.ones(len(xyz), dtype=bool)
            if rng.uniform() < cfg.rf_link_fraction
            else (lead.link.copy() if lead.link is not None else None)
        )
        out.append(
            Target(
                id=f"{tid}-{m}",
                kind=TargetClass.DRONE,
                role="smuggler",
                t0=t0,
                xyz=xyz,
                vel=np.gradient(xyz, axis=0),
                rcs_m2=_u(rng, cfg.rcs_m2),
                link=link,
                attrs={
                    "protocol": PROTOCOLS[int(rng.integers(len(PROTOCOLS)))],
                    "group": tid,
                },
            )
        )
    lead.attrs["group"] = tid
    return out


#: Spacing of the checks along a leg, and how often a leg that strays over the line is
#: split (a patrol's 11 legs x 2**6 at most: ~30 m apart on the longest patrol).
LEG_CHECK_M = 20.0
LEG_SPLITS = 6
#: How far south a point steps at a time, and at most how often (a patrol's turn point
#: 20 times, as it always did; a split point 30).
STEP_SOUTH_M = 100.0
PATROL_STEPS_SOUTH = 20
STEPS_SOUTH = 30


def _into_mexico(
    geo: Geography, x: float, y: float, nx: float, ny: float, steps: int
) -> tuple[float, float]:
    """(x, y) stepped south (against the normal ``nx, ny``) ``STEP_SOUTH_M`` at a time,
    at most ``steps`` times, until over Mexican land: where the river bends."""
    for _ in range(steps):
        if geo.in_mexico(np.array([x]), np.array([y]))[0]:
            break
        x, y = x - nx * STEP_SOUTH_M, y - ny * STEP_SOUTH_M
    return x, y


def _south_of(geo: Geography, x: float, y: float, standoff: float) -> tuple[float, float]:
    """The point ``standoff`` south of the border point nearest (x, y) or, if (x, y) is
    farther south already, (x, y) itself; then over Mexican land (``_into_mexico``)."""
    bx, by, nx, ny = geo.border_point(geo.border_fraction(x, y))
    depth = -((x - bx) * nx + (y - by) * ny)  # metres south of the line
    if depth < standoff:
        x, y = x - nx * (standoff - depth), y - ny * (standoff - depth)
    return _into_mexico(geo, x, y, nx, ny, STEPS_SOUTH)


def _leg_in_us(geo: Geography, a: tuple[float, float], b: tuple[float, float]) -> bool:
    n = max(int(np.hypot(b[0] - a[0], b[1] - a[1]) // LEG_CHECK_M), 1) + 1
    f = np.linspace(0.0, 1.0, n + 1)
    return bool((geo.side(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])) == US).any())


def clear_leg(
    geo: Geography,
    a: tuple[float, float],
    b: tuple[float, float],
    standoff: float,
    splits: int = LEG_SPLITS,
) -> list[tuple[float, float]]:
    """The turn points after ``a`` up to ``b`` of a leg that stays out of the US: ``[b]``
    if the straight leg does, else via its midpoint moved ``standoff`` south of the line
    (each half split again, up to ``splits`` times).

    A background patrol watches from the Mexican side (``SurveillanceTraffic``). The
    incursions a month counts are its planned flights (``sim/rates.py``: the sourced
    monthly total); patrols that cut across the river's bends on every pass added some
    2,100 crossings a month that no source has and no truth listed
    (docs/notes/wave10.md). Draws nothing: a flight's random draws are unchanged.
    """
    if splits <= 0 or not _leg_in_us(geo, a, b):
        return [b]
    m = _south_of(geo, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2, standoff)
    return clear_leg(geo, a, m, standoff, splits - 1) + clear_leg(geo, m, b, standoff, splits - 1)


def _patrol_point(geo: Geography, s: float, standoff: float) -> tuple[float, float]:
    """``standoff`` south of the border at fraction ``s``, over Mexican land."""
    bx, by, nx, ny = geo.border_point(s)
    return _into_mexico(geo, bx - nx * standoff, by - ny * standoff, nx, ny, PATROL_STEPS_SOUTH)


def patrol_route(
    geo: Geography, s0: float, span: float, standoff: float
) -> list[tuple[float, float]]:
    """The patrol's turn points: 12 along ``span`` of the border from ``s0``, and between
    two of them, where the straight leg would cut across a bend of the river into the
    US, more (``clear_leg``)."""
    base = [_patrol_point(geo, float(s), standoff) for s in np.linspace(s0, s0 + span, 12)]
    out = [base[0]]
    for a, b in itertools.pairwise(base):
        out += clear_leg(geo, a, b, standoff)
    return out


# size: deterministic draw order: splitting risks the seeded output
def surveillance(
    cfg: SurveillanceTraffic, geo: Geography, t0: float, rng: np.random.Generator, tid: str
) -> Target:
    """Launch in Mexico, climb high, patrol back and forth along the border on its south
    side (``standoff_m`` from the line, following its bends), loitering ``watch_s`` at
    the end of each pass to watch, until the battery calls it home."""
    length = geo.border_length_m
    span = _u(rng, cfg.patrol_length_m) / length
    s0 = float(rng.uniform(0.05, max(0.95 - span, 0.06)))
    standoff = _u(rng, cfg.standoff_m)
    for _ in range(PLACEMENT_TRIES):  # the patrol and the launch over Mexican land
        pts = patrol_route(geo, s0, span, standoff)
        _, _, nx, ny = geo.border_point(s0 + span / 2)
        mx, my = np.mean(pts, axis=0)
        lx, ly = mx - nx * 1500.0 + rng.normal(0, 300), my - ny * 1500.0 + rng.normal(0, 300)
        xs, ys = np.array([*np.array(pts)[:, 0], lx]), np.array([*np.array(pts)[:, 1], ly])
        if geo.in_mexico(xs, ys).all():
            break
        s0 = float(rng.uniform(0.05, max(0.95 - span, 0.06)))
    else:
        raise GeographyError(
            f"no patrol over Mexican land in {PLACEMENT_TRIES} draws: does the sector hold"
            " Mexican land along the border?"
        )
    g = float(geo.ground_at(lx, ly))
    launch = (lx, ly, g)
    px_, py_ = np.array(pts).T
    agl = _u(rng, cfg.cruise_agl_m)
    g = max(g, float(np.max(geo.ground_at(px_, py_))))  # fly level over the highest spot
    speed = _u(rng, cfg.speed_mps)
    patrol_speed = min(speed, 8.0)
    endurance = 0.85 * _u(rng, cfg.endurance_s)
    path = Path(launch).to((launch[0], launch[1], g + agl), CLIMB_MPS)
    for px, py in clear_leg(geo, launch[:2], pts[0], standoff):
        path.to((px, py, g + agl), speed)
    home = float(np.hypot(pts[0][0] - launch[0], pts[0][1] - launch[1]))
    forward = True
    while True:
        seq = pts[1:] if forward else pts[-2::-1]
        for px, py in seq:
            path.to((px, py, g + agl), patrol_speed)
        path.hold(_u(rng, cfg.watch_s))  # loiter at the end of the pass, watching
        forward = not forward
        back = home + float(np.hypot(mx - pts[0][0], my - pts[0][1])) + 2000.0
        if path.duration_s + back / speed + agl / DESCENT_MPS > endurance:
            break
    here = pts[-1] if not forward else pts[0]  # where the last pass ended
    for px, py in clear_leg(geo, here, launch[:2], standoff):
        path.to((px, py, g + agl), speed)
    path.to(launch, DESCENT_MPS)
    return _finish(
        rng,
        path,
        tid=tid,
        role="surveillance",
        t0=t0,
        rcs=cfg.rcs_m2,
        link_fraction=cfg.rf_link_fraction,
        launch_xy=launch[:2],
        geo=geo,
    )


def hobby(
    cfg: HobbyTraffic,
    geo: Geography,
    t0: float,
    rng: np.random.Generator,
    tid: str,
    centre_xy: tuple[float, float],
) -> Target:
    """A pilot on the US side flies a few legs within sight (< 1.5 km) and lands."""
    for _ in range(50):  # the pilot stands in the US, over the city
        r = cfg.area_radius_m * np.sqrt(rng.uniform())
        th = rng.uniform(0, 2 * np.pi)
        ox, oy = centre_xy[0] + r * np.cos(th), centre_xy[1] + r * np.sin(th)
        if geo.in_us(ox, oy):  # on US land, not across the border nor at sea
            break
    g = float(geo.ground_at(ox, oy))
    speed = _u(rng, cfg.speed_mps)
    endurance = _u(rng, cfg.endurance_s)
    flight_s = float(rng.uniform(0.3, 0.8)) * endurance
    path = Path((ox, oy, g))
    agl = _u(rng, cfg.cruise_agl_m)
    path.to((ox, oy, g + agl), CLIMB_MPS)
    while path.duration_s < flight_s:
        d = rng.uniform(100.0, 1500.0)
        th = rng.uniform(0, 2 * np.pi)
        alt = g + float(np.clip(agl + rng.normal(0, 20.0), 20.0, 120.0))
        path.to((ox + d * np.cos(th), oy + d * np.sin(th), alt), speed)
        path.hold(float(rng.uniform(0, 60.0)))
    path.to((ox, oy, g + 20.0), speed).to((ox, oy, g), DESCENT_MPS)
    op_lat, op_lon, _ = geo.frame.to_geodetic(ox, oy, 0.0)
    compliant = bool(rng.uniform() < cfg.remote_id_fraction)
    return _finish(
        rng,
        path,
        tid=tid,
        role="hobby",
        t0=t0,
        rcs=cfg.rcs_m2,
        link_fraction=cfg.rf_link_fraction,
        launch_xy=(ox, oy),
        geo=geo,
        remote_id=compliant,
        operator=(round(float(op_lat), 7), round(float(op_lon), 7)),
    )
