"""``skywarden replay --verify STORE``: the chain the pipeline stored, re-run per scan."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

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
