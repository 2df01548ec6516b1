"""Users, their roles and argon2 password hashes.

Roles (issue #7): an *operator* works incidents, an *analyst* reads everything and
changes nothing, a *partner* agency sees a redacted feed, an *admin* manages users.
Passwords are hashed with Argon2id (argon2-cffi, RFC 9106 defaults); the hash string
carries its own parameters, so stronger settings later still verify old hashes.
"""

from __future__ import annotations

import time
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.store.schema import User

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 8


class Role(StrEnum):
    OPERATOR = "operator"
    ANALYST = "analyst"
    PARTNER = "partner"
    ADMIN = "admin"


class UserError(ValueError):
    """A user cannot be created as asked (bad name, role or password); says which."""


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise UserError(
            f"role {value!r} unknown; one of {', '.join(r.value for r in Role)}"
        ) from None


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"password: shorter than {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def add_user(s: Session, name: str, role: Role | str, password: str) -> User:
    """Create a user, or replace the role and password of an existing one."""
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise UserError(f"name {name!r}: 1-64 letters, digits, '-' or '_'")
    r = parse_role(str(role))
    h = hash_password(password)
    user = s.get(User, name)
    if user is None:
        user = User(name=name, role=r.value, password_hash=h, t_created=time.time())
        s.add(user)
    else:
        user.role, user.password_hash, user.disabled = r.value, h, False
    s.flush()
    return user


def authenticate(s: Session, name: str, password: str) -> User | None:
    """The user if ``password`` matches, else None (same answer for unknown and wrong)."""
    user = s.get(User, name)
    if user is None or user.disabled:
        # Spend the same time as a real check so names cannot be probed by timing.
        _hasher.hash(password or "x")
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def list_users(s: Session) -> list[User]:
    return list(s.scalars(select(User).order_by(User.name)))
