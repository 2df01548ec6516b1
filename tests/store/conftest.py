"""Store fixtures: a database URL on SQLite and on a throwaway PostgreSQL cluster.

The cluster (scripts/pg_throwaway.py) is started once per test session on a loopback
port and removed at exit; each test gets its own fresh database in it.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pg() -> Any:
    mod = sys.modules.get("pg_throwaway")
    if mod is None:
        spec = importlib.util.spec_from_file_location(
            "pg_throwaway", ROOT / "scripts" / "pg_throwaway.py"
        )
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules["pg_throwaway"] = mod
        spec.loader.exec_module(mod)
    return mod


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    pg = _pg()
    try:
        cluster = pg.shared_cluster()
    except pg.PostgresUnavailable as e:  # make test installs it; a bare pytest may not
        pytest.skip(str(e))
    return str(cluster.fresh_database("t" + uuid.uuid4().hex[:12]))
