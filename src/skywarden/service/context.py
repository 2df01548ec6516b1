"""What the app's request handlers share: the store, the bus, the live hub, the secret.

Handlers get it by dependency injection (``Depends(get_ctx)``), never from a global, so
a test builds an app around its own throwaway database and bus.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request, WebSocket

from skywarden.bus import Bus
from skywarden.store import Database

if TYPE_CHECKING:
    from skywarden.service.hub import Hub


@dataclass
class ServiceContext:
    db: Database
    bus: Bus
    hub: Hub
    secret: str
    token_ttl_s: float = 8 * 3600.0
    meta: dict[str, object] = field(default_factory=dict)
    loop: asyncio.AbstractEventLoop | None = None

    def publish_from_thread(self, topic: str, data: dict[str, Any]) -> None:
        """Publish on the bus from a sync handler (FastAPI runs those in a thread pool)."""
        if self.loop is None or self.loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(self.bus.publish(topic, data), self.loop)


def get_ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def get_ws_ctx(websocket: WebSocket) -> ServiceContext:
    ctx: ServiceContext = websocket.app.state.ctx
    return ctx
