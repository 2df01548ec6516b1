"""Reading one run directory (``skywarden run``'s output, or a month's sector) into
a :class:`.SectorData`.

A run directory holds ``incidents.json`` (events, incidents, recommendations, ``meta``),
``sector.json`` (start, duration) and ``tracks.jsonl`` (or ``tracks.jsonl.gz``); a month's
sector adds ``windows.json`` (the simulated spans and their weights). The sensors come
from the scenario the run ran (``scenario.yaml`` beside it, or ``meta.scenario``) or, in
a month, from the sector's ``border.json`` entry.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from pathlib import Path
from typing import Any

import msgspec

from skywarden.analytics.material import (
    CrossingEvent,
    Detections,
    PointEvent,
    SectorData,
    SensorSite,
    TrackSpan,
)
from skywarden.errors import SkywardenError
from skywarden.geo import horizontal_sigma_m

BEHAVIOUR_KINDS = ("drop", "loiter")


class SourceError(SkywardenError, ValueError):
    """The source is neither a run directory, a month directory nor a store, or is broken."""


def sector_id(run: Path) -> str:
    """A run's sector name (``sector.json``'s, else the directory's)."""
    doc = read_json(run / "sector.json", required=False)
    name = doc.get("name") if isinstance(doc, dict) else None
    return str(name or run.name)


def read_json(path: Path, *, required: bool = True) -> Any:
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


def load_run(run: Path, sector: str, entry: dict[str, Any] | None = None) -> SectorData:
    """One run directory as one sector; ``entry`` is its month ``border.json`` entry."""
    doc = read_json(run / "incidents.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("events", []), list):
        raise SourceError(f"{run / 'incidents.json'}: not an incidents.json (no events list)")
    meta = doc.get("meta") or {}
    sec = read_json(run / "sector.json", required=False)
    data = SectorData(id=sector, airports=[str(a) for a in meta.get("airports", [])])
    data.windows = _windows(run / "windows.json")
    where = str(run / "incidents.json")
    for i, ev in enumerate(doc.get("events", [])):
        take_event(data, ev, f"{where}: events[{i}]")
    for i, inc in enumerate(doc.get("incidents", [])):
        data.incident_kinds.append(
            (_float(inc, "t_open", f"{where}: incidents[{i}]"), str(inc.get("kind", "?")))
        )
    data.recommendations = [dict(r) for r in doc.get("recommendations", [])]
    if isinstance(sec, dict) and "start_t" in sec:
        data.start = _float(sec, "start_t", str(run / "sector.json"))
        data.end = data.start + float(sec.get("duration_s", 0.0))
    data.feed_starts = feed_starts(data.windows) or ([] if data.start is None else [data.start])
    wanted = {c.track for c in data.crossings}
    tracks = next((run / n for n in TRACK_FILES if (run / n).is_file()), None)
    if tracks is not None and wanted:
        data.spans = read_spans(tracks, wanted, sector)
    found = next((run / n for n in DETECTION_FILES if (run / n).is_file()), None)
    data.detections = Detections(found) if found is not None else None
    if entry is not None:
        sectors_from_entry(data, entry)
    else:
        _attach_scenario(data, run, meta)
    if data.start is None:
        ts = [c.t for c in data.crossings] + [p.t for p in data.points]
        data.start, data.end = (min(ts), max(ts)) if ts else (None, None)
    return data


#: Where a run keeps its track updates (a month writes them compressed).
TRACK_FILES = ("tracks.jsonl", "tracks.jsonl.gz")
#: ... and its detections (read only when the count asks: ``rf_behind_s``)
DETECTION_FILES = ("detections.jsonl.gz", "detections.jsonl")


def _windows(path: Path) -> list[tuple[float, float, float]]:
    """A month sector's simulated windows: (start, end, weight)."""
    doc = read_json(path, required=False)
    out = []
    for i, w in enumerate(doc.get("windows", []) if isinstance(doc, dict) else []):
        where = f"{path}: windows[{i}]"
        out.append(
            (_float(w, "start_t", where), _float(w, "end_t", where), float(w.get("weight", 1.0)))
        )
    return out


def feed_starts(windows: list[tuple[float, float, float]]) -> list[float]:
    """Where each simulated run of a month sector began: windows that touch (one ends
    where the next starts, within a scan) are one continuous simulation, docs/month.md."""
    out: list[float] = []
    end: float | None = None
    for a, b, _ in sorted(windows):
        if end is None or a - end > FEED_TOUCH_S:
            out.append(a)
        end = b if end is None else max(end, b)
    return out


#: windows this close are one run (a scan: the simulator steps every second)
FEED_TOUCH_S = 1.0


def take_event(data: SectorData, ev: Any, where: str) -> None:
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
                data.weight_at(float(ev["t"])),
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
                data.weight_at(float(ev["t"])),
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
    corroboration: list[str] | None = None
    cov: list[list[float]] | None = None
    rf_beside: bool = False
    #: the finders whose fitted bearings did not follow the track at this update (the
    #: tracker's per-finder verdict; absent when none, or when the tracker ran without it)
    rf_astray: list[str] = []


_SPAN_DECODER = msgspec.json.Decoder(_SpanLine)
_TRACK_ID = re.compile(rb'"track"\s*:\s*"([^"]*)"')


def read_spans(path: Path, wanted: set[str], sector: str) -> dict[str, TrackSpan]:
    """The spans of the ``wanted`` tracks in a ``tracks.jsonl`` (other lines skipped: a
    line is decoded only when its ``track`` is one of the wanted ids)."""
    names = {w.encode() for w in wanted}
    spans: dict[str, TrackSpan] = {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            m = _TRACK_ID.search(raw)
            if m is None or m.group(1) not in names:
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
            sp.extend(
                u.t,
                u.lat,
                u.lon,
                u.identities,
                u.sensors,
                u.corroboration,
                u.rf_beside,
                u.rf_astray,
            )
            if u.cov is not None:
                sp.add_fix(u.t, horizontal_sigma(u.cov, f"{path}:{n}"), u.lat, u.lon)
    return spans


def horizontal_sigma(cov: list[list[float]], where: str) -> float:
    """:func:`skywarden.geo.horizontal_sigma_m` of a line's covariance, or a clear error."""
    try:
        return horizontal_sigma_m(cov)
    except (IndexError, TypeError, ValueError):
        raise SourceError(f"{where}: the covariance is not a 2x2 or larger matrix") from None


def _attach_scenario(data: SectorData, run: Path, meta: dict[str, Any]) -> None:
    """The run's sensors, origin and extent from its scenario, if it can be found."""
    from skywarden.sim import ScenarioError, load_scenario

    cands = [run / "scenario.yaml", run / "scenario.yml"]
    if meta.get("scenario"):
        p = Path(str(meta["scenario"]))
        cands += [p, run / p.name] if p.is_absolute() else [p, run / p, run / p.name]
    scn_path = next((c for c in cands if c.is_file()), None)
    if scn_path is None:
        return
    try:
        scn = load_scenario(scn_path)
    except (ScenarioError, OSError) as e:
        raise SourceError(f"{scn_path}: the run's scenario does not load ({e})") from None
    o = scn.sector.origin
    data.origin = (o.lat, o.lon)
    data.extent_m = scn.sector.extent_m
    data.ground_alt_m = scn.sector.ground_alt_m
    data.sensors = [_site(sc.model_dump()) for sc in scn.sensors]


def sectors_from_entry(data: SectorData, entry: dict[str, Any]) -> None:
    """A month sector's place, stretch, rate weight and sensors from its border.json entry."""
    where = f"border.json sector {data.id!r}"
    try:
        if "origin" in entry:
            data.origin = (float(entry["origin"]["lat"]), float(entry["origin"]["lon"]))
        if entry.get("extent_m") is not None:
            data.extent_m = float(entry["extent_m"])
        if entry.get("ground_alt_m") is not None:
            data.ground_alt_m = float(entry["ground_alt_m"])
        if entry.get("stretch_km") is not None:
            a, b = entry["stretch_km"]
            data.stretch_km = (float(a), float(b))
        data.rate_weight = float(entry.get("rate_weight_per_km", 1.0))
        data.sensed = bool(entry.get("sensed", True))
    except (KeyError, TypeError, ValueError) as e:
        raise SourceError(f"{where}: {e}") from None
    sensors = entry.get("sensors")
    if sensors is None and isinstance(entry.get("scenario"), dict):
        sensors = entry["scenario"].get("sensors")
    data.sensors = [_site(dict(x)) for x in sensors or [] if x.get("kind") != "adsb"]


def _site(d: dict[str, Any]) -> SensorSite:
    """A sensor from a scenario entry (``site: {lat, lon, alt_m}``) or a flat one."""
    try:
        site = d.get("site") or d
        return SensorSite(
            str(d["id"]),
            str(d["kind"]),
            float(site["lat"]),
            float(site["lon"]),
            float(site.get("alt_m", 0.0)),
            {k: v for k, v in d.items() if k not in {"id", "kind", "site", "lat", "lon"}},
        )
    except (KeyError, TypeError, ValueError) as e:
        raise SourceError(f"sensor {d.get('id', '?')!r}: needs id, kind and site ({e})") from None
