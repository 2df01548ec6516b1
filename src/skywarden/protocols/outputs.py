"""The service's protocol outputs, started and stopped with the app: one hook for serve.

``attach_outputs(app, cot=[...], sapient=[...], asterix=[...])`` checks every URL first
(``OutputSpecError`` names the option), then wraps the app's lifespan: after the app's
own start-up (store, hub, pipeline) each output subscribes to the app's bus, and each
stops before the app's shutdown. Nothing else in the service changes: an output is one
more bus subscriber next to the WebSocket hub.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import FastAPI

from skywarden.errors import SkywardenError


class OutputSpecError(SkywardenError, ValueError):
    """A protocol output URL is malformed; ``param`` names the command-line option."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


def attach_outputs(
    app: FastAPI,
    *,
    cot: Sequence[str] = (),
    sapient: Sequence[str] = (),
    asterix: Sequence[str] = (),
) -> None:
    from skywarden.protocols.asterix_publisher import (
        AsterixPublisher,
        AsterixSpecError,
        parse_asterix_url,
    )
    from skywarden.protocols.cot_publisher import CotPublisher, CotSpecError, parse_cot_url
    from skywarden.protocols.sapient_out import SapientOutError, SapientUpstream, parse_url

    try:
        cot_targets = [parse_cot_url(s) for s in cot]
    except CotSpecError as e:
        raise OutputSpecError("--cot", str(e)) from None
    try:
        sapient_targets = [parse_url(s) for s in sapient]
    except SapientOutError as e:
        raise OutputSpecError("--sapient-out", str(e)) from None
    try:
        asterix_targets = [parse_asterix_url(s) for s in asterix]
    except AsterixSpecError as e:
        raise OutputSpecError("--asterix-out", str(e)) from None
    if not (cot_targets or sapient_targets or asterix_targets):
        return
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        async with inner(a) as state:
            ctx = a.state.ctx
            started: list[Any] = []
            try:
                for t in cot_targets:
                    pub = CotPublisher(t, ctx.bus)
                    hub = ctx.hub
                    pub.feed.seed(list(hub.incidents.values()), list(hub.recommendations.values()))
                    await pub.start()
                    started.append(pub)
                for host, port in sapient_targets:
                    up = SapientUpstream(host, port, ctx.bus)
                    up.start()
                    started.append(up)
                center = ctx.meta.get("center")
                origin = (float(center[0]), float(center[1])) if center else None
                for at in asterix_targets:
                    ast = AsterixPublisher(at, ctx.bus, origin)
                    ast.start()
                    started.append(ast)
                yield state
            finally:
                for out in reversed(started):
                    await out.stop()

    app.router.lifespan_context = lifespan
