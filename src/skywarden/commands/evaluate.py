"""``skywarden evaluate TRUTH.jsonl TRACKS.jsonl [--plot]``: how good are the tracks?

Prints GOSPA over time (mean and parts), track purity and completeness, identity
switches, the classification confusion matrix, time from first detection to correct
class (drones within 10 s) and ADS-B aircraft ever called drone. ``--detections`` (by
default the ``detections.jsonl`` beside TRUTH) gives the true first-detection times;
``--json`` writes the summary; ``--plot`` draws GOSPA over time and the confusion matrix
to ``TRACKS.evaluation.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from skywarden.geo import LocalFrame
    from skywarden.model import TrackUpdate, TruthPoint
    from skywarden.tracking.evaluation import Evaluation


def _first_keys(path: Path) -> set[str] | None:
    """Keys of the first JSON object of a JSON Lines file (None if none can be read)."""
    import json

    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip():
                    obj = json.loads(line)
                    return set(obj) if isinstance(obj, dict) else None
    except (OSError, ValueError):
        return None
    return None


def _check_roles(truth: Path, tracks: Path) -> str | None:
    """Say so when the two files are given the wrong way round (or are something else)."""
    tk, rk = _first_keys(truth), _first_keys(tracks)
    if tk is not None and rk is not None and "track" in tk and "target" in rk:
        return (
            f"{truth} holds track updates and {tracks} truth points: the arguments are "
            "swapped (skywarden evaluate TRUTH.jsonl TRACKS.jsonl)"
        )
    if tk is not None and "target" not in tk:
        return f"{truth}: line 1 has no 'target' field: not a simulator truth file"
    if rk is not None and "track" not in rk:
        return f"{tracks}: line 1 has no 'track' field: not a tracks file"
    return None


def evaluate(
    truth: Annotated[Path, typer.Argument(help="Truth points (simulator truth.jsonl).")],
    tracks: Annotated[Path, typer.Argument(help="Track updates (skywarden track output).")],
    plot: Annotated[bool, typer.Option("--plot", help="Draw figures next to TRACKS.")] = False,
    detections: Annotated[
        Path | None,
        typer.Option(
            "--detections",
            help="detections.jsonl for true first-detection times (default: beside TRUTH).",
        ),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="Frame origin LAT,LON,ALT (default: sector.json)."),
    ] = None,
    gospa_c: Annotated[float, typer.Option("--gospa-c", min=1.0, help="GOSPA cut-off, m.")] = 100.0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the summary as JSON here.")
    ] = None,
) -> None:
    """Score tracks against truth: GOSPA, purity, completeness, switches, classes."""
    import json

    from rich.console import Console

    from skywarden.tracking.evaluation import evaluate as run

    console = Console()
    if detections is None and (truth.parent / "detections.jsonl").exists():
        detections = truth.parent / "detections.jsonl"
    for p in (truth, tracks, detections):
        if p is not None and not p.exists():
            typer.echo(f"error: {p}: no such file", err=True)
            raise typer.Exit(2)
    problem = _check_roles(truth, tracks)
    if problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    truth_pts, updates, frame, first = _load(truth, tracks, detections, origin)
    ev = run(truth_pts, updates, frame, gospa_c_m=gospa_c, first_detection=first)
    s = ev.summary()

    console.print(_summary_table(s, truth, tracks, gospa_c))
    console.print(_confusion_table(ev))
    if json_out:
        json_out.write_text(json.dumps(s, indent=2))
    if plot:
        path = tracks.with_suffix(".evaluation.png")
        _plot(ev, path)
        console.print(f"figures: {path}")


def _load(
    truth: Path, tracks: Path, detections: Path | None, origin: str | None
) -> tuple[list[TruthPoint], list[TrackUpdate], LocalFrame, dict[str, float] | None]:
    """Truth points, track updates, the frame and the true first detections; exit 2 on
    an unreadable file."""
    from skywarden.geo import LocalFrame
    from skywarden.tracking.evaluation import first_detections
    from skywarden.tracking.files import (
        iter_detections,
        iter_tracks,
        iter_truth,
        parse_origin,
        sector_frame,
    )
    from skywarden.tracking.io import InputLineError

    try:
        truth_pts = list(iter_truth(truth))
        updates = list(iter_tracks(tracks))
        if not truth_pts:
            raise InputLineError(truth, 1, "no truth points")
        frame = (
            parse_origin(origin)
            if origin
            else sector_frame(truth.parent)
            or LocalFrame(truth_pts[0].lat, truth_pts[0].lon, truth_pts[0].alt_m)
        )
        first = (
            first_detections(truth_pts, iter_detections(detections), frame) if detections else None
        )
    except (InputLineError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    return truth_pts, updates, frame, first


def _summary_table(s: dict[str, Any], truth: Path, tracks: Path, gospa_c: float) -> Table:
    """The summary's measures, one row each."""
    from rich.table import Table

    table = Table(title=f"{tracks.name} against {truth.name}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    frac = s["drone_within_10s_fraction"]
    rows = [
        ("scans", f"{s['scans']}"),
        (f"mean GOSPA (c={gospa_c:.0f} m)", f"{s['mean_gospa_m']:.1f} m"),
        ("mean missed targets / scan", f"{s['mean_missed_targets']:.2f}"),
        ("mean false tracks / scan", f"{s['mean_false_tracks']:.2f}"),
        ("tracks / mean purity", f"{s['tracks']} / {s['mean_track_purity']:.3f}"),
        ("targets / mean completeness", f"{s['targets']} / {s['mean_completeness']:.3f}"),
        ("identity switches", f"{s['identity_switches']}"),
        (
            "drones classified drone within 10 s",
            f"{s['drones_classified_within_10s']}/{s['drones_detected']}"
            + (f" ({frac:.1%})" if frac is not None else ""),
        ),
        (
            "... within 10 s of first track update",
            f"{s['drones_classified_within_10s_of_track']}/{s['drones_detected']}",
        ),
        ("ADS-B updates classified drone", f"{s['adsb_updates_classified_drone']}"),
    ]
    for r in rows:
        table.add_row(*r)
    return table


def _confusion_table(ev: Evaluation) -> Table:
    """Truth class against track class over the matched updates."""
    from rich.table import Table

    from skywarden.tracking.evaluation import CLASS_NAMES

    conf = Table(title="confusion (rows truth, columns track class; matched updates)")
    conf.add_column("truth")
    for c in CLASS_NAMES:
        conf.add_column(c, justify="right")
    for k in CLASS_NAMES:
        if sum(ev.confusion[k].values()):
            conf.add_row(k, *(str(ev.confusion[k][c]) for c in CLASS_NAMES))
    return conf


def _plot(ev: object, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from skywarden.tracking.evaluation import CLASS_NAMES, Evaluation

    assert isinstance(ev, Evaluation)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5), width_ratios=[2, 1])
    t = np.array(ev.times) - (ev.times[0] if ev.times else 0.0)
    ax1.stackplot(
        t,
        [g.localisation for g in ev.gospa],
        [g.missed for g in ev.gospa],
        [g.false for g in ev.gospa],
        labels=["localisation", "missed", "false"],
    )
    ax1.set_xlabel("time since start, s")
    ax1.set_ylabel("GOSPA^2 parts, m^2")
    ax1.legend(loc="upper left")
    ax1.set_title("GOSPA over time")
    m = np.array([[ev.confusion[k][c] for c in CLASS_NAMES] for k in CLASS_NAMES], dtype=float)
    norm = m / np.maximum(m.sum(axis=1, keepdims=True), 1.0)
    ax2.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax2.set_xticks(range(4), CLASS_NAMES)
    ax2.set_yticks(range(4), CLASS_NAMES)
    ax2.set_xlabel("track class")
    ax2.set_ylabel("truth")
    for i in range(4):
        for j in range(4):
            ax2.text(j, i, f"{int(m[i, j])}", ha="center", va="center", fontsize=8)
    ax2.set_title("classification (matched updates)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
