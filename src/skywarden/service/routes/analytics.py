"""Analytics for analysts (issue 16): the store's ``Stats`` and the report's figures, and
the page that shows them.

``GET /api/analytics`` is ``skywarden stats`` on the service's own store;
``GET /api/analytics/figures`` the report's PNG figures as ``data:`` URIs (the page's
Content-Security-Policy allows images from ``data:``, and a bearer token cannot ride on
an ``<img src>``); ``GET /analytics`` the page. Partners get 403: the store-wide
figures count every incident, also the ones no operator shared, and the partner API
shows shared incidents only. A partner's version is a file an analyst hands over
(``skywarden report --role partner``, redacted by ``redact.stats``).

Counting a month of the store is not free, so one answer per store and period is kept
for ``CACHE_S`` seconds (the page asks for the figures and the record together).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, model_validator

from skywarden.analytics import compute_stats
from skywarden.analytics.records import Stats
from skywarden.report.view import safe_source
from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import EpochS

router = APIRouter(tags=["analytics"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Analyst = Annotated[Principal, Depends(allow("analytics:read"))]
PAGE = Path(__file__).resolve().parents[1] / "static" / "analytics.html"
CACHE_S = 30.0
_cache: dict[tuple[str, float | None, float | None], tuple[float, Stats]] = {}
_lock = threading.Lock()


class PeriodQuery(BaseModel):
    """The period counted: incursions from ``since`` up to ``until`` (UTC epoch s)."""

    since: EpochS | None = None
    until: EpochS | None = None

    @model_validator(mode="after")
    def _window(self) -> PeriodQuery:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError(f"until ({self.until}) not after since ({self.since})")
        return self


Period = Annotated[PeriodQuery, Query()]


class FiguresOut(BaseModel):
    """The report's figures, name -> ``data:image/png;base64,...``."""

    figures: dict[str, str]


def _stats(ctx: ServiceContext, since: float | None, until: float | None) -> Stats:
    key, now = (ctx.db.url, since, until), time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_S:
            return hit[1]
    stats = compute_stats(ctx.db.url, start=since, end=until)
    # the store's URL may carry its password: never in an answer
    stats = stats.model_copy(update={"source": safe_source(ctx.db.url)})
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = (now, stats)
    return stats


@router.get("/api/analytics", response_model=Stats)
def analytics(ctx: Ctx, who: Analyst, q: Period) -> Stats:
    """The store's statistics: counts under each rule, breakdowns, coverage, hot spots."""
    return _stats(ctx, q.since, q.until)


@router.get("/api/analytics/figures", response_model=FiguresOut)
def figures(ctx: Ctx, who: Analyst, q: Period) -> dict[str, Any]:
    """The report's figures of the same statistics, as ``data:`` URIs."""
    from skywarden.report.build import make_report
    from skywarden.report.html import data_uri

    stats = _stats(ctx, q.since, q.until).model_dump(mode="json")
    report = make_report(stats, who.role.value)
    return {"figures": {name: data_uri(png) for name, png in report.figures.items()}}


@router.get("/analytics", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(PAGE)
