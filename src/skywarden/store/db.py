"""Opening the store: database URL -> migrated engine and session factory.

SQLite is the embedded default (one file, nothing to run); PostgreSQL is selected by a
``postgresql://`` URL and driven by psycopg 3. Either way the schema is brought to the
newest Alembic revision on open, so a fresh file and an old one behave alike.

Durability matters here more than speed (DESIGN.md: an incident or an operator action is
durable before it is acknowledged), so SQLite runs in WAL mode with ``synchronous=FULL``:
a committed transaction survives the process being killed and the machine losing power.

The SQLite file holds password hashes and the audit log, so it is created 0600 (SQLite
gives its ``-wal`` and ``-shm`` files the database file's mode) and an existing file
open to group or others is narrowed to 0600 on open. ``recursive_triggers`` is on so
that the rows ``INSERT OR REPLACE`` deletes fire DELETE triggers (the audit's guard).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from skywarden.errors import SkywardenError

DEFAULT_URL = "sqlite:///out/skywarden.db"
MIGRATIONS = Path(__file__).with_name("migrations")


class StoreConfigError(SkywardenError, ValueError):
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
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            private_file(Path(u.database))
        return u.render_as_string(hide_password=False)
    raise StoreConfigError(f"--db {url!r}: backend {backend!r} unsupported (sqlite, postgresql)")


def private_file(path: Path) -> None:
    """Make ``path`` exist with mode 0600 without a moment of wider access.

    A missing file is created by ``os.open`` with mode 0600 (before SQLite creates it
    with the umask's 0644); an existing one open to group or others is narrowed, which is
    the best that can be done for a file an older version created.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode
        if stat.S_ISREG(mode) and mode & (stat.S_IRWXG | stat.S_IRWXO):
            for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if p.exists():
                    p.chmod(0o600)
        return
    except OSError as e:
        raise StoreConfigError(f"{path}: cannot create the database file ({e.strerror})") from None
    os.close(fd)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA recursive_triggers=ON")
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
