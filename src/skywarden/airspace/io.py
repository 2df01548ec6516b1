"""Files of the airspace stage: ``tracks.jsonl`` in, ``incidents.json`` out.

``tracks.jsonl`` holds one :class:`~skywarden.model.TrackUpdate` per line, time ordered
(docs/interfaces.md); :func:`read_scans` groups it into the scans the tracker produced
(all updates with the same time), raising :class:`~.errors.TracksFileError` with the
file and line of anything malformed or out of order. ``incidents.json`` has the top-level
``events``, ``incidents`` and ``recommendations`` lists the CLI contract names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from skywarden.airspace.errors import TracksFileError
from skywarden.geo import LocalFrame
from skywarden.ingest.rejection import Reason, Rejection
from skywarden.model import Event, Incident, InvalidRecord, Recommendation, TrackUpdate


def read_scans(
    path: str | Path, on_reject: Callable[[Rejection], None] | None = None
) -> Iterator[tuple[float, list[TrackUpdate]]]:
    """Yield (t, updates) per distinct time of a time-ordered ``tracks.jsonl``.

    A malformed line raises :class:`TracksFileError` naming the file and line, or, given
    ``on_reject``, is handed to it (to quarantine) and skipped.
    """
    src = str(path)
    cur_t: float | None = None
    batch: list[TrackUpdate] = []
    if not Path(path).is_file():
        raise TracksFileError(src, 0, "no such file")
    with Path(path).open() as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                u = _update(src, n, line)
            except _BadLine as e:
                if on_reject is None:
                    raise TracksFileError(src, n, e.detail) from None
                on_reject(Rejection(src, "tracks", e.reason, e.detail, line.rstrip("\n"), line=n))
                continue
            if cur_t is not None and u.t < cur_t:
                raise TracksFileError(src, n, f"time {u.t} goes back from {cur_t}")
            if cur_t is not None and u.t != cur_t:
                yield cur_t, batch
                batch = []
            cur_t = u.t
            batch.append(u)
    if cur_t is not None:
        yield cur_t, batch


class _BadLine(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        self.reason, self.detail = reason, detail


def _update(src: str, n: int, line: str) -> TrackUpdate:
    """One line's TrackUpdate, or :class:`_BadLine` with the reason."""
    try:
        d = json.loads(line)
    except json.JSONDecodeError as e:
        raise _BadLine(Reason.CORRUPT, f"not JSON: {e.msg}") from None
    if not isinstance(d, dict):
        raise _BadLine(Reason.CORRUPT, "not a JSON object")
    try:
        return TrackUpdate.from_dict(d)
    except KeyError as e:
        raise _BadLine(Reason.MISSING_FIELD, f"missing field {e.args[0]!r}") from None
    except InvalidRecord as e:
        why = Reason.MISSING_FIELD if e.reason == "missing" else Reason.IMPOSSIBLE_VALUE
        raise _BadLine(why, str(e)) from None
    except (TypeError, ValueError) as e:
        raise _BadLine(Reason.IMPOSSIBLE_VALUE, f"bad value: {e}") from None


def frame_for(tracks: str | Path, sector: str | Path | None = None) -> tuple[LocalFrame, list[str]]:
    """The sector frame and airports: from ``sector.json`` (given, or beside the tracks).

    Without one, the frame is centred on the first update and the airports default to
    the El Paso sector's.
    """
    cand = Path(sector) if sector else Path(tracks).with_name("sector.json")
    default_airports = ["KELP", "KBIF", "MMCS"]
    if cand.exists():
        try:
            doc = json.loads(cand.read_text())
            o = doc["origin"]
            frame = LocalFrame(float(o["lat"]), float(o["lon"]), float(o.get("alt_m", 0.0)))
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise TracksFileError(str(cand), 0, f"not a sector.json with an origin: {e}") from None
        airports = [str(a) for a in doc.get("airports", default_airports)]
        return frame, airports
    if sector:
        raise TracksFileError(str(cand), 0, "sector file not found")
    for _, ups in read_scans(tracks):
        u = ups[0]
        return LocalFrame(u.lat, u.lon, u.alt_m), default_airports
    raise TracksFileError(str(tracks), 0, "no track updates")


def write_tracks(path: str | Path, scans: Iterable[list[TrackUpdate]]) -> int:
    n = 0
    with Path(path).open("w") as fh:
        for ups in scans:
            for u in ups:
                fh.write(json.dumps(u.to_dict(), separators=(",", ":")) + "\n")
                n += 1
    return n


def output_doc(
    events: Iterable[Event],
    incidents: Iterable[Incident],
    recommendations: Iterable[Recommendation],
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``incidents.json`` document."""
    return {
        "meta": meta or {},
        "events": [e.to_dict() for e in sorted(events, key=lambda e: e.t)],
        "incidents": [i.to_dict() for i in sorted(incidents, key=lambda i: i.id)],
        "recommendations": [r.to_dict() for r in sorted(recommendations, key=lambda r: r.t_issued)],
    }


def write_output(path: str | Path, doc: dict[str, Any]) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(doc, indent=1, default=_json_default))


def _json_default(o: Any) -> Any:
    try:
        return float(o)
    except (TypeError, ValueError):
        return str(o)
