"""A throwaway PostgreSQL cluster on a loopback port, for tests and benchmarks.

``initdb`` into a temporary folder, ``pg_ctl start`` listening on 127.0.0.1 only at a
free port, trust authentication (nothing but this machine can reach it), and everything
removed again on ``stop()``. PostgreSQL refuses to run as root and CI runs as root, so
in that case the cluster runs as the unprivileged ``nobody`` user.

Used two ways:

    .venv/bin/python scripts/pg_throwaway.py      # start, print the URL, stop on Enter
    from pg_throwaway import Cluster               # from a pytest fixture (see conftest)
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine (install Debian's ``postgresql``)."""


def find_bindir() -> Path:
    """The newest Debian server bindir, else wherever ``initdb`` is on PATH."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2] or 0))
    for d in reversed(dirs):
        if os.access(os.path.join(d, "initdb"), os.X_OK):
            return Path(d)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresUnavailable("initdb not found: apt-get install postgresql (make sysdeps)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One PostgreSQL cluster in a temp dir; ``url`` is a SQLAlchemy-ready URL."""

    def __init__(self, db: str = "skywarden") -> None:
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="skywarden-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.db = db
        self._user: str | None = None
        if os.geteuid() == 0:
            self._user = "nobody"
            pw = pwd.getpwnam("nobody")
            os.chmod(self.root, 0o755)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.url = f"postgresql+psycopg://skywarden@127.0.0.1:{self.port}/{db}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            list(args),
            check=True,
            user=self._user,
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )

    def start(self) -> Cluster:
        b = self.bindir
        self._run(
            str(b / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "skywarden",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.root}"
            " -c fsync=on -c max_connections=100"
        )
        self._run(
            str(b / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        self._run(
            str(b / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "skywarden", self.db
        )
        return self

    def fresh_database(self, name: str, template: str | None = None) -> str:
        """A new database in the cluster, empty or a copy of ``template``; its URL."""
        extra = ["-T", template] if template else []
        self._run(
            str(self.bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "skywarden",
            *extra,
            name,
        )
        return f"postgresql+psycopg://skywarden@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
                timeout=30,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


_shared: Cluster | None = None


def shared_cluster() -> Cluster:
    """One cluster per process, started on first use and removed at interpreter exit
    (test folders that each need PostgreSQL share it instead of starting their own)."""
    global _shared
    if _shared is None:
        import atexit

        _shared = Cluster().start()
        atexit.register(_shared.stop)
    return _shared


if __name__ == "__main__":
    c = Cluster().start()
    print(c.url, flush=True)
    try:
        input("PostgreSQL running; press Enter to stop and remove it\n")
    except EOFError:
        time.sleep(0)
    finally:
        c.stop()
