"""A throwaway nats-server with JetStream per test module (as tests/service/test_bus.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_MISSING = "server missing: "  # as tests/conftest.py (CI=true turns it into a failure)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_nats(store: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    exe = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not Path(exe).exists():
        pytest.skip(SERVER_MISSING + "nats-server: make sysdeps installs Debian's")
    port = port or free_port()
    proc = subprocess.Popen(
        [exe, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    end = time.monotonic() + 10
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"nats://127.0.0.1:{port}"
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nats-server did not start within 10 s")


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_nats(tmp_path_factory.mktemp("jetstream"))
    yield url
    proc.terminate()
    proc.wait(10)
