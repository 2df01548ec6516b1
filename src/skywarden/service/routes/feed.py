"""``/api/ws``: the live feed of track, incident and recommendation changes, one batch a
second.

Browsers cannot set headers on a WebSocket. The web map sends its bearer token as the
second WebSocket subprotocol (``new WebSocket(url, ["skywarden.bearer", token])``), which
keeps it out of URLs, server logs and browser history; the server answers with the
``skywarden.bearer`` subprotocol. Other clients may use the ``Authorization`` header, and
the ``token`` query parameter still works for existing clients.

A token is checked again every ``RECHECK_S`` seconds while the socket is open, so a
password change, a disabled or deleted user, or an expired token closes the feed (code
1008) instead of streaming on until the client goes away. While the store does not answer
(PostgreSQL down) the check cannot be made and an open feed goes on: the token was valid
when the store last answered, and no revocation can be written without the store.

``?since=<cursor>`` resumes: the client gets the batches it missed since the cursor of
the last message it applied (or a snapshot with a ``gap`` marker when they are no longer
kept); see :mod:`skywarden.service.hub`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, WebSocket, status
from sqlalchemy.exc import InterfaceError, OperationalError

from skywarden.service.auth import principal_from_token
from skywarden.service.context import ServiceContext, get_ws_ctx
from skywarden.service.roles import allowed

router = APIRouter(prefix="/api", tags=["feed"])
SUBPROTOCOL = "skywarden.bearer"
MAX_TOKEN_CHARS = 4096
MAX_CURSOR_CHARS = 64
RECHECK_S = 5.0


def _token(websocket: WebSocket, query: str | None) -> tuple[str | None, str | None]:
    """(token, subprotocol to answer with) from the subprotocol, the header or the query."""
    offered = [p.strip() for p in websocket.headers.get("sec-websocket-protocol", "").split(",")]
    if len(offered) >= 2 and offered[0] == SUBPROTOCOL:
        return offered[1], SUBPROTOCOL
    if query is not None:
        return query, None
    header = websocket.headers.get("authorization", "")
    return (header[7:] if header.lower().startswith("bearer ") else None), None


@router.websocket("/ws")
async def feed(
    websocket: WebSocket,
    ctx: Annotated[ServiceContext, Depends(get_ws_ctx)],
    token: str | None = None,
    since: str | None = None,
) -> None:
    tok, subprotocol = _token(websocket, token)
    if tok is not None and len(tok) > MAX_TOKEN_CHARS:
        tok = None
    try:
        who = principal_from_token(ctx, tok)
    except HTTPException:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="not authenticated")
        return
    if not allowed(who.role, "feed"):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="forbidden")
        return
    await websocket.accept(subprotocol=subprotocol)
    if since is not None and len(since) > MAX_CURSOR_CHARS:
        since = "?"  # not a cursor: the hub answers with a snapshot and a gap marker
    serving = asyncio.create_task(ctx.hub.serve(websocket, who.role, since))
    watching = asyncio.create_task(_until_revoked(ctx, tok))
    try:
        done, _ = await asyncio.wait({serving, watching}, return_when=asyncio.FIRST_COMPLETED)
        if watching in done:
            with contextlib.suppress(Exception):  # the client may be gone already
                await websocket.close(
                    code=status.WS_1008_POLICY_VIOLATION, reason=watching.result()[:120]
                )
            await serving
    finally:
        watching.cancel()


async def _until_revoked(ctx: ServiceContext, token: str | None) -> str:
    """Return the reason once ``token`` stops being valid (checked every RECHECK_S)."""
    while True:
        await asyncio.sleep(RECHECK_S)
        try:
            await asyncio.to_thread(principal_from_token, ctx, token)
        except HTTPException as e:
            return str(e.detail)
        except (OperationalError, InterfaceError):  # the store is down: check again later
            continue
