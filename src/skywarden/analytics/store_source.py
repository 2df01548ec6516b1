"""Reading the service's store (SQLite or PostgreSQL) into :class:`.Material`.

The store is read only: the events (crossings, drops, loiters), incidents,
recommendations, the track points of the tracks that crossed, and the sensors table
(sites only: it keeps no detection parameters, so a store has no coverage model). The
store is one sector, named ``store``; its ids are unique store-wide already.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skywarden.analytics.material import Material, SectorData, SensorSite, TrackSpan
from skywarden.analytics.run_source import SourceError, take_event

BEHAVIOUR_KINDS = ("drop", "loiter")


def load_store(url: str, shown: str) -> Material:
    """Read the service's store at ``url`` (``shown`` names it in errors)."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from skywarden.store import Database, StoreConfigError
    from skywarden.store.recommendations import row_dict
    from skywarden.store.schema import (
        IncidentRow,
        RecommendationRow,
        SensorRow,
        TrackPoint,
    )

    _must_exist(url, shown)
    try:
        db = Database(url)
    except (StoreConfigError, SQLAlchemyError, OSError) as e:
        raise SourceError(f"{shown}: cannot open the store ({e})") from None
    data = SectorData(id="store")
    try:
        with db.session() as s:
            _store_events(s, data, shown)
            data.incident_kinds = [(r.t_open, r.kind) for r in s.scalars(select(IncidentRow))]
            data.recommendations = [row_dict(r) for r in s.scalars(select(RecommendationRow))]
            wanted = sorted({c.track for c in data.crossings})
            for k in range(0, len(wanted), 500):
                rows = s.scalars(
                    select(TrackPoint)
                    .where(TrackPoint.track.in_(wanted[k : k + 500]))
                    .order_by(TrackPoint.t)
                )
                _take_points(data, rows)
            data.sensors = [
                SensorSite(r.id, r.kind, r.lat, r.lon, r.alt_m or 0.0, dict(r.attrs or {}))
                for r in s.scalars(select(SensorRow))
                if r.lat is not None and r.lon is not None
            ]
            lo, hi = s.execute(select(func.min(TrackPoint.t), func.max(TrackPoint.t))).one()
    except SQLAlchemyError as e:
        raise SourceError(f"{shown}: cannot read the store ({e})") from None
    finally:
        db.dispose()
    ts = [c.t for c in data.crossings] + [p.t for p in data.points]
    data.start = lo if lo is not None else (min(ts) if ts else None)
    data.end = hi if hi is not None else (max(ts) if ts else None)
    data.airports = sorted({str(r["airport"]) for r in data.recommendations if r.get("airport")})
    return Material(shown, "store", [data])


def _must_exist(url: str, shown: str) -> None:
    """A SQLite store must be there already: opening a missing file would create an
    empty store and report zeros as if nothing had happened."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        u = make_url(url)
    except ArgumentError as e:
        raise SourceError(f"{shown}: not a database URL ({e})") from None
    db = u.database or ""
    if (
        u.get_backend_name() == "sqlite"
        and db not in ("", ":memory:")
        and not db.startswith("file:")
    ) and not Path(db).is_file():
        raise SourceError(f"{shown}: no such store file {db!r}")


def _store_events(s: Any, data: SectorData, shown: str) -> None:
    """The store's crossing, drop and loiter events into ``data``."""
    from sqlalchemy import select

    from skywarden.store.schema import EventRow

    rows = s.scalars(
        select(EventRow)
        .where(EventRow.kind.in_(("border_crossing", *BEHAVIOUR_KINDS)))
        .order_by(EventRow.t)
    )
    for i, ev in enumerate(rows):
        d = {
            **(ev.attrs or {}),
            "kind": ev.kind,
            "t": ev.t,
            "track": ev.track,
            "lat": ev.lat,
            "lon": ev.lon,
            "alt_m": ev.alt_m,
        }
        take_event(data, d, f"{shown}: events row {i + 1}")


def _take_points(data: SectorData, rows: Iterable[Any]) -> None:
    for p in rows:
        sp = data.spans.get(p.track)
        if sp is None:
            sp = data.spans[p.track] = TrackSpan(
                data.id, p.track, p.t, p.lat, p.lon, p.t, p.lat, p.lon
            )
        # no rf_astray: track_points does not keep the per-finder verdict, so the rule's
        # rf_astray_s asks nothing of a store (docs/analytics.md, step 4)
        sp.extend(p.t, p.lat, p.lon, p.identities, p.sensors, p.corroboration, bool(p.rf_beside))
        if p.sigma_h_m is not None:
            sp.add_fix(p.t, p.sigma_h_m, p.lat, p.lon)
