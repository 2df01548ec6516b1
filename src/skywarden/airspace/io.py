"""Files of the airspace stage: ``tracks.jsonl`` in, ``incidents.json`` out.

``tracks.jsonl`` holds one :class:`~skywarden.model.TrackUpdate` per line, time ordered
(docs/interfaces.md); :func:`read_scans` groups it into the scans the tracker produced
(all updates with the same time), raising :class:`~.errors.TracksFileError` with the
file and line of anything malformed or out of order. ``incidents.json`` has the top-level
``events``, ``incidents`` and ``recommendations`` lists the CLI contract names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from skywarden import jsonl, refdata
from skywarden.airspace.errors import TracksFileError
from skywarden.errors import warn_guess
from skywarden.geo import LocalFrame
from skywarden.jsonl import Rejection
from skywarden.model import Event, Incident, Recommendation, TrackUpdate


def read_scans(
    path: str | Path, on_reject: Callable[[Rejection], None] | None = None
) -> Iterator[tuple[float, list[TrackUpdate]]]:
    """Yield (t, updates) per distinct time of a time-ordered ``tracks.jsonl``.

    A malformed line raises :class:`TracksFileError` naming the file and line, or, given
    ``on_reject``, is handed to it (to quarantine) and skipped. Time going back is always
    an error: the file is not a tracker's output.
    """
    src = str(path)
    if not Path(path).is_file():
        raise TracksFileError(src, 0, "no such file")
    cur_t: float | None = None
    batch: list[TrackUpdate] = []
    for item in jsonl.read_jsonl(path, TrackUpdate.from_dict, fmt="tracks"):
        if isinstance(item, Rejection):
            if on_reject is None:
                raise TracksFileError(src, item.line or 0, item.detail)
            on_reject(item)
            continue
        u = item.record
        if cur_t is not None and u.t < cur_t:
            raise TracksFileError(src, item.n, f"time {u.t} goes back from {cur_t}")
        if cur_t is not None and u.t != cur_t:
            yield cur_t, batch
            batch = []
        cur_t = u.t
        batch.append(u)
    if cur_t is not None:
        yield cur_t, batch


#: Without a sector file, the airports within this distance of the guessed origin are
#: the sector's: the usual half-width of a sector (``sector.json``'s ``extent_m``).
GUESS_RADIUS_M = 30_000.0


def frame_for(
    tracks: str | Path,
    sector: str | Path | None = None,
    airports: Sequence[str] | None = None,
) -> tuple[LocalFrame, list[str]]:
    """The sector frame and airports: from ``sector.json`` (given, or beside the tracks).

    ``airports`` (``--airports``) overrides the sector's. Without a sector file the
    frame is centred on the first update and the airports are those with runway data
    near it; each guess is announced once with a :class:`~skywarden.errors.GuessWarning`
    naming ``--sector`` (and ``--airports``).
    """
    cand = Path(sector) if sector else Path(tracks).with_name("sector.json")
    if cand.exists():
        try:
            doc = json.loads(cand.read_text())
            o = doc["origin"]
            frame = LocalFrame(float(o["lat"]), float(o["lon"]), float(o.get("alt_m", 0.0)))
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise TracksFileError(str(cand), 0, f"not a sector.json with an origin: {e}") from None
        if airports is not None:
            return frame, list(airports)
        if "airports" in doc:
            return frame, [str(a) for a in doc["airports"]]
        return frame, _guess_airports(frame, str(cand), "add \"airports\" to it or give --airports")
    if sector:
        raise TracksFileError(str(cand), 0, "sector file not found")
    for _, ups in read_scans(tracks):
        u = ups[0]
        frame = LocalFrame(u.lat, u.lon, u.alt_m)
        guessed = f"frame origin guessed at the first track update ({u.lat:.4f}, {u.lon:.4f}"
        guessed += f", {u.alt_m:.0f} m)"
        if airports is None:
            airports = refdata.airports_near(u.lat, u.lon, GUESS_RADIUS_M)
            guessed += f" and airports as {', '.join(airports) or 'none'} (runway data within"
            guessed += f" {GUESS_RADIUS_M / 1000:g} km of it)"
        warn_guess(f"{tracks}: no sector.json beside it: {guessed}; give --sector sector.json")
        return frame, list(airports)
    raise TracksFileError(str(tracks), 0, "no track updates")


def _guess_airports(frame: LocalFrame, where: str, how: str) -> list[str]:
    return refdata.guess_airports(frame.lat0, frame.lon0, GUESS_RADIUS_M, where, how)


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
