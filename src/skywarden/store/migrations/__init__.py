"""Alembic migrations of the operations store, run by :func:`skywarden.store.db.migrate`."""
