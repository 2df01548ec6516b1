"""A PNG map of a laser plan: hazard footprint, flight zones, runway flows and the TFR.

Why: the officer, the tower and the FAA reviewer agree faster on a picture. Left: plan
view in km east/north of the laser site (the site's ENU frame); right: the vertical
section along the fan's centre bearing, with the flows' altitudes where they cross it.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from shapely.geometry import MultiPolygon, Polygon

from skywarden.geo import FT_PER_M, M_PER_NM
from skywarden.laser.analysis import PlanAnalysis
from skywarden.laser.flight_zones import FlightZone
from skywarden.refdata import airport, runways

_ZONE_STYLE = {
    FlightZone.LASER_FREE: ("tab:red", "laser-free zone (2,000 ft AGL)"),
    FlightZone.CRITICAL: ("tab:orange", "critical zone (10,000 ft AGL)"),
    FlightZone.SENSITIVE: ("tab:purple", "sensitive zone"),
}


def _outline(ax: plt.Axes, geom: object, color: str, label: str | None, lw: float) -> None:
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    for i, p in enumerate(polys):
        if isinstance(p, Polygon):
            x, y = p.exterior.xy
            ax.plot(
                np.asarray(x) / 1000,
                np.asarray(y) / 1000,
                color=color,
                label=label if i == 0 else None,
                lw=lw,
            )


# size: a plot's figure layout: two panels drawn layer by layer
def plot_plan(a: PlanAnalysis, out: str | Path) -> Path:
    """Draw ``a`` to ``out`` (PNG) and return the path."""
    vol, frame = a.volume, a.volume.frame
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, 7.5), gridspec_kw={"width_ratios": [1.25, 1]})
    labelled: set[FlightZone] = set()
    for z in a.zones:
        color, label = _ZONE_STYLE.get(z.zone, ("grey", str(z.zone)))
        _outline(ax, z.polygon, color, None if z.zone in labelled else label, lw=1.2)
        labelled.add(z.zone)
    fp = vol.footprint
    x, y = fp.exterior.xy
    ax.fill(
        np.asarray(x) / 1000,
        np.asarray(y) / 1000,
        color="tab:blue",
        alpha=0.25,
        label=f"eye-hazard footprint (NOHD {vol.range_m / 1000:.1f} km)",
    )
    # TFR cylinder and polygon
    t = a.tfr
    cx, cy, _ = frame.to_enu(t.centre_lat, t.centre_lon, 0.0)
    th = np.linspace(0, 2 * math.pi, 361)
    r = t.radius_nm * M_PER_NM
    ax.plot(
        (cx + r * np.sin(th)) / 1000,
        (cy + r * np.cos(th)) / 1000,
        "k--",
        lw=1.2,
        label=f"TFR cylinder {t.radius_nm:.1f} NM, SFC-{t.ceiling_ft_msl:,.0f} ft MSL",
    )
    plon = np.array([p[0] for p in t.polygon])
    plat = np.array([p[1] for p in t.polygon])
    px, py, _ = frame.to_enu(plat, plon, np.zeros_like(plat))
    ax.plot(
        np.append(px, px[0]) / 1000,
        np.append(py, py[0]) / 1000,
        "k:",
        lw=1.2,
        label=f"TFR polygon {t.polygon_area_nm2:.0f} NM² (cylinder {t.cylinder_area_nm2:.0f})",
    )
    # the blanket closure it is compared with, around the first airport
    if a.plan.spec.airports:
        ap0 = airport(a.plan.spec.airports[0])
        bx, by, _ = frame.to_enu(ap0.lat, ap0.lon, 0.0)
        br = a.plan.spec.blanket.radius_nm * M_PER_NM
        ax.plot(
            (bx + br * np.sin(th)) / 1000,
            (by + br * np.cos(th)) / 1000,
            color="0.4",
            ls="-.",
            lw=1.0,
            label=f"blanket closure {a.plan.spec.blanket.radius_nm:g} NM around {ap0.icao}",
        )
    # runways, flows
    touched = {h.flow.label for h in a.flow_hits}
    for f in a.flows:
        fx, fy, _ = frame.to_enu(f.lat, f.lon, f.alt_m)
        hit = f.label in touched
        ax.plot(
            np.asarray(fx) / 1000,
            np.asarray(fy) / 1000,
            color="tab:red" if hit else "0.7",
            lw=2.0 if hit else 0.6,
            alpha=0.9,
        )
    for icao_code in a.plan.spec.airports:
        ap = airport(icao_code)
        for rw in runways(icao_code):
            e0, e1 = rw.ends
            rx, ry, _ = frame.to_enu(
                np.array([e0.lat, e1.lat]),
                np.array([e0.lon, e1.lon]),
                np.array([e0.elevation_m, e1.elevation_m]),
            )
            ax.plot(np.asarray(rx) / 1000, np.asarray(ry) / 1000, "k-", lw=3)
        ax_, ay_, _ = frame.to_enu(ap.lat, ap.lon, ap.elevation_m)
        ax.annotate(
            icao_code, (ax_ / 1000, ay_ / 1000), xytext=(-30, 8), textcoords="offset points"
        )
    ax.plot([], [], color="tab:red", lw=2, label="runway flows touched")
    ax.plot([], [], color="0.7", lw=0.6, label="other runway flows (12 NM)")
    ax.plot(0, 0, "b^", ms=10, label="laser site")
    ax.set_aspect("equal")
    ax.set_xlabel("km east of the laser")
    ax.set_ylabel("km north of the laser")
    ax.set_title(a.plan.name, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    # vertical section along the fan centre
    fan = vol.fan
    rr = np.linspace(0, vol.range_m, 200)
    for el, style in ((fan.elevation_min_deg, "b-"), (fan.elevation_max_deg, "b-")):
        height_kft = (vol.site_alt_m + rr * math.sin(math.radians(el))) * FT_PER_M / 1000
        ax2.plot(rr * math.cos(math.radians(el)) / 1000, height_kft, style)
    arc = np.radians(np.linspace(fan.elevation_min_deg, fan.elevation_max_deg, 50))
    hx = vol.range_m * np.cos(arc) / 1000
    hz = (vol.site_alt_m + vol.range_m * np.sin(arc)) * FT_PER_M / 1000
    ax2.plot(hx, hz, "b-")
    ax2.fill(
        np.concatenate([[0], hx]),
        np.concatenate([[vol.site_alt_m * FT_PER_M / 1000], hz]),
        color="tab:blue",
        alpha=0.25,
        label="hazard volume (fan elevation limits)",
    )
    ax2.axhline(t.ceiling_ft_msl / 1000, color="k", ls="--", lw=1, label="TFR ceiling")
    ax2.axhline(
        a.plan.spec.blanket.ceiling_ft_msl / 1000,
        color="0.5",
        ls=":",
        lw=1,
        label="blanket closure ceiling",
    )
    for h in a.flow_hits:
        f = h.flow
        fx, fy, _ = frame.to_enu(f.lat, f.lon, f.alt_m)
        ax2.plot(np.hypot(fx, fy) / 1000, f.alt_m * FT_PER_M / 1000, lw=1.5, label=f.label)
    ax2.set_xlabel("horizontal distance from the laser, km")
    ax2.set_ylabel("altitude, thousand ft MSL")
    ax2.set_title("vertical extent (flows at their distance from the laser)", fontsize=10)
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
