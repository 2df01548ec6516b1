"""Users, their roles and argon2 password hashes.

Roles (issue #7): an *operator* works incidents, an *analyst* reads everything and
changes nothing, a *partner* agency sees a redacted feed, an *admin* manages users.
Passwords are hashed with Argon2id (argon2-cffi, RFC 9106 defaults); the hash string
carries its own parameters, so stronger settings later still verify old hashes.

Argon2id is memory-hard on purpose (64 MiB a hash): 16 concurrent wrong logins took the
service from 210 to 1,175 MiB (issue #12 finding 6). Every hash and verification
therefore holds one of ``SKYWARDEN_ARGON2_SLOTS`` (default 2) slots; a caller that cannot
get one within ``SLOT_WAIT_S``, or finds ``MAX_WAITING`` callers already queued, gets
:class:`Busy` (HTTP 503) instead of queueing without end: queued logins hold threads of
the server's pool, which every other synchronous request needs too.

Revocation (finding 7): each user has a ``token_version`` that tokens carry. Changing
the password, disabling or deleting the user bumps it (a new user starts at a random
version, so a token of a deleted namesake never matches), and the service refuses a
token whose version is not the user's current one.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.errors import SkywardenError
from skywarden.store.schema import User

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
SLOT_WAIT_S = 10.0
MAX_WAITING = 8
_slots = threading.BoundedSemaphore(max(1, int(os.environ.get("SKYWARDEN_ARGON2_SLOTS", "2"))))
_queue_lock = threading.Lock()
_waiting = 0


class Role(StrEnum):
    OPERATOR = "operator"
    ANALYST = "analyst"
    PARTNER = "partner"
    ADMIN = "admin"


class UserError(SkywardenError, ValueError):
    """A user cannot be created or changed as asked (bad name, role or password, no such
    user, the last admin); says which."""


class Busy(SkywardenError, RuntimeError):
    """Every password-hashing slot stayed taken for ``SLOT_WAIT_S``: try again later."""


class _Slot:
    """Hold one of the bounded Argon2 slots for the ``with`` block (or raise Busy)."""

    def __enter__(self) -> None:
        global _waiting
        with _queue_lock:
            if _waiting >= MAX_WAITING:
                raise Busy("too many logins in progress; try again in a few seconds")
            _waiting += 1
        try:
            got = _slots.acquire(timeout=SLOT_WAIT_S)
        finally:
            with _queue_lock:
                _waiting -= 1
        if not got:
            raise Busy(f"password hashing busy for {SLOT_WAIT_S:.0f} s; try again")

    def __exit__(self, *exc: object) -> None:
        _slots.release()


def _new_version() -> int:
    return secrets.randbelow(1 << 30)


def snapshot(user: User | None) -> dict[str, Any] | None:
    """What the audit log keeps of a user (never the hash): name, role, state, version."""
    if user is None:
        return None
    return {
        "name": user.name,
        "role": user.role,
        "disabled": bool(user.disabled),
        "token_version": user.token_version,
    }


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
    if len(password) > MAX_PASSWORD_CHARS:
        raise UserError(f"password: longer than {MAX_PASSWORD_CHARS} characters")
    with _Slot():
        return _hasher.hash(password)


def check_name(name: str) -> str:
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise UserError(f"name {name!r}: 1-64 letters, digits, '-' or '_'")
    return name


def add_user(s: Session, name: str, role: Role | str, password: str) -> User:
    """Create a user, or replace the role and password of an existing one.

    Replacing re-enables the user and bumps the token version (their tokens end).
    """
    check_name(name)
    r = parse_role(str(role))
    h = hash_password(password)
    user = s.get(User, name)
    if user is None:
        user = User(
            name=name,
            role=r.value,
            password_hash=h,
            t_created=time.time(),
            disabled=False,
            token_version=_new_version(),
        )
        s.add(user)
    else:
        user.role, user.password_hash, user.disabled = r.value, h, False
        user.token_version += 1
    s.flush()
    return user


def get_user(s: Session, name: str) -> User:
    """The user called ``name``, or UserError naming it."""
    user = s.get(User, name)
    if user is None:
        raise UserError(f"user {name!r}: no such user")
    return user


def _enabled_admins(s: Session) -> int:
    q = select(User).where(User.role == Role.ADMIN.value, User.disabled.is_(False))
    return len(list(s.scalars(q)))


def _keep_an_admin(s: Session, user: User, doing: str) -> None:
    if user.role == Role.ADMIN.value and not user.disabled and _enabled_admins(s) <= 1:
        raise UserError(
            f"user {user.name!r}: the last enabled admin cannot be {doing} "
            "(add another admin first)"
        )


def set_password(s: Session, name: str, password: str) -> User:
    """New password; every token issued before is revoked."""
    user = get_user(s, name)
    user.password_hash = hash_password(password)
    user.token_version += 1
    s.flush()
    return user


def set_disabled(s: Session, name: str, disabled: bool = True) -> User:
    """Disable (or enable) ``name``; disabling revokes every token issued before."""
    user = get_user(s, name)
    if disabled:
        _keep_an_admin(s, user, "disabled")
    if bool(user.disabled) != disabled:
        user.disabled = disabled
        user.token_version += 1
    s.flush()
    return user


def delete_user(s: Session, name: str) -> dict[str, Any]:
    """Delete ``name`` (its tokens die with the row); returns what the audit keeps."""
    user = get_user(s, name)
    _keep_an_admin(s, user, "deleted")
    before = snapshot(user)
    assert before is not None
    s.delete(user)
    s.flush()
    return before


def authenticate(s: Session, name: str, password: str) -> User | None:
    """The user if ``password`` matches, else None (same answer for unknown and wrong).

    Raises :class:`Busy` when no hashing slot frees up in time.
    """
    if len(password) > MAX_PASSWORD_CHARS:
        return None
    user = s.get(User, name)
    with _Slot():
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
