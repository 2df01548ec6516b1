"""A throwaway nats-server with JetStream, for the tests that need a real one.

The server gets a config file with its JetStream limits stated. Left to itself,
nats-server caps file storage at 75 % of the disk free when it starts, and every stream
reserves its ``max_bytes`` (1 GiB in ``cluster.topology``) against that cap: on a
machine with a few GB free the tests then fail with "insufficient storage resources",
although they write a few MB. The limit here is an accounting figure, not space taken.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

SERVER_MISSING = "server missing: "  # as tests/conftest.py (CI=true turns it into a failure)
MAX_FILE_STORE = "64GB"  # reservations only: the tests' streams hold a few MB
MAX_MEMORY_STORE = "256MB"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_config(store: Path, port: int, max_file_store: str = MAX_FILE_STORE) -> str:
    """The server's config: loopback, one port, JetStream in ``store`` with set limits."""
    return (
        f"listen: 127.0.0.1:{port}\n"
        "jetstream {\n"
        f'  store_dir: "{store}"\n'
        f"  max_file_store: {max_file_store}\n"
        f"  max_memory_store: {MAX_MEMORY_STORE}\n"
        "}\n"
    )


def start_nats(
    store: Path, port: int | None = None, max_file_store: str = MAX_FILE_STORE
) -> tuple[subprocess.Popen[bytes], str]:
    """Start nats-server on ``port`` (a free one if None) and wait until it listens."""
    exe = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not Path(exe).exists():
        pytest.skip(SERVER_MISSING + "nats-server: make sysdeps installs Debian's")
    port = port or free_port()
    store.mkdir(parents=True, exist_ok=True)
    conf = store.parent / f"{store.name}.nats.conf"
    conf.write_text(server_config(store, port, max_file_store))
    proc = subprocess.Popen(
        [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    end = time.monotonic() + 10
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"nats://127.0.0.1:{port}"
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nats-server did not start within 10 s")
