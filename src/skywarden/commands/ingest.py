"""``skywarden ingest``: read sensor files or sockets into detections and a quarantine.

    skywarden ingest FILE... [--format F] --out detections.jsonl [--quarantine rejected.jsonl]

FILE is a path, ``-`` for stdin, ``tcp://host:port`` (SBS 30003, Beast 30005, AVR
30002; reconnects with back-off) or ``udp://host:port`` (Remote ID receivers). Prints
accepted, rejected and absorbed counts by format and reason.

While it runs, a status line on stderr shows each source's state (connected, retrying)
and messages, accepted and rejected per second; the output files are flushed every
second. Ctrl-C stops a live feed cleanly: the summary, then exit 0. A run that accepts
nothing, or whose detections have no usable clock, ends with one ``error:`` line and
exit 2.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _parse_time(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"not epoch seconds nor ISO 8601: {text!r}") from None
    if dt.tzinfo is None:
        raise typer.BadParameter(f"give a time zone (e.g. Z): {text!r}")
    return dt.timestamp()


def _parse_receiver(text: str | None) -> tuple[float, float, float] | None:
    if text is None:
        return None
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        raise typer.BadParameter(f"expected LAT,LON[,ALT_M]: {text!r}") from None
    if len(parts) not in (2, 3) or not (-90 <= parts[0] <= 90 and -180 <= parts[1] <= 180):
        raise typer.BadParameter(f"expected LAT,LON[,ALT_M] in range: {text!r}")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else 0.0


# size: Typer command: its 12 option declarations alone take 65 lines
def ingest(
    files: Annotated[
        list[str], typer.Argument(help="paths, '-', tcp://host:port, udp://host:port")
    ],
    out: Annotated[Path, typer.Option("--out", help="accepted detections, JSON Lines")],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="force a format (default: detect)")
    ] = None,
    quarantine: Annotated[
        Path | None,
        typer.Option("--quarantine", help="rejections, JSON Lines (default: OUT.rejected.jsonl)"),
    ] = None,
    reference_time: Annotated[
        str | None,
        typer.Option(
            "--reference-time",
            help="UTC (epoch s or ISO 8601) of the first frame of formats without an "
            "absolute clock (Beast, AVR-MLAT, Remote ID, undated SBS); default: receive time",
        ),
    ] = None,
    receiver: Annotated[
        str | None,
        typer.Option("--receiver", help="LAT,LON[,ALT_M] of the receiver (Mode S local CPR)"),
    ] = None,
    sensor: Annotated[str | None, typer.Option("--sensor", help="sensor id override")] = None,
    sbs_utc_offset: Annotated[
        float,
        typer.Option(
            "--sbs-utc-offset",
            help="hours the SBS receiver's clock is ahead of UTC (older dump1090 writes "
            "local time; readsb writes UTC)",
        ),
    ] = 0.0,
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site",
            help="ID=LAT,LON[,ALT_M]: a sensor's position, ID being an ASTERIX SAC/SIC "
            "(e.g. 25/201) or a plot/DF sensor name; repeatable",
        ),
    ] = None,
    quarantine_max_mb: Annotated[
        float,
        typer.Option(
            "--quarantine-max-mb",
            min=0,
            help="stop writing quarantine rows past this size (they are still counted)",
        ),
    ] = 16.0,
    quarantine_raw_chars: Annotated[
        int,
        typer.Option(
            "--quarantine-raw-chars", min=0, help="raw characters kept per quarantine row"
        ),
    ] = 4096,
    line_interval: Annotated[
        float | None,
        typer.Option(
            "--line-interval",
            min=0.0,
            help="seconds between the lines of a file that carries no time (undated SBS, "
            "AVR without counter), replayed from --reference-time",
        ),
    ] = None,
) -> None:
    """Parse sensor files or sockets into detections; quarantine what cannot be accepted."""
    import asyncio

    from rich.console import Console

    from skywarden.ingest.asterix_worker import DecoderMissing, decoder_available
    from skywarden.ingest.base import IngestOptions
    from skywarden.ingest.formats import FORMATS, UnknownFormat
    from skywarden.ingest.report import nothing_accepted, summary_table
    from skywarden.ingest.sources import run_until_stopped, source_for
    from skywarden.ingest.status import LiveStatus, WatchedSink
    from skywarden.ingest.validate import Deduplicator

    if fmt is not None:
        fmt = fmt.strip().lower()
    if fmt is not None and fmt not in FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "asterix" and not decoder_available():
        _fail(str(DecoderMissing()))
    rx = _parse_receiver(receiver)
    sites = {}
    for spec in site or []:
        key, sep, where = spec.partition("=")
        pos = _parse_receiver(where) if sep else None
        if not key or pos is None:
            raise typer.BadParameter(f"--site expects ID=LAT,LON[,ALT_M]: {spec!r}")
        sites[key] = pos
    options = IngestOptions(
        sites=sites,
        sbs_utc_offset_s=sbs_utc_offset * 3600.0,
        sensor=sensor,
        reference_time=_parse_time(reference_time),
        receiver=None if rx is None else (rx[0], rx[1]),
        receiver_alt_m=0.0 if rx is None else rx[2],
    )
    if line_interval is not None and options.reference_time is None:
        raise typer.BadParameter(
            "give the time of the first line with --reference-time", param_hint="--line-interval"
        )
    dedup = Deduplicator(0.01)
    try:
        sources = [source_for(spec, fmt, options, dedup, line_interval) for spec in files]
    except (FileNotFoundError, UnknownFormat) as e:
        raise typer.BadParameter(str(e)) from None
    qpath = quarantine or out.with_name(out.name.removesuffix(".jsonl") + ".rejected.jsonl")
    started = time.monotonic()
    sink = WatchedSink(
        out,
        qpath,
        max_time_regression_s=options.max_time_regression_s,
        quarantine_raw_chars=quarantine_raw_chars,
        quarantine_max_bytes=int(quarantine_max_mb * 1024 * 1024),
    )
    with sink, LiveStatus(sources, sink, Console(stderr=True)) as status:
        try:
            interrupted = asyncio.run(run_until_stopped(sources, sink, status.tick))
        except DecoderMissing as e:  # a detected ASTERIX stream without the decoder
            _fail(str(e))
    console = Console()
    summary = sink.summary
    console.print(summary_table(summary))
    console.print(f"detections -> {out}   rejections -> {qpath}")
    if interrupted:
        console.print(f"stopped by Ctrl-C after {time.monotonic() - started:,.0f} s")
    left = sum(summary.not_quarantined.values())
    if left:
        console.print(
            f"quarantine capped at {sink.quarantine_max_bytes} bytes: {left} further"
            " rejections counted above but not written (summarised in its last row)"
        )
    if summary.total_accepted == 0:
        _fail(nothing_accepted(summary, [f"{s.name} ({s.state})" for s in sources]))
    frozen = sink.clock_watch.frozen()
    if frozen and line_interval is None:
        what = ", ".join(f"{n} {f} detections" for f, n in frozen)
        why = (
            f"{', '.join(files)}: no usable clock: {what} all at one instant (lines without"
            " a date, or frames without a counter, read in one go), which tracking cannot use"
        )
        if options.reference_time is None:
            _fail(
                f"{why}; give the first line's UTC with --reference-time and the seconds"
                " between lines with --line-interval"
            )
        typer.echo(f"warning: {why}; --line-interval spaces the lines", err=True)
