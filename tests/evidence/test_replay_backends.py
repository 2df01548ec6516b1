"""The store's chain on both backends: SQLite and PostgreSQL store and replay alike."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from skywarden.evidence.chain import Break, Verified
from skywarden.evidence.stores import replay_store
from skywarden.store import Database
from skywarden.store.schema import EvidenceRecord


def test_a_store_replays_and_a_tampered_record_is_named(db_url: str, recorded_run: Path) -> None:
    from skywarden.pipeline import run_to_end
    from skywarden.service.launch import build

    launched = build(db_url, None, 1.0, [f"detections:{recorded_run}/detections.jsonl"])
    assert launched.pipeline is not None
    run_to_end(launched.pipeline, list(launched.pipeline.source.scans())[:20])
    launched.db.dispose()
    db = Database(db_url)
    try:
        (rep,) = replay_store(db)
        assert isinstance(rep.chain, Verified) and rep.ok, rep
        assert rep.compared == {"scans": 20}
        k = rep.chain.records // 2
        with db.session() as s:
            raw = s.scalar(select(EvidenceRecord.raw).where(EvidenceRecord.seq == k))
            assert raw is not None
            s.execute(
                update(EvidenceRecord)
                .where(EvidenceRecord.seq == k)
                .values(raw=bytes(raw).replace(b'"t":', b'"t": ', 1))
            )
        (rep,) = replay_store(db)
        assert isinstance(rep.chain, Break)
        assert rep.chain.index == k
        assert f"seq {k}" in rep.chain.where
    finally:
        db.dispose()
