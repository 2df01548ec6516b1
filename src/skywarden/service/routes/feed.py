"""``/api/ws``: the live feed of track, incident and recommendation changes, one batch a
second. Browsers cannot set headers on a WebSocket, so the bearer token comes as the
``token`` query parameter (or the ``Authorization`` header from other clients)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, WebSocket, status

from skywarden.service.auth import principal_from_token
from skywarden.service.context import ServiceContext, get_ws_ctx
from skywarden.service.roles import allowed

router = APIRouter(prefix="/api", tags=["feed"])


@router.websocket("/ws")
async def feed(
    websocket: WebSocket,
    ctx: Annotated[ServiceContext, Depends(get_ws_ctx)],
    token: str | None = None,
) -> None:
    if token is None:
        header = websocket.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else None
    try:
        who = principal_from_token(ctx, token)
    except HTTPException:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="not authenticated")
        return
    if not allowed(who.role, "feed"):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="forbidden")
        return
    await websocket.accept()
    await ctx.hub.serve(websocket, who.role)
