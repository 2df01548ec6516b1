"""``skywarden users add`` and ``skywarden serve``: typed errors naming the bad option."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.store import Database
from skywarden.store.users import authenticate

runner = CliRunner(env={"COLUMNS": "240"})


def said(output: str) -> str:
    """The error text without rich's box drawing and line wrapping."""
    return " ".join(output.replace("│", " ").split())


def test_users_add_then_the_password_works(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("a long passphrase\nignored second line\n")
    db = f"sqlite:///{tmp_path / 's.db'}"
    r = runner.invoke(
        app,
        ["users", "add", "liaison", "--role", "partner", "--password-file", str(pw), "--db", db],
    )
    assert r.exit_code == 0, r.output
    store = Database(db)
    with store.session() as s:
        user = authenticate(s, "liaison", "a long passphrase")
        assert user is not None and user.role == "partner"
    r = runner.invoke(app, ["users", "list", "--db", db])
    assert "liaison\tpartner" in r.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "pilot"], "role 'pilot' unknown"),
        (["--role", "analyst", "--password-file", "{missing}"], "no such file"),
        (["--role", "analyst", "--password-file", "{empty}"], "first line is empty"),
        (["--role", "analyst", "--password-file", "{short}"], "shorter than 8"),
    ],
)
def test_users_add_refusals(tmp_path: Path, args: list[str], words: str) -> None:
    (tmp_path / "empty").write_text("\n")
    (tmp_path / "short").write_text("abc\n")
    (tmp_path / "ok").write_text("long enough password\n")
    files = {
        "missing": str(tmp_path / "nope"),
        "empty": str(tmp_path / "empty"),
        "short": str(tmp_path / "short"),
    }
    args = [a.format(**files) for a in args]
    if "--password-file" not in args:
        args += ["--password-file", str(tmp_path / "ok")]
    r = runner.invoke(app, ["users", "add", "bo", *args, "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert r.exit_code != 0
    assert words in said(r.output)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--scenario", "nowhere.yaml"], "nowhere.yaml: no such file"),
        (["--source", "tracks:/no/such.jsonl"], "no such file"),
        (["--source", "radar:{f}"], "unknown kind 'radar'"),
        (["--speed", "0"], "must be > 0"),
        (["--db", "mysql://u@h/db"], "unsupported"),
        (["--bus", "amqp://h"], "expected nats://"),
        (["--bus", "nats://127.0.0.1:9"], "cannot connect"),
        (["--source", "tcp://127.0.0.1:30003"], "live sources need --sector"),
        (["--source", "tcp://127.0.0.1:30003", "--source", "tracks:{f}"], "two"),
    ],
)
def test_serve_refuses_bad_options_before_listening(
    tmp_path: Path, args: list[str], words: str
) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text("")
    args = [a.format(f=f) for a in args]
    if "--db" not in args:
        args += ["--db", f"sqlite:///{tmp_path / 's.db'}"]
    r = runner.invoke(app, ["serve", *args])
    assert r.exit_code != 0
    assert words in said(r.output)
