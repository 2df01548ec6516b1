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
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from skywarden.store.db import Database


# size: Typer command: 14 options (53 lines), then sources, outputs and the core wired to the app
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
    cluster: Annotated[
        bool,
        typer.Option(
            "--cluster",
            help="The core of a cluster: persist and serve the sector workers' outputs"
            " from --bus (no pipeline here; see `skywarden worker`)",
        ),
    ] = False,
) -> None:
    """Serve the API and web map, running the pipeline on the given sources."""
    import uvicorn
    from sqlalchemy.exc import DBAPIError, OperationalError

    from skywarden.service.launch import LaunchError, build

    if speed <= 0:
        raise typer.BadParameter(f"must be > 0, got {speed}", param_hint="--speed")
    if cluster and (not bus or scenario is not None or source):
        raise typer.BadParameter(
            "--cluster needs --bus nats://... and no --scenario or --source (the workers"
            " run the stages)",
            param_hint="--cluster",
        )
    try:
        launched = build(
            db,
            scenario,
            speed,
            source or [],
            seed,
            laser_plan,
            bus_url=None if cluster else bus,  # the core's hub is fed in-process
            sector_file=sector,
        )
    except LaunchError as e:
        raise typer.BadParameter(str(e), param_hint=e.param) from None
    except (OperationalError, DBAPIError) as e:  # no server, wrong password, no database
        typer.echo(f"error: --db {_shown(db)}: cannot open the store: {_first_line(e)}", err=True)
        raise typer.Exit(2) from None
    if cot or sapient_out or asterix_out:
        from skywarden.protocols.outputs import OutputSpecError, attach_outputs

        try:
            attach_outputs(
                launched.app, cot=cot or [], sapient=sapient_out or [], asterix=asterix_out or []
            )
        except OutputSpecError as e:
            raise typer.BadParameter(str(e), param_hint=e.param) from None
    if cluster and bus:
        from skywarden.cluster import core

        core.attach(launched.app, bus, launched.db, launched.app.state.ctx.bus)
    for w in launched.warnings:
        typer.echo(f"warning: {w}", err=True)
    url = f"http://{host}:{port}/"
    typer.echo(f"skywarden: serving {url}  (store {launched.db_label})")
    if launched.first_login:
        name, _pw, where = launched.first_login
        typer.echo(f"first-run login: user {name!r}, password in {where} (readable by you only)")
    elif launched.login_file is not None and _login_works(launched.login_file, launched.db):
        typer.echo(f"log in as a user of the store (first-run login in {launched.login_file})")
    else:
        typer.echo(
            f"log in as a user of the store {launched.db_label} (`skywarden users add NAME"
            " --role admin --password-file FILE` makes one)"
        )
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


def _shown(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _first_line(e: BaseException) -> str:
    """The driver's own sentence (SQLAlchemy wraps it and appends a link)."""
    orig = getattr(e, "orig", None) or e
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


def _login_works(path: Path, db: Database) -> bool:
    """Whether the saved first-run login is a login of *this* store.

    The file lives beside an SQLite database, or in ``out/`` for a server database, so
    a later run on another database found one that was not its own (issue 14).
    """
    from skywarden.store import users

    try:
        name, pw = path.read_text(encoding="utf-8").splitlines()[:2]
    except (OSError, ValueError):
        return False
    with db.session() as s:
        return users.authenticate(s, name, pw) is not None
