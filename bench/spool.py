"""Benchmark: how fast the edge's disk spool takes and gives back messages (issue 17).

The spool decides how long an edge can bridge a NATS outage and how soon it catches up.
What runs, on the spool directory's file system (``--dir``, a temp dir by default):

1. **append**: ``--messages`` detection-sized payloads (``--size`` bytes), appended in
   batches of 1 (one fsync per message: the slowest, safest path), then of ``--batch``
   (one fsync per batch: what a forwarder does with a scan's detections);
2. **read + ack**: ``pending()`` oldest first and ``ack`` of each message, which deletes
   each segment as it empties (the drain without the network);
3. **reopen**: opening a full spool (every record's length and CRC checked);
4. **forward** (unless ``--no-nats``; needs Debian's nats-server): messages spooled during a
   stopped server, drained through :class:`Forwarder` into JetStream once it is up.

    .venv/bin/python bench/spool.py                       # 20,000 messages, every step
    .venv/bin/python bench/spool.py --messages 100000
    .venv/bin/python bench/spool.py --no-nats --no-pg     # the disk steps only

5. **persist** (unless ``--no-pg``; needs nats-server and PostgreSQL): track points published
   while a throwaway PostgreSQL is stopped, held on the stream by :class:`Persister`; the
   catch-up rate once PostgreSQL is started again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from skywarden.cluster.forwarder import Forwarder
from skywarden.cluster.spool import DiskSpool

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "spool.json"


def _payloads(n: int, size: int) -> list[tuple[str, bytes]]:
    body = os.urandom(size)
    return [(f"edge1-{i:09d}", body) for i in range(n)]


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else float("inf")


def bench_disk(root: Path, n: int, size: int, batch: int, single: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    msgs = _payloads(n, size)
    one = root / "one"
    with DiskSpool(one, 1 << 34) as sp:
        t0 = time.perf_counter()
        for m in msgs[:single]:
            sp.append(*m)
        rows.append(
            {
                "step": "append, batch of 1 (fsync each)",
                "messages": single,
                "per_s": _rate(single, time.perf_counter() - t0),
            }
        )
    shutil.rmtree(one)
    path = root / "batched"
    with DiskSpool(path, 1 << 34) as sp:
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            sp.append_many(msgs[i : i + batch])
        dt = time.perf_counter() - t0
        rows.append(
            {
                "step": f"append, batch of {batch}",
                "messages": n,
                "per_s": _rate(n, dt),
                "mb_per_s": round(n * size / dt / 1e6, 1),
                "bytes_used": sp.bytes_used,
            }
        )
    t0 = time.perf_counter()
    with DiskSpool(path, 1 << 34) as sp:
        dt = time.perf_counter() - t0
        rows.append(
            {
                "step": "reopen (check every record)",
                "messages": len(sp),
                "per_s": _rate(len(sp), dt),
                "seconds": round(dt, 3),
            }
        )
        t0 = time.perf_counter()
        got = 0
        for msg_id, _ in sp.pending():
            sp.ack(msg_id)
            got += 1
        dt = time.perf_counter() - t0
        assert got == n and len(sp) == 0 and sp.bytes_used == 0
        rows.append(
            {"step": "read + ack (drain, no network)", "messages": n, "per_s": _rate(n, dt)}
        )
    return rows


def bench_forward(root: Path, n: int, size: int, batch: int) -> list[dict[str, Any]]:
    exe = shutil.which("nats-server") or "/usr/sbin/nats-server"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"nats://127.0.0.1:{port}"
    cmd = [exe, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(root / "js")]
    msgs = _payloads(n, size)

    def up() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            with socket.socket() as c:
                if c.connect_ex(("127.0.0.1", port)) == 0:
                    return proc
            time.sleep(0.05)
        raise TimeoutError("nats-server did not start")

    async def go() -> list[dict[str, Any]]:
        import nats
        from nats.js.api import StreamConfig

        proc = up()
        nc = await nats.connect(url)
        await nc.jetstream().add_stream(StreamConfig(name="BENCH", subjects=["sw.det.>"]))
        await nc.close()
        proc.kill()
        proc.wait()
        spool = DiskSpool(root / "fwd", 1 << 34)
        fwd = Forwarder(url, spool, publish_timeout_s=0.2, backoff_s=(0.05, 0.5))
        await fwd.start(connect_wait_s=0.2)
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            await fwd.publish_many([("sw.det.s1", m, p) for m, p in msgs[i : i + batch]])
        spool_s = time.perf_counter() - t0
        proc = up()
        t0 = time.perf_counter()
        while not fwd.connected:  # the client's own reconnect (RECONNECT_WAIT_S apart)
            await asyncio.sleep(0.01)
        t1 = time.perf_counter()
        ok = await fwd.drained(timeout_s=600)
        t2 = time.perf_counter()
        drain_s = t2 - t1
        # and with the server up and the spool empty: straight to JetStream
        t3 = time.perf_counter()
        for i in range(0, n, batch):
            await fwd.publish_many([("sw.det.s2", m + "-live", p) for m, p in msgs[i : i + batch]])
        direct_s = time.perf_counter() - t3
        await fwd.close()
        spool.close()
        nc = await nats.connect(url)
        stored = (await nc.jetstream().stream_info("BENCH")).state.messages
        assert stored == 2 * n, f"{stored} messages in the stream, expected {2 * n}"
        await nc.close()
        proc.terminate()
        proc.wait()
        return [
            {
                "step": "forward: spooled while NATS is down",
                "messages": n,
                "per_s": _rate(n, spool_s),
            },
            {
                "step": "forward: drained to JetStream after restart",
                "messages": n,
                "per_s": _rate(n, drain_s),
                "reconnect_s": round(t1 - t0, 2),
                "drain_s": round(drain_s, 2),
                "drained": ok,
            },
            {
                "step": "forward: direct to JetStream (no outage)",
                "messages": n,
                "per_s": _rate(n, direct_s),
                "stored_in_stream": stored,
            },
        ]

    return asyncio.run(go())


def bench_persist(root: Path, n: int) -> list[dict[str, Any]]:
    """Track points on a stream while PostgreSQL is down; the persister's catch-up rate
    once it is back (batches of 500 per transaction, one row per message)."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import pg_throwaway
    from sqlalchemy import func, insert, select

    from skywarden.cluster.persister import Persister
    from skywarden.store.db import Database
    from skywarden.store.schema import TrackPoint as PointRow
    from skywarden.views import TrackPoint

    exe = shutil.which("nats-server") or "/usr/sbin/nats-server"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"nats://127.0.0.1:{port}"
    nats_proc = subprocess.Popen(
        [exe, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(root / "js-pg")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pg = pg_throwaway.Cluster().start()
    ctl = [str(pg.bindir / "pg_ctl"), "-D", str(pg.data)]
    opts = f"-c listen_addresses=127.0.0.1 -c port={pg.port} -k {pg.root}"
    db = Database(pg.url)

    def write(sess: Any, batch: Any) -> None:
        sess.execute(insert(PointRow), [TrackPoint.row_of_wire(json.loads(m.data)) for m in batch])

    def point(i: int) -> bytes:
        return json.dumps(
            {
                "t": 1.8e9 + i,
                "track": f"T{i % 1000:06d}",
                "status": "confirmed",
                "lat": 31.8,
                "lon": -106.4,
                "alt_m": 1200.0,
                "cls": "drone",
                "velocity": [1.0, 2.0, 0.0],
                "class_probs": {"drone": 1.0},
                "identities": [],
                "sensors": ["radar-1"],
            }
        ).encode()

    async def go() -> list[dict[str, Any]]:
        import nats
        from nats.js.api import StreamConfig

        time.sleep(0.3)
        nc = await nats.connect(url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="OUT", subjects=["sw.out.>"]))
        p = Persister(
            db,
            js,
            stream="OUT",
            durable="core",
            subject="sw.out.>",
            write=write,
            backoff_s=(0.1, 1.0),
        )
        task = asyncio.create_task(p.run())
        pg._run(*ctl, "-m", "immediate", "-w", "stop")
        t0 = time.perf_counter()
        for i in range(0, n, 500):
            futs = [
                await js.publish_async("sw.out.s1", point(j)) for j in range(i, min(n, i + 500))
            ]
            await asyncio.gather(*futs)
        publish_s = time.perf_counter() - t0
        await asyncio.sleep(0.5)
        held = await p.backlog()
        pg._run(*ctl, "-o", opts, "-l", str(pg.root / "log"), "-w", "start")
        t1 = time.perf_counter()
        while p.committed < n:
            await asyncio.sleep(0.02)
        catch_s = time.perf_counter() - t1
        await p.stop()
        await task
        await nc.close()
        with db.session() as sess:
            rows = int(sess.scalar(select(func.count()).select_from(PointRow)) or 0)
        assert rows == n, f"{rows} rows stored, expected {n}"
        return [
            {
                "step": "persist: held on the stream while PostgreSQL is down",
                "messages": held,
                "per_s": _rate(n, publish_s),
            },
            {
                "step": "persist: catch-up after PostgreSQL returns",
                "messages": n,
                "per_s": _rate(n, catch_s),
                "catch_up_s": round(catch_s, 2),
                "failed_commits": p.failures,
                "rows": rows,
            },
        ]

    try:
        return asyncio.run(go())
    finally:
        db.dispose()
        pg.stop()
        nats_proc.terminate()
        nats_proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--size", type=int, default=200, help="payload bytes (a detection: ~200)")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--single", type=int, default=500, help="messages appended one by one")
    ap.add_argument("--dir", type=Path, default=None, help="where the spool goes (temp dir)")
    ap.add_argument("--no-nats", action="store_true", help="skip the drain into nats-server")
    ap.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL catch-up")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="skywarden-spool-", dir=a.dir))
    try:
        rows = bench_disk(root, a.messages, a.size, a.batch, a.single)
        nats = shutil.which("nats-server") or Path("/usr/sbin/nats-server").exists()
        if nats and not a.no_nats:
            rows += bench_forward(root, a.messages, a.size, a.batch)
        pg = shutil.which("initdb") or any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if nats and pg and not a.no_pg:
            rows += bench_persist(root, a.messages)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{'step':<52} {'messages':>9} {'per s':>12}")
    for r in rows:
        print(f"{r['step']:<52} {r['messages']:>9,} {r['per_s']:>12,.0f}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(a).items()},
                "rows": rows,
                "machine": {
                    "cpus": os.cpu_count(),
                    "load": os.getloadavg(),
                    "python": platform.python_version(),
                },
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
