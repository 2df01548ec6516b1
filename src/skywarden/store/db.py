"""Opening the store: database URL -> migrated engine and session factory.

SQLite is the embedded default (one file, nothing to run); PostgreSQL is selected by a
``postgresql://`` URL and driven by psycopg 3. Either way the schema is brought to the
newest Alembic revision on open, so a fresh file and an old one behave alike.

Durability matters here more than speed (DESIGN.md: an incident or an operator action is
durable before it is acknowledged), so SQLite runs in WAL mode with ``synchronous=FULL``:
a committed transaction survives the process being killed and the machine losing power.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///out/skywarden.db"
MIGRATIONS = Path(__file__).with_name("migrations")


class StoreConfigError(ValueError):
    """The database URL is malformed or names a backend the store does not support."""


def normalise_url(url: str) -> str:
    """Accept the URLs people type and return the one SQLAlchemy needs.

    ``postgresql://`` and ``postgres://`` select psycopg 3; ``sqlite:///path`` is kept
    and its folder created. Anything else is refused with the offending URL named.
    """
    try:
        u = make_url(url)
    except ArgumentError as e:
        raise StoreConfigError(f"--db {url!r}: not a database URL ({e})") from None
    backend = u.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        return u.render_as_string(hide_password=False)
    raise StoreConfigError(f"--db {url!r}: backend {backend!r} unsupported (sqlite, postgresql)")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the durability settings above applied to every connection."""
    real = normalise_url(url)
    if real.startswith("sqlite"):
        engine = create_engine(real, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(real, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


class Database:
    """A migrated engine and its session factory; the one handle every store call takes."""

    def __init__(self, url: str = DEFAULT_URL, *, run_migrations: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if run_migrations:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on normal exit and rolled back on error.

        The commit happens before the ``with`` block returns, so code that answers a
        request after it has the durability guarantee.
        """
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def dispose(self) -> None:
        self.engine.dispose()
