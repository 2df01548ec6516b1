"""Fixtures shared by the test packages: a database URL on SQLite and on PostgreSQL.

The PostgreSQL cluster (scripts/pg_throwaway.py) is started once per test session on a
loopback port and removed at exit; each test gets its own fresh database in it.

A test whose server (PostgreSQL, nats-server) is missing skips with a reason that starts
with :data:`SERVER_MISSING`; under ``CI=true`` that skip is turned into a failure, so a
CI machine without its servers cannot pass by skipping the tests that need them.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Generator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))  # the test-only helpers: pg_throwaway
sys.path.insert(0, str(ROOT / "tests"))  # bench_loader: the bench tests' module loader

#: How a skip for a missing server begins (``pytest.skip(SERVER_MISSING + why)``).
SERVER_MISSING = "server missing: "


def in_ci() -> bool:
    """``CI=true`` (GitHub Actions, GitLab and most CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    """Under CI=true, a skip because a server is missing is a failure."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not (report.skipped and in_ci() and call.excinfo is not None):
        return
    reason = str(call.excinfo.value)
    if reason.startswith(SERVER_MISSING):
        report.outcome = "failed"
        report.longrepr = f"CI=true: {reason} (a CI run must have its servers; see make sysdeps)"


def pg_throwaway() -> ModuleType:
    import pg_throwaway as mod

    return mod


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    pg = pg_throwaway()
    try:
        cluster = pg.shared_cluster()
    except pg.PostgresUnavailable as e:  # make test installs it; a bare pytest may not
        pytest.skip(SERVER_MISSING + str(e))
    return str(cluster.fresh_database("t" + uuid.uuid4().hex[:12]))
