"""What an export reads: tracks, incidents, recommendations, zones and laser plans, in the
store's dict forms, from a run directory (``skywarden run --out DIR``) or the store.

Both sources give the same shapes (the API's): track points as ``store.tracks.point_dict``,
incidents as ``store.incidents.detail`` (with ``events``, ``summary``, ``lat``/``lon`` of
the last event, ``shared``), recommendations as ``store.recommendations.row_dict``, zones
as ``Zone.to_dict`` and laser plans as ``store.laser.plan_dict``. So every writer and the
partner redaction (``skywarden.service.redact``) work on one form whatever the source.

A run directory has no sharing decisions (only the operations service records them), so
its incidents are unshared unless the exporter names them (``share``): a partner export
of a run then holds exactly what the person exporting chose to share.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from skywarden.errors import SkywardenError
from skywarden.model import InvalidRecord, TrackUpdate


class ExportSourceError(SkywardenError, ValueError):
    """An export's input cannot be read; names the file (and line) and why."""


@dataclass
class ExportData:
    tracks: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    zones: list[dict[str, Any]] = field(default_factory=list)
    laser_plans: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""
    # the sector's origin (lat, lon, alt_m): the system reference point of Cartesian
    # outputs (ASTERIX I062/100); None when the source does not say
    origin: tuple[float, float, float] | None = None


def parse_time(text: str, option: str) -> float:
    """UTC seconds from epoch seconds or an ISO 8601 time (``Z`` or an offset; naive = UTC)."""
    try:
        v = float(text)
    except ValueError:
        try:
            dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ExportSourceError(
                f"{option} {text!r}: not epoch seconds or an ISO 8601 time"
            ) from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.timestamp()
    if not math.isfinite(v):
        raise ExportSourceError(f"{option} {text!r}: not finite")
    return v


def track_point(u: TrackUpdate) -> dict[str, Any]:
    """A TrackUpdate in the store's point form (what the API and the live feed carry)."""
    from skywarden.store.tracks import update_row

    d = update_row(u)
    d["velocity"] = [d.pop("ve"), d.pop("vn"), d.pop("vu")]
    return d


def _summary(inc: Mapping[str, Any]) -> str:
    """The store's summary of an incident (``store.incidents._summary``), from its dict."""
    kinds = list(dict.fromkeys(str(e["kind"]) for e in inc.get("events") or ()))
    tracks = ", ".join(str(t) for t in inc.get("tracks") or ())
    return f"{inc.get('kind')}: {', '.join(kinds) or 'no events yet'} ({tracks})"


def _incident_from_run(d: Mapping[str, Any], shared: bool) -> dict[str, Any]:
    events = [
        {k: e.get(k) for k in ("t", "kind", "track", "lat", "lon", "alt_m")}
        | {
            "attrs": {
                k: v for k, v in e.items() if k not in ("t", "kind", "track", "lat", "lon", "alt_m")
            }
        }
        for e in d.get("events") or ()
    ]
    last = events[-1] if events else None
    return {
        "id": str(d["id"]),
        "t_open": float(d["t_open"]),
        "t_updated": float(last["t"]) if last else float(d["t_open"]),
        "severity": int(d["severity"]),
        "state": str(d.get("state", "open")),
        "kind": str(d.get("kind", "incursion")),
        "tracks": list(d.get("tracks") or ()),
        "recommendations": list(d.get("recommendations") or ()),
        "lat": last["lat"] if last else None,
        "lon": last["lon"] if last else None,
        "shared": shared,
        "summary": _summary(d),
        "events": events,
    }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as e:
        raise ExportSourceError(f"{path}: cannot read ({e.strerror})") from None
    except json.JSONDecodeError as e:
        raise ExportSourceError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from None


def _read_tracks(path: Path, since: float | None, until: float | None) -> list[dict[str, Any]]:
    out = []
    try:
        fh = path.open()
    except OSError as e:
        raise ExportSourceError(f"{path}: cannot read ({e.strerror})") from None
    with fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                u = TrackUpdate.from_dict(json.loads(line))
            except json.JSONDecodeError as e:
                raise ExportSourceError(f"{path}:{n}: not JSON ({e.msg})") from None
            except KeyError as e:
                raise ExportSourceError(f"{path}:{n}: missing field {e.args[0]!r}") from None
            except (InvalidRecord, TypeError, ValueError) as e:
                raise ExportSourceError(f"{path}:{n}: {e}") from None
            if (since is None or u.t >= since) and (until is None or u.t <= until):
                out.append(track_point(u))
    return out


def _in_window(t0: float, t1: float, since: float | None, until: float | None) -> bool:
    """A span [t0, t1] overlaps the export window."""
    return (since is None or t1 >= since) and (until is None or t0 <= until)


def _incident_in_window(inc: Mapping[str, Any], since: float | None, until: float | None) -> bool:
    """An incident overlaps the window: opened before its end, and resolved (last
    changed) after its start, or not resolved at all (still going on)."""
    t1 = float(inc.get("t_updated") or inc["t_open"])
    end = t1 if inc.get("state") == "resolved" else math.inf
    return _in_window(float(inc["t_open"]), end, since, until)


def from_run_dir(
    folder: Path,
    since: float | None = None,
    until: float | None = None,
    share: Sequence[str] = (),
) -> ExportData:
    """A ``skywarden run --out`` directory; ``share`` lists incident ids (or ``all``)."""
    if not folder.is_dir():
        raise ExportSourceError(f"{folder}: not a directory")
    data = ExportData(source=f"run directory {folder}")
    tracks = folder / "tracks.jsonl"
    if tracks.is_file():
        data.tracks = _read_tracks(tracks, since, until)
    doc_path = folder / "incidents.json"
    if doc_path.is_file():
        doc = _read_json(doc_path)
        if not isinstance(doc, dict):
            raise ExportSourceError(f"{doc_path}: not a JSON object")
        everything = "all" in share
        try:
            incs = [
                _incident_from_run(d, everything or str(d["id"]) in share)
                for d in doc.get("incidents") or ()
            ]
            recs = [dict(r) for r in doc.get("recommendations") or ()]
        except (KeyError, TypeError, ValueError) as e:
            raise ExportSourceError(f"{doc_path}: malformed incident: {e}") from None
        data.incidents = [i for i in incs if _incident_in_window(i, since, until)]
        data.recommendations = [
            r for r in recs if _in_window(float(r["t_issued"]), float(r["t_expires"]), since, until)
        ]
    sector = folder / "sector.json"
    if sector.is_file():
        data.zones, data.origin = _sector_zones(sector)
    return data


def _sector_zones(path: Path) -> tuple[list[dict[str, Any]], tuple[float, float, float]]:
    """The zones a run watched: the sector's (runways, approach corridors, border buffer)."""
    from skywarden.airspace import sector_zones
    from skywarden.geo import LocalFrame

    d = _read_json(path)
    try:
        o = d["origin"]
        frame = LocalFrame(float(o["lat"]), float(o["lon"]), float(o.get("alt_m", 0.0)))
        airports = list(d.get("airports") or [])
        extent_m = float(d.get("extent_m", 30_000.0))
    except (KeyError, TypeError, ValueError) as e:
        raise ExportSourceError(f"{path}: not a sector.json with an origin ({e})") from None
    if not airports:
        from skywarden.refdata import guess_airports

        airports = guess_airports(
            frame.lat0, frame.lon0, extent_m, str(path), 'list them as "airports" in it'
        )
    zones = [z.to_dict() for z in sector_zones(frame, airports=airports)]
    return zones, (frame.lat0, frame.lon0, frame.alt0_m)


def from_store(db_url: str, since: float | None = None, until: float | None = None) -> ExportData:
    """The operations store: its history, its incidents as operators left them (shared or
    not), its zones as edited and its laser plans as filed."""
    from skywarden.store import Database
    from skywarden.store import incidents as store_incidents
    from skywarden.store import laser as store_laser
    from skywarden.store import recommendations as store_recs
    from skywarden.store import tracks as store_tracks
    from skywarden.store import zones as store_zones

    db = Database(db_url, run_migrations=False)
    try:
        with db.session() as s:
            data = ExportData(source=f"store {db.engine.url.render_as_string(hide_password=True)}")
            data.tracks = store_tracks.history(s, since, until, limit=10_000_000)
            rows = store_incidents.query(s, t1=until, limit=1_000_000)
            data.incidents = sorted(
                (
                    store_incidents.detail(s, r["id"])
                    for r in rows
                    if _incident_in_window(r, since, until)
                ),
                key=lambda i: i["t_open"],
            )
            recs = store_recs.query(s, limit=1_000_000)
            data.recommendations = [
                r for r in recs if _in_window(r["t_issued"], r["t_expires"], since, until)
            ][::-1]
            data.zones = [z.to_dict() for z in store_zones.all_zones(s)]
            data.laser_plans = store_laser.plans(s)
    finally:
        db.dispose()
    return data


def with_plan_file(data: ExportData, path: Path) -> ExportData:
    """Add a laser plan YAML (as filed: its validated spec) to what is exported."""
    from skywarden.laser import load_laser_plan

    try:
        plan = load_laser_plan(str(path))
    except Exception as e:  # LaserPlanError names the key; anything else names the file
        raise ExportSourceError(f"{path}: {e}") from None
    spec = getattr(plan, "spec", None)
    body: dict[str, Any] = spec.model_dump(mode="json") if spec is not None else {}
    entry = {"id": path.stem, "name": body.get("name", path.stem), "plan": body}
    return replace(data, laser_plans=[*data.laser_plans, entry])


def latest_recommendation(
    recs: Iterable[Mapping[str, Any]], incident: str
) -> Mapping[str, Any] | None:
    """The most recently issued recommendation of an incident."""
    mine = [r for r in recs if r.get("incident") == incident]
    return max(mine, key=lambda r: float(r.get("t_issued") or 0.0)) if mine else None
