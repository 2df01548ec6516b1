"""``skywarden laser``: hazard distances of a beam, and a full test plan from LASER.yaml.

``skywarden laser distances --power-w P --wavelength-nm L --divergence-mrad D
--diameter-mm A [--exposure-s T] --json`` prints one JSON object (``mpe_w_cm2``,
``nohd_m``, and ``szed_m``/``czed_m``/``lfed_m``, null outside the visible band).

``skywarden laser plan LASER.yaml [--json] [--notam] [--plot]`` prints the distances, the
zones penetrated, the smallest TFR, the flows and flights touched and the comparison with
a blanket closure; ``--notam`` adds the FAA and ICAO NOTAM texts, ``--plot`` writes a PNG.

Heavy imports stay inside the commands so ``skywarden --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Laser effector safety: hazard distances, flight zones, TFR + NOTAM.",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@app.command("distances")
def distances(
    power_w: Annotated[float, typer.Option("--power-w", help="CW output power, W")],
    wavelength_nm: Annotated[float, typer.Option("--wavelength-nm", help="400-1400 nm")],
    divergence_mrad: Annotated[
        float, typer.Option("--divergence-mrad", help="full-angle divergence, 1/e, mrad")
    ],
    diameter_mm: Annotated[float, typer.Option("--diameter-mm", help="exit diameter, 1/e, mm")],
    exposure_s: Annotated[
        float | None,
        typer.Option("--exposure-s", help="exposure; default 0.25 s visible, 10 s near-IR"),
    ] = None,
    vcf: Annotated[
        float | None,
        typer.Option("--vcf", help="visual correction factor; default photopic V(lambda)"),
    ] = None,
    attenuation_per_km: Annotated[
        float, typer.Option("--attenuation-per-km", help="atmospheric extinction, 1/km")
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """NOHD and the FAA visual-interference distances of one beam."""
    from skywarden.laser.beam import Beam
    from skywarden.laser.flight_zones import hazard_distances
    from skywarden.laser.mpe import LaserInputError

    try:
        beam = Beam(power_w, wavelength_nm, divergence_mrad, diameter_mm, attenuation_per_km)
        d = hazard_distances(beam, exposure_s, vcf)
    except LaserInputError as e:
        raise _fail(f"--{e.field.replace('_', '-')}: {e.reason}") from None
    out: dict[str, Any] = {
        "power_w": power_w,
        "wavelength_nm": wavelength_nm,
        "divergence_mrad": divergence_mrad,
        "diameter_mm": diameter_mm,
        "attenuation_per_km": attenuation_per_km,
        **d.to_dict(),
    }
    if as_json:
        typer.echo(json.dumps(out))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{power_w:g} W, {wavelength_nm:g} nm, {divergence_mrad:g} mrad")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("MPE", f"{d.mpe_w_cm2 * 1e3:.4g} mW/cm² ({d.exposure_s:g} s)")
    for key in ("nohd_m", "szed_m", "czed_m", "lfed_m"):
        v = out[key]
        table.add_row(
            key[:-2].upper(), "n/a" if v is None else f"{v:,.1f} m ({v / 0.3048:,.0f} ft)"
        )
    Console().print(table)


@app.command("plan")
def plan(
    path: Annotated[Path, typer.Argument(help="LASER.yaml test plan")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    notam: Annotated[bool, typer.Option("--notam", help="print the NOTAM texts")] = False,
    plot: Annotated[bool, typer.Option("--plot", help="write a PNG map")] = False,
    out: Annotated[
        Path, typer.Option("--out", help="directory for the --plot PNG (laser-<name>.png)")
    ] = Path("."),
    traffic: Annotated[
        Path | None,
        typer.Option(
            "--traffic",
            help="tracks.jsonl or ADS-B detections.jsonl to plan against (overrides the plan's)",
        ),
    ] = None,
) -> None:
    """Distances, zones penetrated, smallest TFR and NOTAM, flows and flights touched."""
    from skywarden.laser.analysis import analyse
    from skywarden.laser.plan import LaserPlanError, load_laser_plan
    from skywarden.laser.traffic import TrafficFileError

    if not path.is_file():  # the loader's message would read "<file>: No such file"
        raise _fail(f"{path}: no such laser plan file")
    try:
        a = analyse(load_laser_plan(path), traffic)
    except (LaserPlanError, TrafficFileError) as e:
        raise _fail(str(e)) from None
    result = a.to_dict()
    if plot:
        from skywarden.laser.plot import plot_plan

        png = plot_plan(a, out / f"laser-{path.stem}.png")
        result["plot"] = str(png)
    if as_json:
        if not notam:
            result.pop("notam")
        typer.echo(json.dumps(result, indent=2))
        return
    from skywarden.laser.render import render

    render(result, notam=notam)
