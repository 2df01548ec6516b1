"""Run numbers: one per source, allocated by the store, so ids never repeat in it."""

from __future__ import annotations

import pytest

from skywarden.store import Database, ids


def test_each_source_gets_its_own_run_and_keeps_it(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        a, b = ids.run_for(s, "scenario:a"), ids.run_for(s, "live:tcp://127.0.0.1:30003")
    with db.session() as s:  # a restart finds the same runs
        assert ids.run_for(s, "scenario:a") == a
        assert ids.run_for(s, "live:tcp://127.0.0.1:30003") == b
    assert a != b
    db.dispose()


def test_prefixed_ids_read_as_kind_run_counter() -> None:
    pre = ids.prefix(3)
    assert ids.scoped("T000042", pre) == "T3-000042"
    assert ids.scoped("ac-7", pre) == "3-ac-7"
    assert ids.scoped("T000042", "") == "T000042"
    with pytest.raises(ValueError, match="run number"):
        ids.prefix(0)
