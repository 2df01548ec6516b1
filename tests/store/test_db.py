"""Opening the store: URL handling, migrations that match the schema, durability pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from skywarden.store import Database, StoreConfigError
from skywarden.store.db import normalise_url
from skywarden.store.schema import Base


def test_postgres_urls_select_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://u@h/db")
    assert normalise_url("postgres://u:p@h:5433/db") == "postgresql+psycopg://u:p@h:5433/db"


def test_sqlite_url_creates_its_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a' / 'b' / 'x.db'}"
    normalise_url(url)
    assert (tmp_path / "a" / "b").is_dir()


@pytest.mark.parametrize(
    ("url", "words"),
    [("mysql://u@h/db", "unsupported"), ("not a url", "not a database URL")],
)
def test_bad_urls_are_named(url: str, words: str) -> None:
    with pytest.raises(StoreConfigError, match=words) as e:
        Database(url)
    assert url in str(e.value)


def test_migrations_create_exactly_the_schema(db_url: str) -> None:
    db = Database(db_url)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert set(inspect(db.engine).get_table_names()) >= {
        "users",
        "track_points",
        "incidents",
        "incident_actions",
        "audit",
        "zones",
        "recommendations",
        "laser_plans",
        "quarantine",
        "alembic_version",
    }
    db.dispose()


def test_reopening_a_migrated_store_is_a_no_op(db_url: str) -> None:
    Database(db_url).dispose()
    db = Database(db_url)
    with db.engine.connect() as conn:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        from skywarden.store.db import MIGRATIONS

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head
    db.dispose()


def test_sqlite_runs_in_wal_with_full_sync(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    with db.engine.connect() as conn:
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert conn.scalar(text("PRAGMA synchronous")) == 2  # FULL
    db.dispose()
