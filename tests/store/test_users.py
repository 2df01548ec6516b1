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
