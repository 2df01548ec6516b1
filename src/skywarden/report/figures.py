"""The report's figures as PNG bytes: hot-spot map, per day, per hour, coverage,
incidents by kind and runway-pause minutes per airport.

Drawn on matplotlib ``Figure`` objects with the Agg canvas (no pyplot, no global state),
so the web service may draw them in its thread pool. Labels come from data (sector,
airport and incident-kind names are untrusted): their tick labels are drawn with
mathtext off, so a name with ``$`` signs is drawn as it is instead of being parsed (or
failing to parse). No rcParams are changed: they are global, and threads share them.
The hot-spot map draws each H3 cell's own hexagon (``h3.cell_to_boundary``) over the
shipped border and country outlines, in longitude/latitude at the aspect of the mean
latitude, so distances look right.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from skywarden.report.view import Bar, ReportView

DPI = 110
BAR = "#2f5d8a"
ACCENT = "#c0392b"
MAP_MARGIN_DEG = 0.3
MIN_MAP_DEG = 0.8  # a map of one cell still shows its stretch of border
MAP_BOX = 1.6  # width / height of the hot-spot map's axes beside its colour bar
WIDE_MAP_DEG = 1.5  # wider than this, an H3 cell of a few km is a dot: add markers


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _bars(ax: Axes, bars: Sequence[Bar], colour: str = BAR, rotate: bool = False) -> None:
    """Vertical bars with their values on top; labels rotated when they are long."""
    x = np.arange(len(bars))
    values = [b.value for b in bars]
    ax.bar(x, values, color=colour)
    ax.set_xticks(x, [b.label for b in bars], rotation=60 if rotate else 0,
                  ha="right" if rotate else "center", parse_math=False)  # fmt: skip
    if len(bars) <= 40:
        for xi, v in zip(x, values, strict=True):
            ax.annotate(f"{v:,.0f}", (float(xi), v), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 1), textcoords="offset points")  # fmt: skip
    ax.set_ylim(0, max([*values, 1.0]) * 1.15)


def _hbars(ax: Axes, bars: Sequence[Bar], unit: str, colour: str = BAR) -> None:
    """Horizontal bars for named categories (airports, incident kinds), largest on top."""
    rows = sorted(bars, key=lambda b: b.value)
    y = np.arange(len(rows))
    ax.barh(y, [b.value for b in rows], color=colour)
    ax.set_yticks(y, [b.label for b in rows], parse_math=False)
    for yi, b in zip(y, rows, strict=True):
        ax.annotate(f"{b.value:,.0f}", (b.value, float(yi)), va="center", fontsize=7,
                    xytext=(2, 0), textcoords="offset points")  # fmt: skip
    ax.set_xlabel(unit)
    ax.set_xlim(0, max([b.value for b in rows] + [1.0]) * 1.15)


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777")
    ax.set_xticks([])
    ax.set_yticks([])


def _background(ax: Axes) -> None:
    """The shipped country fills and the border line, for orientation."""
    from skywarden import refdata

    for code, colour in (("USA", "#fbfaf7"), ("MEX", "#efe6d2")):
        geom = refdata.countries().get(code)
        for p in getattr(geom, "geoms", [geom]) if geom is not None else []:
            xs, ys = p.exterior.xy
            ax.fill(xs, ys, color=colour, zorder=0, lw=0)
    bx, by = refdata.border_line().xy
    ax.plot(bx, by, color="#7b241c", lw=1.2, ls="--", zorder=2, label="US-Mexico border")


def _behaviour_points(ax: Axes, view: ReportView) -> None:
    """Drops and loiters where they happened (absent from the partner version)."""
    for pts, marker, colour, label in (
        (view.drop_points, "v", "#4a148c", "drop"),
        (view.loiter_points, "o", "#00695c", "loiter"),
    ):
        if pts:
            # beneath the hot spots, light: where they happened, without hiding the cells
            ax.scatter([p[1] for p in pts], [p[0] for p in pts], marker=marker, s=9,
                       facecolors="none", edgecolors=colour, linewidths=0.6, alpha=0.55,
                       zorder=2.5, label=f"{label} ({len(pts)})")  # fmt: skip


def _frame(ax: Axes, lons: np.ndarray, lats: np.ndarray) -> None:
    """Limits around the data, at least ``MIN_MAP_DEG`` wide, at the latitude's aspect,
    the shorter side widened to the map's box (``MAP_BOX``) so the map fills its figure."""
    cx, cy = (lons.min() + lons.max()) / 2, (lats.min() + lats.max()) / 2
    k = float(np.cos(np.radians(cy)))  # east-west degrees are shorter
    half_x = max(np.ptp(lons) / 2 + MAP_MARGIN_DEG, MIN_MAP_DEG / 2)
    half_y = np.ptp(lats) / 2 + MAP_MARGIN_DEG
    half_x, half_y = max(half_x, half_y * MAP_BOX / k), max(half_y, half_x * k / MAP_BOX)
    ax.set_xlim(cx - half_x, cx + half_x)
    ax.set_ylim(cy - half_y, cy + half_y)
    ax.set_aspect(1.0 / k)
    ax.xaxis.set_major_locator(MaxNLocator(7))


def hotspot_map(view: ReportView) -> bytes:
    """H3 cells shaded by incursions counted in them, over the border."""
    import h3
    from matplotlib.collections import PolyCollection

    fig = Figure(figsize=(9.0, 4.8))
    ax = fig.subplots()
    ax.set_facecolor("#dfe9f2")
    if not view.hotspots:
        _empty(ax, "no hot spots")
        return _png(fig)
    rings = [[(lon, lat) for lat, lon in h3.cell_to_boundary(s.cell)] for s in view.hotspots]
    counts = np.array([s.count for s in view.hotspots], dtype=float)
    norm = Normalize(0.0, max(float(counts.max()), 1.0))
    _background(ax)
    cells = PolyCollection(rings, array=counts, cmap="YlOrRd", norm=norm, edgecolors="#5a1a00",
                           linewidths=0.3, zorder=3)  # fmt: skip
    ax.add_collection(cells)
    bar = fig.colorbar(cells, ax=ax, label="incursions per cell", shrink=0.8)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    lons = np.array([p[0] for r in rings for p in r])
    lats = np.array([p[1] for r in rings for p in r])
    if max(np.ptp(lons), np.ptp(lats)) > WIDE_MAP_DEG:  # cells too small to see: mark them
        ax.scatter(
            [s.lon for s in view.hotspots],
            [s.lat for s in view.hotspots],
            s=12 + 140 * counts / counts.max(),
            c=counts,
            cmap="YlOrRd",
            norm=norm,
            edgecolors="#5a1a00",
            linewidths=0.4,
            zorder=4,
        )
    _behaviour_points(ax, view)
    _frame(ax, lons, lats)
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    res = "" if view.hotspot_resolution is None else f", H3 resolution {view.hotspot_resolution}"
    total = int(counts.sum())
    ax.set_title(f"Hot spots: {total:,} incursions in {len(view.hotspots):,} cells{res}")
    ax.legend(loc="lower left", fontsize=7)
    fig.tight_layout()
    return _png(fig)


def per_day(view: ReportView) -> bytes:
    """Incursions per UTC day."""
    fig = Figure(figsize=(9.0, 3.0))
    ax = fig.subplots()
    if view.per_day:
        _bars(ax, view.per_day, rotate=len(view.per_day) > 7)
    else:
        _empty(ax, "no incursions")
    ax.set_ylabel("incursions")
    ax.set_title("Incursions per day (UTC)")
    fig.tight_layout()
    return _png(fig)


def per_hour(view: ReportView) -> bytes:
    """Incursions per hour of day (UTC), all days together."""
    fig = Figure(figsize=(9.0, 3.0))
    ax = fig.subplots()
    if view.per_hour:
        _bars(ax, view.per_hour)
    else:
        _empty(ax, "no incursions")
    ax.set_xlabel("hour of day (UTC)")
    ax.set_ylabel("incursions")
    ax.set_title("Incursions by hour of day")
    fig.tight_layout()
    return _png(fig)


def coverage(view: ReportView) -> bytes:
    """The share of the border each sensor set sees, and counted vs estimated incursions."""
    fig = Figure(figsize=(9.0, 3.2))
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    cov = view.coverage
    if cov is None:
        why = "withheld" if view.coverage_withheld else "not computed"
        _empty(left, f"coverage {why}")
        _empty(right, f"estimate {why}")
        return _png(fig)
    _hbars(left, [Bar(s.name, 100.0 * s.share) for s in cov.sets], "% of the border in reach")
    left.set_xlim(0, 110)
    left.set_title("Border coverage by sensor set")
    right.bar([0, 1], [cov.counted, cov.total], color=[BAR, ACCENT])
    err = [[max(cov.total - cov.low, 0.0)], [max(cov.high - cov.total, 0.0)]]
    right.errorbar([1], [cov.total], yerr=err, color="black", capsize=6)
    right.set_xticks([0, 1], ["counted", "estimated total"])
    right.set_title(f"Seen and unseen ({100 * cov.confidence:.0f}% interval)")
    right.set_ylabel("incursions")
    fig.tight_layout()
    return _png(fig)


def incidents(view: ReportView) -> bytes:
    """Incidents by kind."""
    fig = Figure(figsize=(9.0, 0.9 + 0.28 * max(len(view.incidents_by_kind), 3)))
    ax = fig.subplots()
    if view.incidents_by_kind:
        _hbars(ax, view.incidents_by_kind, "incidents")
    else:
        _empty(ax, "no incidents")
    ax.set_title("Incidents by kind")
    fig.tight_layout()
    return _png(fig)


def runway_pauses(view: ReportView) -> bytes:
    """Minutes of recommended runway pauses per airport."""
    fig = Figure(figsize=(9.0, 0.9 + 0.28 * max(len(view.runway_pause_min), 3)))
    ax = fig.subplots()
    if view.runway_pause_min:
        _hbars(ax, view.runway_pause_min, "minutes paused", colour=ACCENT)
    else:
        _empty(ax, "no runway pauses")
    ax.set_title("Runway-pause minutes per airport")
    fig.tight_layout()
    return _png(fig)


# name -> (drawing, caption); the order is the report's order
FIGURES: dict[str, tuple[Callable[[ReportView], bytes], str]] = {
    "hotspots": (hotspot_map, "Hot spots on H3 cells along the border"),
    "per_day": (per_day, "Incursions per day"),
    "per_hour": (per_hour, "Incursions by hour of day"),
    "coverage": (coverage, "Coverage and the unseen estimate"),
    "incidents": (incidents, "Incidents by kind"),
    "runway_pauses": (runway_pauses, "Runway-pause minutes per airport"),
}


def render(view: ReportView, names: Sequence[str] | None = None) -> dict[str, bytes]:
    """PNG bytes of each named figure (all by default)."""
    wanted = list(FIGURES) if names is None else list(names)
    unknown = [n for n in wanted if n not in FIGURES]
    if unknown:
        raise KeyError(f"no figure {unknown[0]!r}; one of {', '.join(FIGURES)}")
    return {n: FIGURES[n][0](view) for n in wanted}
