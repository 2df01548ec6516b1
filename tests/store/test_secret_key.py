"""The signing key lives in a 0600 file or the environment, never in the database; the
database file itself is 0600 (issue #12 finding 3)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from skywarden.store import Database, secret_key, settings


@pytest.fixture(autouse=True)
def _no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(secret_key.ENV_KEY, raising=False)
    monkeypatch.delenv(secret_key.ENV_KEY_FILE, raising=False)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_key_file_beside_the_database_is_0600_and_not_in_the_store(tmp_path: Path) -> None:
    os.umask(0o022)  # the usual umask, under which SQLite alone would make 0644 files
    db = Database(f"sqlite:///{tmp_path / 'sky.db'}")
    with db.session() as s:
        key = settings.secret(s)
        assert settings.secret(s) == key  # kept, not re-made
    keyfile = tmp_path / "sky.db.key"
    assert keyfile.read_text().strip() == key and len(key) == 64
    for p in (keyfile, tmp_path / "sky.db", tmp_path / "sky.db-wal", tmp_path / "sky.db-shm"):
        assert _mode(p) == 0o600, p
    with db.engine.connect() as c:
        assert c.scalar(text("SELECT count(*) FROM settings")) == 0
    assert key.encode() not in (tmp_path / "sky.db").read_bytes()
    db.dispose()


def test_an_old_world_readable_database_is_narrowed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Database(f"sqlite:///{path}").dispose()
    path.chmod(0o644)
    Database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def test_environment_key_and_key_file_take_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'sky.db'}"
    monkeypatch.setenv(secret_key.ENV_KEY_FILE, str(tmp_path / "keys" / "k"))
    key, src = secret_key.load(url)
    assert src.path == tmp_path / "keys" / "k" and _mode(src.path) == 0o600
    monkeypatch.setenv(secret_key.ENV_KEY, "e" * 40)
    env_key, env_src = secret_key.load(url)
    assert env_key == "e" * 40 and env_src.path is None and key != env_key
    with pytest.raises(secret_key.SecretKeyError, match="set a new value there"):
        secret_key.rotate(url)
    monkeypatch.setenv(secret_key.ENV_KEY, "short")
    with pytest.raises(secret_key.SecretKeyError, match="shorter than 32"):
        secret_key.load(url)


def test_postgresql_keys_are_per_database_outside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    a = secret_key.source_for("postgresql+psycopg://u@db.example:5432/ops")
    b = secret_key.source_for("postgresql+psycopg://u@db.example:5432/other")
    assert a.path is not None and b.path is not None and a.path != b.path
    assert a.path.parent == tmp_path / "state" / "skywarden"


def test_rotation_replaces_the_key_atomically(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sky.db'}"
    old, src = secret_key.load(url)
    assert src.path is not None
    ino = src.path.stat().st_ino
    secret_key.rotate(url)
    new, _ = secret_key.load(url)
    assert new != old and len(new) == 64
    assert src.path.stat().st_ino != ino and _mode(src.path) == 0o600  # a new file, renamed
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sky.db'}"
    _, src = secret_key.load(url)
    assert src.path is not None
    src.path.chmod(0o644)
    with pytest.raises(secret_key.SecretKeyError, match="readable by others"):
        secret_key.load(url)


def test_write_private_never_leaves_a_wider_file(tmp_path: Path) -> None:
    os.umask(0o000)  # even with no umask at all
    try:
        p = tmp_path / "first-run-login.txt"
        secret_key.write_private(p, "operator\nhunter22\n")
        assert _mode(p) == 0o600 and p.read_text() == "operator\nhunter22\n"
    finally:
        os.umask(0o022)


def test_keys_commands_show_the_id_never_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from skywarden.cli import app

    url = f"sqlite:///{tmp_path / 'sky.db'}"
    key, _ = secret_key.load(url)
    run = CliRunner()
    shown = run.invoke(app, ["keys", "show", "--db", url])
    assert shown.exit_code == 0 and secret_key.fingerprint(key) in shown.output
    assert key not in shown.output and "sky.db.key" in shown.output
    rotated = run.invoke(app, ["keys", "rotate", "--db", url])
    assert rotated.exit_code == 0 and key not in rotated.output
    assert secret_key.load(url)[0] != key
    monkeypatch.setenv(secret_key.ENV_KEY, "k" * 40)
    refused = run.invoke(app, ["keys", "rotate", "--db", url])
    assert refused.exit_code != 0 and "SKYWARDEN_SECRET_KEY" in refused.output
