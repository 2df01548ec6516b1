"""HTTP hardening as pure ASGI middleware: security headers on every response, a request
body size limit, and validation errors that are always well-formed JSON.

Why middleware, not per-route code: the headers must be on static files, the offline
basemap, 404s, 422s and even a 500 from an unhandled error, and the body limit must act
before any route (or FastAPI's JSON parser) buffers a 42 MB zone. Both wrap the whole
app, so no route can forget them (issue #12, findings 1, 8, 12).

The Content-Security-Policy allows scripts, styles, images and fonts from this origin
only, no inline script or style attribute, and connections (fetch, WebSocket) back to
this origin only: an injected ``<img onerror=...>`` or ``<script>`` cannot run even if a
future change renders data as HTML again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skywarden.errors import SkywardenError

# CSP Level 3: 'self' in connect-src also matches ws:/wss: to the same host and port.
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)
# The largest legitimate body is a zone of MAX_ZONE_VERTICES (schemas.py) points, about
# 40 bytes each; a laser plan or a comment is a few kB.
MAX_BODY_BYTES = 1 << 20


def _with_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    ours = {k for k, _ in SECURITY_HEADERS}
    out = [(k, v) for k, v in headers if k.lower() not in ours]
    out.extend(SECURITY_HEADERS)
    return out


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response; answers an unhandled error
    itself (500, with the headers) before letting it propagate to be logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = dict(message)
                headers = _with_headers(message.get("headers", []))
                # API answers are per user: no shared cache may keep them
                if scope["path"].startswith("/api/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                body = b'{"detail":"internal server error"}'
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send_with_headers({"type": "http.response.body", "body": body})
            raise


class BodyTooLarge(SkywardenError):
    pass


class BodySizeLimit:
    """413 for a request body over ``limit`` bytes: at once from ``Content-Length``, or as
    soon as a chunked body passes the limit (nothing past it is buffered).

    Recent FastAPI has ``FastAPI(max_body_size=...)``, but it sits outside the user
    middleware, so its 413 would go out without the security headers (and the project
    supports FastAPI releases without it)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def _too_large(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"request body larger than {self.limit} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    n = int(v)
                except ValueError:
                    n = self.limit + 1
                if n > self.limit:
                    await self._too_large(send)
                    return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            # The 413 goes out from here: the body reader that gets the exception may
            # turn any error into a 400 of its own, which tracking_send then drops.
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    if not started and not refused:
                        refused = True
                        await self._too_large(send)
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started and not refused:
                await self._too_large(send)


def _clean(x: Any) -> Any:
    """Text that JSON can carry: a lone surrogate (which UTF-8 cannot encode) escaped."""
    if isinstance(x, str):
        return x.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 shape (``detail``: a list of ``loc``, ``msg``, ``type``), without
    echoing the input back: the input may be megabytes, or a lone surrogate that UTF-8
    cannot encode (which made the default handler answer 500)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [
        {
            "loc": [_clean(p) for p in e.get("loc", ())],
            "msg": _clean(str(e.get("msg", ""))),
            "type": _clean(str(e.get("type", ""))),
        }
        for e in errors
    ]
    return JSONResponse(status_code=422, content=jsonable_encoder({"detail": detail}))
