"""``skywarden track DETECTIONS --out TRACKS`` and ``track --enu DETECTIONS --out TRACKS``.

Geographic mode reads ``Detection`` records (the simulator's ``detections.jsonl``) and
writes one ``TrackUpdate`` per confirmed or coasting track per scan (plus a final
``ended`` update per track). The frame origin is ``--origin LAT,LON,ALT``, else the
``sector.json`` beside the detections, else the mean of the first detections.

``--enu`` reads plain local-frame lines ``{"t", "sensor", "x", "y"[, "z", "sigma"]}`` and
writes ``{"t", "track", "x", "y", "vx", "vy"}`` for every confirmed track at every scan
time of the input; ``--sigma`` is the default position standard deviation (m).

``--config FILE.yaml`` sets any ``TrackerConfig`` field (nested classifier, bearing and
radar-class fields too), validated; an error names the file and the key. ``--filter``
given on the command line wins over the file's ``filter``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from skywarden.tracking.config import TrackerConfig


def track(
    detections: Annotated[Path, typer.Argument(help="Detections, JSON Lines.")],
    out: Annotated[Path, typer.Option("--out", help="Tracks output, JSON Lines.")],
    enu: Annotated[
        bool, typer.Option("--enu", help="Plain local-frame input {t, sensor, x, y[, z, sigma]}.")
    ] = False,
    sigma: Annotated[
        float, typer.Option("--sigma", min=0.001, help="--enu: default position sigma, m.")
    ] = 10.0,
    origin: Annotated[
        str | None, typer.Option("--origin", help="Frame origin LAT,LON,ALT (deg, deg, m MSL).")
    ] = None,
    filter_name: Annotated[
        str | None,
        typer.Option("--filter", help="imm (cruise + hover/manoeuvre) or cv [default: imm]."),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Tracker configuration YAML: any TrackerConfig field, nested ones too.",
        ),
    ] = None,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            "--quarantine",
            help="Bad detection lines, JSON Lines (default: OUT.rejected.jsonl, if any).",
        ),
    ] = None,
) -> None:
    """Fuse detections into classified tracks."""
    from rich.console import Console

    from skywarden.tracking import InvalidConfig, ScanError, TrackerConfig
    from skywarden.tracking.config_file import ConfigFileError, load_config
    from skywarden.tracking.io import InputLineError

    console = Console(stderr=True)
    if not detections.exists():
        typer.echo(f"error: {detections}: no such file", err=True)
        raise typer.Exit(2)
    try:
        overrides: dict[str, Any] = {} if filter_name is None else {"filter": filter_name}
        if config_file is not None:
            config = load_config(config_file, **overrides)
        else:
            config = TrackerConfig(filter=filter_name or "imm")
        out.parent.mkdir(parents=True, exist_ok=True)
        if enu:
            _track_enu(detections, out, config, sigma, console)
            return
        _track_geo(detections, out, config, origin, console, quarantine)
    except (ConfigFileError, InputLineError, InvalidConfig, ScanError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None


def _track_geo(
    detections: Path,
    out: Path,
    config: TrackerConfig,
    origin: str | None,
    console: Console,
    quarantine: Path | None = None,
) -> None:
    """Geographic mode: ``Detection`` records in, ``TrackUpdate`` lines out, with progress.

    A bad line goes to the quarantine file (created at the first one) and the run goes
    on, as in ``ingest``; a file of only bad lines is an error (nothing accepted).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from skywarden.ingest.report import Quarantine, quarantine_path
    from skywarden.pipeline.track_file import track_detections
    from skywarden.tracking.files import resolve_frame

    frame = resolve_frame(detections, origin)
    with detections.open() as fh:
        total = sum(1 for line in fh if line.strip())
    with (
        Quarantine(quarantine or quarantine_path(out)) as bad,
        out.open("w") as fh,
        Progress(
            TextColumn("[bold]tracking[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("detections"),
            console=console,
        ) as progress,
    ):
        task = progress.add_task("tracking", total=total)
        counts = track_detections(
            detections,
            fh,
            frame,
            config,
            on_scan=lambda k: progress.update(task, completed=k),
            on_reject=bad,
        )
    if bad.total:
        console.print(bad.line())
        if counts["detections"] == 0:
            raise ValueError(f"{detections}: nothing accepted: {bad.line()}")
    console.print(
        f"{counts['detections']} detections, {counts['scans']} scans -> "
        f"{counts['tracks']} confirmed tracks, {counts['updates']} updates in {out}"
    )


def _track_enu(
    detections: Path, out: Path, config: TrackerConfig, sigma: float, console: Console
) -> None:
    """``--enu``: read the file as columns, then scan by scan: step, write that scan's lines."""
    from skywarden.tracking import TrackerCore
    from skywarden.tracking.enu import enu_scans_columns, format_enu_scan, read_enu_columns

    dets = read_enu_columns(detections)
    dims = 3 if dets.has_z else 2
    scans = enu_scans_columns(dets, sigma, dims)
    core = TrackerCore(config, dims=dims, classify=False)  # the output has no classes
    n = 0
    with out.open("w") as fh:
        for t, groups in scans:
            text = format_enu_scan(t, core.step(t, groups).live, dims)
            fh.write(text)
            n += text.count("\n")
    console.print(f"{len(dets)} detections, {len(scans)} scans -> {n} lines in {out}")
