"""Under CI=true a test whose server is missing fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROBE = '''
import pytest

def test_needs_a_server():
    pytest.skip("server missing: nats-server not installed")

def test_is_sqlite_only():
    pytest.skip("TRUNCATE is PostgreSQL's")
'''


def _run(tmp_path: Path, ci: str | None) -> str:
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return r.stdout


@pytest.mark.parametrize(("ci", "summary"), [(None, "2 skipped"), ("true", "1 failed, 1 skipped")])
def test_a_missing_server_fails_only_in_ci(tmp_path: Path, ci: str | None, summary: str) -> None:
    out = _run(tmp_path, ci)
    assert summary in out, out
    if ci:
        assert "CI=true: server missing: nats-server" in out
