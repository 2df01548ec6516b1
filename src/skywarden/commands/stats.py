"""``skywarden stats RUN_OR_STORE``: how many drone incursions, counted how.

    skywarden stats out/run                       # a `skywarden run` directory
    skywarden stats out/month --rule track        # a month directory (sectors/<ID>/)
    skywarden stats sqlite:///out/skywarden.db --since 2026-02-11T00:00Z --json

Prints the counts under the three rules (per alert, per track, per de-duplicated
incursion) each with its method, the breakdowns by sector, direction, day and hour,
the coverage model with its estimate of unseen incursions, H3 hot spots, drops and
loiters, runway-pause minutes and incidents by kind. ``--json`` prints the
:class:`~skywarden.analytics.Stats` record instead; ``--out FILE`` writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

if TYPE_CHECKING:
    from rich.console import Console

    from skywarden.analytics import CountingRule, RuleCount, Stats


# size: Typer command: 20 options, then one count-and-print flow
def stats(
    source: Annotated[
        str, typer.Argument(help="A run directory, a month directory or a store URL")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Stats record as JSON")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the Stats record to this JSON file")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this time (epoch s or ISO)")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this time (epoch s or ISO)")] = None,
    rule: Annotated[
        str, typer.Option(help="Rule the breakdowns and hot spots use: alert, track, incursion")
    ] = "incursion",
    recross_min: Annotated[
        float | None,
        typer.Option(
            "--recross-min",
            min=0.0,
            help="Minutes on the other side before a re-crossing counts again (default 10)",
        ),
    ] = None,
    evidence_share: Annotated[
        float | None,
        typer.Option(
            "--evidence-share",
            min=0.0,
            max=1.0,
            help="Share of a unit's track updates that must carry independent drone "
            "evidence for it to count (default 0.5)",
        ),
    ] = None,
    max_sigma_m: Annotated[
        float | None,
        typer.Option(
            "--max-sigma-m",
            min=0.0,
            help="Largest 1-sigma position error at the line for a crossing to count, m "
            "(default 100)",
        ),
    ] = None,
    across_sigmas: Annotated[
        float | None,
        typer.Option(
            "--across-sigmas",
            min=0.0,
            help="Within 30 s of the crossing, the track must put the drone this many of "
            "its 1-sigma position errors beyond the line (default 2; 0: not asked)",
        ),
    ] = None,
    origin_firm_m: Annotated[
        float | None,
        typer.Option(
            "--origin-firm-m",
            min=0.0,
            help="A drone first seen farther north of the line than this (m) came from "
            "the US side and is set apart (default 40, the crossing detector's "
            "hysteresis; inf: not asked)",
        ),
    ] = None,
    feed_start_s: Annotated[
        float | None,
        typer.Option(
            "--feed-start-s",
            help="A drone first seen this soon (s) after its sector's feed began was "
            "already flying, where from unseen, and is set apart (default 10; negative: "
            "not asked)",
        ),
    ] = None,
    line_first_m: Annotated[
        float | None,
        typer.Option(
            "--line-first-m",
            min=0.0,
            help="A drone first seen this near the line (m) whose first crossing was "
            "northbound was never seen south of it (launched on the line): set apart as "
            "where from unseen (default 40, the crossing detector's hysteresis; 0: not "
            "asked)",
        ),
    ] = None,
    rf_sites: Annotated[
        int | None,
        typer.Option(
            "--rf-sites",
            min=1,
            help="Direction finders whose bearings must have fed a track for RF link "
            "geometry alone to back an update (default 1; 2 sets apart a bird on one "
            "finder's ray, and the drones one finder alone hears)",
        ),
    ] = None,
    rf_sweep_sigmas: Annotated[
        float | None,
        typer.Option(
            "--rf-sweep-sigmas",
            min=0.0,
            help="With one direction finder on a track whose RF fit came late, the sweep "
            "of its bearing to the track, in bearing errors, for that fit to back an "
            "update alone (default 3; 0: not asked)",
        ),
    ] = None,
    rf_late_s: Annotated[
        float | None,
        typer.Option(
            "--rf-late-s",
            min=0.0,
            help="A one-finder RF fit first made this long (s) after its track began is "
            "asked for the sweep (default 60)",
        ),
    ] = None,
    rf_beside_s: Annotated[
        float | None,
        typer.Option(
            "--rf-beside-s",
            min=0.0,
            help="With one direction finder, its RF geometry backs no update after which, "
            "within this long (s), the tracker found the fitting bearings running beside "
            "the track: another emitter's ray that it crossed (default 120; 0: not asked)",
        ),
    ] = None,
    rf_disowned_s: Annotated[
        float | None,
        typer.Option(
            "--rf-disowned-s",
            min=0.0,
            help="With one direction finder, a verdict that its fitting bearings ran beside "
            "the track within this long (s) after the crossing withdraws its RF geometry "
            "from every update before the verdict (default 120; 0: not asked)",
        ),
    ] = None,
    rf_astray_s: Annotated[
        float | None,
        typer.Option(
            "--rf-astray-s",
            min=0.0,
            help="A direction finder whose own fitted bearings the tracker found not "
            "following the track within this long (s) after the crossing feeds none of its "
            "updates, and a finder left alone by that must show the sweep (default 0: not "
            "asked; needs a tracker run with the per-finder verdict, rf_astray)",
        ),
    ] = None,
    rf_behind_s: Annotated[
        float | None,
        typer.Option(
            "--rf-behind-s",
            min=0.0,
            help="A direction finder whose bearings stayed on a track's old ray for this "
            "long (s) after the track left it feeds none of its updates (default 0: not "
            "asked; reads the run's detections)",
        ),
    ] = None,
    rf_located_m: Annotated[
        float | None,
        typer.Option(
            "--rf-located-m",
            min=0.0,
            help="With one direction finder, its RF geometry backs no update at which the "
            "track knew its position no better than this (m, 1 sigma): held on the ray by "
            "those bearings alone (default 100; inf: not asked)",
        ),
    ] = None,
    h3_resolution: Annotated[
        int,
        typer.Option("--h3-resolution", min=0, max=15, help="H3 resolution of the hot spots"),
    ] = 7,
) -> None:
    """Count incursions honestly: per alert, per track and de-duplicated, with coverage."""
    from rich.console import Console

    from skywarden.analytics import RULES, compute_stats
    from skywarden.export.data import parse_time

    if rule not in RULES:
        typer.echo(f"error: --rule {rule!r}: one of {', '.join(RULES)}", err=True)
        raise typer.Exit(2)
    t0 = None if since is None else parse_time(since, "--since")
    t1 = None if until is None else parse_time(until, "--until")
    if t0 is not None and t1 is not None and t1 <= t0:
        typer.echo("error: --until must be after --since", err=True)
        raise typer.Exit(2)
    params = _params(
        recross_min,
        evidence_share,
        max_sigma_m,
        origin_firm_m,
        feed_start_s,
        rf_sites,
        rf_sweep_sigmas,
        rf_late_s,
        rf_beside_s,
        rf_located_m,
        line_first_m,
        across_sigmas,
        rf_disowned_s,
        rf_astray_s,
        rf_behind_s,
    )
    result = compute_stats(
        source, start=t0, end=t1, rule=rule, params=params, hotspot_resolution=h3_resolution
    )
    text = result.model_dump_json(indent=1)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
    if as_json:
        typer.echo(text)
        return
    console = Console()
    print_stats(console, result)
    if out is not None:
        console.print(f"wrote {out}")


def _params(
    recross_min: float | None,
    evidence_share: float | None,
    max_sigma_m: float | None,
    origin_firm_m: float | None = None,
    feed_start_s: float | None = None,
    rf_sites: int | None = None,
    rf_sweep_sigmas: float | None = None,
    rf_late_s: float | None = None,
    rf_beside_s: float | None = None,
    rf_located_m: float | None = None,
    line_first_m: float | None = None,
    across_sigmas: float | None = None,
    rf_disowned_s: float | None = None,
    rf_astray_s: float | None = None,
    rf_behind_s: float | None = None,
) -> CountingRule | None:
    """The counting rule's parameters the options changed (None: the stated defaults)."""
    from skywarden.analytics import CountingRule

    changed: dict[str, Any] = {}
    if recross_min is not None:
        changed["recross_s"] = recross_min * 60.0
    if evidence_share is not None:
        changed["evidence_share"] = evidence_share
    if max_sigma_m is not None:
        changed["max_sigma_m"] = max_sigma_m
    if origin_firm_m is not None:
        changed["origin_firm_m"] = origin_firm_m
    if feed_start_s is not None:
        changed["feed_start_s"] = feed_start_s
    if line_first_m is not None:
        changed["line_first_m"] = line_first_m
    if rf_sites is not None:
        changed["rf_sites"] = rf_sites
    if rf_sweep_sigmas is not None:
        changed["rf_sweep_sigmas"] = rf_sweep_sigmas
    if rf_late_s is not None:
        changed["rf_late_s"] = rf_late_s
    if rf_beside_s is not None:
        changed["rf_beside_s"] = rf_beside_s
    if rf_located_m is not None:
        changed["rf_located_m"] = rf_located_m
    if across_sigmas is not None:
        changed["across_sigmas"] = across_sigmas
    if rf_disowned_s is not None:
        changed["rf_disowned_s"] = rf_disowned_s
    if rf_astray_s is not None:
        changed["rf_astray_s"] = rf_astray_s
    if rf_behind_s is not None:
        changed["rf_behind_s"] = rf_behind_s
    return CountingRule(**changed) if changed else None


def print_stats(console: Console, s: Stats) -> None:
    """The readable tables of a Stats record."""
    from rich.table import Table

    console.print(
        f"[bold]{escape(str(s.source))}[/bold] ({s.kind}, {len(s.sectors)} sector(s)) "
        f"{s.period.start_iso or '?'} to {s.period.end_iso or '?'}"
    )
    honest = s.count("incursion")
    t = Table(title="incursions (northbound), by counting rule")
    weighted = any(c.units != c.count for c in s.counts)
    cols = ("rule", "count", "units found", "x de-duplicated", "method")
    for col in cols if weighted else (c for c in cols if c != "units found"):
        t.add_column(col, overflow="fold")
    for c in s.counts:
        ratio = f"{c.count / honest:.2f}" if honest else "-"
        units = [str(c.units)] if weighted else []
        t.add_row(c.rule, str(c.count), *units, ratio, escape(c.method))
    console.print(t)
    if weighted:
        console.print(
            "[dim]count: each unit weighted by its window (a month's sampled quiet time "
            "stands for the rest of the day); units found: as simulated[/dim]"
        )
    inc = next((c for c in s.counts if c.rule == "incursion"), None)
    if inc is not None:
        _set_apart(console, inc)
    b = s.breakdown
    t = Table(title=f"by sector and direction (rule: {s.rule})")
    t.add_column("sector")
    t.add_column("count", justify="right")
    for k, v in b.by_sector.items():
        t.add_row(escape(k), str(v))
    for k, v in b.by_direction.items():
        t.add_row(f"[dim]all sectors, {k}[/dim]", str(v))
    t.add_row("[dim]of which Remote ID (identified)[/dim]", str(b.identified))
    console.print(t)
    if any(b.by_hour):
        t = Table(title="UTC hour")
        hours = [h for h in range(24) if b.by_hour[h]]
        for h in hours:
            t.add_column(f"{h:02d}", justify="right")
        t.add_row(*(str(b.by_hour[h]) for h in hours))
        console.print(t)
    if b.by_day:
        t = Table(title="by day (UTC)")
        t.add_column("day")
        t.add_column("count", justify="right")
        for k, v in b.by_day.items():
            t.add_row(k, str(v))
        console.print(t)
    _coverage(console, s)
    _others(console, s)
    for n in s.notes:
        console.print(f"[yellow]note:[/yellow] {escape(n)}")


def _set_apart(console: Console, inc: RuleCount) -> None:
    """A line per kind of unit the incursion rule set apart (when it could ask)."""
    if inc.suspected is not None:
        console.print(
            f"suspected, not counted: {inc.suspected} ({inc.suspected_units} unit(s)): "
            "drone-classed crossings without enough independent drone evidence or "
            "without a known position at the line"
        )
    if inc.from_us is not None:
        console.print(
            f"from the US side, not counted: {inc.from_us} ({inc.from_us_units} unit(s)): "
            "drones first seen north of the line (a flight from the US that went south "
            "and came back)"
        )
    if inc.origin_unseen is not None:
        console.print(
            f"where from unseen, not counted: {inc.origin_unseen} "
            f"({inc.origin_unseen_units} unit(s)): drones already flying when their "
            "sector's feed began, or first seen on the line"
        )


def _coverage(console: Console, s: Stats) -> None:
    from rich.table import Table

    c = s.coverage
    if c is None:
        console.print("coverage: not computed (no sensor sites: the run's scenario was not found)")
        return
    t = Table(title=f"coverage of {c.border_km:.1f} km of border")
    for col in ("sensor set", "share of border in reach", "mean P(crossing counted)"):
        t.add_column(col)
    for st in c.sets:
        t.add_row(escape(st.name), f"{st.share:.0%}", f"{st.mean_p_detect:.2f}")
    console.print(t)
    console.print(
        f"counted {c.counted}, estimated {c.estimated:.1f} "
        f"({c.confidence:.0%} interval {c.low:.1f} to {c.high:.1f}), "
        f"unseen {c.unseen:.1f}: {escape(c.method)}"
    )
    for a in c.assumptions:
        console.print(f"  [dim]assumes: {escape(a)}[/dim]")


def _others(console: Console, s: Stats) -> None:
    from rich.table import Table

    if s.hotspots:
        t = Table(title=f"hot spots (H3 resolution {s.hotspots[0].resolution})")
        for col in ("cell", "count", "centre"):
            t.add_column(col)
        for h in s.hotspots[:10]:
            t.add_row(h.cell, str(h.count), f"{h.lat:.4f}, {h.lon:.4f}")
        console.print(t)
    console.print(f"drops {s.behaviours.drops}, loiters {s.behaviours.loiters}")
    if s.runway_pauses:
        t = Table(title="runway-pause minutes")
        for col in ("airport", "minutes", "measures", "by runway end"):
            t.add_column(col, overflow="fold")
        for r in s.runway_pauses:
            rw = ", ".join(f"{k} {v:g}" for k, v in r.by_runway.items())
            t.add_row(escape(r.airport), f"{r.minutes:.1f}", str(r.measures), escape(rw))
        console.print(t)
    else:
        console.print("runway-pause minutes: none")
    if s.incidents_by_kind:
        kinds = ", ".join(f"{k} {v}" for k, v in s.incidents_by_kind.items())
        console.print(f"incidents by kind: {escape(kinds)}")
