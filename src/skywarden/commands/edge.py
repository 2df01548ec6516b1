"""``skywarden edge``: an edge gateway publishing one sector's detections to NATS JetStream.

    skywarden edge --sector ID (--scenario FILE | --source SPEC ...) [--bus nats://H:P]
                   [--sensors ID,ID] [--speed X] [--spool DIR] [--spool-bytes N]
                   [--layout LAYOUT.json]

The same sources as ``serve`` (``--source`` syntax and ``--sector sector.json`` for
live sockets); ``--sensors`` keeps only those sensors' detections (one site's share of
a shared scenario). ``--layout`` (the hand-over layout of ``skywarden worker --handover``)
publishes each detection to every sector whose extended area holds it, not only to
``--sector``. See ``skywarden.cluster.edge``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

if TYPE_CHECKING:
    from skywarden.cluster.edge import Spool


# size: Typer command: its options, then the source, the spool and the run
def edge(
    sector: Annotated[str, typer.Option(help="Sector id (letters, digits, - and _)")],
    bus: Annotated[
        str, typer.Option(help="nats://HOST:PORT[,nats://...] of the JetStream cluster")
    ] = "nats://127.0.0.1:4222",
    scenario: Annotated[Path | None, typer.Option(help="Simulate this scenario")] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(help="detections:PATH, tcp://H:P, udp://H:P or sapient://H:P (repeatable)"),
    ] = None,
    sector_file: Annotated[
        Path | None, typer.Option("--sector-file", help="sector.json for live sockets")
    ] = None,
    sensors: Annotated[
        str | None, typer.Option(help="Comma-separated sensor ids to keep (default: all)")
    ] = None,
    speed: Annotated[float, typer.Option(help="Replay speed for files and scenarios")] = 1.0,
    seed: Annotated[int, typer.Option(help="Simulator seed for --scenario")] = 1,
    duration: Annotated[float | None, typer.Option(help="Scenario seconds to run")] = None,
    name: Annotated[str | None, typer.Option(help="Edge id (default: edge-<sector>)")] = None,
    spool: Annotated[
        Path | None, typer.Option(help="Spool folder for when NATS is away (default: memory)")
    ] = None,
    spool_bytes: Annotated[int, typer.Option(help="Spool limit in bytes")] = 256 << 20,
    replicas: Annotated[int, typer.Option(help="JetStream replicas when creating")] = 1,
    layout: Annotated[
        Path | None,
        typer.Option(help="Sector layout JSON: route detections to every sector holding them"),
    ] = None,
) -> None:
    """Publish a sensor site's detections for a sector's workers."""
    import asyncio
    import threading

    from skywarden.cluster import codec, lease, topology
    from skywarden.cluster.edge import Edge, MemorySpool, only_sensors, run_edge
    from skywarden.service.launch import LaunchError, _choose_source

    try:
        codec.check_sector(sector)
    except codec.CodecError as e:
        raise typer.BadParameter(str(e), param_hint="--sector") from None
    if speed <= 0:
        raise typer.BadParameter(f"must be > 0, got {speed}", param_hint="--speed")
    if spool_bytes <= 0:
        raise typer.BadParameter(f"must be > 0, got {spool_bytes}", param_hint="--spool-bytes")
    lay = None
    if layout is not None:  # docs/handover.md: the membership rule
        from skywarden.cluster.overlap import SectorAreaError, SectorLayout

        try:
            lay = SectorLayout.from_file(layout)
        except SectorAreaError as e:
            raise typer.BadParameter(str(e), param_hint="--layout") from None
        if sector not in lay.areas:
            raise typer.BadParameter(
                f"{layout}: has no sector {sector!r} (it has {sorted(lay.areas)})",
                param_hint="--layout",
            )
    try:
        src, info, _plan = _choose_source(scenario, source or [], seed, duration, sector_file, None)
    except LaunchError as e:
        raise typer.BadParameter(str(e), param_hint=e.param) from None
    if src is None or info is None:
        raise typer.BadParameter("give --scenario FILE or --source SPEC", param_hint="--source")
    the_spool = _spool(spool, spool_bytes) if spool is not None else MemorySpool(spool_bytes)
    scans = src.scans()
    if sensors:
        keep = frozenset(x.strip() for x in sensors.split(",") if x.strip())
        scans = only_sensors(scans, keep)
    paced = getattr(src, "paced", True)
    stop = threading.Event()

    async def go() -> None:
        topo = await topology.connect(
            bus, lease_ttl_s=lease.TTL_S, replicas=replicas, name=f"edge-{sector}"
        )
        e = Edge(topo.js, name or f"edge-{sector}", sector, the_spool, layout=lay)
        await e.announce(topo.sectors, info)
        typer.echo(f"skywarden edge {e.edge}: sector {sector} from {src.name} to {bus}")
        try:
            await run_edge(e, scans, speed if paced else None, stop)
        finally:
            typer.echo(f"edge {e.edge}: {e.counters}")
            await topo.close()

    try:
        asyncio.run(go())
    except topology.ClusterError as e:
        raise typer.BadParameter(str(e), param_hint="--bus") from None
    except KeyboardInterrupt:
        stop.set()


def _spool(path: Path, max_bytes: int) -> Spool:
    """The disk spool (``cluster.spool.DiskSpool``) at ``path``."""
    try:
        from skywarden.cluster.spool import DiskSpool
    except ImportError:
        raise typer.BadParameter(
            "this build has no disk spool (skywarden.cluster.spool)", param_hint="--spool"
        ) from None
    return cast("Spool", DiskSpool(path, max_bytes))
