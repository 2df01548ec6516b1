"""The FastAPI application: routers, static web map, offline basemap, lifecycle.

``create_app(db)`` builds an app around an opened store; the live hub (and a pipeline,
when ``serve`` runs one) start with the app and stop with it. Everything a handler needs
is in :class:`ServiceContext` on ``app.state``, handed out by dependency injection.

Every HTTP response carries the security headers (a strict Content-Security-Policy among
them) and every request body is size-limited, by the middleware of
:mod:`skywarden.service.security`. The interactive ``/docs`` pages are off: they load
scripts from a CDN and inline, which the policy forbids; ``/openapi.json`` stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.requests import Request

from skywarden import __version__
from skywarden.bus import Bus, InProcessBus
from skywarden.service import basemap, security
from skywarden.service.context import ServiceContext
from skywarden.service.hub import Hub
from skywarden.service.routes import analytics as analytics_routes
from skywarden.service.routes import auth, feed, incidents, ops, tracks, zones
from skywarden.store import Database, laser, recommendations, settings
from skywarden.store import incidents as store_incidents

STATIC = Path(__file__).with_name("static")

Runner = Callable[[ServiceContext], Coroutine[Any, Any, None]]
log = logging.getLogger(__name__)


def _report_runner_end(task: asyncio.Task[None]) -> None:
    """A pipeline that stops (its store failing, say) must not stop silently: the API
    keeps serving what is stored, and the log says why the live picture froze."""
    if not task.cancelled() and task.exception() is not None:
        log.error("pipeline stopped: %r", task.exception(), exc_info=task.exception())


def _seed(db: Database, hub: Hub) -> None:
    """Seed the hub with the stored picture: open incidents, recent recommendations and
    the last hold-fire decision of the newest laser plan."""
    with db.session() as s:
        live = store_incidents.query(s, limit=500)
        recs = recommendations.query(s, limit=50)
        plans = laser.plans(s)
        last = laser.last_decision(s, plans[0]["id"]) if plans else None
    hub.seed([i for i in live if i["state"] != "resolved"], recs, last)


def _store_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The store does not answer (PostgreSQL down, issue 17): a 503 that says so and when
    to retry, not a 500; the live feed goes on meanwhile (service.routes.feed)."""
    log.warning("store unavailable: %s", str(exc).splitlines()[0][:200])
    return JSONResponse(
        {"detail": "the store is unavailable (database not answering); retry later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _add_pages(app: FastAPI, ctx: ServiceContext) -> None:
    """The operator page and the basemap layers around the sector's centre."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/basemap/{name}.geojson", include_in_schema=False)
    def basemap_layer(name: Annotated[str, PathParam(max_length=64)]) -> JSONResponse:
        c = ctx.meta.get("center")
        center = (float(c[0]), float(c[1])) if isinstance(c, list | tuple) else None
        try:
            return JSONResponse(basemap.layer(name, center))
        except basemap.UnknownLayer:
            raise HTTPException(
                404, f"no basemap layer {name!r}; one of {basemap.LAYERS}"
            ) from None


def create_app(
    db: Database,
    bus: Bus | None = None,
    *,
    runner: Runner | None = None,
    meta: dict[str, Any] | None = None,
    token_ttl_s: float = 8 * 3600.0,
) -> FastAPI:
    """An app over ``db``; ``runner`` (e.g. a Pipeline's ``run``) is started with it."""
    bus = bus or InProcessBus()
    hub = Hub(bus)
    with db.session() as s:
        secret = settings.secret(s)
    ctx = ServiceContext(db, bus, hub, secret, token_ttl_s, dict(meta or {}))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx.loop = asyncio.get_running_loop()
        _seed(db, hub)
        hub.start()
        task = asyncio.create_task(runner(ctx), name="skywarden-runner") if runner else None
        if task is not None:
            task.add_done_callback(_report_runner_end)
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await hub.stop()

    app = FastAPI(
        title="skywarden",
        version=__version__,
        description="Counter-drone airspace safety: live tracks, incidents, "
        "recommendations, laser hold-fire, for operators, analysts and partners.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    # the last added is the outermost: headers go on the body-limit's 413 too
    app.add_middleware(security.BodySizeLimit)
    app.add_middleware(security.SecurityHeaders)
    app.add_exception_handler(RequestValidationError, security.validation_error)
    app.add_exception_handler(OperationalError, _store_unavailable)
    app.add_exception_handler(InterfaceError, _store_unavailable)
    for r in (auth, tracks, incidents, zones, ops, feed):
        app.include_router(r.router)
    app.include_router(analytics_routes.router)
    _add_pages(app, ctx)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
