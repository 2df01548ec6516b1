"""The audit log holds: hash chain, no back-dating, no rewrite by INSERT OR REPLACE.

Each tamper is tried the way an attacker with the database would try it (raw SQL on a
connection of its own); it is stopped by a trigger, or, with the triggers dropped,
found by ``verify`` at the row it broke.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from skywarden.store import Database, audit
from skywarden.store.db import migrate


def _fill(db: Database, n: int = 5) -> list[dict[str, object]]:
    t0 = time.time() - 1000.0
    with db.session() as s:
        for k in range(n):
            audit.append(
                s, f"u{k}", "operator", "zone_put", f"Z{k}", {"k": k}, {"k": k + 1}, t=t0 + k
            )
    with db.session() as s:
        return list(reversed(audit.entries(s)))


def _verify(db: Database) -> audit.Verdict:
    with db.session() as s:
        return audit.verify(s)


def _drop_guards(db: Database) -> None:
    """What an attacker with the owner's rights can do: lift every trigger."""
    with db.engine.begin() as c:
        if db.dialect == "sqlite":
            for name in ("audit_no_update", "audit_no_delete", "audit_insert_guard"):
                c.execute(text(f"DROP TRIGGER {name}"))
        else:
            for name in ("audit_no_change", "audit_no_truncate", "audit_insert_guard"):
                c.execute(text(f"DROP TRIGGER {name} ON audit"))


def test_rows_form_a_chain_that_verifies(db_url: str) -> None:
    db = Database(db_url)
    rows = _fill(db)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    v = _verify(db)
    assert v.ok and v.rows == 5 and v.head_seq == 5 and v.head_hash == rows[-1]["hash"]
    # each hash is the link over the previous one and the row's own content
    c = audit.content_of(1, rows[0]["t"], "u0", "operator", "zone_put", "Z0", {"k": 0}, {"k": 1})  # type: ignore[arg-type]
    assert rows[0]["hash"] == audit.link_hash(audit.GENESIS, c)
    db.dispose()


def test_application_refuses_back_dated_and_future_rows(db_url: str) -> None:
    db = Database(db_url)
    rows = _fill(db, 2)
    last_t = float(rows[-1]["t"])  # type: ignore[arg-type]
    with pytest.raises(audit.AuditError, match="before the last row"), db.session() as s:
        audit.append(s, "eve", "admin", "zone_delete", "Z0", t=last_t - 1.0)
    with pytest.raises(audit.AuditError, match="future"), db.session() as s:
        audit.append(s, "eve", "admin", "zone_delete", "Z0", t=time.time() + 3600)
    with pytest.raises(audit.AuditError, match="finite"), db.session() as s:
        audit.append(s, "eve", "admin", "zone_delete", "Z0", t=float("nan"))
    assert _verify(db).rows == 2
    db.dispose()


def _raw_insert(seq: int, prev: str, t: float, id_: int | None = None) -> str:
    cols = 't, "user", role, action, target, seq, prev_hash, hash'
    vals = f"{t!r}, 'eve', 'admin', 'forged', 'x', {seq}, '{prev}', '{'f' * 64}'"
    if id_ is not None:
        cols, vals = f"id, {cols}", f"{id_}, {vals}"
    return f"INSERT INTO audit ({cols}) VALUES ({vals})"


def test_database_refuses_back_dated_and_out_of_chain_inserts(db_url: str) -> None:
    db = Database(db_url)
    rows = _fill(db, 3)
    head, t_last = str(rows[-1]["hash"]), float(rows[-1]["t"])  # type: ignore[arg-type]
    attempts = {
        "back-dated": _raw_insert(4, head, t_last - 10.0),
        "seq must be": _raw_insert(2, str(rows[0]["hash"]), t_last + 1.0),
        "prev_hash": _raw_insert(4, "0" * 64, t_last + 1.0),
        "id already used": _raw_insert(4, head, t_last + 1.0, id_=int(rows[0]["id"])),  # type: ignore[call-overload]
    }
    for words, sql in attempts.items():
        with pytest.raises(DBAPIError, match=words), db.engine.begin() as c:
            c.execute(text(sql))
    assert _verify(db).ok and _verify(db).rows == 3
    db.dispose()


def test_truncate_is_refused_on_postgresql(db_url: str) -> None:
    db = Database(db_url)
    _fill(db, 2)
    if db.dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as c:
        c.execute(text("TRUNCATE audit"))
    db.dispose()


@pytest.mark.parametrize("recursive_triggers", [True, False])
def test_sqlite_insert_or_replace_cannot_rewrite_a_row(
    tmp_path: Path, recursive_triggers: bool
) -> None:
    """What really happens on a raw connection, whichever way it sets the pragma: the
    insert guard sees the reused id before REPLACE deletes anything."""
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    rows = _fill(db, 3)
    db.dispose()
    con = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    con.execute(f"PRAGMA recursive_triggers={'ON' if recursive_triggers else 'OFF'}")
    head, t_last = str(rows[-1]["hash"]), float(rows[-1]["t"])  # type: ignore[arg-type]
    sql = _raw_insert(4, head, t_last + 1.0, id_=int(rows[0]["id"])).replace(  # type: ignore[call-overload]
        "INSERT", "INSERT OR REPLACE", 1
    )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(sql)
    assert con.execute("SELECT user FROM audit ORDER BY seq").fetchall() == [
        ("u0",),
        ("u1",),
        ("u2",),
    ]
    con.close()


def test_sqlite_replace_deleting_a_row_fires_the_delete_guard(tmp_path: Path) -> None:
    """With the insert guard gone, REPLACE's hidden delete still meets the DELETE trigger,
    because the store's connections run with recursive_triggers on."""
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    rows = _fill(db, 2)
    with db.engine.begin() as c:
        c.execute(text("DROP TRIGGER audit_insert_guard"))
    head, t_last = str(rows[-1]["hash"]), float(rows[-1]["t"])  # type: ignore[arg-type]
    sql = _raw_insert(3, head, t_last + 1.0, id_=int(rows[0]["id"])).replace(  # type: ignore[call-overload]
        "INSERT", "INSERT OR REPLACE", 1
    )
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as c:
        c.execute(text(sql))
    db.dispose()


def test_verify_finds_a_changed_row_with_triggers_dropped(db_url: str) -> None:
    db = Database(db_url)
    rows = _fill(db, 5)
    _drop_guards(db)
    with db.engine.begin() as c:
        c.execute(text("UPDATE audit SET target = 'Z-other' WHERE seq = 3"))
    v = _verify(db)
    assert v.broken is not None and v.broken.seq == 3 and v.broken.row_id == rows[2]["id"]
    assert "changed" in v.broken.what
    db.dispose()


def test_verify_finds_a_rehashed_row_at_the_next_link(db_url: str) -> None:
    """Re-computing the changed row's own hash only moves the break one row on."""
    db = Database(db_url)
    rows = _fill(db, 4)
    _drop_guards(db)
    r = rows[1]
    c = audit.content_of(2, r["t"], "eve", "operator", "zone_put", "Z1", {"k": 1}, {"k": 2})  # type: ignore[arg-type]
    forged = audit.link_hash(str(rows[0]["hash"]), c)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit SET \"user\" = 'eve', hash = :h WHERE seq = 2"), {"h": forged}
        )
    v = _verify(db)
    assert v.broken is not None and v.broken.seq == 3 and "prev_hash" in v.broken.what
    db.dispose()


def test_verify_finds_a_deleted_row(db_url: str) -> None:
    db = Database(db_url)
    _fill(db, 5)
    _drop_guards(db)
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM audit WHERE seq = 2"))
    v = _verify(db)
    assert v.broken is not None and v.broken.seq == 3 and "2..2 missing" in v.broken.what
    db.dispose()


def test_verify_finds_a_back_dated_row(db_url: str) -> None:
    """Even a row with a correct seq and hashes is caught when its time goes back."""
    db = Database(db_url)
    rows = _fill(db, 2)
    _drop_guards(db)
    t_back = float(rows[0]["t"]) - 100.0  # type: ignore[arg-type]
    forged = audit.content_of(3, t_back, "eve", "admin", "forged", "x", None, None)
    h = audit.link_hash(str(rows[-1]["hash"]), forged)
    with db.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO audit (t, \"user\", role, action, target, before, after, seq,"
                " prev_hash, hash) VALUES (:t, 'eve', 'admin', 'forged', 'x', 'null', 'null',"
                " 3, :p, :h)"
            ),
            {"t": t_back, "p": rows[-1]["hash"], "h": h},
        )
    v = _verify(db)
    assert v.broken is not None and v.broken.seq == 3 and "back-dated" in v.broken.what
    db.dispose()


def test_a_kept_head_catches_rows_cut_off_the_end(db_url: str) -> None:
    db = Database(db_url)
    _fill(db, 4)
    v = _verify(db)
    kept = (v.head_seq, v.head_hash)
    _drop_guards(db)
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM audit WHERE seq = 4"))
    with db.session() as s:
        assert audit.verify(s).ok  # a chain alone cannot see its end cut off...
        cut = audit.verify(s, kept)  # ...the head kept elsewhere does
    assert cut.broken is not None and "gone" in cut.broken.what
    db.dispose()


def test_concurrent_appends_never_fork_the_chain(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for j in range(10):
                with db.session() as s:
                    audit.append(s, f"w{k}", "operator", "note", f"I{j}")
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    v = _verify(db)
    assert v.ok and v.rows == 40 and v.head_seq == 40
    db.dispose()


def test_migration_chains_rows_written_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = Database(url, run_migrations=False)
    migrate(db.engine, "0001")
    with db.engine.begin() as c:
        for k in range(3):
            c.execute(
                text(
                    "INSERT INTO audit (t, \"user\", role, action, target, before, after) "
                    "VALUES (:t, 'ana', 'operator', 'login', 'token', 'null', :a)"
                ),
                {"t": 100.0 + k, "a": f'{{"n": {k}}}'},
            )
        c.execute(text("INSERT INTO settings (key, value) VALUES ('token_secret', '\"abc\"')"))
    migrate(db.engine)
    v = _verify(db)
    assert v.ok and v.rows == 3
    with db.engine.connect() as c:
        assert c.scalar(text("SELECT count(*) FROM settings WHERE key='token_secret'")) == 0
    with db.session() as s:  # and the chain goes on from the migrated rows
        audit.append(s, "bo", "admin", "login", "token")
        assert audit.verify(s).rows == 4
    db.dispose()


def test_migration_downgrades_and_upgrades_again(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from skywarden.store.db import MIGRATIONS

    db = Database(db_url)
    _fill(db, 2)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as c:
        c.execute(text("DELETE FROM audit"))  # 0001's guard is back
    migrate(db.engine)
    v = _verify(db)
    assert v.ok and v.rows == 2
    db.dispose()
