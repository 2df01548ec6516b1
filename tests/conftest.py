"""Fixtures shared by the test packages: a database URL on SQLite and on PostgreSQL.

The PostgreSQL cluster (scripts/pg_throwaway.py) is started once per test session on a
loopback port and removed at exit; each test gets its own fresh database in it.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))  # the test-only helpers: pg_throwaway


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
        pytest.skip(str(e))
    return str(cluster.fresh_database("t" + uuid.uuid4().hex[:12]))
