"""``skywarden sector new --airport ICAO [--airport ICAO ...] --out FILE.yaml``.

Writes a commented, validated scenario for the border sector holding the airports
(:func:`skywarden.sim.sector_gen.generate_sector`): origin, extent and ground from the
airports, border towers every ``--tower-spacing-km`` along the line, radars at the
airports and manned traffic on their real runway ends. The file is checked by loading
it as a scenario and building its simulation before it is written, so a file that
``sector new`` writes always runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Border sectors: write a scenario for any border airport(s).", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@app.callback()
def _group() -> None:
    """Border sectors."""


# size: Typer command: 9 options (28 lines), then checks and one generate-check-write flow
@app.command("new")
def new(
    airport: Annotated[
        list[str],
        typer.Option("--airport", help="ICAO code of a border airport; repeat for more."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Scenario YAML to write.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Sector name (default: the airports' cities).")
    ] = None,
    tower_spacing_km: Annotated[
        float, typer.Option("--tower-spacing-km", help="Border tower spacing along the line, km.")
    ] = 9.0,
    extent_km: Annotated[
        float | None,
        typer.Option("--extent-km", help="Sector half-width, km (default: from the airports)."),
    ] = None,
    max_border_km: Annotated[
        float,
        typer.Option("--max-border-km", help="Refuse airports farther from the border, km."),
    ] = 50.0,
    start: Annotated[
        str, typer.Option("--start", help="Scenario start, UTC ISO 8601 with Z.")
    ] = "2026-02-11T03:00:00Z",
    duration_s: Annotated[
        float, typer.Option("--duration", help="Default run length of the scenario, s.")
    ] = 10800.0,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out.")] = False,
) -> None:
    """Write a scenario for the border sector around the given airport(s)."""
    import yaml

    from skywarden.sim import Simulation
    from skywarden.sim.geography import GeographyError
    from skywarden.sim.scenario import ScenarioError, parse_scenario
    from skywarden.sim.sector_gen import SectorGenError, generate_sector

    try:
        t0 = datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(f"--start {start!r}: not an ISO 8601 time like 2026-02-11T03:00:00Z") from None
    if t0.tzinfo is None or t0.utcoffset() != UTC.utcoffset(None):
        raise _fail(f"--start {start!r}: must be UTC (Z suffix)")
    if out.exists() and not force:
        raise _fail(f"--out {out}: exists (use --force to overwrite)")
    if out.suffix.lower() not in {".yaml", ".yml"}:
        raise _fail(f"--out {out}: give a .yaml file name")
    try:
        plan = generate_sector(
            airport,
            name=name,
            extent_km=extent_km,
            tower_spacing_km=tower_spacing_km,
            max_border_km=max_border_km,
            start=t0,
            duration_s=duration_s,
        )
        scn = parse_scenario(yaml.safe_load(plan.yaml), str(out))
        Simulation(scn, seed=0, duration_s=1.0)  # geography and sensors build
    except (SectorGenError, ScenarioError, GeographyError) as e:
        raise _fail(str(e)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(plan.yaml)
    typer.echo(
        f"wrote {out}: {plan.name}, origin {plan.origin[0]:.4f}, {plan.origin[1]:.4f},"
        f" extent {plan.extent_m / 1000:g} km, {len(plan.towers)} border towers along"
        f" {plan.border_km:.0f} km of border, {len(scn.sensors)} sensors"
    )
