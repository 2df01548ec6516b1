"""Reading a run directory, a month directory or a store into :class:`.Material`.

- A **run directory** is what ``skywarden run`` writes: ``incidents.json`` (events,
  incidents, recommendations, ``meta``), ``sector.json`` (start, duration) and
  ``tracks.jsonl``. Its sensors come from the scenario it ran (``scenario.yaml`` beside
  it, or the path in ``incidents.json``'s ``meta.scenario``).
- A **month directory** (docs/month.md of the month simulation) holds ``border.json``
  and ``sectors/<ID>/``, one run directory per sector; sector ``ID`` qualifies its
  track ids (``S03/T000022``), which are only unique within a sector.
- A **store** is a database URL (``sqlite:///...``, ``postgresql://...``) or a path to a
  SQLite ``.db`` file: the service's events, incidents, recommendations, track points and
  sensors tables, read only.

Anything else is refused with a :class:`SourceError` saying what was expected.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from skywarden.analytics.material import (
    CrossingEvent,
    Material,
    PointEvent,
    SectorData,
    SensorSite,
    TrackSpan,
)
from skywarden.errors import SkywardenError

STORE_PREFIXES = ("sqlite:", "postgresql:", "postgres:", "postgresql+psycopg:")
BEHAVIOUR_KINDS = ("drop", "loiter")


class SourceError(SkywardenError, ValueError):
    """The source is neither a run directory, a month directory nor a store, or is broken."""


def is_store(source: str | Path) -> bool:
    s = str(source)
    return s.startswith(STORE_PREFIXES) or (
        Path(s).is_file() and Path(s).suffix in {".db", ".sqlite", ".sqlite3"}
    )


def load(source: str | Path) -> Material:
    """Read ``source`` (run dir, month dir or store URL) into :class:`Material`."""
    s = str(source)
    if is_store(s):
        url = s if s.startswith(STORE_PREFIXES) else f"sqlite:///{Path(s).resolve()}"
        return _load_store(url, s)
    p = Path(s)
    if not p.exists():
        raise SourceError(
            f"{s}: no such file or directory (give a run directory, a month "
            "directory or a store URL such as sqlite:///out/skywarden.db)"
        )
    if p.is_dir() and (p / "incidents.json").is_file():
        return Material(s, "run", [_load_run(p, _sector_id(p))])
    if p.is_dir() and ((p / "border.json").is_file() or (p / "sectors").is_dir()):
        return _load_month(p)
    raise SourceError(
        f"{s}: not a run directory (no incidents.json), a month directory (no border.json "
        "or sectors/) nor a store (sqlite:///FILE, postgresql://...)"
    )


# --------------------------------------------------------------------------- run directory


def _sector_id(run: Path) -> str:
    doc = _json(run / "sector.json", required=False)
    name = doc.get("name") if isinstance(doc, dict) else None
    return str(name or run.name)


def _json(path: Path, *, required: bool = True) -> Any:
    if not path.is_file():
        if required:
            raise SourceError(f"{path}: missing")
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: not readable JSON ({e})") from None


def _float(d: dict[str, Any], key: str, where: str) -> float:
    try:
        v = float(d[key])
    except (KeyError, TypeError, ValueError):
        raise SourceError(f"{where}: {key!r} missing or not a number") from None
    if not math.isfinite(v):
        raise SourceError(f"{where}: {key!r} not finite")
    return v


def _load_run(run: Path, sector: str, sensors_doc: Any = None) -> SectorData:
    doc = _json(run / "incidents.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("events", []), list):
        raise SourceError(f"{run / 'incidents.json'}: not an incidents.json (no events list)")
    meta = doc.get("meta") or {}
    sec = _json(run / "sector.json", required=False)
    data = SectorData(id=sector, airports=[str(a) for a in meta.get("airports", [])])
    where = str(run / "incidents.json")
    for i, ev in enumerate(doc.get("events", [])):
        _take_event(data, ev, f"{where}: events[{i}]")
    for i, inc in enumerate(doc.get("incidents", [])):
        data.incident_kinds.append(
            (_float(inc, "t_open", f"{where}: incidents[{i}]"), str(inc.get("kind", "?")))
        )
    data.recommendations = [dict(r) for r in doc.get("recommendations", [])]
    if isinstance(sec, dict) and "start_t" in sec:
        data.start = _float(sec, "start_t", str(run / "sector.json"))
        data.end = data.start + float(sec.get("duration_s", 0.0))
    wanted = {c.track for c in data.crossings}
    tracks = run / "tracks.jsonl"
    if tracks.is_file() and wanted:
        data.spans = read_spans(tracks, wanted, sector)
    _attach_sensors(data, run, meta, sensors_doc)
    if data.start is None:
        ts = [c.t for c in data.crossings] + [p.t for p in data.points]
        data.start, data.end = (min(ts), max(ts)) if ts else (None, None)
    return data


def _take_event(data: SectorData, ev: Any, where: str) -> None:
    if not isinstance(ev, dict):
        raise SourceError(f"{where}: not an object")
    kind = ev.get("kind")
    if kind == "border_crossing":
        data.crossings.append(
            CrossingEvent(
                data.id,
                str(ev.get("track", "")),
                _float(ev, "t", where),
                _float(ev, "lat", where),
                _float(ev, "lon", where),
                float(ev.get("alt_m") or 0.0),
                str(ev.get("direction", "northbound")),
            )
        )
    elif kind in BEHAVIOUR_KINDS:
        data.points.append(
            PointEvent(
                str(kind),
                data.id,
                str(ev.get("track", "")),
                _float(ev, "t", where),
                _float(ev, "lat", where),
                _float(ev, "lon", where),
            )
        )


class _SpanLine(msgspec.Struct):
    """The few fields of a ``tracks.jsonl`` line analytics needs."""

    t: float
    track: str
    lat: float
    lon: float
    identities: list[str] = []
    sensors: list[str] = []


_SPAN_DECODER = msgspec.json.Decoder(_SpanLine)


def read_spans(path: Path, wanted: set[str], sector: str) -> dict[str, TrackSpan]:
    """The spans of the ``wanted`` tracks in a ``tracks.jsonl`` (other lines skipped unread:
    a line is decoded only when one of the wanted ids appears in it)."""
    needles = {f'"track":"{w}"'.encode(): w for w in wanted}
    spans: dict[str, TrackSpan] = {}
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            i = raw.find(b'"track":"')
            if i < 0:
                continue
            j = raw.find(b'"', i + 9)
            if raw[i : j + 1] not in needles:
                continue
            try:
                u = _SPAN_DECODER.decode(raw)
            except msgspec.DecodeError as e:
                raise SourceError(f"{path}:{n}: not a track update ({e})") from None
            sp = spans.get(u.track)
            if sp is None:
                sp = spans[u.track] = TrackSpan(
                    sector, u.track, u.t, u.lat, u.lon, u.t, u.lat, u.lon
                )
            sp.extend(u.t, u.lat, u.lon, u.identities, u.sensors)
    return spans


def _attach_sensors(data: SectorData, run: Path, meta: dict[str, Any], doc: Any) -> None:
    """The sector's sensors, origin and extent from its scenario (or a month's list)."""
    from skywarden.sim import ScenarioError, load_scenario

    cands = [run / "scenario.yaml", run / "scenario.yml"]
    if meta.get("scenario"):
        p = Path(str(meta["scenario"]))
        cands += [p, run / p.name] if p.is_absolute() else [p, run / p, run / p.name]
    scn_path = next((c for c in cands if c.is_file()), None)
    if scn_path is not None:
        try:
            scn = load_scenario(scn_path)
        except (ScenarioError, OSError) as e:
            raise SourceError(f"{scn_path}: the run's scenario does not load ({e})") from None
        o = scn.sector.origin
        data.origin = (o.lat, o.lon)
        data.extent_m = scn.sector.extent_m
        data.ground_alt_m = scn.sector.ground_alt_m
        data.sensors = [_site(s.model_dump()) for s in scn.sensors]
    if doc is not None:
        data.sensors = [_site(dict(s)) for s in doc.get("sensors", [])] or data.sensors
        if "origin" in doc:
            data.origin = (float(doc["origin"]["lat"]), float(doc["origin"]["lon"]))
        if "extent_m" in doc:
            data.extent_m = float(doc["extent_m"])
        if "ground_alt_m" in doc:
            data.ground_alt_m = float(doc["ground_alt_m"])


def _site(d: dict[str, Any]) -> SensorSite:
    try:
        site = d["site"]
        return SensorSite(
            str(d["id"]),
            str(d["kind"]),
            float(site["lat"]),
            float(site["lon"]),
            float(site.get("alt_m", 0.0)),
            {k: v for k, v in d.items() if k not in {"id", "kind", "site"}},
        )
    except (KeyError, TypeError, ValueError) as e:
        raise SourceError(f"sensor {d.get('id', '?')!r}: needs id, kind and site ({e})") from None


# --------------------------------------------------------------------------- month directory


def _load_month(month: Path) -> Material:
    border = _json(month / "border.json", required=False)
    listed = {}
    if isinstance(border, dict):
        for s in border.get("sectors", []) or []:
            if isinstance(s, dict) and "id" in s:
                listed[str(s["id"])] = s
    root = month / "sectors"
    dirs = sorted(d for d in root.iterdir() if d.is_dir()) if root.is_dir() else []
    if not dirs:
        raise SourceError(f"{month}: a month directory needs sectors/<ID>/ run directories")
    sectors, notes = [], []
    for d in dirs:
        if not (d / "incidents.json").is_file():
            notes.append(f"sector {d.name}: no incidents.json, left out")
            continue
        entry = listed.get(d.name)
        doc = None
        if entry is not None and ("sensors" in entry or "origin" in entry):
            doc = entry
        elif entry is not None and entry.get("scenario"):
            doc = _scenario_doc(month, str(entry["scenario"]))
        sectors.append(_load_run(d, d.name, doc))
    return Material(str(month), "month", sectors, notes)


def _scenario_doc(month: Path, scenario: str) -> dict[str, Any] | None:
    from skywarden.sim import ScenarioError, load_scenario

    p = Path(scenario)
    p = p if p.is_absolute() or p.is_file() else month / p
    if not p.is_file():
        return None
    try:
        scn = load_scenario(p)
    except (ScenarioError, OSError) as e:
        raise SourceError(f"{p}: scenario does not load ({e})") from None
    o = scn.sector.origin
    return {
        "sensors": [s.model_dump() for s in scn.sensors],
        "origin": {"lat": o.lat, "lon": o.lon},
        "extent_m": scn.sector.extent_m,
        "ground_alt_m": scn.sector.ground_alt_m,
    }


# --------------------------------------------------------------------------- store


def _load_store(url: str, shown: str) -> Material:
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from skywarden.store import Database, StoreConfigError
    from skywarden.store.recommendations import row_dict
    from skywarden.store.schema import (
        EventRow,
        IncidentRow,
        RecommendationRow,
        SensorRow,
        TrackPoint,
    )

    try:
        db = Database(url)
    except (StoreConfigError, SQLAlchemyError, OSError) as e:
        raise SourceError(f"{shown}: cannot open the store ({e})") from None
    data = SectorData(id="store")
    try:
        with db.session() as s:
            for i, ev in enumerate(
                s.scalars(
                    select(EventRow)
                    .where(EventRow.kind.in_(("border_crossing", *BEHAVIOUR_KINDS)))
                    .order_by(EventRow.t)
                )
            ):
                d = {
                    **(ev.attrs or {}),
                    "kind": ev.kind,
                    "t": ev.t,
                    "track": ev.track,
                    "lat": ev.lat,
                    "lon": ev.lon,
                    "alt_m": ev.alt_m,
                }
                _take_event(data, d, f"{shown}: events row {i + 1}")
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


def _take_points(data: SectorData, rows: Iterable[Any]) -> None:
    for p in rows:
        sp = data.spans.get(p.track)
        if sp is None:
            sp = data.spans[p.track] = TrackSpan(
                data.id, p.track, p.t, p.lat, p.lon, p.t, p.lat, p.lon
            )
        sp.extend(p.t, p.lat, p.lon, p.identities, p.sensors)
