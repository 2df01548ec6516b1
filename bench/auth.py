"""Benchmark: the login path under attack (issue #12 finding 6), memory and answers.

Starts ``skywarden serve`` (no sources, SQLite in a temp folder, 127.0.0.1 only) and
plays the probe's two attacks against ``POST /api/token``:

* **16 concurrent wrong logins**, each for a different unknown name (so the per-name
  throttle does not help): the server's peak resident memory (``VmHWM``) before and
  after. Argon2id takes 64 MiB a hash; the slots (``SKYWARDEN_ARGON2_SLOTS``) bound how
  many run at once. The row with 16 slots is the old, unbounded behaviour, run side by
  side in the same run.
* **200 wrong passwords for one user**, one after another: how many were answered 401
  (a hash was computed) and how many 429 (throttled before hashing), the server CPU
  seconds spent, and the audit rows they left.

    .venv/bin/python bench/auth.py                 # slots 16 and 2
    .venv/bin/python bench/auth.py --slots 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "auth.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _proc_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _cpu_s(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def run_one(slots: int, folder: Path) -> dict[str, Any]:
    db_file = folder / f"auth-{slots}.db"
    url = f"sqlite:///{db_file}"
    exe = Path(sys.executable).with_name("skywarden")
    pw = folder / "pw"
    pw.write_text("right-password-1\n")
    add = ["users", "add", "ana", "--role", "operator", "--password-file", str(pw)]
    subprocess.run(
        [str(exe), *add, "--db", url],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    env = dict(os.environ, SKYWARDEN_ARGON2_SLOTS=str(slots))
    log = (folder / f"serve-{slots}.log").open("w")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--db", url],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # one real login so the app and Argon2 are warm before measuring
        httpx.post(f"{base}/api/token", data={"username": "ana", "password": "right-password-1"})
        rss0 = _proc_kib(proc.pid, "VmRSS")

        def wrong(k: int) -> int:
            data = {"username": f"ghost{k}", "password": "wrong-password"}
            return httpx.post(f"{base}/api/token", data=data, timeout=120).status_code

        t0 = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            codes16 = list(pool.map(wrong, range(16)))
        wall16 = time.perf_counter() - t0
        hwm = _proc_kib(proc.pid, "VmHWM")

        cpu0, t0 = _cpu_s(proc.pid), time.perf_counter()
        codes = []
        with httpx.Client() as c:
            for _ in range(200):
                data = {"username": "ana", "password": "wrong-password"}
                codes.append(c.post(f"{base}/api/token", data=data).status_code)
        wall200, cpu200 = time.perf_counter() - t0, _cpu_s(proc.pid) - cpu0
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    with sqlite3.connect(db_file) as con:
        failed_rows = con.execute(
            "SELECT count(*) FROM audit WHERE action = 'login_failed'"
        ).fetchone()[0]
    return {
        "argon2_slots": slots,
        "rss_before_mib": round(rss0 / 1024, 1),
        "peak_rss_after_16_concurrent_mib": round(hwm / 1024, 1),
        "concurrent_16_codes": {str(c): codes16.count(c) for c in sorted(set(codes16))},
        "concurrent_16_wall_s": round(wall16, 2),
        "sequential_200_codes": {str(c): codes.count(c) for c in sorted(set(codes))},
        "sequential_200_wall_s": round(wall200, 2),
        "sequential_200_server_cpu_s": round(cpu200, 2),
        "login_failed_audit_rows_total": failed_rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--slots", type=int, nargs="*", default=[16, 2])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for slots in args.slots:
            rows.append(run_one(slots, Path(d)))
    out = {
        "bench": "auth",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "t": time.time(),
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    head = (
        f"{'slots':>5} {'RSS MiB':>8} {'peak MiB':>9} {'16 conc':>14} {'200 seq':>20} "
        f"{'CPU s':>6} {'audit':>5}"
    )
    print(head)
    for r in rows:
        print(
            f"{r['argon2_slots']:>5} {r['rss_before_mib']:>8} "
            f"{r['peak_rss_after_16_concurrent_mib']:>9} "
            f"{json.dumps(r['concurrent_16_codes']):>14} "
            f"{json.dumps(r['sequential_200_codes']):>20} "
            f"{r['sequential_200_server_cpu_s']:>6} {r['login_failed_audit_rows_total']:>5}"
        )
    print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
