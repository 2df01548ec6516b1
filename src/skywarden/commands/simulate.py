"""``skywarden simulate SCENARIO --out DIR [--seed N] [--duration S] [--plot]``.

Runs a scenario file through the simulator, streams truth.jsonl, detections.jsonl and
sector.json into DIR with a progress bar, prints a summary table (targets by kind,
border crossings in truth, detections per sensor) and, with ``--plot``, draws the
sector map (sector_map.png in DIR).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from skywarden.sim import Simulation
    from skywarden.sim.output import RunSummary
    from skywarden.sim.scenario import Scenario


def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML, e.g. scenarios/el-paso.yaml.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (created if missing).")],
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same files.")] = 1,
    duration: Annotated[
        float | None,
        typer.Option("--duration", min=1, help="Seconds to simulate (default: the scenario's)."),
    ] = None,
    plot: Annotated[
        bool, typer.Option("--plot", help="Also draw the sector map as a PNG.")
    ] = False,
) -> None:
    """Simulate a sector: truth trajectories and sensor detections, deterministic by seed."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from skywarden.sim import ScenarioError, Simulation, load_scenario
    from skywarden.sim.geography import GeographyError
    from skywarden.sim.output import write_run

    console = Console()
    try:
        scn = load_scenario(scenario)
        sim = Simulation(scn, seed=seed, duration_s=duration)
    except (ScenarioError, GeographyError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        typer.echo(f"error: {out}: cannot create the output directory: {e.strerror}", err=True)
        raise typer.Exit(2) from None
    with Progress(
        TextColumn("[bold]simulating[/bold] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>6.0f}/{task.total:.0f} s"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(scn.sector.name, total=sim.n_ticks)
        summary = write_run(sim, out, on_step=lambda _s: progress.advance(task))

    console.print(_summary_table(scn, sim, summary, seed))

    if plot:
        from skywarden.report.sector_map import plot_sector

        png = Path(out) / "sector_map.png"
        plot_sector(sim, summary, png)
        console.print(f"map: {png}")
    console.print(f"wrote {out}/truth.jsonl, detections.jsonl, sector.json")


def _summary_table(scn: Scenario, sim: Simulation, summary: RunSummary, seed: int) -> Table:
    """Targets by kind and role, convoys, true border crossings, detections by sensor."""
    from rich.table import Table

    start = f"{scn.sector.start:%Y-%m-%dT%H:%M:%SZ}"
    table = Table(title=f"{scn.sector.name}: {sim.n_ticks} s from {start}, seed {seed}")
    table.add_column("what")
    table.add_column("", justify="right")
    seen = summary.detected_by_kind()
    for (kind, role), n in sorted(summary.by_kind().items()):
        table.add_row(f"targets: {kind} / {role}", f"{n} ({seen[(kind, role)]} detected)")
    table.add_row("drone groups flying together (convoys)", str(len(summary.groups)))
    table.add_section()
    roles = sorted(set(summary.crossings_north) | set(summary.crossings_south))
    for role in roles:
        table.add_row(
            f"border crossings (truth): {role} northbound", str(summary.crossings_north[role])
        )
        table.add_row(
            f"border crossings (truth): {role} southbound", str(summary.crossings_south[role])
        )
    if not roles:
        table.add_row("border crossings (truth)", "0")
    table.add_section()
    for sensor, n in sorted(summary.detections.items()):
        table.add_row(f"detections: {sensor}", str(n))
    table.add_row("truth points", str(summary.truth_points))
    return table
