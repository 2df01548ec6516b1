"""Alembic environment: runs migrations on the connection that ``migrate`` hands over.

There is no alembic.ini: the store configures Alembic in code so the migrations ship
inside the package and run the same way from the CLI, the service and the tests.
"""

from __future__ import annotations

from alembic import context

from skywarden.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a bare `alembic` call
    raise RuntimeError("run migrations through skywarden.store.db.migrate(url)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
