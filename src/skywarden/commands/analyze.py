"""``skywarden analyze TRACKS.jsonl --out incidents.json``.

Replays a tracker output file through the airspace analyzer scan by scan (as the live
service does once per second, with the same stage loop, ``skywarden.stages.Runner``),
prints the incident table and the recommendation timeline, and writes ``events``,
``incidents`` and ``recommendations`` to the output JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from skywarden.model import Event, Incident, Recommendation, TrackUpdate
from skywarden.stages import AnalysisStage, Hooks, Runner, Scan, StageChain, StepResult, fresh


class _Collect(Hooks):
    """The runner's commit hook here: keep every event, incident version and measure."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.recs: list[Recommendation] = []
        self.incidents: dict[str, Incident] = {}
        self.n = 0

    def commit(self, result: StepResult) -> object:
        self.n += 0 if result.final else len(result.updates)
        self.events += result.events
        self.recs += result.recommendations
        self.incidents.update({i.id: i for i in result.incidents})
        return None


def _run(analyzer: AnalysisStage, scans: Iterable[tuple[float, list[TrackUpdate]]]) -> _Collect:
    """The tracks file's scans through the analyzer on the one stage loop, then its finish."""
    got = _Collect()
    stream = fresh(Scan(t, updates=ups) for t, ups in scans)
    Runner(StageChain(analyzer=analyzer, strict=True), got, finish=True).run(stream)
    return got


# size: Typer command: 7 options (32 lines), then one load-analyse-write-report flow
def analyze(
    tracks: Annotated[
        Path, typer.Argument(help="tracks.jsonl: TrackUpdate per line, time ordered.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output JSON (events, incidents, recommendations).")
    ],
    sector: Annotated[
        Path | None,
        typer.Option(
            "--sector", help="sector.json with the frame origin (default: beside TRACKS)."
        ),
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Response policy YAML (default: shipped).")
    ] = None,
    zones: Annotated[
        list[Path] | None,
        typer.Option("--zones", help="GeoJSON of restricted/user zones with floor and ceiling."),
    ] = None,
    airports: Annotated[
        str | None,
        typer.Option("--airports", help="Comma-separated ICAO codes (default: sector's)."),
    ] = None,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            "--quarantine",
            help="Bad track lines, JSON Lines (default: OUT.rejected.jsonl, if any).",
        ),
    ] = None,
) -> None:
    """Find crossings, zone entries and behaviours; score, group into incidents, recommend."""
    from rich.console import Console

    from skywarden import refdata
    from skywarden.airspace import (
        AirspaceError,
        Analyzer,
        load_policy,
        load_zones_geojson,
        sector_zones,
    )
    from skywarden.airspace.io import frame_for, output_doc, read_scans, write_output
    from skywarden.airspace.report import minutes_table, print_report, restricted_minutes
    from skywarden.ingest.report import Quarantine, quarantine_path

    console = Console()
    bad = Quarantine(quarantine or quarantine_path(out))
    try:
        given = [a.strip() for a in airports.split(",")] if airports else None
        frame, aps = frame_for(tracks, sector, given)
        extra = [z for p in (zones or []) for z in load_zones_geojson(p)]
        zs = sector_zones(frame, airports=aps, extra=extra)
        an = Analyzer(frame, zs, refdata.border_line(), load_policy(policy))
        got = _run(an, read_scans(tracks, bad))
        events, recs, incidents, n = got.events, got.recs, got.incidents, got.n
    except (AirspaceError, refdata.UnknownAirport) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    finally:
        bad.close()
    if bad.total:
        console.print(bad.line())
        if n == 0:
            typer.echo(f"error: {tracks}: nothing accepted: {bad.line()}", err=True)
            raise typer.Exit(2)
    ends = {ap: [e.ident for r in refdata.runways(ap) for e in r.ends] for ap in aps}
    minutes = restricted_minutes(recs, ends)
    meta = {
        "tracks_file": str(tracks),
        "updates": n,
        "frame": frame.to_dict(),
        "airports": aps,
        "policy": an.policy.source,
        "restricted_minutes": minutes,
    }
    write_output(out, output_doc(events, incidents.values(), recs, meta))
    print_report(console, incidents.values(), recs)
    console.print(minutes_table(minutes))
    console.print(
        f"{n} updates, {len(events)} events, {len(incidents)} incidents, "
        f"{len(recs)} recommendation versions -> {out}"
    )
