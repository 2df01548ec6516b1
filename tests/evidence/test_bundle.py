"""``skywarden evidence export`` then ``evidence verify``: a third party's check, no database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.output


@pytest.fixture
def exported(recorded_run: Path, tmp_path: Path) -> Path:
    out = tmp_path / "I00002"
    key = str(tmp_path / "key.pem")
    code, text = cli(
        "evidence", "export", "I00002", "--run", str(recorded_run), "--out", str(out),
        "--margin", "0", "--key", key,
    )  # fmt: skip
    assert code == 0, text
    return out


def test_an_export_verifies_and_holds_a_checkable_segment(
    exported: Path, recorded_run: Path
) -> None:
    code, out = cli("evidence", "verify", str(exported))
    assert code == 0, out
    assert "OK" in out and "incident I00002" in out
    chain = json.loads((exported / "chain.json").read_text())
    assert chain["first_index"] > 0, "a window inside the run starts mid-chain"
    whole = (recorded_run / "raw.jsonl").read_text().splitlines()
    first = json.loads(whole[chain["first_index"] - 1])
    assert chain["prev_head"] == first["h"]
    seg = (exported / "raw.jsonl").read_text().splitlines()
    assert seg == whole[chain["first_index"] : chain["first_index"] + len(seg)]
    inc = json.loads((exported / "incident.json").read_text())
    assert inc["incident"]["id"] == "I00002"
    ups = [json.loads(x) for x in (exported / "tracks.jsonl").read_text().splitlines()]
    assert ups and all(u["track"] in inc["incident"]["tracks"] for u in ups)
    code, out = cli("verify", str(exported))  # the partner-export verifier agrees
    assert code == 0, out


def test_a_flipped_byte_fails(exported: Path) -> None:
    path = exported / "raw.jsonl"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    code, out = cli("evidence", "verify", str(exported))
    assert code == 2
    assert "raw.jsonl" in out and "SHA-256 differs" in out


def test_a_resigned_forgery_still_fails_on_the_chain(exported: Path, tmp_path: Path) -> None:
    """Someone edits a record and signs the folder again with their own key: the
    signature holds (the key is not pinned), the chain segment does not."""
    from skywarden.export import signing

    path = exported / "raw.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    rec = json.loads(lines[3])
    rec["raw"] = rec["raw"].replace('"sensor":"', '"sensor":"x', 1)
    lines[3] = json.dumps(rec, separators=(",", ":")) + "\n"
    path.write_text("".join(lines))
    for name in (signing.MANIFEST, signing.SIGNATURE):
        (exported / name).unlink()
    signing.sign_folder(exported, signing.load_or_create_key(tmp_path / "other.pem"), {})
    code, out = cli("evidence", "verify", str(exported))
    assert code == 2
    assert f"chain broken at record {rec['i']} (raw.jsonl line 4)" in out


def test_an_export_from_the_store_verifies(store_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ev"
    url = f"sqlite:///{store_file}"
    code, text = cli("evidence", "export", "I1-00001", "--db", url, "--out", str(out),
                     "--key", str(tmp_path / "k.pem"))  # fmt: skip
    assert code == 0, text
    code, text = cli("evidence", "verify", str(out))
    assert code == 0, text
    shutil.rmtree(out)
    code, text = cli("evidence", "export", "I1-99999", "--db", url, "--out", str(out),
                     "--key", str(tmp_path / "k.pem"))  # fmt: skip
    assert code == 2
    assert "no incident 'I1-99999'" in text


def test_an_unknown_incident_names_the_known_ones(recorded_run: Path, tmp_path: Path) -> None:
    code, out = cli("evidence", "export", "I09999", "--run", str(recorded_run),
                    "--out", str(tmp_path / "x"), "--key", str(tmp_path / "k.pem"))  # fmt: skip
    assert code == 2
    assert "no incident 'I09999'" in out and "I00001" in out
