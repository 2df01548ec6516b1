"""Human-readable tables of a plan analysis (rich), for ``skywarden laser plan``.

Why separate from the analysis: the numbers are computed once (:mod:`analysis`) and
rendered here in the units aviation people read (ft, NM, minutes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from skywarden.geo import M_PER_FT, M_PER_NM


def _m(v: float | None) -> str:
    if v is None:
        return "n/a (not visible)"
    return f"{v:,.0f} m  ({v / M_PER_FT:,.0f} ft, {v / M_PER_NM:,.1f} NM)"


def _a(nm2: float) -> str:
    """An area in NM², readable at every scale."""
    return f"{nm2:,.0f}" if nm2 >= 10 else f"{nm2:.2f}"


def _t(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%MZ")


# size: a console report's tables, printed top to bottom
def render(r: dict[str, Any], *, notam: bool = False, console: Console | None = None) -> None:
    """Print the distances, zones, TFR, flows, flights and the blanket comparison."""
    c = console or Console()
    d, vac = r["distances"], r["vacuum_distances"]
    t = Table(title=f"{r['name']}: hazard distances")
    t.add_column("distance")
    t.add_column(f"with atmosphere ({r['attenuation_per_km']:.3f}/km)", justify="right")
    t.add_column("vacuum", justify="right")
    t.add_row("MPE", f"{d['mpe_w_cm2'] * 1e3:.4g} mW/cm² for {d['exposure_s']:g} s", "")
    for k, name in (("nohd_m", "NOHD"), ("szed_m", "SZED"), ("czed_m", "CZED"), ("lfed_m", "LFED")):
        t.add_row(name, _m(d[k]), _m(vac[k]))
    c.print(t)

    z = Table(title="flight zones penetrated (irradiance at the nearest point inside)")
    for col in ("zone", "kind", "nearest range", "irradiance", "limit", "exceeds"):
        z.add_column(col)
    for h in r["zones_penetrated"]:
        z.add_row(
            h["zone"],
            h["kind"],
            f"{h['nearest_range_m']:,.0f} m",
            f"{h['irradiance_w_cm2']:.3g} W/cm²",
            f"{h['limit_w_cm2']:.3g} W/cm²",
            "YES" if h["exceeds"] else "no",
        )
    c.print(z)

    tfr = r["tfr"]
    c.print(
        f"[bold]Smallest TFR[/bold]: {tfr['radius_nm']:.1f} NM radius of "
        f"{tfr['centre_lat']:.5f}, {tfr['centre_lon']:.5f}, "
        f"SFC-{tfr['ceiling_ft_msl']:,.0f} ft MSL, "
        f"{_t(tfr['start_t'])}-{_t(tfr['end_t'])} ({tfr['minutes']:.0f} min); "
        f"cylinder {_a(tfr['cylinder_area_nm2'])} NM², polygon {_a(tfr['polygon_area_nm2'])} NM²"
    )
    f = Table(title="runway flows through the hazard volume (nominal paths, 12 NM)")
    for col in ("flow", "from NM", "to NM", "altitude ft MSL"):
        f.add_column(col)
    for h in r["flows_touched"]:
        f.add_row(
            h["label"],
            f"{h['from_nm']:.1f}",
            f"{h['to_nm']:.1f}",
            f"{h['min_alt_ft']:,}-{h['max_alt_ft']:,}",
        )
    c.print(f)
    if r.get("flights") is not None:
        fl = Table(title=f"recorded flights inside the volume in the window: {len(r['flights'])}")
        for col in ("track", "callsign", "first", "last", "flow"):
            fl.add_column(col)
        for e in r["flights"]:
            fl.add_row(
                e["track"], e["callsign"] or "", _t(e["first_t"]), _t(e["last_t"]), e["flow"] or ""
            )
        c.print(fl)
    hr = r.get("hold_replay")
    if hr is not None:
        c.print(
            f"[bold]Live hold-fire replayed over the recording[/bold]: HOLD "
            f"{hr['hold_minutes']:.1f} min, CLEAR {hr['clear_minutes']:.1f} min of "
            f"{hr['window_minutes']:.0f} ({hr['scans']} scans, {len(hr['periods'])} hold periods)"
        )
    s = r["comparison"]
    cmp_ = Table(title="this plan beside a blanket closure")
    cmp_.add_column("")
    cmp_.add_column("laser TFR", justify="right")
    cmp_.add_column("blanket closure", justify="right")
    cmp_.add_row(
        "minutes",
        f"{s['tfr_minutes']:.0f}",
        f"{s['blanket_minutes']:.0f}"
        + (
            f" (announced {s['blanket_announced_minutes']:.0f})"
            if s["blanket_announced_minutes"]
            else ""
        ),
    )
    cmp_.add_row(
        "area NM²",
        f"{_a(s['tfr_area_nm2'])} (site-centred circle: {_a(s['site_circle_area_nm2'])})",
        _a(s["blanket_area_nm2"]),
    )
    cmp_.add_row(
        "ceiling ft MSL", f"{s['tfr_ceiling_ft_msl']:,.0f}", f"{s['blanket_ceiling_ft_msl']:,.0f}"
    )
    cmp_.add_row(
        "runway flows affected",
        f"{s['flows_touched']} of {s['flows_total']}",
        f"{s['flows_total']} of {s['flows_total']}",
    )
    cmp_.add_row(
        "flow-minutes", f"{s['flow_minutes_restricted']:.0f}", f"{s['blanket_flow_minutes']:.0f}"
    )
    c.print(cmp_)
    if notam and "notam" in r:
        c.print("[bold]FAA domestic NOTAM[/bold]")
        c.print(r["notam"]["faa_domestic"], markup=False, soft_wrap=True)
        c.print("[bold]ICAO NOTAM[/bold]")
        c.print(r["notam"]["icao"], markup=False, soft_wrap=True)
    if "plot" in r:
        c.print(f"map: {r['plot']}")
