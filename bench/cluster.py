"""Benchmark: the cluster on loopback - scaling with workers, and the kill test.

Issue 17. Everything real: nats-server with JetStream (one node for the scaling runs,
three for the kill test), PostgreSQL (``scripts/pg_throwaway.py``), ``skywarden
worker`` subprocesses, the core (``cluster.core.Core``) in this process, edges
(``cluster.edge.Edge``) in this process publishing synthetic radar detections of moving
targets with clutter around the El Paso origin, so tracking *and* airspace analysis run
on every detection.

1. **scaling** (1, 2, 4 workers; 4 sectors spread over them):
   - *ceiling*: a backlog of ``--backlog`` scans per sector (``--per-scan`` detections
     each) is published, the workers drain it; detections per second over the middle
     80% of the steps;
   - *latency*: ``--rate`` detections/s offered for ``--seconds`` (paced, one scan per
     sector each tick); p50/p99 from the edge's publish of a scan's last batch to the
     worker's step (track updates, events, incidents) arriving on the bus.
2. **kill test** (3 NATS nodes, 2 sectors, workers w1 (west), w2 (east), w3 standby,
   core on PostgreSQL) under ``--kill-rate`` detections/s: SIGKILL w1; SIGKILL a NATS
   node; stop PostgreSQL (immediate) for ``--pg-down`` s. Recovery time for each; then
   detections lost and applied twice, three ways: every stored detection batch in
   exactly one step; every duplicated step identical; the store's rows per sector equal
   to the distinct steps' updates; and each sector re-run in one process from the
   stream, step by step, against what the cluster published.

    .venv/bin/python bench/cluster.py                       # full
    .venv/bin/python bench/cluster.py --quick               # small, while developing

Writes ``bench/results/cluster.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from skywarden.cluster import codec, topology  # noqa: E402
from skywarden.cluster.codec import SectorStep  # noqa: E402
from skywarden.cluster.edge import Edge  # noqa: E402
from skywarden.model import Detection, Position, SensorKind  # noqa: E402
from skywarden.service.sources import ScenarioSource, SectorInfo  # noqa: E402
from skywarden.stages import Scan  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "cluster.json"
T0 = 1_770_778_800.0
SIGMA_M = 15.0
CLUTTER = 0.2  # clutter detections per target detection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Nats:
    """``n`` nats-server nodes with JetStream on loopback (a cluster when n > 1)."""

    def __init__(self, n: int, root: Path) -> None:
        exe = shutil.which("nats-server") or "/usr/sbin/nats-server"
        self.ports = [free_port() for _ in range(n)]
        cports = [free_port() for _ in range(n)]
        routes = ",".join(f"nats-route://127.0.0.1:{p}" for p in cports)
        self.procs: list[subprocess.Popen[bytes]] = []
        self.cmds: list[list[str]] = []
        for i in range(n):
            cmd = [exe, "-js", "-a", "127.0.0.1", "-p", str(self.ports[i]),
                   "-sd", str(root / f"n{i}"), "-n", f"n{i}"]  # fmt: skip
            if n > 1:
                cmd += ["--cluster_name", "bench", "--cluster", f"nats://127.0.0.1:{cports[i]}",
                        "--routes", routes]  # fmt: skip
            self.cmds.append(cmd)
            self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))  # fmt: skip
        for p in self.ports:
            wait_port(p)
        self.url = ",".join(f"nats://127.0.0.1:{p}" for p in self.ports)

    def restart(self, i: int) -> None:
        """Start node ``i`` again on its own store (it rejoins and catches up)."""
        self.procs[i] = subprocess.Popen(self.cmds[i], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)  # fmt: skip
        wait_port(self.ports[i])

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                p.wait(10)


# ---------------------------------------------------------------------- load


class Targets:
    """Moving targets around the sector origin, radar detections with clutter."""

    def __init__(self, info: SectorInfo, per_scan: int, seed: int) -> None:
        self.frame = info.frame
        self.rng = np.random.default_rng(seed)
        n = max(1, int(per_scan / (1 + CLUTTER)))
        self.n_clutter = per_scan - n
        self.side = 2_000.0 * np.sqrt(n)  # ~4 km^2 per target: tracks stay apart
        self.pos = self.rng.uniform(-self.side / 2, self.side / 2, (n, 2))
        head = self.rng.uniform(0, 2 * np.pi, n)
        speed = self.rng.uniform(5.0, 20.0, n)
        self.vel = np.stack([speed * np.sin(head), speed * np.cos(head)], axis=1)
        self.k = 0

    def scan(self) -> Scan:
        t = T0 + self.k
        self.k += 1
        self.pos += self.vel
        out = (np.abs(self.pos) > self.side / 2)
        self.vel[out] *= -1  # bounce at the edge of the box
        z = self.pos + self.rng.normal(0, SIGMA_M, self.pos.shape)
        c = self.rng.uniform(-self.side / 2, self.side / 2, (self.n_clutter, 2))
        xy = np.vstack([z, c])
        up = np.full(len(xy), 150.0)
        lat, lon, alt = self.frame.to_geodetic(xy[:, 0], xy[:, 1], up)
        var = SIGMA_M**2
        cov = ((var, 0.0, 0.0), (0.0, var, 0.0), (0.0, 0.0, 4 * var))
        dets = [
            Detection(t - 0.5, "radar-bench", SensorKind.RADAR,
                      Position(float(a), float(b), float(h), cov))
            for a, b, h in zip(lat, lon, alt, strict=True)
        ]  # fmt: skip
        return Scan(t, dets)


class Probe:
    """Every step on ``sw.trk.>`` with its arrival time (an ordered push consumer)."""

    def __init__(self) -> None:
        self.steps: list[tuple[float, SectorStep]] = []
        self.sub: Any = None

    async def start(self, js: Any) -> None:
        async def on(msg: Any) -> None:
            self.steps.append((time.time(), codec.decode_step(msg.data)))

        self.sub = await js.subscribe("sw.trk.>", cb=on, ordered_consumer=True)

    async def wait(self, n: int, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while len(self.steps) < n and time.monotonic() < end:
            await asyncio.sleep(0.1)
        return len(self.steps) >= n


def worker_proc(url: str, name: str, own: list[str], spare: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "skywarden.cli", "worker", "--bus", url, "--name", name,
           "--sectors", ",".join(own), "--standby", ",".join(spare)]  # fmt: skip
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def owned(topo: topology.Topology, sectors: list[str], timeout: float) -> bool:
    from skywarden.cluster.lease import Leases

    probe = Leases(topo.leases, "bench")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if all([await probe.owner_of(s) for s in sectors]):
            return True
        await asyncio.sleep(0.2)
    return False


def pct(xs: list[float], q: float) -> float | None:
    return float(np.percentile(xs, q)) if xs else None


# ---------------------------------------------------------------------- scaling


async def scaling_run(
    n_workers: int, args: argparse.Namespace, info: SectorInfo
) -> dict[str, Any]:
    sectors = [f"s{i}" for i in range(4)]
    root = Path(tempfile.mkdtemp(prefix="sw-bench-"))
    nats = Nats(1, root)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        topo = await topology.connect(nats.url, lease_ttl_s=6.0)
        edges = {s: Edge(topo.js, f"edge-{s}", s) for s in sectors}
        loads = {s: Targets(info, args.per_scan, i) for i, s in enumerate(sectors)}
        for s in sectors:
            await edges[s].announce(topo.sectors, info)
        for i in range(n_workers):
            own = sectors[i::n_workers]
            procs.append(worker_proc(nats.url, f"w{i}", own, []))
        if not await owned(topo, sectors, 60):
            raise RuntimeError("workers did not take their sectors in 60 s")
        probe = Probe()
        await probe.start(topo.js)
        # warm-up: a few scans so every sector has built its stages
        for _ in range(3):
            for s in sectors:
                await edges[s].publish_scan(loads[s].scan())
        await probe.wait(3 * len(sectors), 120)
        await asyncio.sleep(1.0)
        # latency at an offered rate, paced one tick (a scan per sector) at a time
        probe.steps.clear()
        tick_s = args.per_scan * len(sectors) / args.rate
        t_end = time.monotonic() + args.seconds
        ticks = 0
        next_t = time.monotonic()
        while time.monotonic() < t_end:
            scans = {s: loads[s].scan() for s in sectors}
            now = time.monotonic()
            if next_t > now:
                await asyncio.sleep(next_t - now)
            await asyncio.gather(*(edges[s].publish_scan(scans[s]) for s in sectors))
            ticks += 1
            next_t += tick_s
        await probe.wait(ticks * len(sectors), 120)
        lat = [(r - st.sent_max) * 1000 for r, st in probe.steps]
        offered = args.per_scan * len(sectors) / tick_s  # what the pacing achieved
        # ceiling: a backlog drained as fast as the workers go
        probe.steps.clear()
        backlog = [{s: loads[s].scan() for s in sectors} for _ in range(args.backlog)]
        pub0 = time.monotonic()
        for tick in backlog:
            await asyncio.gather(*(edges[s].publish_scan(tick[s]) for s in sectors))
        pub_s = time.monotonic() - pub0
        await probe.wait(args.backlog * len(sectors), 600)
        got = sorted(probe.steps, key=lambda x: x[0])
        k0, k1 = int(len(got) * 0.1), max(int(len(got) * 0.9) - 1, 1)
        dets = sum(st.detections for _, st in got[k0 + 1 : k1 + 1])
        ceiling = dets / max(got[k1][0] - got[k0][0], 1e-9)
        await topo.close()
        return {
            "workers": n_workers,
            "sectors": len(sectors),
            "per_scan": args.per_scan,
            "offered_det_s": round(offered),
            "latency_p50_ms": pct(lat, 50),
            "latency_p99_ms": pct(lat, 99),
            "latency_steps": len(lat),
            "ceiling_det_s": round(ceiling),
            "backlog_detections": args.backlog * args.per_scan * len(sectors),
            "edge_publish_det_s": round(args.backlog * args.per_scan * len(sectors) / pub_s),
        }
    finally:
        for p in procs:
            p.kill()
            p.wait(10)
        nats.stop()
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------------- kill test


class Load:
    """Paced ticks (one scan per sector) until stopped; what was sent, per sector."""

    def __init__(self, edges: dict[str, Edge], loads: dict[str, Targets], rate: float) -> None:
        self.edges, self.loads = edges, loads
        self.tick_s = sum(t.n_clutter + len(t.pos) for t in loads.values()) / rate
        self.ticks = 0
        self.stop = asyncio.Event()

    async def run(self) -> None:
        next_t = time.monotonic()
        while not self.stop.is_set():
            scans = {s: ld.scan() for s, ld in self.loads.items()}
            now = time.monotonic()
            if next_t > now:
                await asyncio.sleep(next_t - now)
            await asyncio.gather(*(self.edges[s].publish_scan(scans[s]) for s in scans))
            self.ticks += 1
            next_t += self.tick_s


async def read_all(
    js: Any, subject: str, decode: Any, timeout: float = 30
) -> list[tuple[int, Any]]:
    """Every message of ``subject`` from the start of its stream, as (stream seq, record)."""
    out: list[tuple[int, Any]] = []
    for attempt in range(10):  # a loaded cluster after a node's death answers slowly
        try:
            sub = await js.subscribe(subject, ordered_consumer=True)
            break
        except Exception:
            if attempt == 9:
                raise
            await asyncio.sleep(2)
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            try:
                m = await sub.next_msg(timeout=2)
            except Exception:  # nats' TimeoutError: nothing more
                break
            out.append((int(m.metadata.sequence.stream), decode(m.data)))
            if m.metadata.num_pending == 0:
                break
    finally:
        await sub.unsubscribe()
    return out


def same_outputs(a: SectorStep, b: SectorStep) -> bool:
    return (a.updates, a.events, a.incidents, a.recommendations, a.stream_lo, a.stream_hi) == (
        b.updates, b.events, b.incidents, b.recommendations, b.stream_lo, b.stream_hi)  # fmt: skip


def account(
    sector: str, batches: list[tuple[int, Any]], steps: list[SectorStep]
) -> dict[str, Any]:
    """Detections lost and applied twice for one sector (see the module docstring)."""
    seen_ids: set[tuple[str, int, int]] = set()
    seqs: list[int] = []
    dup_publish = 0
    dets = 0
    for seq, b in batches:
        key = (b.edge, b.boot, b.seq)
        if key in seen_ids:
            dup_publish += 1
            continue
        seen_ids.add(key)
        seqs.append(seq)
        dets += len(b.detections)
    by_step: dict[int, SectorStep] = {}
    divergent = 0
    for st in steps:
        first = by_step.setdefault(st.step, st)
        if first is not st and not same_outputs(first, st):
            divergent += 1
    ordered = [by_step[k] for k in sorted(by_step)]
    overlaps = sum(1 for a, b in itertools.pairwise(ordered) if b.stream_lo <= a.stream_hi)
    covered = 0
    j = 0
    for seq in seqs:  # both sorted: walk the steps' ranges
        while j < len(ordered) and ordered[j].stream_hi < seq:
            j += 1
        if j < len(ordered) and ordered[j].stream_lo <= seq <= ordered[j].stream_hi:
            covered += 1
    applied = sum(st.detections for st in ordered)
    return {
        "batches_stored": len(seqs),
        "detections_stored": dets,
        "detections_applied": applied,
        "steps": len(ordered),
        "steps_published_twice": len(steps) - len(ordered),
        "divergent_duplicates": divergent,
        "batches_lost": len(seqs) - covered,
        "overlapping_steps": overlaps,
        "detections_lost": max(dets - applied, 0),
        "detections_applied_twice": max(applied - dets, 0) + overlaps,
        "duplicate_publishes_dropped": dup_publish,
        "missing_step_numbers": sorted(set(range(1, max(by_step, default=0) + 1)) - set(by_step)),
    }


def reference(sector: str, info: SectorInfo, batches: list[tuple[int, Any]],
              steps: list[SectorStep]) -> int:  # fmt: skip
    """Steps whose track updates differ from one process running the stored batches."""
    from skywarden.cluster.worker import build_sector
    from skywarden.stages import Hooks, Runner, StepResult, fresh

    built = build_sector(sector, info)
    scans: list[Scan] = []
    seen: set[tuple[str, int, int]] = set()
    for _, b in batches:
        if (b.edge, b.boot, b.seq) in seen:
            continue
        seen.add((b.edge, b.boot, b.seq))
        if not scans or scans[-1].t != b.t:
            scans.append(Scan(b.t, []))
        scans[-1].detections.extend(b.detections)
    mine: dict[int, list[Any]] = {}

    class Keep(Hooks):
        def commit(self, result: StepResult) -> object:
            if not result.final:
                mine[len(mine) + 1] = list(result.updates)
            return None

    Runner(built.chain, Keep()).run(fresh(scans))
    by_step = {st.step: st for st in steps}
    return sum(1 for k, st in by_step.items() if mine.get(k) != st.updates)


async def kill_test(args: argparse.Namespace, info: SectorInfo) -> dict[str, Any]:
    import pg_throwaway
    from sqlalchemy import func, select

    from skywarden.cluster.core import Core
    from skywarden.store import Database
    from skywarden.store.schema import TrackPoint

    sectors = ["west", "east"]
    root = Path(tempfile.mkdtemp(prefix="sw-kill-"))
    nats = Nats(3, root)
    pg = pg_throwaway.Cluster().start()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    out: dict[str, Any] = {"rate_det_s": args.kill_rate}
    try:
        topo = await topology.connect(nats.url, lease_ttl_s=6.0, replicas=3)
        edges = {s: Edge(topo.js, f"edge-{s}", s) for s in sectors}
        loads = {s: Targets(info, args.per_scan, 10 + i) for i, s in enumerate(sectors)}
        for s in sectors:
            await edges[s].announce(topo.sectors, info)
        procs["w1"] = worker_proc(nats.url, "w1", ["west"], ["east"])
        procs["w2"] = worker_proc(nats.url, "w2", ["east"], ["west"])
        procs["w3"] = worker_proc(nats.url, "w3", [], sectors)
        if not await owned(topo, sectors, 60):
            raise RuntimeError("workers did not take their sectors")
        db = Database(pg.url)
        core = Core(topo, db, None)
        commits: list[tuple[float, SectorStep]] = []
        core.on_commit = lambda st: commits.append((time.time(), st))
        core_stop = asyncio.Event()
        core_task = asyncio.create_task(core.run(core_stop))
        probe = Probe()
        await probe.start(topo.js)
        load = Load(edges, loads, args.kill_rate)
        load_task = asyncio.create_task(load.run())
        await asyncio.sleep(args.settle)

        # 1. SIGKILL the worker that owns west
        before = max((st.step for _, st in probe.steps if st.sector == "west"), default=0)
        t_kill = time.time()
        procs["w1"].send_signal(signal.SIGKILL)
        while not any(st.sector == "west" and st.worker != "w1" and st.step > before
                      for _, st in probe.steps):  # fmt: skip
            await asyncio.sleep(0.05)
            if time.time() - t_kill > 60:
                raise RuntimeError("west never recovered")
        t_new = min(r for r, st in probe.steps
                    if st.sector == "west" and st.worker != "w1" and st.step > before)  # fmt: skip
        out["worker_kill"] = {"recovery_s": round(t_new - t_kill, 2),
                              "new_owner": next(st.worker for r, st in probe.steps
                                                if r == t_new)}  # fmt: skip
        await asyncio.sleep(args.settle)

        # 2. SIGKILL a NATS node
        t_kill = time.time()
        nats.procs[0].send_signal(signal.SIGKILL)
        while not any(r > t_kill and st.sent_max > t_kill + 0.5 for r, st in probe.steps):
            await asyncio.sleep(0.05)
            if time.time() - t_kill > 60:
                break
        fresh_steps = [r for r, st in probe.steps if r > t_kill and st.sent_max > t_kill + 0.5]
        nats_kill_t = t_kill
        out["nats_node_kill"] = {
            "seen_by_probe_s": round(min(fresh_steps) - t_kill, 2) if fresh_steps else None,
            "edge_spooled": sum(e.counters.spooled for e in edges.values()),
        }
        nats.restart(0)  # as an operator would: it rejoins and catches up
        await asyncio.sleep(args.settle)

        # 3. PostgreSQL down for --pg-down seconds
        pg._run(str(pg.bindir / "pg_ctl"), "-D", str(pg.data), "-m", "immediate", "-w", "stop")
        t_down = time.time()
        await asyncio.sleep(args.pg_down)
        opts = (f"-c listen_addresses=127.0.0.1 -c port={pg.port} -k {pg.root}"
                " -c fsync=on -c max_connections=100")  # fmt: skip
        pg._run(str(pg.bindir / "pg_ctl"), "-D", str(pg.data), "-o", opts, "-l",
                str(pg.root / "log"), "-w", "start")  # fmt: skip
        t_up = time.time()
        target = {s: max(st.step for _, st in probe.steps if st.sector == s) for s in sectors}
        while any(core.cursors.get(s, 0) < target[s] for s in sectors):
            await asyncio.sleep(0.05)
            if time.time() - t_up > 120:
                break
        out["postgres_down"] = {
            "down_s": round(t_up - t_down, 2),
            "caught_up_after_restart_s": round(time.time() - t_up, 2),
            "store_errors_retried": core.counters.store_errors,
        }
        await asyncio.sleep(args.settle)

        # drain, then account
        load.stop.set()
        await load_task
        for e in edges.values():
            await e.drain()
        t_drain = time.monotonic()
        while any(core.cursors.get(s, 0) < load.ticks for s in sectors):
            await asyncio.sleep(0.1)
            if time.monotonic() - t_drain > 180:
                break
        core_stop.set()
        await core_task
        batches = await read_all(topo.js, "sw.det.>", codec.decode_batch, 120)
        steps = await read_all(topo.js, "sw.trk.>", codec.decode_step, 120)
        out["ticks"] = load.ticks
        made = [st.made for _, st in steps if st.sent_max > nats_kill_t + 0.5]
        # the system's own recovery: the first step made of data sent after the kill
        out["nats_node_kill"]["recovery_s"] = round(min(made) - nats_kill_t, 2) if made else None
        out["sectors"] = {}
        for s in sectors:
            sb = [(q, b) for q, b in batches if b.sector == s]
            ss = [st for _, st in steps if st.sector == s]
            acc = account(s, sb, ss)
            with db.session() as sess:
                q = select(func.count()).select_from(TrackPoint)
                q = q.where(TrackPoint.track.like(f"T{s}-%"))
                rows = int(sess.scalar(q) or 0)
            distinct = {st.step: st for st in ss}
            acc["store_rows"] = rows
            acc["store_rows_expected"] = sum(len(st.updates) for st in distinct.values())
            acc["reference_mismatched_steps"] = (
                await asyncio.to_thread(reference, s, info, sb, ss) if args.reference else None
            )
            out["sectors"][s] = acc
        out["detections_lost"] = sum(a["detections_lost"] + a["batches_lost"]
                                     for a in out["sectors"].values())  # fmt: skip
        out["detections_applied_twice"] = sum(
            a["detections_applied_twice"] + (a["store_rows"] - a["store_rows_expected"])
            for a in out["sectors"].values()
        )
        await topo.close()
        return out
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait(10)
        nats.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------------- cost


def cost(info: SectorInfo, per_scan: int, scans: int) -> dict[str, Any]:
    """CPU per detection of what a worker does, in this process, one sector: decode the
    batch, track, analyse, encode the step (the capacity model's inputs)."""
    from skywarden.cluster.worker import build_sector
    from skywarden.stages import Hooks, Runner, StepResult, fresh

    built = build_sector("cost", info)
    load = Targets(info, per_scan, 99)
    edge = Edge(None, "e", "cost", max_per_batch=per_scan)
    payloads = [codec.encode(edge.batches(load.scan())[0]) for _ in range(scans)]
    c0 = time.process_time()
    batches = [codec.decode_batch(p) for p in payloads]
    decode_s = time.process_time() - c0
    secs = {"track": 0.0, "analyze": 0.0, "encode": 0.0}

    class Tally(Hooks):
        def commit(self, result: StepResult) -> object:
            for k in ("track", "analyze"):
                secs[k] += result.seconds.get(k, 0.0)
            e0 = time.perf_counter()
            r = result
            st = SectorStep("cost", 1, r.t, "w", 1, 1, 1, 0.0, 0.0, list(r.updates),
                            list(r.events), list(r.incidents), list(r.recommendations))  # fmt: skip
            codec.encode(st)
            secs["encode"] += time.perf_counter() - e0
            return None

    c1 = time.process_time()
    Runner(built.chain, Tally()).run(fresh(Scan(b.t, list(b.detections)) for b in batches))
    loop_cpu = time.process_time() - c1
    n = per_scan * scans
    us = {k: round(v / n * 1e6, 1) for k, v in secs.items()}
    return {
        "detections": n,
        "per_scan": per_scan,
        "us_per_detection": {
            "decode": round(decode_s / n * 1e6, 1),
            **us,
            "loop_total_cpu": round(loop_cpu / n * 1e6, 1),
        },
        "one_core_det_s": round(n / (decode_s + loop_cpu)),
    }


# ---------------------------------------------------------------------- main


def table(result: dict[str, Any]) -> str:
    lines = ["workers | offered det/s | p50 ms | p99 ms | ceiling det/s",
             "------- | ------------- | ------ | ------ | -------------"]  # fmt: skip
    for r in result.get("scaling", []):
        p50 = f"{r['latency_p50_ms']:.0f}" if r["latency_p50_ms"] is not None else "-"
        p99 = f"{r['latency_p99_ms']:.0f}" if r["latency_p99_ms"] is not None else "-"
        lines.append(f"{r['workers']:7d} | {r['offered_det_s']:13d} | {p50:>6} | {p99:>6} | "
                     f"{r['ceiling_det_s']:13d}")  # fmt: skip
    k = result.get("kill")
    if k:
        lines += ["", "kill test | recovery s | lost | applied twice",
                  "--------- | ---------- | ---- | -------------"]  # fmt: skip
        lines.append(f"worker SIGKILL | {k['worker_kill']['recovery_s']} | "
                     f"{k['detections_lost']} | {k['detections_applied_twice']}")  # fmt: skip
        lines.append(f"NATS node SIGKILL | {k['nats_node_kill']['recovery_s']} | | ")
        pg = k["postgres_down"]
        lines.append(f"PostgreSQL down {pg['down_s']} s | "
                     f"{pg['caught_up_after_restart_s']} (catch-up) | | ")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, while developing")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--per-scan", type=int, default=500, help="detections per scan per sector")
    ap.add_argument("--rate", type=float, default=2000.0, help="offered det/s, latency runs")
    ap.add_argument("--seconds", type=float, default=15.0, help="latency run length")
    ap.add_argument("--backlog", type=int, default=30, help="scans per sector, ceiling runs")
    ap.add_argument("--kill-rate", type=float, default=1000.0)
    ap.add_argument("--settle", type=float, default=8.0, help="seconds between kills")
    ap.add_argument("--pg-down", type=float, default=5.0)
    ap.add_argument("--no-kill", action="store_true")
    ap.add_argument("--no-scaling", action="store_true")
    ap.add_argument("--no-reference", dest="reference", action="store_false")
    args = ap.parse_args()
    if args.quick:
        args.per_scan, args.seconds, args.backlog, args.settle = 200, 5.0, 10, 4.0
        args.rate, args.kill_rate = 1000.0, 500.0
    info = ScenarioSource(ROOT / "scenarios" / "el-paso.yaml", 1, 10).sector()
    result: dict[str, Any] = {"bench": "cluster"}
    if RESULTS.exists() and (args.no_scaling or args.no_kill):  # one part re-run: keep the other
        result.update(json.loads(RESULTS.read_text()))
    result["args"] = vars(args)
    load0 = os.getloadavg()
    cpu0 = time.process_time()
    result["cost"] = cost(info, args.per_scan, args.backlog)
    print(json.dumps(result["cost"]), flush=True)
    if not args.no_scaling:
        result["scaling"] = []
        for n in (int(x) for x in args.workers.split(",")):
            r = asyncio.run(scaling_run(n, args, info))
            print(json.dumps(r), flush=True)
            result["scaling"].append(r)
            save(result)
    if not args.no_kill:
        result["kill"] = asyncio.run(kill_test(args, info))
        print(json.dumps(result["kill"]), flush=True)
    result["host"] = {"cpus": os.cpu_count(), "load_before": load0,
                      "load_after": os.getloadavg(),
                      "bench_process_cpu_s": round(time.process_time() - cpu0, 1),
                      "python": platform.python_version()}  # fmt: skip
    save(result)
    print(table(result))


def save(result: dict[str, Any]) -> None:
    """Write what is measured so far (a later part that fails keeps the earlier ones)."""
    result["t"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
