"""Cursor-on-Target (CoT 2.0) events for TAK from tracks and incidents.

The event schema is MITRE's CoT 2.0 (``event``/``point``/``detail``); the ``type`` is the
CoT rendering of a MIL-STD-2525 symbol code, ``a-<affiliation>-<dimension>-<function>``,
as in ATAK's ``CoTtypes.xml``:

- drone: ``A-M-F-Q`` "Air / Military / Fixed wing / Drone, RPV, UAV", the one UAS air
  type the table has; affiliation ``u`` (unknown), or ``s`` (suspect) while the track is
  part of an open incident. skywarden never says ``h`` (hostile): that is a person's
  decision, and a drone being there is evidence, not a verdict (DESIGN: proportionate).
- manned: ``A-C`` "Air / Civilian"; ``n`` (neutral) when it identifies itself (ICAO
  address or callsign: a cooperative aircraft), ``u`` when it does not.
- bird: not sent (a bird on a TAK map is clutter); ``include_birds`` sends it as ``a-u-A``.
- unknown: ``a-u-A``.

``stale`` comes from the track's own update rate: three update intervals (a TAK client
then drops a track about when the tracker would coast it), between 5 s and 120 s. An
ended track is sent once with ``stale == time``, which makes TAK clients remove it.
Remarks carry the class with its probability, the identities, the incident summary and
the current recommendation with its reasons. Altitudes are metres MSL written as ``hae``
(the geoid separation is ignored, as everywhere in skywarden: see ``skywarden.geo``).

Built with pytak's CoT element helpers; TAK protobuf (TAK Protocol Version 1) with
takproto's converter from the same XML, so both encodings carry the same event.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import takproto
from takproto import functions as tak_functions

from skywarden.protocols._pytak import pytak

UID_PREFIX = "skywarden"
HOW_FUSED = "m-f"  # CoT "how": machine, fused (several sensors through the tracker)
STALE_INTERVALS = 3.0
STALE_MIN_S = 5.0
STALE_MAX_S = 120.0
DEFAULT_INTERVAL_S = 1.0
INCIDENT_TYPE = "b-m-p-s-m"  # CoT "spot map" marker: a place with a text, no platform
INCIDENT_STALE_S = 300.0
SHAPE_TYPE = "u-d-f"  # CoT "drawing, freehand": a polygon of link points
LATLON_DECIMALS = 7  # ~1 cm: pytak's default of 4 (11 m) is too coarse for a drone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

TYPE_DRONE = "a-{aff}-A-M-F-Q"
TYPE_MANNED = "a-{aff}-A-C"
TYPE_UNKNOWN = "a-u-A"


def cot_time(t: float) -> str:
    """UTC seconds since the epoch as the W3C dateTime CoT uses, to the nearest
    millisecond (cutting the microseconds off would be up to 1 ms early)."""
    at = datetime.fromtimestamp(round(t * 1000.0) / 1000.0, UTC)
    return at.strftime(pytak.W3C_XML_DATETIME)[:-4] + "Z"


def cot_ms(text: str) -> int | None:
    """A CoT dateTime as whole milliseconds since the epoch, in integer arithmetic
    (None if it is not an ISO 8601 time with its zone, as ``cot_time`` writes)."""
    try:
        at = datetime.fromisoformat(text)  # "...Z" is UTC (Python 3.11)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return (at - EPOCH) // timedelta(milliseconds=1)


def track_uid(track: str) -> str:
    return f"{UID_PREFIX}-track-{track}"


def incident_uid(incident: str) -> str:
    return f"{UID_PREFIX}-incident-{incident}"


def _identified(track: Mapping[str, Any]) -> bool:
    ids = track.get("identities") or ()
    return bool(track.get("callsign")) or any(str(i).startswith("icao:") for i in ids)


def cot_type(
    track: Mapping[str, Any], *, in_incident: bool = False, include_birds: bool = False
) -> str | None:
    """The CoT type of a track point (``cls`` is its best class), None when not sent."""
    cls = track.get("cls") or "unknown"
    if cls == "drone":
        return TYPE_DRONE.format(aff="s" if in_incident else "u")
    if cls == "manned":
        return TYPE_MANNED.format(aff="n" if _identified(track) else "u")
    if cls == "bird":
        return TYPE_UNKNOWN if include_birds else None
    return TYPE_UNKNOWN


def stale_after_s(interval_s: float | None) -> float:
    """Seconds a track event stays fresh: three update intervals, within [5, 120] s."""
    dt = interval_s if interval_s and math.isfinite(interval_s) else DEFAULT_INTERVAL_S
    return min(STALE_MAX_S, max(STALE_MIN_S, STALE_INTERVALS * dt))


def speed_course(velocity: Sequence[float] | None) -> tuple[float, float] | None:
    """Ground speed (m/s) and course (degrees true) from an (east, north, up) velocity."""
    if not velocity or len(velocity) < 2 or velocity[0] is None or velocity[1] is None:
        return None
    ve, vn = float(velocity[0]), float(velocity[1])
    return math.hypot(ve, vn), math.degrees(math.atan2(ve, vn)) % 360.0


def recommendation_text(rec: Mapping[str, Any] | None) -> str | None:
    if not rec:
        return None
    reasons = "; ".join(str(r) for r in rec.get("reasons") or ())
    until = f" until {cot_time(float(rec['t_expires']))}" if rec.get("t_expires") else ""
    return f"recommend {rec.get('action')}{until}" + (f": {reasons}" if reasons else "")


def incident_text(inc: Mapping[str, Any] | None) -> str | None:
    if not inc:
        return None
    summary = inc.get("summary") or inc.get("kind") or ""
    return f"incident {inc['id']} severity {inc.get('severity')} {inc.get('state')}: {summary}"


def track_remarks(
    track: Mapping[str, Any],
    incident: Mapping[str, Any] | None = None,
    recommendation: Mapping[str, Any] | None = None,
) -> str:
    probs = track.get("class_probs") or {}
    cls = track.get("cls") or "unknown"
    p = probs.get(cls)
    what = f"{cls} p={float(p):.2f}" if p is not None else str(cls)
    ids = ", ".join(str(i) for i in track.get("identities") or ())
    return pytak.remarks_text(
        [
            f"skywarden track {track['track']} ({track.get('status')}): {what}",
            f"identities: {ids}" if ids else None,
            incident_text(incident),
            recommendation_text(recommendation),
        ],
        separator=" | ",
    )


def _event(
    uid: str,
    cot: str,
    t: float,
    stale_s: float,
    lat: float,
    lon: float,
    hae: float | None,
    detail: ET.Element,
) -> ET.Element:
    point = pytak.cot_point(lat, lon, None, hae, None, precision=LATLON_DECIMALS)
    ev = pytak.cot_event(uid=uid, cot_type=cot, how=HOW_FUSED, point=point, detail=detail)
    # pytak stamps events with the wall clock; a track's event is about the track's time
    # (a replay or an export must say when the aircraft was there, not when we sent it).
    ev.set("time", cot_time(t))
    ev.set("start", cot_time(t))
    ev.set("stale", cot_time(t + stale_s))
    return ev


def track_event(
    track: Mapping[str, Any],
    *,
    incident: Mapping[str, Any] | None = None,
    recommendation: Mapping[str, Any] | None = None,
    interval_s: float | None = None,
    include_birds: bool = False,
) -> ET.Element | None:
    """One CoT event for a track point (store/bus point form), None if not sent.

    ``incident`` is the open incident the track belongs to (its summary goes into the
    remarks and makes a drone ``suspect``); ``interval_s`` the time since the track's
    previous update, which sets ``stale``.
    """
    in_incident = incident is not None and incident.get("state") != "resolved"
    cot = cot_type(track, in_incident=in_incident, include_birds=include_birds)
    if cot is None:
        return None
    detail = pytak.cot_detail(flow_tag=False)
    contact = ET.SubElement(detail, "contact")
    contact.set("callsign", str(track.get("callsign") or f"SW-{track['track']}"))
    sc = speed_course(track.get("velocity"))
    if sc is not None:
        el = ET.SubElement(detail, "track")
        el.set("speed", f"{sc[0]:.2f}")
        el.set("course", f"{sc[1]:.1f}")
    pytak.add_remarks(detail, [track_remarks(track, incident, recommendation)])
    t = float(track["t"])
    stale = 0.0 if track.get("status") == "ended" else stale_after_s(interval_s)
    alt = track.get("alt_m")
    return _event(
        track_uid(str(track["track"])),
        cot,
        t,
        stale,
        float(track["lat"]),
        float(track["lon"]),
        None if alt is None else float(alt),
        detail,
    )


def incident_event(
    incident: Mapping[str, Any], recommendation: Mapping[str, Any] | None = None
) -> ET.Element | None:
    """A spot-map marker at the incident's last position, None if it has no position.

    Stale when its recommendation expires (or 5 minutes after its last change); a
    resolved incident is sent stale at once, so TAK clients remove its marker.
    """
    if incident.get("lat") is None or incident.get("lon") is None:
        return None
    t = float(incident.get("t_updated") or incident["t_open"])
    if incident.get("state") == "resolved":
        stale = 0.0
    elif recommendation and recommendation.get("t_expires"):
        stale = max(STALE_MIN_S, float(recommendation["t_expires"]) - t)
    else:
        stale = INCIDENT_STALE_S
    detail = pytak.cot_detail(flow_tag=False)
    contact = ET.SubElement(detail, "contact")
    contact.set("callsign", f"SW incident {incident['id']}")
    tracks = ", ".join(str(x) for x in incident.get("tracks") or ())
    pytak.add_remarks(
        detail,
        [
            incident_text(incident),
            f"tracks: {tracks}" if tracks else None,
            recommendation_text(recommendation),
        ],
        separator=" | ",
    )
    return _event(
        incident_uid(str(incident["id"])),
        INCIDENT_TYPE,
        t,
        stale,
        float(incident["lat"]),
        float(incident["lon"]),
        None,
        detail,
    )


def shape_event(
    uid: str,
    name: str,
    ring: Sequence[tuple[float, float]],
    t: float,
    stale_s: float,
    remarks: str,
) -> ET.Element:
    """A closed polygon (a zone, a laser hazard footprint) as a TAK drawing (``u-d-f``):
    its vertices are ``link`` elements with ``point="lat,lon"``, the event's point is
    the first vertex."""
    detail = pytak.cot_detail(flow_tag=False)
    for lon, lat in ring:
        ET.SubElement(detail, "link").set("point", f"{lat:.7f},{lon:.7f}")
    ET.SubElement(detail, "contact").set("callsign", name)
    pytak.add_remarks(detail, [remarks])
    lon0, lat0 = ring[0]
    return _event(uid, SHAPE_TYPE, t, stale_s, lat0, lon0, None, detail)


def to_xml(event: ET.Element) -> bytes:
    """The event as CoT XML bytes with the XML declaration TAK clients expect."""
    return bytes(pytak.serialize_cot(event))


def to_tak_proto(event: ET.Element, *, stream: bool = False) -> bytes:
    """The event as TAK Protocol Version 1 protobuf: mesh framing (UDP) or stream (TCP).

    takproto turns the event's times into milliseconds through a float and truncates
    (``int(timestamp() * 1000)``), a millisecond short for some 1 time in 300; the
    three times are set again here from the event's own strings, exactly.
    """
    ver = takproto.TAKProtoVer.STREAM if stream else takproto.TAKProtoVer.MESH
    msg = tak_functions.xml2message(to_xml(event))
    for attr, name in (("time", "sendTime"), ("start", "startTime"), ("stale", "staleTime")):
        ms = cot_ms(event.get(attr) or "")
        if ms is not None:
            setattr(msg.cotEvent, name, ms)
    return bytes(tak_functions.msg2proto(msg, ver))
