"""Network Remote ID: ASTM F3411 display-provider JSON, versions v19 and v22a.

What a Display Provider gets from Service Providers: ``GetFlightsResponse``
(``{"timestamp", "flights": [RIDFlight...]}``) and ``GetFlightDetailsResponse``
(``{"details": RIDFlightDetails}``), or single ``RIDFlight`` objects. A file holds one
JSON document, or one document per line (JSON Lines, the usual way to record a poll
loop). Parsed and validated with the ``uas-standards`` types (``implicitdict``), so a
missing required field or a wrong type is reported with its path.

Version: v22a writes times as ``{"value": RFC3339, "format": "RFC3339"}`` and groups
identities under ``uas_id``; v19 writes times as RFC3339 strings and has
``serial_number``/``registration_number`` on the details. Both are read.

Each flight's ``current_state`` becomes one Detection: ``position.alt`` is geodetic
(WGS84 ellipsoid) metres, labelled ``geodetic_wgs84``; ``pressure_altitude`` is used,
labelled ``pressure``, when alt is the v22a "unknown" -1000. ``track`` 361, ``speed``
255 and ``vertical_speed`` 63 mean unknown. Accuracy enumerations (``HA10m``,
``VA3m``, ``SA1mps``...) become the covariance (bound = 2 sigma) and velocity sigma.
Flight details (serial number, session ID, operator position) seen in the same stream
are attached to later detections of the same flight id. ``recent_positions`` are not
re-emitted: they repeat earlier polls' current states.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from implicitdict import ImplicitDict
from uas_standards.astm.f3411.v19 import api as v19
from uas_standards.astm.f3411.v22a import api as v22a

from skywarden.ingest.base import RAW_PREVIEW_CHARS, Item, LineParser, bounded_json
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Detection, Identity, Position, SensorKind

HORIZONTAL_M = {
    "HA10NM": 18520.0,
    "HA4NM": 7408.0,
    "HA2NM": 3704.0,
    "HA1NM": 1852.0,
    "HA05NM": 926.0,
    "HA03NM": 555.6,
    "HA01NM": 185.2,
    "HA005NM": 92.6,
    "HA30m": 30.0,
    "HA10m": 10.0,
    "HA3m": 3.0,
    "HA1m": 1.0,
}
VERTICAL_M = {
    "VA150m": 150.0,
    "VA45m": 45.0,
    "VA25m": 25.0,
    "VA10m": 10.0,
    "VA3m": 3.0,
    "VA1m": 1.0,
}
SPEED_MS = {"SA10mps": 10.0, "SA3mps": 3.0, "SA1mps": 1.0, "SA03mps": 0.3}

#: A GetFlightsResponse line may carry hundreds of flights (~1 kB each) with their
#: recent positions: 4 MiB per line, far above a real poll and far below memory trouble.
MAX_LINE_BYTES = 4 * 1024 * 1024
#: A whole (pretty-printed) document is read into memory before parsing: 64 MiB.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: F3411 objects nest about 6 levels (flights[].current_state.position.accuracy...).
MAX_JSON_DEPTH = 16


@dataclass
class _Details:
    serial: str | None = None
    session: str | None = None
    registration: str | None = None
    operator_lat: float | None = None
    operator_lon: float | None = None
    operator_id: str | None = None
    description: str | None = None


def rfc3339(value: Any, where: str) -> float:
    """UTC epoch seconds from an RFC 3339 string, or a v22a ``Time`` object."""
    if isinstance(value, dict):
        value = value.get("value")
    if not isinstance(value, str):
        raise RejectedMessage(Reason.MISSING_FIELD, f"no time at {where}", where)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RejectedMessage(Reason.CORRUPT, f"not RFC 3339: {value!r}", where) from None
    if dt.tzinfo is None:
        raise RejectedMessage(Reason.CORRUPT, f"time without zone: {value!r}", where)
    return dt.timestamp()


@dataclass
class RidNetworkParser(LineParser):
    """F3411 v19/v22a display-provider JSON: whole documents or JSON Lines."""

    format = "rid_network"
    max_line_bytes = MAX_LINE_BYTES
    max_json_depth = MAX_JSON_DEPTH
    details: dict[str, _Details] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._doc: list[bytes] | None = None  # chunks of a multi-line document
        self._doc_bytes = 0
        self._doc_dropped = False  # the document outgrew MAX_DOCUMENT_BYTES
        self._pending: list[Item] = []  # items of the line being parsed (many per line)

    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        if self._doc is not None:
            self._doc_bytes += len(data)
            if self._doc_bytes <= MAX_DOCUMENT_BYTES:
                self._doc.append(data)
            elif not self._doc_dropped:
                self._doc_dropped = True
                del self._doc[1:]  # keep the start for the rejection's preview
            return []
        if self._line == 0 and not self._buf and data.lstrip()[:1] in (b"{", b"["):
            first = data.lstrip().split(b"\n", 1)[0]
            try:
                bounded_json(first, MAX_JSON_DEPTH)
            except RejectedMessage as e:
                if e.reason == Reason.CORRUPT:  # not a whole line: a pretty-printed document
                    self._doc = [data]  # parsed whole at the end
                    self._doc_bytes = len(data)
                    return []
        return super().feed(data, t_received)

    def close(self) -> list[Item]:
        if self._doc is None:
            return super().close()
        text, self._doc = b"".join(self._doc), None
        t_rx = self.options.clock()
        self._line = 1
        if self._doc_dropped:
            return [
                self.reject(
                    Reason.TOO_LARGE,
                    f"JSON document of {self._doc_bytes} bytes is larger than this format's"
                    f" {MAX_DOCUMENT_BYTES}",
                    text[:RAW_PREVIEW_CHARS],
                    line=1,
                    t_received=t_rx,
                )
            ]
        try:
            obj = bounded_json(text, MAX_JSON_DEPTH)
        except RejectedMessage as e:
            return [self.reject(e.reason, e.detail, text[:4096], line=1, t_received=t_rx)]
        return self._document(obj, text.decode("utf-8", "replace"), 1, t_rx)

    def parse_line(self, text: str, line: int, t_received: float) -> Detection | None:
        obj = bounded_json(text, MAX_JSON_DEPTH)
        # A line may hold many flights: they are collected and returned by _one.
        self._pending.extend(self._document(obj, text, line, t_received))
        return None

    def _one(self, raw: bytes, t_rx: float) -> list[Item]:
        self._pending = []
        out = super()._one(raw, t_rx)
        return self._pending + out

    def _document(self, obj: Any, raw: str, line: int, t_rx: float) -> list[Item]:
        if isinstance(obj, list):
            flights = [(f"[{i}]", f) for i, f in enumerate(obj)]
        elif isinstance(obj, dict) and "flights" in obj:
            fl = obj["flights"]
            if not isinstance(fl, list):
                return [
                    self.reject(
                        Reason.CORRUPT,
                        "flights is not a list",
                        raw,
                        line=line,
                        field_name="flights",
                        t_received=t_rx,
                    )
                ]
            flights = [(f"flights[{i}]", f) for i, f in enumerate(fl)]
        elif isinstance(obj, dict) and ("details" in obj or "flight" in obj):
            key = "details" if "details" in obj else "flight"
            item = self.guarded(lambda: self._details(obj[key]), raw, line=line, t_received=t_rx)
            return [] if item is None else [item]
        elif isinstance(obj, dict) and "current_state" in obj:
            flights = [("", obj)]
        else:
            return [
                self.reject(
                    Reason.UNKNOWN_FORMAT,
                    "not an F3411 flights/details document",
                    raw[:4096],
                    line=line,
                    t_received=t_rx,
                )
            ]
        out: list[Item] = []
        for path, flight in flights:
            flight_raw = json.dumps(flight) if len(flights) > 1 else raw
            item = self.guarded(
                partial(self._flight, flight, path), flight_raw, line=line, t_received=t_rx
            )
            if item is not None:
                out.append(item)
        return out

    def _details(self, d: Any) -> None:
        if not isinstance(d, dict) or "id" not in d:
            raise RejectedMessage(Reason.MISSING_FIELD, "details without id", "details.id")
        v22 = "uas_id" in d or (
            isinstance(d.get("operator_location"), dict) and "position" in d["operator_location"]
        )
        try:
            typed = ImplicitDict.parse(d, v22a.RIDFlightDetails if v22 else v19.RIDFlightDetails)
        except (ValueError, TypeError, KeyError) as e:
            raise RejectedMessage(Reason.CORRUPT, str(e), "details") from None
        det = self.details.setdefault(str(typed.id), _Details())
        det.operator_id = typed.get("operator_id") or None
        det.description = typed.get("operation_description") or None
        loc = typed.get("operator_location")
        if v22:
            uas = typed.get("uas_id") or {}
            det.serial = uas.get("serial_number") or None
            det.session = uas.get("specific_session_id") or uas.get("utm_id") or None
            det.registration = uas.get("registration_id") or None
            pos = loc.get("position") if loc else None
        else:
            det.serial = typed.get("serial_number") or None
            det.registration = typed.get("registration_number") or None
            pos = loc
        if pos:
            det.operator_lat, det.operator_lon = float(pos["lat"]), float(pos["lng"])
        self.absorbed["details"] += 1

    # size: a decoder's field-by-field checks of one F3411 network flight (v19 and v22a)
    def _flight(self, f: Any, path: str) -> Detection | None:
        if not isinstance(f, dict):
            raise RejectedMessage(Reason.CORRUPT, "flight is not an object", path)
        state = f.get("current_state")
        v22 = isinstance(state, dict) and isinstance(state.get("timestamp"), dict)
        try:
            typed = ImplicitDict.parse(f, v22a.RIDFlight if v22 else v19.RIDFlight)
        except (ValueError, TypeError, KeyError) as e:
            msg = str(e)
            reason = Reason.MISSING_FIELD if "Required field" in msg else Reason.CORRUPT
            raise RejectedMessage(reason, msg, path or "flight") from None
        if state is None:
            self.absorbed["flight_without_current_state"] += 1
            return None
        s = typed.current_state
        where = f"{path}.current_state" if path else "current_state"
        t = rfc3339(state.get("timestamp"), f"{where}.timestamp")
        pos = s.position
        lat, lon = pos.get("lat"), pos.get("lng")
        if lat is None or lon is None:
            raise RejectedMessage(Reason.MISSING_FIELD, "no lat/lng", f"{where}.position")
        attrs: dict[str, object] = {
            "flight_id": str(typed.id),
            "rid_network": "v22a" if v22 else "v19",
        }
        alt = pos.get("alt")
        if alt is not None and alt != -1000:
            attrs["altitude_source"] = "geodetic_wgs84"
        else:
            alt = pos.get("pressure_altitude")
            if alt is None or alt == -1000:
                raise RejectedMessage(Reason.MISSING_FIELD, "no altitude", f"{where}.position")
            attrs["altitude_source"] = "pressure"
        aircraft_type = typed.get("aircraft_type")
        if aircraft_type is not None:
            attrs["ua_type"] = str(getattr(aircraft_type, "value", aircraft_type))
        status = s.get("operational_status")
        if status is not None:
            attrs["status"] = str(getattr(status, "value", status))
        height = s.get("height") or pos.get("height")
        if height:
            attrs["height_m"] = float(height["distance"])
            attrs["height_reference"] = str(
                getattr(height["reference"], "value", height["reference"])
            )
        if typed.get("simulated"):
            attrs["simulated"] = True
        cov = None
        h = HORIZONTAL_M.get(str(getattr(pos.get("accuracy_h"), "value", "")))
        if h is not None:
            v = VERTICAL_M.get(str(getattr(pos.get("accuracy_v"), "value", "")), 150.0)
            cov = ((h * h / 4, 0.0, 0.0), (0.0, h * h / 4, 0.0), (0.0, 0.0, v * v / 4))
        velocity = None
        track, speed = s.get("track"), s.get("speed")
        if track is not None and speed is not None and track != 361 and speed != 255:
            vs = s.get("vertical_speed")
            up = 0.0 if vs is None or vs == 63 else float(vs)
            a = math.radians(float(track))
            velocity = (float(speed) * math.sin(a), float(speed) * math.cos(a), up)
        sa = SPEED_MS.get(str(getattr(s.get("speed_accuracy"), "value", "")))
        d = self.details.get(str(typed.id), _Details())
        for key, value in (
            ("operator_id", d.operator_id),
            ("caa_registration", d.registration),
            ("operation_description", d.description),
        ):
            if value is not None:
                attrs[key] = value
        return Detection(
            t=t,
            sensor=self.sensor,
            kind=SensorKind.REMOTE_ID,
            position=Position(float(lat), float(lon), float(alt), cov),
            velocity=velocity,
            velocity_sigma=None if velocity is None or sa is None else sa / 2,
            identity=Identity(
                rid_serial=d.serial,
                rid_session=d.session or str(typed.id),
                operator_lat=d.operator_lat,
                operator_lon=d.operator_lon,
            ),
            attrs=attrs,
        )
