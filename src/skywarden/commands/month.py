"""``skywarden month run --out MONTH_DIR [--days N] [--workers W]``: the border-wide month.

``month plan`` writes only ``border.json`` and ``truth_incursions.jsonl`` (seconds: no
sensor is simulated); ``month run`` also runs every sensed sector's windows through the
whole chain into ``MONTH_DIR/sectors/<ID>/``. The layout is documented in docs/month.md;
the sampling of quiet time and the rate model in ``sim/month.py`` and ``sim/rates.py``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from skywarden.errors import SkywardenError

app = typer.Typer(
    help="The border-wide month: plan it, or run it through the whole chain.",
    no_args_is_help=True,
)

Out = Annotated[Path, typer.Option("--out", help="Month directory (created if missing).")]
Seed = Annotated[int, typer.Option("--seed", min=0, help="Month seed (deterministic).")]
Days = Annotated[
    float, typer.Option("--days", help="Days to run from the month start (0 < N <= 31).")
]
Sectors = Annotated[
    str | None,
    typer.Option(
        "--sectors", help="Simulate only these sector ids (comma-separated, e.g. S80,S81)."
    ),
]
TileKm = Annotated[float, typer.Option("--tile-km", help="Border length per sector, km.")]
Margin = Annotated[
    float, typer.Option("--margin-km", help="Overlap margin of each sector's box, km.")
]
Quiet = Annotated[
    float,
    typer.Option(
        "--quiet-s",
        help="Seconds of quiet time simulated per sector and day (86400: all of it).",
    ),
]
Warmup = Annotated[
    float,
    typer.Option(
        "--warmup-s",
        help="Seconds simulated before each counted window, counted with weight 0"
        " (so no counted second starts with every track young; 0: none).",
    ),
]
WarmupFed = Annotated[
    float | None,
    typer.Option(
        "--warmup-fed-s",
        help="A study of the warm-up: of each warm-up that opens a run, feed the chain"
        " only the last S seconds while its sky is still simulated from --warmup-s"
        " before (the same skies, a shorter memory; docs/month.md). Default: all of it.",
    ),
]
PerMonth = Annotated[
    float, typer.Option("--per-month", help="Incursions per 30 days along the border.")
]
Watchers = Annotated[
    float,
    typer.Option(
        "--surveillance-share",
        min=0.0,
        max=1.0,
        help="Share of the incursions that cross to watch agents and go home without a"
        " drop (watchers; sources in sim/rates.py). 0: the month as planned before them.",
    ),
]

BirdReports = Annotated[
    float,
    typer.Option(
        "--bird-reports",
        min=0.0,
        max=3600.0,
        help="Reports per bird-hour within --bird-range-m of each sector's observers, each"
        " taking the bird for a drone (sim/sensors/visual.py). 0: observers never report a"
        " bird.",
    ),
]
BirdRange = Annotated[
    float,
    typer.Option(
        "--bird-range-m",
        min=1.0,
        max=50_000.0,
        help="Farthest an observer takes a bird for a drone, m (with --bird-reports).",
    ),
]


def _tracker_settings(path: Path | None) -> dict[str, Any]:
    """``--tracker-config``'s settings, validated here so that a bad file stops the month
    before any sector runs (each worker builds its ``TrackerConfig`` from the mapping)."""
    if path is None:
        return {}
    from skywarden.tracking.config_file import ConfigFileError, config_from_mapping, read_mapping

    try:
        settings = read_mapping(path)
        config_from_mapping(settings, path)
    except ConfigFileError as e:
        typer.echo(f"error: --tracker-config {e}", err=True)
        raise typer.Exit(2) from None
    return dict(settings)


#: lanes per sector unless asked: the 30-day month in 16 lanes counted the same units as
#: without them, in 58.8 min on two cores (1.77x less CPU; docs/notes/wave18.md)
DEFAULT_LANES = 16


@app.callback()
def _group() -> None:
    """The border-wide month."""


def _plan(
    seed: int,
    days: float,
    sectors: str | None,
    tile_km: float,
    margin_km: float,
    quiet_s: float,
    warmup: tuple[float, float | None],
    rates: tuple[float, float],
    birds: tuple[float, float],
) -> Any:
    """The month's plan (``warmup``: ``--warmup-s`` and ``--warmup-fed-s``; ``rates``:
    incursions per month and the watchers' share; ``birds``: the observers' bird report
    rate and range)."""
    from skywarden.sim.month import plan_month
    from skywarden.sim.rates import RateModel

    per_month, surveillance_share = rates

    only = [s.strip() for s in sectors.split(",") if s.strip()] if sectors else None
    try:
        return plan_month(
            seed,
            days,
            model=RateModel(per_month=per_month, surveillance_share=surveillance_share),
            tile_km=tile_km,
            margin_km=margin_km,
            quiet_s=quiet_s,
            only=only,
            warmup_s=warmup[0],
            warmup_fed_s=warmup[1],
            bird_reports=birds[0],
            bird_range_m=birds[1],
        )
    except SkywardenError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None


@app.command("plan")
def plan(
    out: Out,
    seed: Seed = 1,
    days: Days = 30.0,
    sectors: Sectors = None,
    tile_km: TileKm = 30.0,
    margin_km: Margin = 5.0,
    quiet_s: Quiet = 300.0,
    per_month: PerMonth = 1300.0,
    warmup_s: Warmup = 120.0,
    warmup_fed_s: WarmupFed = None,
    surveillance_share: Watchers = 0.0,
    bird_reports: BirdReports = 0.0,
    bird_range_m: BirdRange = 1000.0,
) -> None:
    """Write border.json and truth_incursions.jsonl only (no sensor simulated)."""
    from skywarden.commands.month_run import write_manifest, write_truth

    rates, birds = (per_month, surveillance_share), (bird_reports, bird_range_m)
    warmup = (warmup_s, warmup_fed_s)
    p = _plan(seed, days, sectors, tile_km, margin_km, quiet_s, warmup, rates, birds)
    write_truth(p, out)
    write_manifest(p, out)
    typer.echo(
        f"{len(p.incursions)} incursions in truth, {len(p.windows)} sectors to simulate;"
        f" wrote {out}/border.json and {out}/truth_incursions.jsonl"
    )


class _LineLog:
    """One line a finished sector when the output is not a terminal (a log file, a
    service's journal), where the bar draws nothing for the hour a month takes. The time
    left is this run's pace over what is left; sectors kept by ``--resume`` took none."""

    def __init__(self, sectors: int, total_s: float, t0: float) -> None:
        self.sectors, self.total_s, self.t0 = sectors, total_s, t0
        self.done_sectors, self.done_s, self.kept_s = 0, 0.0, 0.0

    def line(self, sector: str, simulated_s: float, resumed: bool = False) -> str:
        self.done_sectors += 1
        self.done_s += simulated_s
        self.kept_s += simulated_s if resumed else 0.0
        wall = time.perf_counter() - self.t0
        share = self.done_s / self.total_s if self.total_s > 0 else 1.0
        run_s = self.done_s - self.kept_s
        left = "kept from the earlier run"
        if run_s > 0:
            left_min = wall * (self.total_s - self.done_s) / run_s / 60
            left = f"~{left_min:.{0 if left_min >= 10 else 1}f} min left"
        return (
            f"done {sector}: {self.done_sectors}/{self.sectors} sectors, {100 * share:.0f} % of"
            f" the simulated time, {wall / 60:.1f} min, {left}"
        )


# size: Typer command: 13 options, then one plan-run-report flow
@app.command("run")
def run(
    out: Out,
    seed: Seed = 1,
    days: Days = 30.0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Sector processes.")] = 2,
    sectors: Sectors = None,
    tile_km: TileKm = 30.0,
    margin_km: Margin = 5.0,
    quiet_s: Quiet = 300.0,
    per_month: PerMonth = 1300.0,
    warmup_s: Warmup = 120.0,
    warmup_fed_s: WarmupFed = None,
    surveillance_share: Watchers = 0.0,
    bird_reports: BirdReports = 0.0,
    bird_range_m: BirdRange = 1000.0,
    plain: Annotated[
        bool,
        typer.Option("--plain", help="truth and detections as .jsonl (default: .jsonl.gz)."),
    ] = False,
    all_tracks: Annotated[
        bool,
        typer.Option(
            "--all-tracks",
            help="Also keep tracks_all.jsonl.gz: every update of every track (large).",
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Keep the sectors an earlier run of the same plan finished in --out; "
            "run only the rest.",
        ),
    ] = False,
    lanes: Annotated[
        int,
        typer.Option(
            "--lanes",
            min=1,
            max=32,
            help="Run each sector's windows this many side by side through one tracker "
            "(faster; 1: one chain per sector; docs/month.md).",
        ),
    ] = DEFAULT_LANES,
    tracker_config: Annotated[
        Path | None,
        typer.Option(
            "--tracker-config",
            help="Tracker configuration YAML for every sector (as track --config).",
        ),
    ] = None,
) -> None:
    """Plan the month and run every sensed sector's windows through the whole chain."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from skywarden.commands.month_run import run_month

    t0 = time.perf_counter()
    tracker = _tracker_settings(tracker_config)
    rates, birds = (per_month, surveillance_share), (bird_reports, bird_range_m)
    warmup = (warmup_s, warmup_fed_s)
    p = _plan(seed, days, sectors, tile_km, margin_km, quiet_s, warmup, rates, birds)
    total = sum(w.seconds for ws in p.windows.values() for w in ws)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} simulated s"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task(f"{len(p.windows)} sectors", total=total)
        log = _LineLog(len(p.windows), total, t0) if not bar.console.is_terminal else None

        def done(r: dict[str, Any]) -> None:
            bar.update(task, advance=float(r["simulated_s"]), description=f"done {r['sector']}")
            if log is not None:
                line = log.line(str(r["sector"]), float(r["simulated_s"]), bool(r.get("resumed")))
                typer.echo(line, err=True)

        try:
            results = run_month(
                p,
                out,
                workers,
                done,
                compress=not plain,
                all_tracks=all_tracks,
                resume=resume,
                lanes=lanes,
                tracker=tracker,
            )
        except SkywardenError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
    wall = time.perf_counter() - t0
    stage = {
        k: sum(float(r.get("seconds", {}).get(k, 0.0)) for r in results)
        for k in ("simulate", "track", "analyze")
    }
    typer.echo(
        f"{len(p.incursions)} incursions in truth; {len(results)} sectors, {total / 3600:.1f}"
        f" simulated sector-hours in {wall:.0f} s wall (CPU s: "
        + ", ".join(f"{k} {v:.0f}" for k, v in stage.items())
        + f"); wrote {out}/border.json, truth_incursions.jsonl, sectors/<ID>/"
    )
