"""``skywarden serve``: the operations service (API, live feed, web map) and its pipeline.

    skywarden serve [--host H] [--port P] [--db URL] [--scenario FILE [--speed X]]
                    [--source SPEC ...]

Runs sources -> tracker -> airspace -> laser hold-fire continuously in one asyncio
process next to the API. With no user in the store yet, it creates an ``operator``
login with a random password written to ``<db folder>/first-run-login.txt`` (mode 0600)
and prints that file's path, never the password: terminals are logged and shared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    db: Annotated[
        str, typer.Option(help="sqlite:///FILE (default) or postgresql://user@host/db")
    ] = "sqlite:///out/skywarden.db",
    scenario: Annotated[
        Path | None, typer.Option(help="Replay this scenario through the pipeline")
    ] = None,
    speed: Annotated[float, typer.Option(help="Replay speed, x real time")] = 1.0,
    source: Annotated[
        list[str] | None,
        typer.Option(help="detections:PATH, tracks:PATH, tcp://H:P or udp://H:P (repeatable)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Simulator seed for --scenario")] = 1,
    laser_plan: Annotated[
        Path | None,
        typer.Option(help="Laser plan YAML (default: <scenario>-laser.yaml if present)"),
    ] = None,
    bus: Annotated[
        str | None,
        typer.Option(help="nats://HOST:PORT for NATS JetStream (default: in-process)"),
    ] = None,
    sector: Annotated[
        Path | None,
        typer.Option(help="sector.json for live tcp:// or udp:// sources (origin, airports)"),
    ] = None,
    cot: Annotated[
        list[str] | None,
        typer.Option(
            help="Send tracks and incidents to TAK as Cursor-on-Target: udp://H:P or"
            " tcp://H:P [?format=proto&role=partner] (repeatable)"
        ),
    ] = None,
    sapient_out: Annotated[
        list[str] | None,
        typer.Option(
            help="Report tracks and incidents to a parent SAPIENT fusion node: tcp://H:P"
        ),
    ] = None,
    asterix_out: Annotated[
        list[str] | None,
        typer.Option(help="Send ASTERIX CAT062 system tracks: udp://H:P[?sac=S&sic=I]"),
    ] = None,
) -> None:
    """Serve the API and web map, running the pipeline on the given sources."""
    import uvicorn

    from skywarden.service.launch import LaunchError, build

    if speed <= 0:
        raise typer.BadParameter(f"must be > 0, got {speed}", param_hint="--speed")
    try:
        launched = build(
            db, scenario, speed, source or [], seed, laser_plan, bus_url=bus, sector_file=sector
        )
    except LaunchError as e:
        raise typer.BadParameter(str(e), param_hint=e.param) from None
    if cot or sapient_out or asterix_out:
        from skywarden.protocols.outputs import OutputSpecError, attach_outputs

        try:
            attach_outputs(
                launched.app, cot=cot or [], sapient=sapient_out or [], asterix=asterix_out or []
            )
        except OutputSpecError as e:
            raise typer.BadParameter(str(e), param_hint=e.param) from None
    for w in launched.warnings:
        typer.echo(f"warning: {w}", err=True)
    url = f"http://{host}:{port}/"
    typer.echo(f"skywarden: serving {url}  (store {launched.db_label})")
    if launched.first_login:
        name, _pw, where = launched.first_login
        typer.echo(f"first-run login: user {name!r}, password in {where} (readable by you only)")
    elif launched.login_file is not None:
        typer.echo(f"log in as a user of the store (first-run login in {launched.login_file})")
    # No per-message deflate: every client gets the same ~100 kB batch each second, and
    # compressing it once per connection costs more CPU than loopback or LAN bandwidth.
    uvicorn.run(
        launched.app,
        host=host,
        port=port,
        log_level="warning",
        ws_ping_interval=20,
        ws_per_message_deflate=False,
    )
