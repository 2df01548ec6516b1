"""Authentication and authorisation as FastAPI dependencies.

``current_user`` turns the ``Authorization: Bearer`` token into a :class:`Principal`
(401 if missing, malformed, forged or expired, or if the user was disabled, deleted,
given a new password or role since: the token's version is no longer the user's);
``allow("perm")`` adds the role-matrix check (403, and the refusal is audited: the first
of a user and permission, then at most one row a minute carrying the count, so a client
looping on a forbidden route cannot grow the log without bound).

The signing key is re-read when its file changes (one ``stat`` a request), so
``skywarden keys rotate`` ends every outstanding token of a running service at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from skywarden.service import tokens
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.roles import ROLE_MATRIX, allowed
from skywarden.store import audit, secret_key
from skywarden.store.schema import User
from skywarden.store.users import Role

log = logging.getLogger(__name__)
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: Role

    @property
    def is_partner(self) -> bool:
        return self.role is Role.PARTNER


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


class _KeyWatch:
    """The current signing key of one service: its file re-read when the file changes."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = weakref.ref(ctx)
        self.path: Path | None = secret_key.source_for(ctx.db.engine.url).path
        self.sig: tuple[int, int, int] | None = None
        self.lock = threading.Lock()

    def current(self, ctx: ServiceContext) -> str:
        if self.path is None:  # from the environment: fixed for the process
            return ctx.secret
        try:
            st = os.stat(self.path)
        except OSError as e:
            raise secret_key.SecretKeyError(f"{self.path}: key file gone ({e.strerror})") from None
        sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        if sig != self.sig:
            with self.lock:
                ctx.secret = secret_key.read_key_file(self.path)
                self.sig = sig
        return ctx.secret


_watches: dict[int, _KeyWatch] = {}
_watches_lock = threading.Lock()


def signing_key(ctx: ServiceContext) -> str:
    """The key to sign and verify tokens with now (follows ``skywarden keys rotate``)."""
    w = _watches.get(id(ctx))
    if w is None or w.ctx() is not ctx:
        with _watches_lock:
            for k in [k for k, v in _watches.items() if v.ctx() is None]:
                del _watches[k]
            w = _watches[id(ctx)] = _KeyWatch(ctx)
    return w.current(ctx)


def principal_from_token(ctx: ServiceContext, token: str | None) -> Principal:
    """Verify ``token`` and that its user still exists, enabled, with that role and
    token version (so password changes, disable and delete revoke older tokens)."""
    if not token:
        raise _unauthorised("not authenticated")
    try:
        claims = tokens.verify(signing_key(ctx), token)
    except tokens.InvalidToken as e:
        raise _unauthorised(str(e)) from None
    except secret_key.SecretKeyError as e:
        log.error("cannot verify tokens: %s", e)
        raise _unauthorised("signing key unavailable; see the service log") from None
    with ctx.db.session() as s:
        user = s.get(User, claims.sub)
        if user is None or user.disabled or user.role != claims.role:
            raise _unauthorised("user disabled or changed; log in again")
        if user.token_version != claims.ver:
            raise _unauthorised("token revoked (password changed or user disabled); log in again")
    return Principal(claims.sub, Role(claims.role))


def current_user(
    ctx: Annotated[ServiceContext, Depends(get_ctx)],
    token: Annotated[str | None, Depends(oauth2)],
) -> Principal:
    return principal_from_token(ctx, token)


DENIAL_ROW_EVERY_S = 60.0
_denials: dict[tuple[int, str, str], tuple[float, int]] = {}
_denials_lock = threading.Lock()


def _denial_due(ctx: ServiceContext, user: str, permission: str) -> int | None:
    """The number of refusals to record now (with this one), or None if not yet due."""
    key, now = (id(ctx), user, permission), time.monotonic()
    with _denials_lock:
        if len(_denials) > 10_000:
            _denials.clear()
        last, n = _denials.get(key, (-float("inf"), 0))
        if now - last >= DENIAL_ROW_EVERY_S:
            _denials[key] = (now, 0)
            return n + 1
        _denials[key] = (last, n + 1)
        return None


def allow(permission: str) -> Callable[..., Principal]:
    """A dependency: the current user, if their role holds ``permission`` (else 403)."""
    if permission not in ROLE_MATRIX:
        raise KeyError(f"permission {permission!r} is not in the role matrix")

    def check(
        ctx: Annotated[ServiceContext, Depends(get_ctx)],
        who: Annotated[Principal, Depends(current_user)],
    ) -> Principal:
        if not allowed(who.role, permission):
            count = _denial_due(ctx, who.name, permission)
            if count is not None:
                after = None if count == 1 else {"refusals": count}
                with ctx.db.session() as s:
                    audit.append(s, who.name, who.role.value, "denied", permission, None, after)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {who.role} may not {permission}")
        return who

    check.__name__ = f"allow_{permission.replace(':', '_')}"
    return check
