"""Authentication and authorisation as FastAPI dependencies.

``current_user`` turns the ``Authorization: Bearer`` token into a :class:`Principal`
(401 if missing, malformed, forged or expired, or if the user was disabled since);
``allow("perm")`` adds the role-matrix check (403, and the refusal is audited).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from skywarden.service import tokens
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.roles import ROLE_MATRIX, allowed
from skywarden.store import audit
from skywarden.store.schema import User
from skywarden.store.users import Role

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


def principal_from_token(ctx: ServiceContext, token: str | None) -> Principal:
    """Verify ``token`` and that its user still exists with that role and is enabled."""
    if not token:
        raise _unauthorised("not authenticated")
    try:
        claims = tokens.verify(ctx.secret, token)
    except tokens.InvalidToken as e:
        raise _unauthorised(str(e)) from None
    with ctx.db.session() as s:
        user = s.get(User, claims.sub)
        if user is None or user.disabled or user.role != claims.role:
            raise _unauthorised("user disabled or changed; log in again")
    return Principal(claims.sub, Role(claims.role))


def current_user(
    ctx: Annotated[ServiceContext, Depends(get_ctx)],
    token: Annotated[str | None, Depends(oauth2)],
) -> Principal:
    return principal_from_token(ctx, token)


def allow(permission: str) -> Callable[..., Principal]:
    """A dependency: the current user, if their role holds ``permission`` (else 403)."""
    if permission not in ROLE_MATRIX:
        raise KeyError(f"permission {permission!r} is not in the role matrix")

    def check(
        ctx: Annotated[ServiceContext, Depends(get_ctx)],
        who: Annotated[Principal, Depends(current_user)],
    ) -> Principal:
        if not allowed(who.role, permission):
            with ctx.db.session() as s:
                audit.append(s, who.name, who.role.value, "denied", permission)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {who.role} may not {permission}")
        return who

    check.__name__ = f"allow_{permission.replace(':', '_')}"
    return check
