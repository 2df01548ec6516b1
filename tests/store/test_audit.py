"""The audit log is append-only in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from skywarden.store import Database, audit


def test_append_and_read_back_newest_first(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        audit.append(
            s,
            "ana",
            "operator",
            "incident_acknowledge",
            "I1",
            {"state": "open"},
            {"state": "acknowledged"},
            t=100.0,
        )
        audit.append(s, "bo", "admin", "zone_delete", "Z1", {"id": "Z1"}, None, t=200.0)
    with db.session() as s:
        rows = audit.entries(s)
        assert [r["target"] for r in rows] == ["Z1", "I1"]
        assert rows[1]["before"] == {"state": "open"}
        assert rows[1]["after"] == {"state": "acknowledged"}
        assert [r["user"] for r in audit.entries(s, user="ana")] == ["ana"]
        assert audit.entries(s, t0=150.0)[0]["target"] == "Z1"
    db.dispose()


@pytest.mark.parametrize("sql", ["UPDATE audit SET action = 'x'", "DELETE FROM audit"])
def test_database_refuses_changes_to_history(db_url: str, sql: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        audit.append(s, "ana", "operator", "login", "token")
    with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
        s.execute(text(sql))
    with db.session() as s:
        assert [r["action"] for r in audit.entries(s)] == ["login"]
    db.dispose()
