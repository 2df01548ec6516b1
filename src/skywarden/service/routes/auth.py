"""``POST /api/token`` (OAuth2 password flow), ``GET /api/me``, user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from skywarden.service import tokens
from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import Me, TokenOut, UserIn
from skywarden.store import audit, users

router = APIRouter(prefix="/api", tags=["auth"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]


@router.post("/token", response_model=TokenOut)
def token(ctx: Ctx, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """Exchange ``username``/``password`` form fields for a bearer token."""
    with ctx.db.session() as s:
        user = users.authenticate(s, form.username, form.password)
        if user is None:
            audit.append(s, form.username[:64], "-", "login_failed", "token")
        else:
            audit.append(s, user.name, user.role, "login", "token")
            role = user.role
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    tok = tokens.issue(ctx.secret, user.name, role, ctx.token_ttl_s)
    return TokenOut(access_token=tok, expires_in=int(ctx.token_ttl_s), role=role)


@router.get("/me", response_model=Me)
def me(who: Annotated[Principal, Depends(allow("me"))]) -> Me:
    return Me(name=who.name, role=who.role.value)


@router.get("/users", response_model=list[Me])
def list_users(ctx: Ctx, who: Annotated[Principal, Depends(allow("users:read"))]) -> list[Me]:
    with ctx.db.session() as s:
        return [Me(name=u.name, role=u.role) for u in users.list_users(s)]


@router.post("/users", response_model=Me, status_code=201)
def add_user(
    ctx: Ctx, body: UserIn, who: Annotated[Principal, Depends(allow("users:write"))]
) -> Me:
    with ctx.db.session() as s:
        old = s.get(users.User, body.name)
        before = None if old is None else {"name": old.name, "role": old.role}
        try:
            users.add_user(s, body.name, body.role, body.password)
        except users.UserError as e:
            raise HTTPException(422, str(e)) from None
        audit.append(
            s,
            who.name,
            who.role.value,
            "user_put",
            body.name,
            before,
            {"name": body.name, "role": body.role},
        )
    return Me(name=body.name, role=body.role)
