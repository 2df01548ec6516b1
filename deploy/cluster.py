"""``make cluster``: a whole skywarden cluster on this machine, from Debian packages only.

    python deploy/cluster.py start     # or: make cluster
    python deploy/cluster.py status
    python deploy/cluster.py stop      # or: make cluster-stop

Starts, each a background process with its log in ``.cluster/logs/``:

- nats-server x3 with JetStream, one cluster on loopback (``deploy/nats/n*.conf``),
  client ports BASE, BASE+1, BASE+2 (BASE = ``SKYWARDEN_NATS_PORT``, default 4222);
- PostgreSQL in ``.cluster/pg`` (``scripts/pg_throwaway.py``: initdb, loopback, trust);
- two edges, sectors ``west`` and ``east`` of the El Paso scenario (each keeps the
  sensors on its side of longitude -106.44; the airport's ADS-B receiver is the east
  site's, and what it hears over the west reaches the west by routing),
  routing with ``--layout .cluster/layout.json`` (the scenario's square cut at that
  longitude into two cores; each detection goes to every sector whose 2 km extended
  area holds it, docs/handover.md);
- three workers: ``w1`` owns west, ``w2`` owns east, ``w3`` stands by for both, each
  with ``--handover .cluster/layout.json`` (a track crossing -106.44 keeps its id);
- the core: ``skywarden serve --cluster`` on PostgreSQL at http://127.0.0.1:PORT
  (``SKYWARDEN_PORT``, default 8000).

The command run for skywarden is ``SKYWARDEN`` (default ``.venv/bin/skywarden``).
Try ``kill -9`` on a worker's pid (``status`` lists them): its sector moves to ``w3``
within about 8 s (docs/scaling.md).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / ".cluster"
STATE = HERE / "state.json"
BASE = int(os.environ.get("SKYWARDEN_NATS_PORT", "4222"))
WEB = int(os.environ.get("SKYWARDEN_PORT", "8000"))
SKYWARDEN = shlex.split(os.environ.get("SKYWARDEN", str(ROOT / ".venv" / "bin" / "skywarden")))
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"
EAST_OF = -106.44  # longitude splitting the El Paso sensors into two sites
SHARED = ("adsb-kelp",)  # the airport's receiver: one site (east) publishes it, routed to both


def sites() -> dict[str, list[str]]:
    """Sensor ids per sector, from the scenario file itself."""
    sys.path.insert(0, str(ROOT / "src"))
    from skywarden.sim import load_scenario

    west: list[str] = []
    east: list[str] = []
    for s in load_scenario(str(SCENARIO)).sensors:
        if s.id in SHARED:  # once: two edges publishing it would apply each plot twice
            east.append(s.id)
        else:
            (west if s.site.lon < EAST_OF else east).append(s.id)
    return {"west": west, "east": east}


def layout() -> Path:
    """``.cluster/layout.json``: the scenario's square (``extent_m`` around its origin)
    cut at ``EAST_OF`` into the cores of ``west`` and ``east``."""
    import math

    sys.path.insert(0, str(ROOT / "src"))
    from skywarden.sim import load_scenario

    sec = load_scenario(str(SCENARIO)).sector
    o, half = sec.origin, sec.extent_m
    dlat = half / 111_320.0
    dlon = half / (111_320.0 * math.cos(math.radians(o.lat)))
    s, n, w, e = o.lat - dlat, o.lat + dlat, o.lon - dlon, o.lon + dlon

    def ring(lo: float, hi: float) -> list[list[float]]:
        return [[lo, s], [hi, s], [hi, n], [lo, n]]

    path = HERE / "layout.json"
    doc = {"margin_m": 2000, "hysteresis_m": 250,
           "sectors": {"west": ring(w, EAST_OF), "east": ring(EAST_OF, e)}}  # fmt: skip
    path.write_text(json.dumps(doc, indent=1))
    return path


def wait_port(port: int, what: str, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def spawn(name: str, cmd: list[str], procs: dict[str, int]) -> None:
    log = (HERE / "logs" / f"{name}.log").open("ab")
    p = subprocess.Popen(  # noqa: S603 (our own commands, from this file)
        cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
    )
    procs[name] = p.pid
    print(f"  {name:8s} pid {p.pid}: {' '.join(cmd[:3])} ...")


def nats(procs: dict[str, int]) -> str:
    exe = shutil.which("nats-server") or "/usr/sbin/nats-server"
    routes = ",".join(f"nats-route://127.0.0.1:{BASE + 100 + i}" for i in range(3))
    for i in range(3):
        store = HERE / "nats" / f"n{i + 1}"
        store.mkdir(parents=True, exist_ok=True)
        cmd = [exe, "-c", str(ROOT / "deploy" / "nats" / f"n{i + 1}.conf"),
               "-a", "127.0.0.1", "-p", str(BASE + i), "-sd", str(store),
               "--cluster", f"nats://127.0.0.1:{BASE + 100 + i}", "--routes", routes]  # fmt: skip
        spawn(f"nats{i + 1}", cmd, procs)
    for i in range(3):
        wait_port(BASE + i, f"nats-server n{i + 1}")
    return ",".join(f"nats://127.0.0.1:{BASE + i}" for i in range(3))


def postgres(state: dict[str, object]) -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    import pg_throwaway

    c = pg_throwaway.Cluster().start()
    state["pg"] = {"root": str(c.root), "data": str(c.data), "bindir": str(c.bindir),
                   "user": c._user}  # fmt: skip
    return c.url


def start() -> None:
    if STATE.exists():
        raise SystemExit(f"a cluster is already running ({STATE}); `make cluster-stop` first")
    (HERE / "logs").mkdir(parents=True, exist_ok=True)
    procs: dict[str, int] = {}
    state: dict[str, object] = {"procs": procs}
    try:
        print("skywarden cluster: starting")
        bus = nats(procs)
        state["bus"] = bus
        db = postgres(state)
        state["db"] = db
        print(f"  postgres {db}")
        lay = str(layout())
        for sector, sensors in sites().items():
            spawn(f"edge-{sector}", [*SKYWARDEN, "edge", "--sector", sector, "--scenario",
                  str(SCENARIO), "--sensors", ",".join(sensors), "--bus", bus,
                  "--replicas", "3", "--layout", lay], procs)  # fmt: skip
        for name, own, spare in (("w1", "west", "east"), ("w2", "east", "west"),
                                 ("w3", "", "west,east")):  # fmt: skip
            spawn(name, [*SKYWARDEN, "worker", "--sectors", own, "--standby", spare,
                  "--bus", bus, "--name", name, "--replicas", "3", "--handover", lay],
                  procs)  # fmt: skip
        spawn("core", [*SKYWARDEN, "serve", "--cluster", "--bus", bus, "--db", db,
              "--port", str(WEB)], procs)  # fmt: skip
        wait_port(WEB, "the core (skywarden serve --cluster)", 60)
    finally:
        STATE.write_text(json.dumps(state, indent=1))
    print(f"skywarden cluster: map and API at http://127.0.0.1:{WEB}/ (logs in {HERE}/logs)")


def stop() -> None:
    if not STATE.exists():
        print("skywarden cluster: not running")
        return
    state = json.loads(STATE.read_text())
    for name, pid in reversed(list(state.get("procs", {}).items())):
        try:
            os.kill(pid, signal.SIGTERM)
            print(f"  stopped {name} (pid {pid})")
        except ProcessLookupError:
            print(f"  {name} (pid {pid}) was not running")
    pg = state.get("pg")
    if pg:
        subprocess.run([str(Path(pg["bindir"]) / "pg_ctl"),  # noqa: S603 "-D", pg["data"], "-m", "fast",
                        "-w", "stop"], user=pg["user"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        shutil.rmtree(pg["root"], ignore_errors=True)
    shutil.rmtree(HERE / "nats", ignore_errors=True)
    STATE.unlink()
    print("skywarden cluster: stopped (logs kept in .cluster/logs)")


def status() -> None:
    if not STATE.exists():
        print("skywarden cluster: not running")
        return
    state = json.loads(STATE.read_text())
    for name, pid in state.get("procs", {}).items():
        alive = Path(f"/proc/{pid}").exists()
        print(f"  {name:8s} pid {pid:7d} {'running' if alive else 'gone'}")
    print(f"  bus {state.get('bus')}\n  db  {state.get('db')}")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "status"
    {"start": start, "stop": stop, "status": status}.get(what, status)()
