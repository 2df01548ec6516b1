"""``skywarden worker``: a sector worker; owns sectors by lease and runs their stages.

    skywarden worker --sectors A,B [--standby C,D] [--bus nats://H:P] [--name W]
                     [--laser-plan FILE] [--db URL] [--handover LAYOUT.json]

See ``skywarden.cluster.worker`` (leases, snapshots, failover) and docs/scaling.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


# size: Typer command: 7 options (22 lines), their checks, then the worker's run
def worker(
    sectors: Annotated[str, typer.Option(help="Sectors to own, comma-separated")],
    standby: Annotated[
        str, typer.Option(help="Sectors to take over when their owner dies")
    ] = "",
    bus: Annotated[
        str, typer.Option(help="nats://HOST:PORT[,nats://...] of the JetStream cluster")
    ] = "nats://127.0.0.1:4222",
    name: Annotated[str | None, typer.Option(help="Worker id (default: host-pid)")] = None,
    laser_plan: Annotated[
        Path | None, typer.Option(help="Laser plan YAML: run hold-fire in these sectors")
    ] = None,
    replicas: Annotated[int, typer.Option(help="JetStream replicas when creating")] = 1,
    db: Annotated[
        str | None,
        typer.Option(help="The core's store: operators' actions reach the analyzers"),
    ] = None,
    handover: Annotated[
        Path | None,
        typer.Option(help="Sector layout JSON: hand tracks over between its sectors"),
    ] = None,
) -> None:
    """Own sectors through leases and run tracking, airspace and hold-fire for them."""
    import asyncio
    import logging
    import os
    import signal
    import socket

    from skywarden.cluster import codec, lease, topology
    from skywarden.cluster.worker import Options, Worker

    own = [s.strip() for s in sectors.split(",") if s.strip()]
    spare = [s.strip() for s in standby.split(",") if s.strip()]
    try:
        for s in own + spare:
            codec.check_sector(s)
    except codec.CodecError as e:
        raise typer.BadParameter(str(e), param_hint="--sectors") from None
    if not own and not spare:
        raise typer.BadParameter("name at least one sector", param_hint="--sectors")
    if laser_plan is not None and not laser_plan.is_file():
        raise typer.BadParameter(f"{laser_plan}: no such file", param_hint="--laser-plan")
    who = name or f"{socket.gethostname()}-{os.getpid()}"
    store = None
    if db is not None:
        from skywarden.store import Database, StoreConfigError

        try:
            store = Database(db)
        except StoreConfigError as e:
            raise typer.BadParameter(str(e), param_hint="--db") from None
    layout = None
    if handover is not None:  # docs/handover.md
        from skywarden.cluster.overlap import SectorAreaError, SectorLayout

        try:
            layout = SectorLayout.from_file(handover)
        except SectorAreaError as e:
            raise typer.BadParameter(str(e), param_hint="--handover") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    async def go() -> None:
        topo = await topology.connect(
            bus, lease_ttl_s=lease.TTL_S, replicas=replicas, name=f"worker-{who}"
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        hooks = None
        if layout is not None:
            from skywarden.bus.jetstream import NatsBus
            from skywarden.cluster.handover_hook import HandoverHooks

            hbus = await NatsBus.connect(bus.split(",")[0], stream="SW_HANDOVER", prefix="swh")
            hooks = HandoverHooks(layout, hbus)
        w = Worker(
            topo,
            who,
            own,
            spare,
            options=Options(laser_plan=laser_plan, db=store),
            on_updates=hooks,
        )
        typer.echo(f"skywarden worker {who}: sectors {own}, standby {spare}, bus {bus}")
        try:
            await w.run(stop)
        finally:
            await topo.close()

    try:
        asyncio.run(go())
    except topology.ClusterError as e:
        raise typer.BadParameter(str(e), param_hint="--bus") from None
