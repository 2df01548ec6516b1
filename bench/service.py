"""Benchmark: N WebSocket clients following 1,000 live tracks at 1 Hz, REST queries alongside.

Goal (issue #7): 200 clients with p99 update latency under 250 ms on this 2-core machine.

Three processes, all on loopback (127.0.0.1 only):

* the **service**: the real app (``create_app``) with a ``Pipeline`` fed by a synthetic
  source of 1,000 confirmed tracks circling El Paso, one scan a second at wall-clock
  time; every scan is committed to SQLite (track history) before it is published;
* eight **client worker processes** (``--procs``) sharing the N WebSocket connections on
  ``/api/ws``;
  every client takes every batch off its socket and reads its head; one batch in ten is
  parsed in full and its track count checked (see ``FULL_PARSE_EVERY``);
* this **driver**, which also polls ``GET /api/tracks`` (all 1,000 live tracks) and
  ``GET /api/incidents`` twice a second each while the clients listen.

The **REST load row** (issue #12, goal p99 < 250 ms): ``--rest-clients`` (50) clients
in the worker processes call ``GET /api/tracks`` back to back (closed loop, no pause,
keep-alive connections, each answer read in full, one in ten parsed and its track count
checked) for ``--rest-seconds``, on the same service with its 1,000 live tracks. Latency
is request written -> last byte read; throughput is answers per second over all clients.

*Update latency* is the time from the pipeline publishing a scan (after its commit) to a
client holding that batch: ``receive wall clock - batch["pub"]`` (same host, same
clock). It covers the hub's batching, one JSON encoding per audience, the fan-out and the
socket, and the client's wait while its process reads the other sockets. The service's
own share is reported apart: publish -> batch encoded (from the batch's ``sent``), and
flush -> last client's socket written (``feed.fanout_ms_last`` of ``/api/stats``).

There is no peer to run side by side for this one: the issue names none, and a second
web framework would measure something else. The table shows each N in the same run.

    .venv/bin/python bench/service.py                  # 50, 100, 200 clients, 20 s each
    .venv/bin/python bench/service.py --clients 200 --seconds 10
    .venv/bin/python bench/service.py --clients 50 --seconds 10 --rest-clients 50 \\
        --out bench/results/service-rest-load.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "service.json"
# A batch opens with {"type":...,"t":...,"pub":...}: clients read the time from the head
# and parse the whole ~150 kB batch one time in FULL_PARSE_EVERY. With 100 clients per
# harness process a full parse of every batch made the *harness* the bottleneck on a
# shared 2-core machine (each browser parses in its own process, ours cannot).
HEAD = re.compile(
    r'\{"type":"(?P<type>\w+)","t":[^,]*,"pub":(?P<pub>[-0-9.eE+]+|null),"sent":(?P<sent>[-0-9.eE+]+)'
)
FULL_PARSE_EVERY = 10
USER, PASSWORD = "bench", "bench-password"


# --------------------------------------------------------------------------- the service


class CirclingTracks:
    """``n`` confirmed tracks on circles around El Paso, one scan per wall-clock second.

    A stand-in for the tracker's output at a load the El Paso scenario does not reach
    (it has tens of targets): the service's cost depends on how many tracks a scan
    carries, not on how they were formed.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.id = f"bench-circling-{n}"
        self.name = f"{n} circling tracks"

    def scans(self) -> Iterator[Any]:
        import numpy as np

        from skywarden.geo import LocalFrame
        from skywarden.model import TrackStatus, TrackUpdate
        from skywarden.pipeline import Scan

        frame = LocalFrame(31.76, -106.43, 1150.0)
        rng = np.random.default_rng(7)
        r = rng.uniform(500, 25_000, self.n)
        w = rng.uniform(10, 40, self.n) / r * rng.choice([-1, 1], self.n)  # rad/s
        ph = rng.uniform(0, 2 * math.pi, self.n)
        z = rng.uniform(30, 1500, self.n)
        names = [f"T{i + 1:06d}" for i in range(self.n)]
        probs = {"drone": 0.8, "manned": 0.1, "bird": 0.05, "unknown": 0.05}
        t = math.floor(time.time()) + 1.0
        while True:
            a = ph + w * (t % 86400)
            x, y = r * np.sin(a), r * np.cos(a)
            vx, vy = r * w * np.cos(a), -r * w * np.sin(a)
            lat, lon, alt = frame.to_geodetic(x, y, z)
            ups = [
                TrackUpdate(
                    t,
                    names[i],
                    TrackStatus.CONFIRMED,
                    float(lat[i]),
                    float(lon[i]),
                    float(alt[i]),
                    (float(vx[i]), float(vy[i]), 0.0),
                    (),
                    None,
                    probs,
                    sensors=("radar-bench",),
                )
                for i in range(self.n)
            ]
            yield Scan(t, updates=ups)
            t += 1.0


def serve_child(port: int, db_url: str, tracks: int, ws: str = "websockets") -> None:
    import uvicorn

    from skywarden.bus import InProcessBus
    from skywarden.pipeline import Pipeline
    from skywarden.service.app import create_app
    from skywarden.store import Database
    from skywarden.store.users import add_user

    db = Database(db_url)
    with db.session() as s:
        add_user(s, USER, "analyst", PASSWORD)
    bus = InProcessBus()
    pipe = Pipeline(db, bus, CirclingTracks(tracks), resume=False)
    app = create_app(db, bus, runner=pipe.run, meta={"name": "bench", "center": [31.76, -106.43]})
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws=ws,
        ws_ping_interval=None,
        ws_per_message_deflate=False,
    )


# --------------------------------------------------------------------------- clients



async def _spawn(
    mode: str, url: str, token: str, per: list[int], seconds: float
) -> list[asyncio.subprocess.Process]:
    """One client process per non-empty share of ``per``, running this file in ``mode``."""
    return [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            mode,
            "--url",
            url,
            "--token",
            token,
            "--n",
            str(k),
            "--seconds",
            str(seconds),
            stdout=asyncio.subprocess.PIPE,
        )
        for k in per
        if k
    ]

async def client_worker(url: str, token: str, n: int, seconds: float) -> dict[str, Any]:
    """Hold ``n`` WebSockets for ``seconds``; return every batch latency (ms)."""
    import websockets

    lat: list[float] = []
    server_ms: list[float] = []  # publish -> batch encoded (the rest is fan-out + client)
    counts = [0] * n
    tracks_seen = [0] * n
    stop = time.time() + seconds

    async def one(k: int) -> None:
        async with websockets.connect(
            f"{url}/api/ws?token={token}", max_size=2**26, ping_interval=None
        ) as ws:
            while time.time() < stop:
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=max(0.1, stop - time.time()))
                except TimeoutError:
                    break
                now = time.time()
                head = HEAD.match(raw if isinstance(raw, str) else raw.decode())
                if head is None or head["type"] != "batch" or head["pub"] == "null":
                    continue
                lat.append((now - float(head["pub"])) * 1000.0)
                server_ms.append((float(head["sent"]) - float(head["pub"])) * 1000.0)
                counts[k] += 1
                if counts[k] % FULL_PARSE_EVERY == 1:  # check the whole batch now and then
                    msg = json.loads(raw)
                    tracks_seen[k] = max(tracks_seen[k], len(msg["tracks"]))

    await asyncio.gather(*(one(k) for k in range(n)))
    return {"latency_ms": lat, "server_ms": server_ms, "batches": counts, "tracks": tracks_seen}


def run_worker(args: argparse.Namespace) -> None:
    out = asyncio.run(client_worker(args.url, args.token, args.n, args.seconds))
    sys.stdout.write(json.dumps(out))


async def rest_worker(
    host: str, port: int, token: str, n: int, seconds: float, path: str = "/api/tracks"
) -> dict[str, Any]:
    """``n`` keep-alive HTTP/1.1 clients calling ``path`` back to back for ``seconds``.

    A minimal client on asyncio streams: httpx spends about a millisecond of CPU per
    request, which on a shared 2-core machine would measure the harness, not the service.
    """
    lat: list[float] = []
    errors = 0
    sizes: list[int] = []
    stop = time.time() + seconds
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()

    async def one() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        k = 0
        try:
            while time.time() < stop:
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                found = re.search(rb"(?i)content-length: *(\d+)", head)
                assert found is not None, head
                length = int(found[1])
                body = await reader.readexactly(length)
                lat.append((time.perf_counter() - t0) * 1000.0)
                if status != 200:
                    errors += 1
                elif k % FULL_PARSE_EVERY == 0:
                    sizes.append(len(json.loads(body)))
                k += 1
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(n)))
    return {"latency_ms": lat, "errors": errors, "tracks": sizes}


def run_rest_worker(args: argparse.Namespace) -> None:
    host, port = args.url.removeprefix("http://").rsplit(":", 1)
    out = asyncio.run(rest_worker(host, int(port), args.token, args.n, args.seconds))
    sys.stdout.write(json.dumps(out))


# --------------------------------------------------------------------------- driver


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.ceil(p / 100 * len(xs)) - 1)]


async def rest_poller(base: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    import httpx

    lat: dict[str, list[float]] = {"/api/tracks": [], "/api/incidents": []}
    sizes: list[int] = []
    errors = 0
    stop = time.time() + seconds
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as c:
        while time.time() < stop:
            for path in lat:
                t0 = time.perf_counter()
                r = await c.get(path)
                lat[path].append((time.perf_counter() - t0) * 1000.0)
                if r.status_code != 200:
                    errors += 1
                elif path == "/api/tracks":
                    sizes.append(len(r.json()))
            await asyncio.sleep(0.5)
    return {"latency_ms": lat, "tracks_returned": sizes, "errors": errors}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit("service exited during start-up")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("service not ready")


async def phase(
    base: str, ws_base: str, token: str, n: int, seconds: float, procs: int, rest_on: bool = True
) -> dict[str, Any]:
    per = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
    workers = await _spawn("--worker", ws_base, token, per, seconds)
    await asyncio.sleep(2.0)  # connections settle before REST polling starts
    if rest_on:
        rest = await rest_poller(base, {"Authorization": f"Bearer {token}"}, seconds - 3.0)
    else:
        rest = {
            "latency_ms": {"/api/tracks": [], "/api/incidents": []},
            "tracks_returned": [],
            "errors": 0,
        }
    import httpx

    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        feed = (await c.get("/api/stats")).json()["feed"]
    outs = [json.loads((await w.communicate())[0]) for w in workers]
    # the service's own share: flush -> last client's socket, for this phase's batches
    fan = feed["fanout_ms_last"][-int(seconds) + 3 :]
    lat = [x for o in outs for x in o["latency_ms"]]
    srv = [x for o in outs for x in o["server_ms"]]
    batches = [b for o in outs for b in o["batches"]]
    tracks = [t for o in outs for t in o["tracks"]]
    return {
        "clients": n,
        "seconds": seconds,
        "batches_total": len(lat),
        "batches_per_client_min": min(batches) if batches else 0,
        "batches_per_client_median": statistics.median(batches) if batches else 0,
        "tracks_per_batch_max": max(tracks) if tracks else 0,
        "update_latency_ms": {
            "p50": pct(lat, 50),
            "p95": pct(lat, 95),
            "p99": pct(lat, 99),
            "max": max(lat) if lat else float("nan"),
        },
        "publish_to_encoded_ms": {"p50": pct(srv, 50), "p99": pct(srv, 99)},
        "fanout_ms": {
            "p50": pct(fan, 50),
            "max": max(fan, default=float("nan")),
            "batches": len(fan),
        },
        "rest": {
            path: {"n": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99)}
            for path, v in rest["latency_ms"].items()
        },
        "rest_tracks_returned_min": min(rest["tracks_returned"], default=0),
        "rest_errors": rest["errors"],
    }


def cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def rest_load(
    base: str, token: str, n: int, seconds: float, procs: int, server_pid: int
) -> dict[str, Any]:
    """The REST load row: ``n`` closed-loop clients on ``GET /api/tracks``.

    Besides latency, the service's own CPU per answer: the server process's CPU during
    the load minus what it used (pipeline, WebSocket) in a quiet window just before,
    scaled to the same length. Unlike latency, that does not depend on how busy the
    shared machine is."""
    quiet = min(5.0, seconds)
    c0 = cpu_s(server_pid)
    await asyncio.sleep(quiet)
    idle_per_s = (cpu_s(server_pid) - c0) / quiet
    c1 = cpu_s(server_pid)
    per = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
    workers = await _spawn("--rest-worker", base, token, per, seconds)
    outs = [json.loads((await w.communicate())[0]) for w in workers]
    busy = cpu_s(server_pid) - c1 - idle_per_s * seconds
    lat = [x for o in outs for x in o["latency_ms"]]
    return {
        "service_cpu_ms_per_request": 1000.0 * busy / max(1, len(lat)),
        "service_idle_cpu_per_s": idle_per_s,
        "clients": n,
        "seconds": seconds,
        "requests": len(lat),
        "requests_per_s": len(lat) / seconds,
        "latency_ms": {
            "p50": pct(lat, 50),
            "p95": pct(lat, 95),
            "p99": pct(lat, 99),
            "max": max(lat, default=float("nan")),
        },
        "tracks_returned_min": min((t for o in outs for t in o["tracks"]), default=0),
        "errors": sum(o["errors"] for o in outs),
    }


def main() -> None:
    # SIGTERM (a timeout, CI) must still run the finally: that stops the service child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", default="50,100,200")
    ap.add_argument("--tracks", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--procs", type=int, default=8, help="client worker processes")
    ap.add_argument("--no-rest", action="store_true", help="WebSocket clients only")
    ap.add_argument(
        "--rest-clients", type=int, default=50, help="REST load row: clients (0: no row)"
    )
    ap.add_argument("--rest-seconds", type=float, default=15.0)
    ap.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    ap.add_argument("--ws", default="websockets", help="uvicorn WebSocket implementation")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--rest-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--db", default="", help=argparse.SUPPRESS)
    ap.add_argument("--url", default="", help=argparse.SUPPRESS)
    ap.add_argument("--token", default="", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve_child(args.port, args.db, args.tracks, args.ws)
        return
    if args.worker:
        run_worker(args)
        return
    if args.rest_worker:
        run_rest_worker(args)
        return

    import httpx
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    ns = [int(x) for x in args.clients.split(",")]
    port = free_port()
    base, ws_base = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="skywarden-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        load0 = os.getloadavg()
        server = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                "--port",
                str(port),
                "--db",
                db,
                "--tracks",
                str(args.tracks),
                "--ws",
                args.ws,
            ]
        )
        try:
            wait_ready(base, server)
            token = httpx.post(
                f"{base}/api/token", data={"username": USER, "password": PASSWORD}
            ).json()["access_token"]
            time.sleep(3.0)  # a few scans in, the live picture is full
            phases = [
                asyncio.run(
                    phase(base, ws_base, token, n, args.seconds, args.procs, not args.no_rest)
                )
                for n in ns
            ]
            rest_row = (
                asyncio.run(
                    rest_load(
                        base, token, args.rest_clients, args.rest_seconds, args.procs, server.pid
                    )
                )
                if args.rest_clients > 0
                else None
            )
        finally:
            server.terminate()
            server.wait(15)
    load1 = os.getloadavg()

    table = Table(
        title=f"skywarden service: {args.tracks} live tracks at 1 Hz, WebSocket "
        "clients + REST polling (loopback)"
    )
    for col in (
        "clients",
        "batches/client",
        "tracks/batch",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "service: encode p50 + fan-out p50/max ms",
        "GET /api/tracks p50/p99 ms",
        "GET /api/incidents p50/p99 ms",
        "goal p99<250",
    ):
        table.add_column(col, justify="right")
    for p in phases:
        u, r = p["update_latency_ms"], p["rest"]
        ok = p["clients"] < 200 or u["p99"] < 250
        table.add_row(
            str(p["clients"]),
            f"{p['batches_per_client_median']:.0f} (min {p['batches_per_client_min']})",
            str(p["tracks_per_batch_max"]),
            f"{u['p50']:.0f}",
            f"{u['p95']:.0f}",
            f"{u['p99']:.0f}",
            f"{u['max']:.0f}",
            f"{p['publish_to_encoded_ms']['p50']:.0f} + {p['fanout_ms']['p50']:.0f}/"
            f"{p['fanout_ms']['max']:.0f}",
            f"{r['/api/tracks']['p50_ms']:.0f} / {r['/api/tracks']['p99_ms']:.0f}",
            f"{r['/api/incidents']['p50_ms']:.0f} / {r['/api/incidents']['p99_ms']:.0f}",
            ("yes" if u["p99"] < 250 else "NO") if p["clients"] == 200 else ("-" if ok else ""),
        )
    console.print(table)
    if rest_row is not None:
        rt = Table(
            title=f"REST load: {rest_row['clients']} clients calling GET /api/tracks back to "
            f"back ({args.tracks} live tracks, keep-alive, loopback)"
        )
        for col in ("clients", "requests/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
                    "service CPU ms/answer", "tracks/answer", "errors", "goal p99<250"):
            rt.add_column(col, justify="right")
        lr = rest_row["latency_ms"]
        rt.add_row(
            str(rest_row["clients"]),
            f"{rest_row['requests_per_s']:.0f}",
            f"{lr['p50']:.0f}",
            f"{lr['p95']:.0f}",
            f"{lr['p99']:.0f}",
            f"{lr['max']:.0f}",
            f"{rest_row['service_cpu_ms_per_request']:.2f}",
            str(rest_row["tracks_returned_min"]),
            str(rest_row["errors"]),
            "yes" if lr["p99"] < 250 else "NO",
        )
        console.print(rt)
    console.print(
        f"load average before {load0[0]:.2f}, after {load1[0]:.2f} "
        f"on {os.cpu_count()} cores (shared with other work)"
    )
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "service",
                "goal": "200 WebSocket clients following 1,000 live tracks at 1 Hz, p99 < 250 ms",
                "tracks": args.tracks,
                "client_processes": args.procs,
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "loadavg_before": load0,
                    "loadavg_after": load1,
                },
                "phases": phases,
                "rest_load": rest_row,
                "command": "python bench/service.py " + " ".join(sys.argv[1:]),
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"wrote {out}")


if __name__ == "__main__":
    main()
