"""Run a planned border month: each sector's windows through the whole chain, in processes.

One sector is one ``skywarden run``-style chain (``airspace.chain``'s source and hooks:
simulator -> tracker -> analyzer with its response policy, scored against truth) kept
alive across all of the sector's windows (``sim/month.py``): one tracker (ids prefixed
with the sector id, so they are unique along the border), one analyzer, one set of
files. Between two windows the clock jumps; tracks left from the previous window coast
out and are deleted by the tracker's own rules, as after any gap in a feed.

Sectors run in a ``ProcessPoolExecutor`` (``--workers``); each worker gets its sector's
tile, windows and injected flights pickled (no re-planning), and writes
``MONTH_DIR/sectors/<ID>/`` as ``skywarden run`` does, plus ``windows.json``. With
``--lanes L`` a worker runs its sector's windows ``L`` side by side through one tracker
(:mod:`.month_lanes`); the chain itself is :mod:`.month_sector`'s.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from isal import igzip

from skywarden.commands.month_sector import SectorJob, _chain, _Windows
from skywarden.errors import SkywardenError
from skywarden.sim.month import MonthPlan, injected_for
from skywarden.sim.month_manifest import manifest

_TRACK_ID = re.compile(rb'"track":"([^"]*)"')


#: a finished sector's record (timings, counts), written after its last output
RUN_RECORD = "run.json"


def run_sector(job: SectorJob) -> dict[str, Any]:
    """Run one sector's windows through the chain and write its run directory.

    ``seconds`` are the chain's own per-stage timers (wall clock inside this process, so
    they grow when other processes share the cores); ``cpu_s`` is this process's CPU time.
    """
    from skywarden.airspace.chain import score_events

    wall0, cpu0 = time.perf_counter(), time.process_time()
    job.out.mkdir(parents=True, exist_ok=True)
    sim = _Windows(job)
    if job.lanes > 1:
        from skywarden.commands.month_lanes import run_lanes

        res, hooks = run_lanes(job, sim, job.lanes)
    else:
        res, hooks = _chain(job, sim)
    score_events(res, hooks, sim.duration_s / 3600.0)
    _write(job, res, sim)
    kept = _event_tracks(job.out, res, keep_all=job.all_tracks)
    record = {
        "sector": job.tile.id,
        "windows": len(job.windows),
        "simulated_s": sim.duration_s,
        "seconds": {k: round(v, 3) for k, v in res.seconds.items()},
        "wall_s": round(time.perf_counter() - wall0, 3),
        "cpu_s": round(time.process_time() - cpu0, 3),
        "updates": res.n_updates,
        "tracks_kept": kept,
        "events": len(res.events),
        "incidents": len(res.incidents),
        "recommendations": len(res.recommendations),
        "tracker": job.tracker,
    }
    # written last: its presence is what makes the sector finished for --resume
    (job.out / RUN_RECORD).write_text(json.dumps(record, indent=1) + "\n")
    return record


def finished(job: SectorJob) -> dict[str, Any] | None:
    """The sector's run record if an earlier run finished it, else None.

    A finished sector has its ``run.json`` (written last), with the job's tracker
    settings (none recorded: the defaults). A run directory from before
    that record existed counts as finished when its last outputs are there: incidents,
    evaluation and the event tracks, with the full stream already removed (a sector
    killed part-way still has ``tracks_all.jsonl.gz``).
    """
    rec = job.out / RUN_RECORD
    if rec.is_file():
        doc = json.loads(rec.read_text())
        if not isinstance(doc, dict) or doc.get("tracker", {}) != job.tracker:
            return None  # run with other tracker settings: not this month's sector
        return doc
    names = ("incidents.json", "evaluation.json", "windows.json", "tracks.jsonl")
    if (
        not job.tracker
        and all((job.out / n).is_file() for n in names)
        and (job.all_tracks or not any(job.out.glob("tracks_all.jsonl*")))
    ):
        return {
            "sector": job.tile.id,
            "windows": len(job.windows),
            "simulated_s": sum(w.seconds for w in job.windows),
            "note": "finished by an earlier run that kept no run record: no timings",
        }
    return None


def _write(job: SectorJob, res: Any, sim: _Windows) -> None:
    """incidents.json, evaluation.json, sector.json and windows.json, as ``skywarden run``."""
    from skywarden import refdata
    from skywarden.airspace.io import output_doc, write_output
    from skywarden.airspace.report import restricted_minutes
    from skywarden.commands.run import evaluation_doc

    out = job.out
    aps = list(sim.scn.sector.airports)
    ends = {ap: [e.ident for r in refdata.runways(ap) for e in r.ends] for ap in aps}
    minutes = restricted_minutes(res.recommendations, ends)
    scenario = f"border.json#sectors/{job.tile.id}"
    evaluation = evaluation_doc(scenario, job.seed, res)
    meta = {
        "scenario": scenario,
        "seed": job.seed,
        "source": res.source,
        "frame": sim.scn.frame.to_dict(),
        "airports": aps,
        "restricted_minutes": minutes,
        "windows": "windows.json (simulated spans and their weights)",
    }
    write_output(
        out / "incidents.json",
        output_doc(res.events, res.incidents.values(), res.recommendations, meta),
    )
    (out / "evaluation.json").write_text(json.dumps(evaluation, indent=1))
    (out / "sector.json").write_text(
        json.dumps(
            {
                "name": sim.scn.sector.name,
                "origin": sim.scn.frame.to_dict(),
                "airports": aps,
                # the span the run stands for (the month), not only its simulated windows
                "start_t": job.month_start,
                "duration_s": job.month_s,
                "simulated_s": res.duration_s,
                "first_window_t": res.t_start,
                "seed": job.seed,
                "month_sector": job.tile.id,
            }
        )
    )
    (out / "windows.json").write_text(
        json.dumps({"sector": job.tile.id, "windows": [w.to_dict() for w in job.windows]}, indent=1)
    )


def _event_tracks(out: Path, res: Any, keep_all: bool) -> int:
    """Write ``tracks.jsonl``: every update of every track named by an event or incident.

    The full stream (~14 kB per simulated second, mostly radar-clutter tracks that never
    make an event) went to ``tracks_all.jsonl.gz``; it is kept only with ``keep_all``.
    Returns how many tracks were kept.
    """
    wanted = {e.track for e in res.events if getattr(e, "track", None)}
    for inc in res.incidents.values():
        wanted.update(inc.tracks)
    names = {w.encode() for w in wanted}
    src = out / "tracks_all.jsonl.gz"
    with igzip.open(src, "rb") as fin, (out / "tracks.jsonl").open("wb") as fout:
        for raw in fin:
            m = _TRACK_ID.search(raw)
            if m is not None and m.group(1) in names:
                fout.write(raw)
    if not keep_all:
        src.unlink()
    return len(wanted)


def jobs(
    plan: MonthPlan,
    month_dir: Path,
    compress: bool = True,
    all_tracks: bool = False,
    lanes: int = 1,
    tracker: dict[str, Any] | None = None,
) -> list[SectorJob]:
    """One job per simulated sector, the busiest first (keeps the pool's tail short);
    ``tracker``: tracker settings (``SectorJob.tracker``)."""
    out = []
    for tid, wins in plan.windows.items():
        tile = plan.tile(tid)
        inj = [injected_for(plan, tile, w) for w in wins]
        out.append(
            SectorJob(
                tile,
                wins,
                inj,
                plan.seed,
                month_dir / "sectors" / tid,
                compress,
                all_tracks,
                plan.start_t,
                plan.end_t - plan.start_t,
                lanes,
                dict(tracker or {}),
            )
        )
    return sorted(out, key=lambda j: -sum(w.seconds for w in j.windows))


def write_truth(plan: MonthPlan, month_dir: Path) -> None:
    """``truth_incursions.jsonl``: every true incursion of the border, in time order."""
    month_dir.mkdir(parents=True, exist_ok=True)
    with (month_dir / "truth_incursions.jsonl").open("w") as fh:
        for inc in sorted(plan.incursions, key=lambda i: (i.launch_t, i.id)):
            sensed = plan.tile(inc.owner).sensed
            rec = inc.record(sensed)
            rec["simulated"] = any(s in plan.windows for s in inc.in_boxes) and sensed
            fh.write(json.dumps(rec, separators=(",", ":")) + "\n")


def write_manifest(plan: MonthPlan, month_dir: Path, extra: dict[str, Any] | None = None) -> None:
    from skywarden import __version__

    doc = manifest(plan, __version__)
    if extra:
        doc.update(extra)
    (month_dir / "border.json").write_text(json.dumps(doc, indent=1) + "\n")


def run_month(
    plan: MonthPlan,
    month_dir: Path,
    workers: int = 2,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    compress: bool = True,
    all_tracks: bool = False,
    resume: bool = False,
    lanes: int = 1,
    tracker: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Write the truth and manifest, run every sector (in ``workers`` processes, each
    sector's windows in ``lanes`` lanes: :mod:`.month_lanes`).

    With ``resume`` the month directory must hold the same plan (its ``border.json``);
    sectors an earlier run finished are kept as they are (each sector's outputs depend
    only on the plan, the seed and the tracker settings: a sector finished with other
    settings runs again) and only the others run. ``tracker``: ``TrackerConfig`` fields
    for every sector's tracker (``--tracker-config``), recorded in each ``run.json``.
    """
    wall0 = time.perf_counter()
    if resume:
        same_plan(plan, month_dir)
    write_truth(plan, month_dir)
    write_manifest(plan, month_dir)
    todo = jobs(plan, month_dir, compress, all_tracks, lanes, tracker)
    results: list[dict[str, Any]] = []
    if resume:
        kept = [(j, finished(j)) for j in todo]
        results = [r for _, r in kept if r is not None]
        for r in results:
            if on_done:
                on_done({**r, "resumed": True})  # finished before: no time spent now
        todo = [j for j, r in kept if r is None]
    if workers <= 1 or len(todo) <= 1:
        for j in todo:
            r = run_sector(j)
            results.append(r)
            if on_done:
                on_done(r)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo), os.cpu_count() or 1)) as ex:
            futs = [ex.submit(run_sector, j) for j in todo]
            for f in as_completed(futs):
                r = f.result()
                results.append(r)
                if on_done:
                    on_done(r)
    results.sort(key=lambda r: str(r["sector"]))
    run: dict[str, Any] = {
        "workers": workers,
        "lanes": lanes,
        "wall_s": round(time.perf_counter() - wall0, 1),
        "tracker": dict(tracker or {}),
    }
    if resume:
        run["resumed"] = True
    write_manifest(plan, month_dir, {"sector_runs": results, "run": run})
    return results


def same_plan(plan: MonthPlan, month_dir: Path) -> None:
    """Refuse to resume into a month directory planned differently (or not at all)."""
    from skywarden import __version__

    path = month_dir / "border.json"
    if not path.is_file():
        raise SkywardenError(f"{path}: nothing to resume (no border.json); run without --resume")
    try:
        old = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise SkywardenError(f"{path}: not JSON ({e}); cannot resume") from None
    new = json.loads(json.dumps(manifest(plan, __version__)))
    differ = sorted(k for k in new if k != "skywarden_version" and old.get(k) != new[k])
    if differ:
        raise SkywardenError(
            f"{path}: planned with other options ({', '.join(differ)} differ); resume with "
            "the same --seed, --days, --sectors, --quiet-s, --warmup-s and rate options"
        )
