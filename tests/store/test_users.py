"""Users: argon2 hashes, authentication, typed errors for bad names, roles, passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywarden.store import Database
from skywarden.store.users import Role, UserError, add_user, authenticate, list_users


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'u.db'}")


def test_password_is_stored_as_argon2id_and_verifies(db: Database) -> None:
    with db.session() as s:
        u = add_user(s, "ana", "operator", "correct horse")
        assert u.password_hash.startswith("$argon2id$")
        assert "correct horse" not in u.password_hash
    with db.session() as s:
        assert authenticate(s, "ana", "correct horse") is not None
        assert authenticate(s, "ana", "wrong horse!") is None
        assert authenticate(s, "nobody", "correct horse") is None


def test_adding_again_replaces_role_and_password(db: Database) -> None:
    with db.session() as s:
        add_user(s, "ana", Role.OPERATOR, "first password")
        add_user(s, "ana", Role.ANALYST, "second password")
    with db.session() as s:
        assert [(u.name, u.role) for u in list_users(s)] == [("ana", "analyst")]
        assert authenticate(s, "ana", "first password") is None


@pytest.mark.parametrize(
    ("name", "role", "password", "words"),
    [
        ("ana", "pilot", "long enough", "role 'pilot' unknown"),
        ("a b", "operator", "long enough", "name 'a b'"),
        ("", "operator", "long enough", "name ''"),
        ("ana", "operator", "short", "shorter than 8"),
    ],
)
def test_bad_users_are_refused_with_the_reason(
    db: Database, name: str, role: str, password: str, words: str
) -> None:
    with pytest.raises(UserError, match=words), db.session() as s:
        add_user(s, name, role, password)


def test_password_change_disable_and_replace_bump_the_token_version(db: Database) -> None:
    from skywarden.store.users import set_disabled, set_password

    with db.session() as s:
        v0 = add_user(s, "ana", "operator", "first password").token_version
        v1 = set_password(s, "ana", "second password").token_version
        v2 = set_disabled(s, "ana", True).token_version
        assert authenticate(s, "ana", "second password") is None  # disabled
        v3 = set_disabled(s, "ana", False).token_version
        assert authenticate(s, "ana", "second password") is not None
        v4 = add_user(s, "ana", "analyst", "third password").token_version
    assert len({v0, v1, v2, v3, v4}) == 5


def test_a_recreated_namesake_does_not_inherit_the_token_version(db: Database) -> None:
    from skywarden.store.users import delete_user

    versions = set()
    for _ in range(3):
        with db.session() as s:
            versions.add(add_user(s, "ana", "operator", "a password").token_version)
            before = delete_user(s, "ana")
            assert before["name"] == "ana" and "password_hash" not in before
    assert len(versions) == 3


def test_the_last_enabled_admin_cannot_be_disabled_or_deleted(db: Database) -> None:
    from skywarden.store.users import delete_user, get_user, set_disabled

    with db.session() as s:
        add_user(s, "root", "admin", "a password")
        with pytest.raises(UserError, match="last enabled admin"):
            set_disabled(s, "root", True)
        with pytest.raises(UserError, match="last enabled admin"):
            delete_user(s, "root")
        add_user(s, "root2", "admin", "a password")
        set_disabled(s, "root", True)
        with pytest.raises(UserError, match="no such user"):
            get_user(s, "nobody")


def test_argon2_runs_in_bounded_slots_under_concurrent_logins(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """16 concurrent wrong logins (issue #12 finding 6) hash at most two at a time, so
    Argon2's 64 MiB each cannot add up to a gigabyte."""
    import threading

    from skywarden.store import users

    with db.session() as s:
        add_user(s, "ana", "operator", "correct horse")
    real, lock = users._hasher, threading.Lock()
    live, peak = [0], [0]

    class Counting:
        def __getattr__(self, name: str) -> object:
            fn = getattr(real, name)
            if name not in ("hash", "verify"):
                return fn

            def wrapped(*a: object) -> object:
                with lock:
                    live[0] += 1
                    peak[0] = max(peak[0], live[0])
                try:
                    return fn(*a)
                finally:
                    with lock:
                        live[0] -= 1

            return wrapped

    monkeypatch.setattr(users, "_hasher", Counting())
    monkeypatch.setattr(users, "SLOT_WAIT_S", 300.0)  # a loaded test machine is slow
    monkeypatch.setattr(users, "MAX_WAITING", 64)
    results: list[object] = []

    def attempt(k: int) -> None:
        try:
            with db.session() as s:
                results.append(authenticate(s, "ana" if k % 2 else f"ghost{k}", "wrong horse"))
        except Exception as e:
            results.append(e)

    threads = [threading.Thread(target=attempt, args=(k,)) for k in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [None] * 16
    assert 1 <= peak[0] <= 2
    monkeypatch.setattr(users, "MAX_WAITING", 0)  # a full queue answers at once
    with pytest.raises(users.Busy, match="too many logins"), db.session() as s:
        authenticate(s, "ana", "wrong horse")
