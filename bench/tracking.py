"""Benchmark: skywarden's tracker against Stone Soup on the same detections, same run.

Scenarios of 10, 100, 1,000 and 5,000 simultaneous targets (``--quick``: 10, 100, 500
and 30 scans): 100 scans at 1 Hz, targets at 2-20 m/s with a small random acceleration,
1 km^2 of sector per target, detection probability 0.9, position noise 10 m per axis,
Poisson clutter of 1 per km^2 per scan (so clutter scales with the area), births and
deaths at 1 % of the population per scan. Everything is drawn from ``--seed``.

Trackers, configured alike (constant velocity with the same noise density, Mahalanobis
gate at the 99.9 % chi-square point, confirmation after 4 detections, a tentative
track dropped after 2 missed scans in a row, deletion after 3 missed scans):

- ``skywarden``: the array core (``TrackerCore``, 2-D, constant-velocity Kalman) set up
  as Stone Soup's chain (every live track reported, no existence gate): its GOSPA
  reproduces Stone Soup's to rounding, so it stands in for Stone Soup's accuracy at
  sizes where Stone Soup does not finish in the time limit;
- ``stonesoup``: KalmanPredictor/KalmanUpdater, DistanceHypothesiser (Mahalanobis),
  GNNWith2DAssignment, MultiMeasurementInitiator, UpdateTimeStepsDeleter,
  MultiTargetTracker;
- ``stonesoup-kdtree``: the same chain with DetectionKDTreeGNN2D (k-d tree pre-gate);
- ``skywarden-cli``: the command line as a user runs it, ``skywarden track --enu`` with
  its DEFAULT configuration (IMM, 3-of-4 confirmation, coasting tracks shown while their
  IPDA existence probability is >= 0.8) as a whole process on the detections written
  as plain ENU JSON Lines; its time is the process's wall time minus its start-up (the
  same command on an empty input; median over five back-to-back pairs, see
  ``run_cli``), so it includes reading, writing and everything the command does per
  scan and per detection. Its CPU time (user + system) minus start-up's is reported
  beside it (``cpu_s``, ``cpu_detections_per_s``, ``x cpu``).

Timing covers tracking only: building each tracker's detection objects is outside the
timed region for both. Stone Soup runs in a child process with a time limit per run
(``--time-limit``); a run that exceeds it is reported as "did not finish" with the scans
it managed. Accuracy: mean GOSPA (c = 50 m, p = 2, alpha = 2) over scans, on confirmed
tracks' positions. Thread pools are pinned to one thread (one core). Results go to
``bench/results/tracking.json`` and a table.

    .venv/bin/python bench/tracking.py [--quick] [--sizes 10,100] [--time-limit 180]
        [--peers stonesoup-kdtree] [--out bench/results/other.json]
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from skywarden.model import SensorKind  # noqa: E402
from skywarden.tracking import ScanGroup, TrackerConfig, TrackerCore, gospa  # noqa: E402
from skywarden.tracking.gating import CHI2_999  # noqa: E402

SIGMA_M = 10.0
PD = 0.9
CLUTTER_PER_KM2 = 1.0
KM2_PER_TARGET = 1.0
TURNOVER = 0.01
Q = 0.5
GOSPA_C = 50.0
INIT_SPEED_SIGMA = 25.0
RESULTS = Path(__file__).parent / "results" / "tracking.json"


# ---------------------------------------------------------------------- scenario


@dataclass
class Scenario:
    """Truth and detections per scan (2-D, metres)."""

    n_targets: int
    scans: int
    seed: int
    truth: list[np.ndarray] = field(default_factory=list)
    detections: list[np.ndarray] = field(default_factory=list)

    @property
    def n_detections(self) -> int:
        return int(sum(d.shape[0] for d in self.detections))


def make_scenario(n_targets: int, scans: int, seed: int) -> Scenario:
    """A reproducible scenario; the same (n, scans, seed) always gives the same data."""
    rng = np.random.default_rng([seed, n_targets, scans])
    side = float(np.sqrt(n_targets * KM2_PER_TARGET)) * 1000.0

    def spawn(k: int) -> tuple[np.ndarray, np.ndarray]:
        pos = rng.uniform(0.0, side, (k, 2))
        speed = rng.uniform(2.0, 20.0, k)
        head = rng.uniform(0.0, 2 * np.pi, k)
        return pos, np.stack([speed * np.sin(head), speed * np.cos(head)], axis=1)

    pos, vel = spawn(n_targets)
    scn = Scenario(n_targets, scans, seed)
    clutter_mean = CLUTTER_PER_KM2 * (side / 1000.0) ** 2
    for _ in range(scans):
        scn.truth.append(pos.copy())
        seen = np.asarray(rng.random(pos.shape[0]) < PD)
        z = pos[seen] + rng.normal(0.0, SIGMA_M, (int(seen.sum()), 2))
        clutter = rng.uniform(0.0, side, (rng.poisson(clutter_mean), 2))
        dets = np.vstack([z, clutter])
        scn.detections.append(dets[rng.permutation(dets.shape[0])])
        # move, then deaths and births
        acc = rng.normal(0.0, np.sqrt(Q), vel.shape)
        pos = pos + vel + 0.5 * acc
        vel = vel + acc
        alive = rng.random(pos.shape[0]) >= TURNOVER
        pos, vel = pos[alive], vel[alive]
        bp, bv = spawn(rng.poisson(n_targets * TURNOVER))
        pos, vel = np.vstack([pos, bp]), np.vstack([vel, bv])
    return scn


# ---------------------------------------------------------------------- skywarden


def run_skywarden(scn: Scenario) -> dict[str, Any]:
    config = TrackerConfig(
        filter="cv",
        cv_q=Q,
        gate_chi2=CHI2_999[2],
        confirm_m=4,
        confirm_n=32,  # 4 hits, dropped after 2 misses in a row: Stone Soup's rule below
        max_coast_s=2.5,
        tentative_max_coast_s=1.5,
        init_speed_sigma_ms=INIT_SPEED_SIGMA,
        report_min_p_exist=0.0,  # report every live track, as Stone Soup's tracker does
    )
    core = TrackerCore(config, dims=2, classify=False)
    r = np.eye(2) * SIGMA_M**2
    groups = [
        ScanGroup(
            float(k), "radar", SensorKind.RADAR, z=d, R=np.broadcast_to(r, (d.shape[0], 2, 2))
        )
        for k, d in enumerate(scn.detections)
    ]
    times, estimates = [], []
    c0 = time.process_time()
    for k, g in enumerate(groups):
        t0 = time.perf_counter()
        res = core.step(float(k), [g])
        times.append(time.perf_counter() - t0)
        estimates.append(res.live["x"][:, :2].copy() if res.live else np.empty((0, 2)))
    cpu = time.process_time() - c0  # includes the copies of the estimates (small)
    return {"times": times, "estimates": estimates, "finished": True, "cpu_s": cpu}


# ---------------------------------------------------------------------- command line


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("skywarden")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from skywarden.cli import main; main()"]


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, from the child's rusage) of a command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def run_cli(scn: Scenario, workdir: Path, repeats: int = 5) -> dict[str, Any]:
    """``skywarden track --enu`` as a process (default config), minus its start-up time.

    Start-up is the same command on an EMPTY input (imports, argument parsing, the
    tracker's construction, opening and closing the files; no scan). The two commands
    run in ``repeats`` back-to-back pairs; the time is the median over pairs of (whole
    run - start-up), so both sides of each subtraction share the machine's load at
    that moment. The same in CPU time (user + system) is kept beside it: on a shared
    machine it says what the wall time cannot at small sizes, where the difference is
    tens of milliseconds against a start-up of about a second.
    """
    src, out = workdir / "detections.jsonl", workdir / "tracks.jsonl"
    with src.open("w") as fh:
        for k, d in enumerate(scn.detections):
            for x, y in d.tolist():
                fh.write(f'{{"t":{k},"sensor":"radar","x":{x:.3f},"y":{y:.3f},"sigma":{SIGMA_M}}}\n')
    empty = workdir / "empty.jsonl"
    empty.write_text("")
    base = [*_cli(), "track", "--enu"]
    o0 = str(workdir / "o0.jsonl")
    pairs = []
    for _ in range(repeats):
        w0, c0 = _timed([*base, str(empty), "--out", o0])
        w1, c1 = _timed([*base, str(src), "--out", str(out)])
        pairs.append((w0, c0, w1, c1))
    arr = np.asarray(pairs)
    est: list[list[list[float]]] = [[] for _ in scn.detections]
    with out.open() as fh:
        for line in fh:
            r = json.loads(line)
            est[int(r["t"])].append([r["x"], r["y"]])
    estimates = [np.asarray(e, dtype=float).reshape(-1, 2) for e in est]
    dwall = arr[:, 2] - arr[:, 0]
    secs = max(float(np.median(dwall)), 1e-9)
    cpu = max(float(np.median(arr[:, 3] - arr[:, 1])), 1e-9)
    # Under load the wall times of two processes of ~1 s can differ by more than the
    # work being measured: the wall figure counts only if the pairs agree on it.
    q1, q3 = np.percentile(dwall, [25, 75])
    resolved = bool(np.median(dwall) > 0 and q3 - q1 < np.median(dwall))
    n = scn.n_detections
    # one "time" per scan so summarise() can sum it; p99/max per scan are not observable
    return {
        "times": [secs / len(scn.detections)] * len(scn.detections),
        "estimates": estimates,
        "finished": True,
        "startup_s": float(np.median(arr[:, 0])),
        "process_s": float(np.median(arr[:, 2])),
        "cpu_s": cpu,
        "cpu_detections_per_s": n / cpu,
        "wall_resolved": resolved,
        "pairs_wall_cpu_s": arr.tolist(),
    }


# ---------------------------------------------------------------------- Stone Soup


def _stonesoup_tracker(kdtree: bool, detector: Any) -> Any:
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.array import CovarianceMatrix, StateVector
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q), ConstantVelocity(Q)])
    measurement = LinearGaussian(4, (0, 2), np.eye(2) * SIGMA_M**2)
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(measurement)
    hyp = DistanceHypothesiser(
        predictor, updater, measure=Mahalanobis(), missed_distance=float(np.sqrt(CHI2_999[2]))
    )

    def associator() -> Any:
        if kdtree:
            return DetectionKDTreeGNN2D(
                hypothesiser=hyp, predictor=predictor, updater=updater, max_distance=250.0
            )
        return GNNWith2DAssignment(hyp)

    prior = GaussianState(
        StateVector([0.0, 0.0, 0.0, 0.0]),
        CovarianceMatrix(np.diag([1e10, INIT_SPEED_SIGMA**2, 1e10, INIT_SPEED_SIGMA**2])),
    )
    initiator = MultiMeasurementInitiator(
        prior_state=prior,
        deleter=UpdateTimeStepsDeleter(2),
        data_associator=associator(),
        updater=updater,
        measurement_model=measurement,
        min_points=4,
    )
    return MultiTargetTracker(
        initiator=initiator,
        deleter=UpdateTimeStepsDeleter(3),
        detector=detector,
        data_associator=associator(),
        updater=updater,
    )


def _stonesoup_child(kind: str, n: int, scans: int, seed: int, progress: Any, out: Any) -> None:
    import datetime

    from stonesoup.types.detection import Detection

    scn = make_scenario(n, scans, seed)
    start = datetime.datetime(2026, 2, 11, 6, 0, 0)
    build = [0.0, 0.0]  # wall, CPU seconds building the current scan's detections

    def detector() -> Any:
        for k, d in enumerate(scn.detections):
            t0, c0 = time.perf_counter(), time.process_time()
            ts = start + datetime.timedelta(seconds=k)
            dets = {Detection(row.reshape(2, 1), timestamp=ts) for row in d}
            build[0], build[1] = time.perf_counter() - t0, time.process_time() - c0
            yield ts, dets

    tracker = _stonesoup_tracker(kind == "stonesoup-kdtree", detector())
    times, estimates = [], []
    cpu = 0.0
    it = iter(tracker)
    for _ in range(scans):
        t0, c0 = time.perf_counter(), time.process_time()
        _, tracks = next(it)
        times.append(time.perf_counter() - t0 - build[0])
        cpu_scan = time.process_time() - c0 - build[1]
        cpu += cpu_scan
        est = np.array([[float(t.state_vector[0, 0]), float(t.state_vector[2, 0])] for t in tracks])
        estimates.append(est.reshape(-1, 2))
        with progress.get_lock():
            progress[0] += 1
            progress[1] += times[-1]
            progress[3] += cpu_scan
            if len(times) == 1:
                progress[2] = times[0]
                progress[4] = cpu_scan
    out.put({"times": times, "estimates": estimates, "finished": True, "cpu_s": cpu})


def run_stonesoup(kind: str, scn: Scenario, time_limit: float) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    # scans done, seconds, first scan's seconds, CPU seconds, first scan's CPU seconds
    progress = ctx.Array("d", [0.0, 0.0, 0.0, 0.0, 0.0])
    out = ctx.Queue()
    proc = ctx.Process(
        target=_stonesoup_child, args=(kind, scn.n_targets, scn.scans, scn.seed, progress, out)
    )
    proc.start()
    deadline = time.monotonic() + time_limit
    result: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        try:
            result = out.get(timeout=0.5)
            break
        except Exception:
            if not proc.is_alive() and out.empty():
                break
    if result is None:
        proc.terminate()
    proc.join(5)
    if result is None:
        # The first scan has no tracks yet (only initiation), so a rate "so far" leaves it
        # out: it is the tracking rate once there are tracks to associate.
        done = int(progress[0])
        return {
            "finished": False,
            "scans_done": done,
            "seconds_so_far": float(progress[1]) - float(progress[2]),
            "cpu_s_so_far": float(progress[3]) - float(progress[4]),
            "detections_done": int(sum(d.shape[0] for d in scn.detections[1:done])),
        }
    return result


# ---------------------------------------------------------------------- scoring


def summarise(name: str, scn: Scenario, run: dict[str, Any], time_limit: float) -> dict[str, Any]:
    if not run["finished"]:
        secs = run["seconds_so_far"]
        return {
            "tracker": name,
            "finished": False,
            "note": f"did not finish in {time_limit:.0f} s ({run['scans_done']}/{scn.scans} scans)",
            "scans_done": run["scans_done"],
            "detections_per_s_so_far": run["detections_done"] / secs
            if run["scans_done"] >= 2 and secs > 0
            else None,
            "cpu_detections_per_s_so_far": run["detections_done"] / run["cpu_s_so_far"]
            if run["scans_done"] >= 2 and run["cpu_s_so_far"] > 0
            else None,
        }
    times = np.asarray(run["times"])
    g = [
        gospa(tr, est, c=GOSPA_C).distance
        for tr, est in zip(scn.truth, run["estimates"], strict=True)
    ]
    return {
        "tracker": name,
        "finished": True,
        "seconds": float(times.sum()),
        "detections_per_s": scn.n_detections / float(times.sum()),
        "p99_scan_s": float(np.percentile(times, 99)),
        "max_scan_s": float(times.max()),
        "mean_gospa_m": float(np.mean(g)),
        "final_tracks": int(run["estimates"][-1].shape[0]),
        **(
            {"cpu_s": run["cpu_s"], "cpu_detections_per_s": scn.n_detections / run["cpu_s"]}
            if run.get("cpu_s")
            else {}
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10/100/500 targets, 30 scans")
    ap.add_argument("--sizes", help="comma-separated target counts (overrides the default)")
    ap.add_argument("--scans", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per Stone Soup run")
    ap.add_argument("--no-stonesoup", action="store_true", help="skywarden only")
    ap.add_argument("--no-cli", action="store_true", help="skip the command-line run")
    ap.add_argument(
        "--peers",
        default="stonesoup-kdtree,stonesoup",
        help="Stone Soup variants to run: stonesoup-kdtree, stonesoup (comma-separated)",
    )
    ap.add_argument(
        "--out", type=Path, default=None, help="results JSON (default tracking[_quick].json)"
    )
    args = ap.parse_args()
    sizes = [10, 100, 500] if args.quick else [10, 100, 1000, 5000]
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    peers = [p for p in args.peers.split(",") if p]
    unknown = set(peers) - {"stonesoup-kdtree", "stonesoup"}
    if unknown:
        ap.error(f"--peers: unknown {sorted(unknown)}")
    scans = args.scans or (30 if args.quick else 100)
    limit = args.time_limit or (60.0 if args.quick else 180.0)
    if args.out is None:  # a quick run never overwrites the full run's results
        args.out = RESULTS.with_name("tracking_quick.json") if args.quick else RESULTS

    from rich.console import Console
    from rich.table import Table

    console = Console(width=130)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        scn = make_scenario(n, scans, args.seed)
        console.print(f"[bold]{n} targets[/]: {scn.n_detections} detections in {scans} scans")
        res = {"skywarden": summarise("skywarden", scn, run_skywarden(scn), limit)}
        if not args.no_cli:
            with tempfile.TemporaryDirectory() as tmp:
                run = run_cli(scn, Path(tmp))
            res["skywarden-cli"] = summarise("skywarden-cli", scn, run, limit)
            res["skywarden-cli"].update(
                {k: run[k] for k in ("startup_s", "process_s", "cpu_s", "cpu_detections_per_s")}
            )
            res["skywarden-cli"]["pairs_wall_cpu_s"] = run["pairs_wall_cpu_s"]
            if not run["wall_resolved"]:
                res["skywarden-cli"].update(
                    seconds=None,
                    detections_per_s=None,
                    note="wall time not resolvable under this load (see pairs_wall_cpu_s)",
                )
            for k in ("p99_scan_s", "max_scan_s"):
                res["skywarden-cli"][k] = None
        if not args.no_stonesoup:
            for kind in peers:
                res[kind] = summarise(kind, scn, run_stonesoup(kind, scn, limit), limit)
        for r in res.values():
            r.update(targets=n, scans=scans, detections=scn.n_detections)
            took = r.get("note") or f"{r['seconds']:.2f} s"
            if r.get("cpu_s"):
                took += f" ({r['cpu_s']:.2f} s CPU)"
            console.print(f"  {r['tracker']}: {took}")
        for ours in (res["skywarden"], res.get("skywarden-cli")):
            if ours is None:
                continue
            for kind in ("stonesoup-kdtree", "stonesoup"):
                peer = res.get(kind)
                if peer and peer["finished"]:
                    if ours["detections_per_s"]:
                        ours[f"speedup_vs_{kind}"] = (
                            ours["detections_per_s"] / peer["detections_per_s"]
                        )
                    ours[f"gospa_minus_{kind}"] = ours["mean_gospa_m"] - peer["mean_gospa_m"]
                    if ours.get("cpu_detections_per_s") and peer.get("cpu_detections_per_s"):
                        ours[f"cpu_speedup_vs_{kind}"] = (
                            ours["cpu_detections_per_s"] / peer["cpu_detections_per_s"]
                        )
                elif peer and peer.get("cpu_detections_per_s_so_far") and ours.get(
                    "cpu_detections_per_s"
                ):
                    ours[f"cpu_speedup_vs_{kind}_partial"] = (
                        ours["cpu_detections_per_s"] / peer["cpu_detections_per_s_so_far"]
                    )
                if (
                    peer
                    and not peer["finished"]
                    and peer.get("detections_per_s_so_far")
                    and ours["detections_per_s"]
                ):
                    ours[f"speedup_vs_{kind}_partial"] = (
                        ours["detections_per_s"] / peer["detections_per_s_so_far"]
                    )
        rows.extend(res.values())

    table = Table(title="skywarden vs Stone Soup (same detections, same run, one core)")
    for col in (
        "targets",
        "tracker",
        "seconds",
        "det/s",
        "p99 scan s",
        "mean GOSPA m",
        "x kd-tree",
        "x kd-tree CPU",
    ):
        table.add_column(col, justify="right")
    for r in rows:
        if r["finished"]:
            ratio = r.get("speedup_vs_stonesoup-kdtree") or r.get(
                "speedup_vs_stonesoup-kdtree_partial"
            )
            cpu_ratio = r.get("cpu_speedup_vs_stonesoup-kdtree") or r.get(
                "cpu_speedup_vs_stonesoup-kdtree_partial"
            )
            table.add_row(
                str(r["targets"]),
                r["tracker"],
                f"{r['seconds']:.2f}" if r["seconds"] is not None else "n/a (load)",
                f"{r['detections_per_s']:,.0f}" if r["detections_per_s"] else "",
                f"{r['p99_scan_s']:.4f}" if r.get("p99_scan_s") is not None else "",
                f"{r['mean_gospa_m']:.2f}",
                f"{ratio:.0f}" if ratio else "",
                f"{cpu_ratio:.0f}" if cpu_ratio else "",
            )
        else:
            so_far = r.get("detections_per_s_so_far")
            table.add_row(
                str(r["targets"]),
                r["tracker"],
                r["note"],
                f"({so_far:,.0f} so far)" if so_far else "",
                "",
                "",
                "",
                "",
            )
    console.print(table)
    load = os.getloadavg()
    meta = {
        "benchmark": "tracking",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_avg_1_5_15": load,
        "time_limit_s": limit,
        "seed": args.seed,
        "parameters": {
            "sigma_m": SIGMA_M,
            "pd": PD,
            "clutter_per_km2": CLUTTER_PER_KM2,
            "km2_per_target": KM2_PER_TARGET,
            "turnover_per_scan": TURNOVER,
            "q": Q,
            "gospa_c_m": GOSPA_C,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "results": rows}, indent=2))
    console.print(f"load average {load[0]:.2f}; wrote {args.out}")


if __name__ == "__main__":
    main()
