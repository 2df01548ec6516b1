"""skywarden.store: the durable record of the operations service (SQLAlchemy 2 + Alembic).

``Database(url)`` opens and migrates SQLite (default) or PostgreSQL; the modules here are
plain functions over a session, one concept each: ``users``, ``tracks``, ``incidents``,
``recommendations``, ``zones``, ``sensors``, ``laser``, ``audit``, ``quarantine``,
``cursor``, ``settings``.

    from skywarden.store import Database, incidents
    db = Database("sqlite:///out/skywarden.db")
    with db.session() as s:          # committed when the block ends
        incidents.act(s, "I0001", "ana", "acknowledge")
"""

from skywarden.store.db import DEFAULT_URL, Database, StoreConfigError

__all__ = ["DEFAULT_URL", "Database", "StoreConfigError"]
