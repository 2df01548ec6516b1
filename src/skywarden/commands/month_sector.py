"""One month sector's chain: its job, its windows as one simulator, the chain over them.

What ``month run`` hands a worker (:class:`SectorJob`), the sector's runs of windows
one after another as the simulator the chain drives (:class:`_Windows`), and the chain
itself (``skywarden run``'s source and hooks: simulator -> tracker -> analyzer, scored
against truth, streaming to files), whole or as one lane of the sector's
(:mod:`.month_lanes`).
"""

from __future__ import annotations

import copy
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from isal import igzip

from skywarden.jsonl_write import encode_lines
from skywarden.model import TrackUpdate
from skywarden.sim.border_sectors import Tile
from skywarden.sim.month import WindowSimulation, window_seed
from skywarden.sim.month_windows import Window
from skywarden.sim.target import Target

if TYPE_CHECKING:
    from collections.abc import Iterator

    from skywarden.airspace.zone_index import ZoneIndex
    from skywarden.tracking.config import TrackerConfig
    from skywarden.tracking.lane_rounds import LaneStage


@dataclass
class Lane:
    """What makes a chain one lane of a sector's: its tracking stage, its files' folder,
    its id prefix, and the sector's zone index (built once, read by every lane)."""

    stage: LaneStage
    out: Path
    id_prefix: str
    zindex: ZoneIndex


#: An empty step this long after a window's last (see ``_Windows.steps``): longer than
#: the tracker's ``max_coast_s`` (10 s).
GAP_S = 15.0


@dataclass
class SectorJob:
    """What one worker needs: the tile, its windows and each window's month flights."""

    tile: Tile
    windows: list[Window]
    injected: list[list[Target]]
    seed: int
    out: Path
    compress: bool = True
    all_tracks: bool = False
    month_start: float = 0.0
    month_s: float = 0.0
    lanes: int = 1
    #: tracker settings (``TrackerConfig`` fields, as a ``--tracker-config`` YAML holds
    #: them; empty: the defaults), a plain mapping so that the job pickles
    tracker: dict[str, Any] = field(default_factory=dict)

    def tracker_config(self) -> TrackerConfig:
        """The sector's tracker configuration (validated again in the worker)."""
        from skywarden.tracking.config_file import config_from_mapping

        return config_from_mapping(self.tracker, "--tracker-config")


class _Windows:
    """The sector's windows one after another, as one simulator the chain can drive;
    ``groups``: only these runs of them (``sim.month.runs``; a lane's share)."""

    def __init__(self, job: SectorJob, groups: list[list[Window]] | None = None) -> None:
        from skywarden.sim.geography import Geography
        from skywarden.sim.month_windows import runs

        self.job = job
        self.scn = job.tile.scenario()
        sec = self.scn.sector
        self.geo = Geography(self.scn.frame, sec.extent_m, sec.ground_alt_m, list(sec.airports))
        self.groups = runs(job.windows) if groups is None else groups
        windows = [w for g in self.groups for w in g]
        self.duration_s = sum(w.seconds for w in windows)
        self.t_start = windows[0].start if windows else 0.0
        self.window_index = -1
        self.next_start: float | None = None  # the sector's next run after these

    def share(self, groups: list[list[Window]], next_start: float | None) -> _Windows:
        """These runs only, with this one's scenario and geography (a lane's share);
        ``next_start``: when the sector's run after them starts (None: they are its
        last), so the share ends as the whole sector's chain would there."""
        lane = copy.copy(self)
        windows = [w for g in groups for w in g]
        lane.groups, lane.next_start = groups, next_start
        lane.duration_s = sum(w.seconds for w in windows)
        lane.t_start = windows[0].start if windows else 0.0
        return lane

    def steps(self) -> Iterator[Any]:
        """Each run of touching windows (a warm-up and its counted window, or windows
        that abut: ``sim.month.runs``) as one continuous simulation; between two runs one
        empty step ``GAP_S`` after the last, so the tracker ends the previous run's
        tracks by its own coast rule, at a time next to the run they belong to."""
        from skywarden.sim.engine import Step
        from skywarden.sim.snapshot import Snapshot

        injected = {id(w): inj for w, inj in zip(self.job.windows, self.job.injected, strict=True)}
        groups = self.groups
        for k, group in enumerate(groups):
            self.window_index = k
            first, last_w = group[0], group[-1]
            sim = WindowSimulation(
                self.scn,
                window_seed(self.job.seed, self.job.tile, first),
                first.sky_start,
                last_w.end - first.sky_start,
                self.geo,
                [tg for w in group for tg in injected[id(w)]],
            )
            last = None
            for step in sim.steps():
                if step.t < first.start:
                    continue  # simulated, not fed (``Window.sky_from``)
                last = step.t
                yield step
            nxt = groups[k + 1][0].start if k + 1 < len(groups) else self.next_start
            if last is not None and nxt is not None and nxt > last + GAP_S:
                t = last + GAP_S
                yield Step(t, [], [], Snapshot.of(t, [], self.scn.frame), {})


def _open(path: Path, compress: bool) -> BinaryIO:
    """A per-second stream file: ``NAME.jsonl.gz`` (gzip, ISA-L level 1) or plain
    ``NAME.jsonl``.

    A month writes ~25 kB a simulated second per sector (tracks carry covariances and
    evidence); compressed it is ~5x smaller, which is what makes a month fit a shared disk.
    ISA-L's deflate (``isal.igzip``, the same gzip format any reader reads) compressed a
    sector-day's streams 4x faster than zlib's level 1, into a file 7 % smaller: zlib
    was some 5 % of a sector's CPU.
    """
    if compress:
        return cast(BinaryIO, igzip.open(path.with_suffix(".jsonl.gz"), "wb", compresslevel=1))
    return path.open("wb")


def _chain(job: SectorJob, sim: _Windows, lane: Lane | None = None) -> tuple[Any, Any]:
    """The windows through tracker and analyzer (the ``skywarden run`` chain's source and
    hooks), streaming truth, detections and every track update to files. ``lane``: this
    chain is one lane of the sector's (its tracking stage, files, ids and clock)."""
    from skywarden import refdata
    from skywarden.airspace.analyzer import Analyzer, AnalyzerConfig
    from skywarden.airspace.chain import ChainResult, _ChainHooks, _SimulatorSource
    from skywarden.airspace.evaluate import TruthEvents
    from skywarden.airspace.policy import load_policy
    from skywarden.airspace.zones import sector_zones
    from skywarden.stages import Runner, StageChain, fresh
    from skywarden.tracking import Tracker

    out = job.out if lane is None else lane.out
    frame = sim.scn.frame
    border = refdata.border_line()
    zones = sector_zones(frame, airports=list(sim.scn.sector.airports))
    analyzer = Analyzer(
        frame,
        zones,
        border,
        load_policy(),
        AnalyzerConfig(country="US"),
        None if lane is None else lane.zindex,
        id_prefix="" if lane is None else lane.id_prefix,
    )
    tracker = (
        Tracker(frame, job.tracker_config(), id_prefix=f"{job.tile.id}-")
        if lane is None
        else lane.stage
    )
    clock = time.perf_counter if lane is None else time.thread_time
    res = ChainResult(
        f"border month {job.tile.id}", job.seed, sim.duration_s, "tracker", sim.t_start
    )
    res.seconds = {"simulate": 0.0, "track": 0.0, "analyze": 0.0}
    src = _SimulatorSource(sim, None, res.seconds, clock)

    with ExitStack() as files:
        tracks_fh = files.enter_context(_open(out / "tracks_all.jsonl", True))
        truth_fh = files.enter_context(_open(out / "truth.jsonl", job.compress))
        det_fh = files.enter_context(_open(out / "detections.jsonl", job.compress))

        def keep(_t: float, ups: list[TrackUpdate]) -> None:
            tracks_fh.write(encode_lines(u.to_dict() for u in ups))

        def keep_sim(step: Any) -> None:
            truth_fh.write(encode_lines(p.to_dict() for p in step.truth))
            det_fh.write(encode_lines(d.to_dict() for d in step.detections))

        hooks = _ChainHooks(src, res, TruthEvents(frame, analyzer.zindex, border), keep, keep_sim)
        chain = StageChain(tracker, analyzer, strict=True, clock=clock)
        Runner(chain, hooks, finish=True).run(fresh(src.scans()))
    return res, hooks
