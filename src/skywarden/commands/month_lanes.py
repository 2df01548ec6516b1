"""A month sector's windows in lanes: ``L`` chains side by side over one tracker core.

The month's tracker spends most of a step on the fixed cost of its numpy calls, paid
once per sensor group whatever its size (docs/month.md). ``month run --lanes L`` splits
a sector's runs of windows (``sim.month.runs``) into ``L`` contiguous blocks of about
equal simulated time and runs each block as its own chain (simulator, analyzer, hooks,
files: ``month_sector._chain``) in a thread, all tracking through one
:class:`~skywarden.tracking.lanes.LaneTracker` (:mod:`~skywarden.tracking.lane_rounds`):
each sensor's plots of all lanes in one second are one group for the core.

The sector's outputs are the lanes' put together: lane ``l``'s block precedes lane
``l + 1``'s in time, so its streams (gzip members) are concatenated in lane order and
stay in time order; events, incidents and recommendations likewise. Each lane's
analyzer mints its own incident and measure ids, prefixed with the lane
(``I2-00001``: unique within the sector). What differs from the single chain (measured
in docs/month.md): the last bits of the floats of shifted lanes, the order of the
sensor names in a track record, and the analyzer's state at the ``L - 1`` block
boundaries (each lane's analyzer starts fresh).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from skywarden.airspace.zone_index import ZoneIndex
from skywarden.commands.month_sector import Lane, SectorJob, _chain, _Windows
from skywarden.sim.month_windows import Window
from skywarden.tracking.lane_rounds import LaneRounds, LaneStage

#: the lanes' working directories under the sector's, removed once merged
LANE_DIR = ".lane{}"
STREAMS = ("tracks_all.jsonl.gz", "truth.jsonl", "detections.jsonl")


def split_runs(groups: list[list[Window]], lanes: int) -> list[list[list[Window]]]:
    """Contiguous blocks of runs, at most ``lanes``, none empty, of about equal
    simulated seconds (a lane that finishes early leaves the core to fewer lanes)."""
    seconds = [sum(w.seconds for w in g) for g in groups]
    total = sum(seconds)
    n = max(1, min(lanes, len(groups)))
    blocks: list[list[list[Window]]] = [[] for _ in range(n)]
    done = 0.0
    b = 0
    for i, (g, s) in enumerate(zip(groups, seconds, strict=True)):
        left = len(groups) - i
        if blocks[b] and (done >= (b + 1) * total / n or left <= n - 1 - b):
            b += 1
        blocks[b].append(g)
        done += s
    return blocks


def _stream_names(compress: bool) -> list[str]:
    return [n if n.endswith(".gz") or not compress else n + ".gz" for n in STREAMS]


def _merge_files(out: Path, lane_dirs: list[Path], compress: bool) -> None:
    """Each stream of the sector: the lanes' streams one after another (gzip members
    concatenated are one gzip stream to every reader)."""
    for name in _stream_names(compress):
        with (out / name).open("wb") as dst:
            for d in lane_dirs:
                with (d / name).open("rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 20)
    for d in lane_dirs:
        shutil.rmtree(d)


def _merge_results(job: SectorJob, sim: _Windows, parts: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    """One result and one set of scoring logs from the lanes', in lane (time) order."""
    from skywarden.airspace.chain import ChainResult
    from skywarden.airspace.evaluate import PositionLog

    res = ChainResult(
        f"border month {job.tile.id}", job.seed, sim.duration_s, "tracker", sim.t_start
    )
    res.seconds = {"simulate": 0.0, "track": 0.0, "analyze": 0.0}
    truth = SimpleNamespace(events=[], positions=PositionLog())
    seen = PositionLog()
    for r, hooks in parts:
        res.events += r.events
        res.recommendations += r.recommendations
        res.incidents.update(r.incidents)
        res.n_updates += r.n_updates
        for k, v in r.seconds.items():
            res.seconds[k] = res.seconds.get(k, 0.0) + v
        truth.events += hooks.truth.events
        for into, log in ((truth.positions, hooks.truth.positions), (seen, hooks.seen)):
            for t, (lat, lon, labels) in log.at.items():
                into.add(t, lat, lon, labels)
    return res, SimpleNamespace(truth=truth, seen=seen)


def run_lanes(job: SectorJob, sim: _Windows, lanes: int) -> tuple[Any, Any]:
    """The sector's chain in ``lanes`` lanes (see module): its result and scoring logs,
    its streams written to the sector's folder as the single chain writes them."""
    from skywarden.airspace.zones import sector_zones
    from skywarden.tracking.lanes import LaneTracker

    blocks = split_runs(sim.groups, lanes)
    frame = sim.scn.frame
    tracker = LaneTracker(frame, len(blocks), job.tracker_config(), id_prefix=f"{job.tile.id}-")
    rounds = LaneRounds(tracker)
    zindex = ZoneIndex(frame, sector_zones(frame, airports=list(sim.scn.sector.airports)))
    dirs = [job.out / LANE_DIR.format(i) for i in range(len(blocks))]
    parts: list[tuple[Any, Any] | None] = [None] * len(blocks)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            dirs[i].mkdir(parents=True, exist_ok=True)
            lane = Lane(LaneStage(rounds, i), dirs[i], f"{i}-", zindex)
            after = blocks[i + 1][0][0].start if i + 1 < len(blocks) else None
            parts[i] = _chain(job, sim.share(blocks[i], after), lane)
        except BaseException as e:
            errors.append(e)
            rounds.fail(e)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(blocks))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        first = next((e for e in errors if not isinstance(e, RuntimeError)), errors[0])
        raise first
    _merge_files(job.out, dirs, job.compress)
    return _merge_results(job, sim, [p for p in parts if p is not None])
