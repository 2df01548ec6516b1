"""``POST /api/token`` (OAuth2 password flow), ``GET /api/me``, user administration.

Logins are throttled per user name and per address (``service/throttle.py``): a throttled
attempt is answered 429 with ``Retry-After`` before any password is hashed, and failed
logins are audited as a summary (the 1st, 5th, 10th, 20th... failure), not a row each.
Argon2 runs in a bounded number of slots; when all stay busy the answer is 503.

Admins manage users here as with ``skywarden users``: create or replace, change a
password, disable, enable, delete, each audited with the user's before and after
picture (never the hash) and each revoking the user's outstanding tokens.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from skywarden.service import tokens
from skywarden.service.auth import Principal, allow, signing_key
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import Me, TokenOut, UserIn
from skywarden.service.throttle import LoginThrottle, retry_after_header
from skywarden.store import audit, secret_key, users

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["auth"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
UserName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
_throttle_lock = threading.Lock()


class UserOut(BaseModel):
    name: str
    role: str
    disabled: bool = False


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=users.MIN_PASSWORD_CHARS, max_length=1024)


def throttle_of(request: Request) -> LoginThrottle:
    """The app's login throttle, made on first use (one per app, kept on its state)."""
    state = request.app.state
    with _throttle_lock:
        th: LoginThrottle | None = getattr(state, "login_throttle", None)
        if th is None:
            th = state.login_throttle = LoginThrottle()
    return th


def _too_many(seconds: float) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        "too many failed logins; try again later",
        headers={"Retry-After": retry_after_header(seconds)},
    )


@router.post(
    "/token",
    response_model=TokenOut,
    responses={429: {"description": "throttled"}, 503: {"description": "busy"}},
)
def token(
    ctx: Ctx, request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    """Exchange ``username``/``password`` form fields for a bearer token."""
    name = form.username[:64]
    addr = request.client.host if request.client else "-"
    throttle = throttle_of(request)
    wait = throttle.retry_after(name, addr)
    if wait > 0:
        raise _too_many(wait)
    try:
        with ctx.db.session() as s:
            user = users.authenticate(s, name, form.password)
            if user is None:
                fail = throttle.failed(name, addr)
                if fail.worth_auditing:
                    after = {
                        "address": addr,
                        "failures_for_user": fail.user_failures,
                        "failures_from_address": fail.addr_failures,
                    }
                    audit.append(s, name, "-", "login_failed", "token", None, after)
            else:
                throttle.succeeded(name, addr)
                audit.append(s, user.name, user.role, "login", "token")
                role, ver = user.role, user.token_version
    except users.Busy as e:
        raise HTTPException(503, str(e), headers={"Retry-After": "5"}) from None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        key = signing_key(ctx)
    except secret_key.SecretKeyError as e:  # fail closed; the path is for the log only
        log.error("cannot sign tokens: %s", e)
        raise HTTPException(503, "signing key unavailable; see the service log") from None
    tok = tokens.issue(key, user.name, role, ctx.token_ttl_s, ver=ver)
    return TokenOut(access_token=tok, expires_in=int(ctx.token_ttl_s), role=role)


@router.get("/me", response_model=Me)
def me(who: Annotated[Principal, Depends(allow("me"))]) -> Me:
    return Me(name=who.name, role=who.role.value)


@router.get("/users", response_model=list[UserOut])
def list_users(
    ctx: Ctx, who: Annotated[Principal, Depends(allow("users:read"))]
) -> list[UserOut]:
    with ctx.db.session() as s:
        return [
            UserOut(name=u.name, role=u.role, disabled=bool(u.disabled))
            for u in users.list_users(s)
        ]


def _user_error(e: users.UserError) -> HTTPException:
    code = 404 if "no such user" in str(e) else 422
    return HTTPException(code, str(e))


def _busy(e: users.Busy) -> HTTPException:
    return HTTPException(503, str(e), headers={"Retry-After": "5"})


@router.post("/users", response_model=Me, status_code=201)
def add_user(
    ctx: Ctx, body: UserIn, who: Annotated[Principal, Depends(allow("users:write"))]
) -> Me:
    """Create a user, or replace an existing one's role and password (tokens revoked)."""
    with ctx.db.session() as s:
        before = users.snapshot(s.get(users.User, body.name))
        try:
            user = users.add_user(s, body.name, body.role, body.password)
        except users.UserError as e:
            raise HTTPException(422, str(e)) from None
        except users.Busy as e:
            raise _busy(e) from None
        audit.append(
            s, who.name, who.role.value, "user_put", body.name, before, users.snapshot(user)
        )
    return Me(name=body.name, role=body.role)


def _change(ctx: ServiceContext, who: Principal, name: str, action: str, *args: Any) -> UserOut:
    with ctx.db.session() as s:
        try:
            before = users.snapshot(users.get_user(s, name))
            if action == "user_passwd":
                user = users.set_password(s, name, *args)
            else:
                user = users.set_disabled(s, name, action == "user_disable")
        except users.UserError as e:
            raise _user_error(e) from None
        except users.Busy as e:
            raise _busy(e) from None
        audit.append(s, who.name, who.role.value, action, name, before, users.snapshot(user))
        return UserOut(name=user.name, role=user.role, disabled=bool(user.disabled))


@router.put("/users/{name}/password", response_model=UserOut)
def set_password(
    ctx: Ctx,
    name: UserName,
    body: PasswordIn,
    who: Annotated[Principal, Depends(allow("users:write"))],
) -> UserOut:
    """Give ``name`` a new password; every token issued before stops working."""
    return _change(ctx, who, name, "user_passwd", body.password)


@router.post("/users/{name}/disable", response_model=UserOut)
def disable(
    ctx: Ctx, name: UserName, who: Annotated[Principal, Depends(allow("users:write"))]
) -> UserOut:
    """Disable ``name``: no login, and every token issued before stops working."""
    return _change(ctx, who, name, "user_disable")


@router.post("/users/{name}/enable", response_model=UserOut)
def enable(
    ctx: Ctx, name: UserName, who: Annotated[Principal, Depends(allow("users:write"))]
) -> UserOut:
    """Enable ``name`` again (old tokens stay revoked: the user logs in anew)."""
    return _change(ctx, who, name, "user_enable")


@router.delete("/users/{name}", status_code=204, response_class=Response)
def delete(
    ctx: Ctx, name: UserName, who: Annotated[Principal, Depends(allow("users:write"))]
) -> Response:
    """Delete ``name``; its tokens die with it (the audit keeps who it was)."""
    with ctx.db.session() as s:
        try:
            before = users.delete_user(s, name)
        except users.UserError as e:
            raise _user_error(e) from None
        audit.append(s, who.name, who.role.value, "user_delete", name, before, None)
    return Response(status_code=204)
