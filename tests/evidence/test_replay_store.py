"""``skywarden replay --verify STORE``: the chain the pipeline stored, re-run per scan."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app

runner = CliRunner()


def replay(target: Path) -> tuple[int, str]:
    r = runner.invoke(app, ["replay", "--verify", str(target)])
    return r.exit_code, r.output


def test_a_clean_store_replays_identical(store_file: Path) -> None:
    code, out = replay(store_file)
    assert code == 0, out
    assert "IDENTICAL" in out
    assert "60 scans" in out


def test_the_store_and_the_run_chain_the_same_inputs_alike(
    store_file: Path, recorded_run: Path
) -> None:
    """Same raw records, same receive times: the same head, wherever recorded."""
    with sqlite3.connect(store_file) as c:
        n, head = c.execute(
            "SELECT seq + 1, hash FROM evidence_records ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    manifest = json.loads((recorded_run / "evidence.json").read_text())
    assert (n, head) == (manifest["records"], manifest["head"])


def test_tampering_with_one_stored_raw_record_fails_at_exactly_that_record(
    store_file: Path,
) -> None:
    k = 1234
    with sqlite3.connect(store_file) as c:
        raw, t, h = c.execute(
            "SELECT raw, t, hash FROM evidence_records WHERE seq = ?", (k,)
        ).fetchone()
        forged = raw.replace(b'"sensor":"', b'"sensor":"x', 1)
        assert forged != raw
        c.execute("UPDATE evidence_records SET raw = ? WHERE seq = ?", (forged, k))
    code, out = replay(store_file)
    assert code == 1
    assert f"chain broken at record {k} (evidence_records source" in out
    assert f"seq {k})" in out
    assert f"t={t!r}" in out and f"found {h}" in out


def test_a_changed_committed_output_is_named_by_scan_and_kind(store_file: Path) -> None:
    with sqlite3.connect(store_file) as c:
        rid, outputs = c.execute(
            "SELECT id, outputs FROM evidence_heads ORDER BY id LIMIT 1 OFFSET 30"
        ).fetchone()
        doc = json.loads(outputs)
        doc["events"] = "0" * 64
        c.execute("UPDATE evidence_heads SET outputs = ? WHERE id = ?", (json.dumps(doc), rid))
    code, out = replay(store_file)
    assert code == 1
    assert "DIVERGED" in out
    assert "first divergence at events of committed scan 31" in out
    assert f"recorded: sha256 {'0' * 64}" in out


def test_rejected_input_is_chained_flagged_and_skipped_by_the_replay(
    recorded_run: Path, tmp_path: Path
) -> None:
    from skywarden.evidence.stores import replay_store
    from skywarden.pipeline import run_to_end
    from skywarden.service.launch import build
    from skywarden.store import Database

    lines = (recorded_run / "detections.jsonl").read_text().splitlines(keepends=True)
    bad = '{"t": 1770778801.5, "sensor": "r1", "kind": "radar", "position": "nowhere"}\n'
    (tmp_path / "detections.jsonl").write_text("".join([*lines[:40], bad, *lines[40:300]]))
    (tmp_path / "sector.json").write_bytes((recorded_run / "sector.json").read_bytes())
    url = f"sqlite:///{tmp_path / 's.db'}"
    launched = build(url, None, 1.0, [f"detections:{tmp_path / 'detections.jsonl'}"])
    assert launched.pipeline is not None
    run_to_end(launched.pipeline)
    launched.db.dispose()
    with sqlite3.connect(tmp_path / "s.db") as c:
        kinds = c.execute("SELECT kind, count(*) FROM evidence_records GROUP BY kind").fetchall()
        (raw,) = c.execute("SELECT raw FROM evidence_records WHERE kind = 2").fetchone()
    assert dict(kinds) == {0: 300, 2: 1}
    assert raw.decode() == bad.rstrip("\n")
    db = Database(url)
    try:
        (rep,) = replay_store(db)
    finally:
        db.dispose()
    assert rep.ok, rep


def test_another_version_in_the_store_is_refused(store_file: Path) -> None:
    with sqlite3.connect(store_file) as c:
        (version,) = c.execute("SELECT version FROM evidence_sources").fetchone()
        doc = json.loads(version)
        doc["skywarden"] = "9.9.9"
        c.execute("UPDATE evidence_sources SET version = ?", (json.dumps(doc),))
    code, out = replay(store_file)
    assert code == 3
    assert "recorded with skywarden '9.9.9'" in out


def test_a_store_without_evidence_says_so(tmp_path: Path) -> None:
    from skywarden.store import Database

    Database(f"sqlite:///{tmp_path / 'empty.db'}").dispose()
    code, out = replay(tmp_path / "empty.db")
    assert code == 2
    assert "no evidence in this store" in out


def test_an_operators_action_is_chained_and_replayed(
    recorded_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An acknowledgement changes what the analyzer outputs from then on: it is an input,
    chained at the scan it reached the analyzer before, and the replay applies it there."""
    from skywarden.evidence.stores import replay_store
    from skywarden.pipeline import run_to_end
    from skywarden.service.launch import build
    from skywarden.store import Database
    from skywarden.store import incidents as store_incidents

    url = f"sqlite:///{tmp_path / 's.db'}"
    spec = f"detections:{recorded_run}/detections.jsonl"
    first = build(url, None, 1.0, [spec])
    assert first.pipeline is not None
    run_to_end(first.pipeline, list(first.pipeline.source.scans())[:30])
    with first.db.session() as s:
        (open_id,) = [i["id"] for i in store_incidents.query(s) if i["state"] == "open"][:1]
        store_incidents.act(s, open_id, "alice", "acknowledge")
    first.db.dispose()
    again = build(url, None, 1.0, [spec])  # the restart hears the action at its first scan
    assert again.pipeline is not None
    run_to_end(again.pipeline)
    assert again.pipeline.operators.applied == 1
    again.db.dispose()
    with sqlite3.connect(tmp_path / "s.db") as c:
        (raw,) = c.execute("SELECT raw FROM evidence_records WHERE kind = 3").fetchone()
    assert json.loads(raw) == {
        "incident": open_id, "user": "alice", "action": "acknowledge", "comment": ""
    }  # fmt: skip
    db = Database(url)
    try:
        (rep,) = replay_store(db)
    finally:
        db.dispose()
    assert rep.ok, rep
    assert rep.compared == {"scans": 60}
    # without the action the replay diverges at the scan it was applied before
    monkeypatch.setattr("skywarden.evidence.stores._operate", lambda *_: None)
    db = Database(url)
    try:
        (rep,) = replay_store(db)
    finally:
        db.dispose()
    assert rep.divergence is not None
    assert "of committed scan 31" in rep.divergence.output
