"""The partner export: redacted by the API's code, signed, and checked by `skywarden verify`."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden import export as ex
from skywarden.cli import app
from skywarden.export import data as source
from skywarden.export import partner, signing
from skywarden.store.secret_key import SecretKeyError

from .conftest import SECRET_SERIAL

runner = CliRunner()


def test_nothing_reaches_a_partner_unless_shared(run_dir: Path) -> None:
    red = partner.for_partner(source.from_run_dir(run_dir))
    assert red.tracks == [] and red.incidents == [] and red.recommendations == []
    assert red.zones  # zones are for every role, as in the API


def test_shared_incident_tracks_only_rounded_without_identities(run_dir: Path) -> None:
    red = partner.for_partner(source.from_run_dir(run_dir, share=["I00001"]))
    assert {p["track"] for p in red.tracks} == {"D1"}  # M1 is in no shared incident
    assert all(p["lat"] == round(p["lat"], 2) for p in red.tracks)
    assert all(p["alt_m"] % 100 == 0 for p in red.tracks)  # 100 m steps
    for fmt in ("geojson", "kml", "csv", "cot"):
        for kind in ("tracks", "incidents"):
            body = ex.render(kind, fmt, red)
            assert SECRET_SERIAL.encode() not in body, (kind, fmt)
            assert b"radar-downtown" not in body, (kind, fmt)
            assert b"31.7612345" not in body, (kind, fmt)


def test_laser_plans_are_refused_to_partners() -> None:
    with pytest.raises(partner.PartnerForbidden, match="laser:read"):
        partner.check_allowed("laser-plan")
    partner.check_allowed("zones")


def _signed(folder: Path, key: Path) -> dict[str, object]:
    folder.mkdir()
    (folder / "tracks.kml").write_bytes(b"<kml/>")
    (folder / "incidents.csv").write_bytes(b"id\r\nI1\r\n")
    return signing.sign_folder(folder, signing.load_or_create_key(key), {"audience": "partner"})


def test_sign_then_verify_and_every_tampering_is_named(tmp_path: Path) -> None:
    key = tmp_path / "k" / "export.pem"
    m = _signed(tmp_path / "out", key)
    assert os.stat(key).st_mode & 0o777 == 0o600
    folder = tmp_path / "out"
    v = signing.verify_folder(folder)
    assert (v.files, v.audience, v.pinned) == (2, "partner", False)
    raw = base64.b64decode(m["signer"]["public_key"])  # type: ignore[index]
    assert signing.verify_folder(folder, pinned=raw).pinned

    other = signing.public_raw(signing.load_or_create_key(tmp_path / "o.pem").public_key())
    with pytest.raises(signing.VerifyError, match="not the pinned key"):
        signing.verify_folder(folder, pinned=other)

    (folder / "tracks.kml").write_bytes(b"<kml>moved</kml>")
    with pytest.raises(signing.VerifyError) as e:
        signing.verify_folder(folder)
    assert e.value.file == "tracks.kml"
    (folder / "tracks.kml").write_bytes(b"<kml/>")

    (folder / "extra.txt").write_text("slipped in")
    with pytest.raises(signing.VerifyError) as e:
        signing.verify_folder(folder)
    assert e.value.file == "extra.txt"
    (folder / "extra.txt").unlink()

    doc = json.loads((folder / signing.MANIFEST).read_text())
    doc["audience"] = "internal"
    (folder / signing.MANIFEST).write_text(json.dumps(doc))
    with pytest.raises(signing.VerifyError) as e:
        signing.verify_folder(folder)
    assert e.value.file == signing.SIGNATURE


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "export.pem"
    signing.load_or_create_key(key)
    key.chmod(0o644)
    with pytest.raises(SecretKeyError, match="readable by others"):
        signing.load_or_create_key(key)


def test_cli_partner_export_and_verify(run_dir: Path, tmp_path: Path, export_key: Path) -> None:
    out = tmp_path / "for-partner"
    for kind, fmt in (("tracks", "kml"), ("incidents", "geojson")):
        r = runner.invoke(
            app,
            [
                "export",
                kind,
                "--format",
                fmt,
                "--run",
                str(run_dir),
                "--out",
                str(out),
                "--partner",
                "--share",
                "I00001",
            ],
        )
        assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "incidents.geojson",
        "manifest.json",
        "manifest.json.sig",
        "tracks.kml",
    ]
    assert SECRET_SERIAL not in (out / "tracks.kml").read_text()
    r = runner.invoke(app, ["verify", str(out)])
    assert r.exit_code == 0 and "2 file(s) for partner" in r.output
    pub = json.loads((out / "manifest.json").read_text())["signer"]["public_key"]
    r = runner.invoke(app, ["verify", str(out), "--public-key", pub])
    assert r.exit_code == 0 and "signed by" in r.output and "the pinned key" in r.output

    with (out / "incidents.geojson").open("a") as f:
        f.write(" ")
    r = runner.invoke(app, ["verify", str(out)])
    assert r.exit_code == 2
    assert "incidents.geojson" in r.output and "SHA-256 differs" in r.output


def test_cli_refuses_what_a_partner_may_not_have(tmp_path: Path, export_key: Path) -> None:
    plan = Path(__file__).parents[2] / "scenarios" / "el-paso-laser.yaml"
    r = runner.invoke(
        app,
        [
            "export",
            "laser-plan",
            "--laser-plan",
            str(plan),
            "--out",
            str(tmp_path / "o"),
            "--partner",
        ],
    )
    assert r.exit_code == 2 and "laser:read" in r.output
    assert not (tmp_path / "o").exists()


def test_a_folder_slipped_in_is_named_too(tmp_path: Path) -> None:
    _signed(tmp_path / "out", tmp_path / "k.pem")
    (tmp_path / "out" / "sub").mkdir()
    with pytest.raises(signing.VerifyError) as e:
        signing.verify_folder(tmp_path / "out")
    assert e.value.file == "sub" and "not a plain file" in e.value.reason
