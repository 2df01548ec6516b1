"""Accounts, tokens and keys as an attacker probes them (issue #12 findings 3, 6, 7, 12).

Tokens end when they should (password change, disable, delete, key rotation, a NaN
``exp``), wrong logins are throttled before any hash is computed, and every admin change
to a user is audited with the before and after picture.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from skywarden.cli import app as cli
from skywarden.service import tokens
from skywarden.service.app import create_app
from skywarden.store import Database, audit, users

INCIDENTS = ["I-open"]
SHARED: list[str] = []


@pytest.fixture
def env(seeded_url: str, template: SimpleNamespace, svc: SimpleNamespace) -> Iterator[Any]:
    db = Database(seeded_url)
    app = create_app(db)
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, db=db, app=app, h=template.headers, url=seeded_url)
    db.dispose()


def _me(env: Any, headers: dict[str, str]) -> Any:
    return env.client.get("/api/me", headers=headers)


def _forge(key: str, payload: bytes) -> dict[str, str]:
    sig = hmac.new(key.encode(), payload, hashlib.sha256).digest()
    return {"Authorization": f"Bearer {tokens._b64(payload)}.{tokens._b64(sig)}"}


@pytest.mark.parametrize(
    "payload",
    [
        b'{"sub": "admin", "role": "admin", "ver": 0, "exp": NaN}',
        b'{"sub": "admin", "role": "admin", "ver": 0, "exp": Infinity}',
        b'{"sub": "admin", "role": "admin", "ver": 0, "exp": 1e999}',
        b'{"sub": "admin", "role": "admin", "ver": 0, "exp": "9999999999"}',
        b'{"sub": "admin", "role": "admin", "ver": 0}',
        b'{"sub": "admin", "role": "admin", "exp": 9999999999}',
        b'{"sub": "admin", "role": "admin", "ver": 0, "exp": 1' + b"0" * 400 + b"}",
        b"[1, 2]",
    ],
)
def test_tokens_without_a_finite_exp_or_a_version_are_refused(env: Any, payload: bytes) -> None:
    """Even correctly signed: a token that would never expire is malformed."""
    r = _me(env, _forge(env.app.state.ctx.secret, payload))
    assert r.status_code == 401 and "malformed" in r.json()["detail"]


def test_a_signed_token_with_a_stale_version_is_refused(env: Any) -> None:
    with env.db.session() as s:
        ver = users.get_user(s, "admin").token_version
    key = env.app.state.ctx.secret
    good = tokens.issue(key, "admin", "admin", ver=ver)
    old = tokens.issue(key, "admin", "admin", ver=ver - 1)
    assert _me(env, {"Authorization": f"Bearer {good}"}).status_code == 200
    r = _me(env, {"Authorization": f"Bearer {old}"})
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_password_change_through_the_api_revokes_tokens_and_is_audited(env: Any) -> None:
    assert _me(env, env.h["operator"]).status_code == 200
    r = env.client.put(
        "/api/users/operator/password", json={"password": "a new password"}, headers=env.h["admin"]
    )
    assert r.status_code == 200, r.text
    assert _me(env, env.h["operator"]).status_code == 401
    r = env.client.post("/api/token", data={"username": "operator", "password": "a new password"})
    assert r.status_code == 200
    with env.db.session() as s:
        row = audit.entries(s, target="operator")[0]
    assert row["action"] == "user_passwd" and row["user"] == "admin"
    assert row["before"]["token_version"] + 1 == row["after"]["token_version"]
    assert "password_hash" not in row["after"]


def test_disable_enable_and_delete_through_the_api(env: Any) -> None:
    r = env.client.post("/api/users/analyst/disable", headers=env.h["admin"])
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert _me(env, env.h["analyst"]).status_code == 401
    pw = {"username": "analyst", "password": "analyst-password"}
    assert env.client.post("/api/token", data=pw).status_code == 401
    assert env.client.post("/api/users/analyst/enable", headers=env.h["admin"]).status_code == 200
    assert _me(env, env.h["analyst"]).status_code == 401  # old tokens stay revoked
    assert env.client.post("/api/token", data=pw).status_code == 200

    assert env.client.delete("/api/users/partner", headers=env.h["admin"]).status_code == 204
    assert _me(env, env.h["partner"]).status_code == 401
    assert env.client.delete("/api/users/partner", headers=env.h["admin"]).status_code == 404
    listed = env.client.get("/api/users", headers=env.h["admin"]).json()
    assert {u["name"] for u in listed} == {"admin", "analyst", "operator"}
    with env.db.session() as s:
        acts = {(e["action"], e["target"]): e for e in audit.entries(s)}
        assert audit.verify(s).ok
    assert acts[("user_delete", "partner")]["before"]["role"] == "partner"
    assert acts[("user_delete", "partner")]["after"] is None
    assert acts[("user_disable", "analyst")]["after"]["disabled"] is True


def test_only_an_admin_manages_users_and_not_the_last_admin(env: Any) -> None:
    routes = [
        ("POST", "/api/users/analyst/disable", None),
        ("POST", "/api/users/analyst/enable", None),
        ("PUT", "/api/users/analyst/password", {"password": "x" * 12}),
        ("DELETE", "/api/users/analyst", None),
    ]
    for role in ("operator", "analyst", "partner"):
        for method, path, body in routes:
            r = env.client.request(method, path, json=body, headers=env.h[role])
            assert r.status_code == 403, (role, method, path)
    r = env.client.post("/api/users/admin/disable", headers=env.h["admin"])
    assert r.status_code == 422 and "last enabled admin" in r.json()["detail"]
    r = env.client.post("/api/users/no%2Fbody/disable", headers=env.h["admin"])
    assert r.status_code in (404, 422)


def test_replacing_a_user_is_audited_with_the_user_before(env: Any) -> None:
    body = {"name": "operator", "role": "analyst", "password": "replaced password"}
    assert env.client.post("/api/users", json=body, headers=env.h["admin"]).status_code == 201
    with env.db.session() as s:
        row = audit.entries(s, target="operator")[0]
    assert row["before"]["role"] == "operator" and row["after"]["role"] == "analyst"
    assert _me(env, env.h["operator"]).status_code == 401


def test_cli_changes_reach_a_running_service(env: Any, tmp_path: Any) -> None:
    run = CliRunner()
    r = run.invoke(cli, ["users", "disable", "operator", "--db", env.url])
    assert r.exit_code == 0, r.output
    assert _me(env, env.h["operator"]).status_code == 401
    pwfile = tmp_path / "pw"
    pwfile.write_text("analyst-new-pass\n")
    args = ["users", "passwd", "analyst", "--password-file", str(pwfile), "--db", env.url]
    r = run.invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert _me(env, env.h["analyst"]).status_code == 401
    r = run.invoke(cli, ["users", "delete", "ghost", "--db", env.url])
    assert r.exit_code != 0 and "no such user" in r.output
    with env.db.session() as s:
        rows = audit.entries(s, user="cli")
    assert [e["action"] for e in rows] == ["user_passwd", "user_disable"]
    assert rows[1]["before"]["disabled"] is False and rows[1]["after"]["disabled"] is True


def test_key_rotation_ends_every_token_of_a_running_service(
    seeded_url: str, template: SimpleNamespace, tmp_path: Any, monkeypatch: Any
) -> None:
    import os
    import shutil

    from skywarden.store import secret_key

    # a copy of the module's key, so rotating it here leaves the other tests' tokens alone
    own = tmp_path / "own.key"
    shutil.copyfile(os.environ[secret_key.ENV_KEY_FILE], own)
    own.chmod(0o600)
    monkeypatch.setenv(secret_key.ENV_KEY_FILE, str(own))
    db = Database(seeded_url)
    with TestClient(create_app(db)) as client:
        assert client.get("/api/me", headers=template.headers["admin"]).status_code == 200
        r = CliRunner().invoke(cli, ["keys", "rotate", "--db", seeded_url])
        assert r.exit_code == 0, r.output
        r = client.get("/api/me", headers=template.headers["admin"])
        assert r.status_code == 401 and "bad signature" in r.json()["detail"]
        pw = {"username": "admin", "password": "admin-password"}
        tok = client.post("/api/token", data=pw).json()["access_token"]
        assert client.get("/api/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    with db.session() as s:
        assert any(e["action"] == "key_rotate" for e in audit.entries(s))
    db.dispose()


def _slow_backoff(env: Any) -> None:
    """A minute's first backoff, so a slow, shared test machine cannot outwait it."""
    from skywarden.service.throttle import LoginThrottle

    env.app.state.login_throttle = LoginThrottle(base_s=60.0)


def test_wrong_logins_are_throttled_before_hashing(env: Any, monkeypatch: Any) -> None:
    _slow_backoff(env)
    calls = []
    real = users.authenticate

    def counting(*a: Any, **k: Any) -> Any:
        calls.append(a[1])
        return real(*a, **k)

    monkeypatch.setattr(users, "authenticate", counting)
    codes = []
    for _ in range(12):
        r = env.client.post("/api/token", data={"username": "operator", "password": "nope-nope"})
        codes.append(r.status_code)
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert len(calls) == 5  # the throttled attempts never reached Argon2
    r = env.client.post("/api/token", data={"username": "operator", "password": "nope-nope"})
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # even the right password waits: the backoff does not tell guesses apart
    right = {"username": "operator", "password": "operator-password"}
    ok = env.client.post("/api/token", data=right)
    assert ok.status_code == 429
    with env.db.session() as s:
        failed = [e for e in audit.entries(s) if e["action"] == "login_failed"]
    assert len(failed) == 2  # a summary (1st and 5th failure), not a row per failure
    assert failed[0]["after"]["failures_for_user"] == 5


def test_a_spray_of_names_from_one_address_is_throttled(env: Any) -> None:
    _slow_backoff(env)
    codes = [
        env.client.post("/api/token", data={"username": f"n{k}", "password": "x" * 8}).status_code
        for k in range(24)
    ]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    with env.db.session() as s:
        assert sum(e["action"] == "login_failed" for e in audit.entries(s)) <= 22


def test_audit_verify_command_names_the_first_broken_row(env: Any) -> None:
    from sqlalchemy import text

    run = CliRunner()
    ok = run.invoke(cli, ["audit", "verify", "--db", env.url])
    assert ok.exit_code == 0 and "audit chain ok" in ok.output
    head = ok.output.rsplit("head ", 1)[1].strip()
    assert run.invoke(cli, ["audit", "verify", "--db", env.url, "--head", head]).exit_code == 0
    with env.db.session() as s:
        audit.append(s, "admin", "admin", "zone_delete", "Z1")
        audit.append(s, "admin", "admin", "zone_delete", "Z2")
        victim = audit.entries(s)[1]
    with env.db.engine.begin() as c:  # an owner lifts the guard and rewrites history
        if env.db.dialect == "sqlite":
            c.execute(text("DROP TRIGGER audit_no_update"))
        else:
            c.execute(text("DROP TRIGGER audit_no_change ON audit"))
        c.execute(text("UPDATE audit SET target = 'Z9' WHERE id = :i"), {"i": victim["id"]})
    bad = run.invoke(cli, ["audit", "verify", "--db", env.url])
    assert bad.exit_code == 1
    assert f"row id {victim['id']}, seq {victim['seq']}" in bad.output and "changed" in bad.output
    r = run.invoke(cli, ["audit", "verify", "--db", env.url, "--head", "12:beef"])
    assert r.exit_code != 0 and "SEQ:HASH" in r.output


def test_postgresql_role_may_only_insert_and_select_the_audit(env: Any) -> None:
    """The GRANTs ``skywarden audit grants --apply`` runs, tried as that role."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if env.db.dialect != "postgresql":
        pytest.skip("roles and GRANTs are PostgreSQL's")
    role = "sw_app_" + uuid.uuid4().hex[:8]
    with env.db.engine.begin() as c:
        c.execute(text(f"CREATE ROLE {role} NOLOGIN"))
    r = CliRunner().invoke(cli, ["audit", "grants", "--role", role, "--db", env.url, "--apply"])
    assert r.exit_code == 0, r.output
    with env.db.session() as s:  # the service's work, as the role: allowed
        s.execute(text(f"SET LOCAL ROLE {role}"))
        audit.append(s, "operator", "operator", "zone_put", "Z-role")
        users.set_disabled(s, "partner", True)
    for sql in (
        "UPDATE audit SET target = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "DROP TRIGGER audit_insert_guard ON audit",
        "ALTER TABLE audit DISABLE TRIGGER ALL",
    ):
        with (
            pytest.raises(DBAPIError, match=r"permission denied|must be owner"),
            env.db.session() as s,
        ):
            s.execute(text(f"SET LOCAL ROLE {role}"))
            s.execute(text(sql))
    with env.db.session() as s:
        assert audit.verify(s).ok and audit.entries(s)[0]["target"] == "Z-role"
        assert users.get_user(s, "partner").disabled


def test_repeated_refusals_are_audited_as_a_summary(env: Any) -> None:
    for _ in range(30):
        assert env.client.get("/api/sensors", headers=env.h["partner"]).status_code == 403
    with env.db.session() as s:
        rows = [e for e in audit.entries(s) if e["action"] == "denied"]
    assert len(rows) == 1 and rows[0]["user"] == "partner" and rows[0]["target"] == "sensors:read"


def test_a_missing_key_file_fails_closed(
    seeded_url: str, template: SimpleNamespace, tmp_path: Any, monkeypatch: Any
) -> None:
    import os
    import shutil

    from skywarden.store import secret_key

    own = tmp_path / "own.key"
    shutil.copyfile(os.environ[secret_key.ENV_KEY_FILE], own)
    own.chmod(0o600)
    monkeypatch.setenv(secret_key.ENV_KEY_FILE, str(own))
    db = Database(seeded_url)
    with TestClient(create_app(db)) as client:
        assert client.get("/api/me", headers=template.headers["admin"]).status_code == 200
        own.unlink()
        r = client.get("/api/me", headers=template.headers["admin"])
        assert r.status_code == 401 and str(own) not in r.text
        pw = {"username": "admin", "password": "admin-password"}
        r = client.post("/api/token", data=pw)
        assert r.status_code == 503 and str(own) not in r.text
    db.dispose()


def test_first_run_prints_where_the_password_is_never_the_password(
    tmp_path: Any, svc: SimpleNamespace, monkeypatch: Any
) -> None:
    import stat

    monkeypatch.delenv("SKYWARDEN_SECRET_KEY_FILE", raising=False)  # the default place
    served = svc.Served(["--db", f"sqlite:///{tmp_path / 'first.db'}"], tmp_path)
    try:
        login = tmp_path / "first-run-login.txt"
        name, pw = login.read_text().split()
        assert stat.S_IMODE(login.stat().st_mode) == 0o600
        assert served.token(name, pw)  # the saved login works
    finally:
        served.stop()
    out = served.log.read_text()
    assert str(login) in out and pw not in out
    for f in ("first.db", "first.db.key"):
        assert stat.S_IMODE((tmp_path / f).stat().st_mode) == 0o600
