"""``skywarden run SCENARIO --out DIR [--seed N]``: simulate -> track -> analyze, and report.

Writes ``truth.jsonl`` and ``detections.jsonl`` (the simulator's, as ``skywarden
simulate`` does), ``tracks.jsonl``, ``incidents.json`` (events, incidents, recommendations),
``evaluation.json`` (crossings and zone entries found against the simulator's truth) and
``sector.json`` into DIR, and prints the incident table, the recommendation timeline,
the minutes of restricted operations per runway and the evaluation.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from skywarden.model import TrackUpdate

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from skywarden.airspace.chain import ChainResult


def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML, e.g. scenarios/el-paso.yaml.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (created if missing).")],
    seed: Annotated[int, typer.Option("--seed", min=0, help="Simulator seed.")] = 1,
    duration: Annotated[
        float | None, typer.Option("--duration", min=1, help="Seconds (default: scenario's).")
    ] = None,
    stand_in: Annotated[
        bool,
        typer.Option(
            "--truth-stand-in",
            help="Feed noisy truth instead of the tracker (tests the airspace stage alone).",
        ),
    ] = False,
    evidence: Annotated[
        bool,
        typer.Option(
            "--evidence",
            help="Hash-chain the raw inputs into raw.jsonl, heads.jsonl and evidence.json "
            "(for `skywarden replay --verify` and `skywarden evidence export`).",
        ),
    ] = False,
) -> None:
    """Chain the simulator, the tracker and the analyzer over a scenario and report."""
    from rich.console import Console

    from skywarden.airspace.report import minutes_table, print_report

    console = Console()
    out.mkdir(parents=True, exist_ok=True)
    from skywarden.airspace.whatif import is_whatif

    if is_whatif(scenario):
        _run_whatif(scenario, out, console)
        return

    if evidence and stand_in:
        typer.echo("error: --evidence needs the tracker (a stand-in has no sensors)", err=True)
        raise typer.Exit(2)
    res = _chain_to_files(scenario, out, seed, duration, stand_in, evidence)
    minutes = _write_outputs(scenario, out, seed, res)
    print_report(console, res.incidents.values(), res.recommendations)
    console.print(minutes_table(minutes))
    console.print(_truth_table(res, seed))
    console.print(
        f"wrote {out}/truth.jsonl, detections.jsonl, tracks.jsonl, incidents.json, "
        "evaluation.json, sector.json"
    )


def _chain_to_files(
    scenario: Path,
    out: Path,
    seed: int,
    duration: float | None,
    stand_in: bool,
    evidence: bool = False,
) -> ChainResult:
    """Run the chain, writing truth, detections and tracks as JSON Lines as they come."""
    from skywarden.airspace.chain import run_chain
    from skywarden.airspace.errors import AirspaceError
    from skywarden.evidence.rawlog import RunChainWriter
    from skywarden.evidence.runs import record_manifest
    from skywarden.sim import ScenarioError

    def line(d: dict[str, Any]) -> str:
        return json.dumps(d, separators=(",", ":")) + "\n"

    with ExitStack() as files:
        tracks_fh = files.enter_context((out / "tracks.jsonl").open("w"))
        truth_fh = files.enter_context((out / "truth.jsonl").open("w"))
        det_fh = files.enter_context((out / "detections.jsonl").open("w"))
        chain = files.enter_context(RunChainWriter(out)) if evidence else None

        def keep(_t: float, ups: list[TrackUpdate]) -> None:
            tracks_fh.writelines(line(u.to_dict()) for u in ups)

        def keep_sim(step: Any) -> None:
            truth_fh.writelines(line(p.to_dict()) for p in step.truth)
            lines = [line(d.to_dict()) for d in step.detections]
            det_fh.writelines(lines)
            if chain is not None:
                chain.scan(step.t, lines)

        try:
            res = run_chain(
                scenario,
                seed,
                duration,
                tracker=not stand_in,
                on_updates=keep,
                on_truth=keep_sim,
            )
        except (ScenarioError, AirspaceError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        if chain is not None:
            record_manifest(out, scenario, chain)
        return res


def _write_outputs(
    scenario: Path, out: Path, seed: int, res: ChainResult
) -> dict[str, dict[str, float]]:
    """Write incidents.json, evaluation.json and sector.json; return the restricted minutes."""
    from skywarden import refdata
    from skywarden.airspace.io import output_doc, write_output
    from skywarden.airspace.report import restricted_minutes
    from skywarden.sim import load_scenario

    scn = load_scenario(scenario)
    aps = list(scn.sector.airports)
    ends = {ap: [e.ident for r in refdata.runways(ap) for e in r.ends] for ap in aps}
    minutes = restricted_minutes(res.recommendations, ends)
    evaluation = evaluation_doc(str(scenario), seed, res)
    meta = {
        "scenario": str(scenario),
        "seed": seed,
        "source": res.source,
        "frame": scn.frame.to_dict(),
        "airports": aps,
        "restricted_minutes": minutes,
    }
    write_output(
        out / "incidents.json",
        output_doc(res.events, res.incidents.values(), res.recommendations, meta),
    )
    (out / "evaluation.json").write_text(json.dumps(evaluation, indent=1))
    (out / "sector.json").write_text(
        json.dumps(
            {
                "name": scn.sector.name,
                "origin": scn.frame.to_dict(),
                "airports": aps,
                "start_t": res.t_start,
                "duration_s": res.duration_s,
                "seed": seed,
            }
        )
    )
    return minutes


def _truth_table(res: ChainResult, seed: int) -> Table:
    """The run's event scores against truth, one row per event kind."""
    from rich.table import Table

    et = Table(title=f"against truth ({res.source}, seed {seed}, {res.duration_s / 3600:.2f} h)")
    cols = (
        "events",
        "true",
        "found",
        "recall",
        "seen",
        "recall seen",
        "false/h",
        "false: drone/other",
        "median s / m",
    )
    for col in cols:
        et.add_column(col)
    for s in res.scores.values():
        sd = s.to_dict()
        et.add_row(
            s.kind,
            str(s.truth),
            str(s.found),
            f"{s.recall:.3f}" if s.truth else "-",
            str(s.observable),
            f"{s.recall_observable:.3f}" if s.observable else "-",
            f"{s.false_per_hour:.2f}",
            f"{s.false_on_drones}/{s.false_on_others}",
            f"{sd['median_dt_s']} / {sd['median_dist_m']}",
        )
    et.caption = (
        "found = same direction/zone within 60 s and 100 m; seen = a track was within 100 m "
        "of the true event (the airspace stage's own recall); false attributed to the "
        "nearest truth target"
    )
    return et


def _run_whatif(scenario: Path, out: Path, console: Console) -> None:
    """A what-if file: the sightings through the policy, the laser plan's TFR, the tables."""
    from rich.markdown import Markdown

    from skywarden.airspace.errors import AirspaceError
    from skywarden.airspace.io import output_doc, write_output
    from skywarden.airspace.whatif import LaserMeasure, load_whatif, markdown, run_whatif

    try:
        w = load_whatif(scenario)
        laser = None
        plan_path = w.laser_plan_path()
        if plan_path is not None:
            from skywarden.laser import LaserPlanError, load_laser_plan
            from skywarden.laser.analysis import analyse

            try:
                a = analyse(load_laser_plan(plan_path)).to_dict()
            except LaserPlanError as e:
                typer.echo(f"error: {e}", err=True)
                raise typer.Exit(2) from None
            tfr = dict(a["tfr"])  # type: ignore[call-overload]
            laser = LaserMeasure(
                str(a["name"]),
                float(tfr["start_t"]),
                float(tfr["end_t"]),
                tfr,
                list(a["flows_touched"]),  # type: ignore[call-overload]
            )
        res = run_whatif(w, laser)
    except AirspaceError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    meta = {
        "whatif": str(scenario),
        "name": w.name,
        "restricted_minutes": res.minutes,
        "actual_minutes": res.actual_minutes,
        "airports_closed_in_reality": res.airports_closed,
        "laser_tfr": None if laser is None else laser.tfr,
    }
    write_output(
        out / "incidents.json",
        output_doc(res.events, res.incidents.values(), res.recommendations, meta),
    )
    md = markdown(res)
    (out / "whatif.md").write_text(md)
    console.print(Markdown(md))
    console.print(f"wrote {out}/incidents.json and {out}/whatif.md")


def evaluation_doc(scenario: str, seed: int, res: ChainResult) -> dict[str, Any]:
    """``evaluation.json``: the run's scores against truth and where its time went (the
    same document for a scenario run and a month's sector)."""
    return {
        "scenario": scenario,
        "seed": seed,
        "duration_s": res.duration_s,
        "source": res.source,
        "criteria": "same direction/zone, within 60 s and 100 m of the true event",
        "scores": {k: s.to_dict() for k, s in res.scores.items()},
        "seconds": {k: round(v, 2) for k, v in res.seconds.items()},
        "updates": res.n_updates,
    }
