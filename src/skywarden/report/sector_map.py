"""The sector map of a simulation run: border, runways, sensor coverage, truth by kind.

A static matplotlib figure (Agg backend, no display needed) in longitude/latitude with
the aspect ratio of the sector's latitude, so distances look right. Coverage outlines
are geodesic (``skywarden.geo.destination``) from each site to its maximum range over
its azimuth limits.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from skywarden.geo import destination

if TYPE_CHECKING:
    from skywarden.sim.engine import Simulation
    from skywarden.sim.output import RunSummary

ROLE_STYLE: dict[str, tuple[str, str]] = {
    "smuggler": ("#d62728", "smuggling drone"),
    "surveillance": ("#ff7f0e", "surveillance drone"),
    "hobby": ("#2ca02c", "hobby drone (Remote ID)"),
    "arrival": ("#1f77b4", "arrival"),
    "departure": ("#17becf", "departure"),
    "overflight": ("#9467bd", "overflight"),
    "bird": ("#8c8c8c", "bird"),
}
# Line width, opacity and layer by kind: drones on top, the busy manned traffic beneath.
LINE_STYLE: dict[str, tuple[float, float, int]] = {
    "drone": (1.5, 0.95, 5),
    "manned": (0.8, 0.55, 4),
    "bird": (0.5, 0.5, 3),
}
SENSOR_STYLE: dict[str, str] = {
    "radar": "#1f3b73",
    "rf": "#8e44ad",
    "remote_id": "#27ae60",
    "adsb": "#2c3e50",
    "visual": "#b8860b",
}


def _coverage(
    lat: float, lon: float, r: float, az0: float, az1: float
) -> tuple[list[float], list[float]]:
    full = az1 - az0 >= 360.0
    az = np.linspace(az0, az1, 121)
    la, lo = destination(np.full(az.shape, lat), np.full(az.shape, lon), az, np.full(az.shape, r))
    lats = [float(v) for v in np.asarray(la)]
    lons = [float(v) for v in np.asarray(lo)]
    if not full:
        lats, lons = [lat, *lats, lat], [lon, *lons, lon]
    return lons, lats


# size: a plot's figure layout: the sector map drawn layer by layer
def plot_sector(sim: Simulation, summary: RunSummary, png: str | Path, dpi: int = 110) -> Path:
    """Draw the map of a finished run into ``png`` and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from skywarden import refdata

    scn = sim.scn
    sec = scn.sector
    frame = sim.frame
    e = sec.extent_m
    lat_lo, lon_lo, _ = frame.to_geodetic(-e, -e, 0.0)
    lat_hi, lon_hi, _ = frame.to_geodetic(e, e, 0.0)

    fig, ax = plt.subplots(figsize=(10, 10))
    ax.set_facecolor("#f4f1ea")
    try:
        for code, colour in (("USA", "#fbfaf7"), ("MEX", "#efe6d2")):
            geom = refdata.countries().get(code)
            if geom is None:
                continue
            polys = getattr(geom, "geoms", [geom])
            for p in polys:
                xs, ys = p.exterior.xy
                ax.fill(xs, ys, color=colour, zorder=0, lw=0)
    except (OSError, KeyError, ValueError):
        pass  # background only; the border line below is what matters
    bx, by = sim.geo.border_lonlat.xy
    ax.plot(bx, by, color="#7b241c", lw=2.0, ls="--", zorder=2)

    placed: list[tuple[float, float]] = []  # label anchors so far, to stack neighbours
    for sensor in sim.sensors:
        c = sensor.cfg
        colour = SENSOR_STYLE.get(c.kind, "k")
        s = c.site
        ax.plot(s.lon, s.lat, marker="^", color=colour, ms=7, zorder=6)
        # Co-located sensors share one anchor and stack their labels beneath it.
        cluster = [
            (lo, la) for lo, la in placed if abs(lo - s.lon) < 0.02 and abs(la - s.lat) < 0.02
        ]
        anchor = cluster[0] if cluster else (s.lon, s.lat)
        near = len(cluster)
        placed.append((s.lon, s.lat))
        ax.annotate(
            c.id,
            anchor,
            xytext=(6, 4 - 9 * near),
            textcoords="offset points",
            fontsize=7,
            color=colour,
            zorder=7,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.75, "lw": 0},
        )
        if c.range_max_m > 3 * e:
            continue  # ADS-B: the whole map
        az0, az1 = (c.azimuth_min_deg, c.azimuth_max_deg) if c.kind == "radar" else (0.0, 360.0)
        lo, la = _coverage(s.lat, s.lon, c.range_max_m, az0, az1)
        ax.plot(lo, la, color=colour, lw=0.8, alpha=0.7, zorder=3)
        ax.fill(lo, la, color=colour, alpha=0.04, zorder=1)

    for icao, rws in sim.geo.runways.items():
        for rw in rws:
            a, b = rw.ends
            ax.plot(
                [a.lon, b.lon], [a.lat, b.lat], color="black", lw=3, solid_capstyle="butt", zorder=5
            )
        ap = sim.geo.airport(icao)
        ax.annotate(
            icao,
            (ap.lon, ap.lat),
            xytext=(-44, -6),
            textcoords="offset points",
            fontsize=9,
            weight="bold",
            zorder=8,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.8, "lw": 0},
        )

    seen: set[str] = set()
    for tid, pts in summary.tracks.items():
        if len(pts) < 2:
            continue
        _kind, role = summary.targets[tid]
        colour, _label = ROLE_STYLE.get(role, ("k", role))
        xs, ys = zip(*pts, strict=True)
        lw, alpha, z = LINE_STYLE.get(_kind, (1.0, 0.8, 4))
        ax.plot(xs, ys, color=colour, lw=lw, alpha=alpha, zorder=z)
        seen.add(role)

    handles = [
        Line2D([], [], color=ROLE_STYLE[r][0], lw=2, label=ROLE_STYLE[r][1])
        for r in ROLE_STYLE
        if r in seen
    ]
    handles += [
        Line2D([], [], color="#7b241c", lw=2, ls="--", label="US-Mexico border"),
        Line2D([], [], color="black", lw=3, label="runways"),
    ]
    handles += [
        Line2D([], [], color=v, marker="^", lw=0.8, label=f"{k} coverage")
        for k, v in SENSOR_STYLE.items()
        if any(s.cfg.kind == k for s in sim.sensors)
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    ax.set_xlim(float(lon_lo), float(lon_hi))
    ax.set_ylim(float(lat_lo), float(lat_hi))
    ax.set_aspect(1.0 / np.cos(np.radians(sec.origin.lat)))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    minutes = sim.n_ticks / 60
    ax.set_title(f"{sec.name}: {minutes:.0f} min from {sec.start:%Y-%m-%d %H:%M}Z, seed {sim.seed}")
    fig.tight_layout()
    out = Path(png)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return out
