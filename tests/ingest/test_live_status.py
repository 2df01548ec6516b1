"""Live ingest you can see: status while running, output on disk within a second, Ctrl-C.

``skywarden ingest tcp://...`` runs as its own process (as a user runs it) against a
local TCP server on a free port that plays the shipped dated SBS sample slowly. While
it runs, its detections file must grow; SIGINT must end it with the summary and exit 0.
With nobody listening it must say so (retrying), and on Ctrl-C say nothing was accepted.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SBS = (ROOT / "samples" / "lax" / "sbs1-dated.sbs").read_bytes().splitlines(keepends=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def feed() -> Iterator[int]:
    """A port-30003-like server: the sample's lines, two every 0.1 s (8 s), to each client."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def client(conn: socket.socket) -> None:
        with conn:
            for i in range(0, len(SBS), 2):
                if stop.is_set():
                    return
                try:
                    conn.sendall(b"".join(SBS[i : i + 2]))
                except OSError:
                    return
                time.sleep(0.1)
            stop.wait()  # keep the connection open, like a quiet feed

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=client, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        server.close()


def _ingest(spec: str, out: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skywarden.cli",
            "ingest",
            spec,
            "--format",
            "SBS",
            "--out",
            str(out),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines_of(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_live_feed_is_on_disk_while_running_and_ctrl_c_ends_with_a_summary(
    feed: int, tmp_path: Path
) -> None:
    out = tmp_path / "live.jsonl"
    proc = _ingest(f"tcp://127.0.0.1:{feed}", out)
    try:
        deadline = time.monotonic() + 30
        while _lines_of(out) < 10 and time.monotonic() < deadline:
            time.sleep(0.2)
        first = _lines_of(out)
        assert first >= 10, "detections are not flushed while the feed runs"
        assert proc.poll() is None  # still running: the file was not closed
        time.sleep(1.5)  # the feed still runs; its next lines are on disk within a second
        assert _lines_of(out) > first
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "stopped by Ctrl-C" in stdout
    assert "accepted" in stdout and "sbs" in stdout  # the summary table
    assert f"tcp://127.0.0.1:{feed}: connected" in stderr  # the status line (a pipe: logged)
    assert "messages (" in stderr and "/s)" in stderr
    dets = [json.loads(x) for x in out.read_text().splitlines()]
    assert dets and all(d["kind"] == "adsb" for d in dets)


def test_nobody_listening_is_said_and_ctrl_c_says_nothing_was_accepted(tmp_path: Path) -> None:
    port = _free_port()  # closed again: nobody listens there
    proc = _ingest(f"tcp://127.0.0.1:{port}", tmp_path / "live.jsonl")
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the status line, logged on its first change
        ready, _, _ = select.select([proc.stderr], [], [], 1.0)
        if ready:
            seen.append(proc.stderr.readline())
            if "retrying in" in seen[-1]:
                break
    assert seen and "nobody listening (connection refused)" in seen[-1], seen
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 2
    last = rest.strip().splitlines()[-1]
    assert last.startswith("error: nothing accepted: no message came from tcp://127.0.0.1:")
    assert "Traceback" not in "".join(seen) + rest
