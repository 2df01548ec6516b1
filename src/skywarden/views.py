"""The records the outside world reads, defined once: track points, incidents, measures.

Issue 13: one track point changed its dict shape four times on its way from the tracker
to the map (velocity as ``ve``/``vn``/``vu`` columns, then as a list, then again).
:class:`TrackPoint` is now the one form: the pipeline publishes its wire form on the
bus, the store writes the same dict (velocity split into three columns) and reads rows
back into it, the hub and the API (``service.schemas.TrackPointOut`` *is* this class)
serve it, and the map reads that JSON.

Why pydantic and not msgspec: this record is also the API's response model, and FastAPI
validates, documents (OpenAPI) and serialises pydantic models natively; pydantic is
already a dependency, msgspec would be a second one. The hot path (every track, every
second) builds its dict form straight from an already validated ``TrackUpdate``, so it
pays no validation there.

:class:`IncidentView` and :class:`RecommendationView` are the same for an incident as
the store keeps it (with its events and operator actions) and a recommendation version:
``store.incidents`` and ``store.recommendations`` build exactly their fields, the bus
carries them, and the API's ``IncidentOut`` and ``RecommendationOut`` *are* them.

It sits in the bottom layer with ``model.py`` so the store, the bus, the pipeline and
the service can all import it.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from skywarden.model import Action, IncidentState, TrackStatus, TrackUpdate, most_probable_class


class StoredPoint(Protocol):
    """The columns of a stored track point (``store.schema.TrackPoint``)."""

    t: float
    track: str
    status: str
    lat: float
    lon: float
    alt_m: float
    ve: float
    vn: float
    vu: float
    cls: str
    class_probs: dict[str, float]
    identities: list[str]
    sensors: list[str]
    callsign: str | None


class TrackPoint(BaseModel):
    """A track's state at one time as stored, published and served (SI units, WGS84).

    ``velocity`` is east, north, up in m/s; ``cls`` the most probable class. A partner's
    redacted view leaves the optional fields out (``service.redact``).
    """

    model_config = ConfigDict(extra="ignore")

    t: float
    track: str
    status: TrackStatus
    lat: float
    lon: float
    alt_m: float
    cls: str
    velocity: list[float] | None = None
    class_probs: dict[str, float] | None = None
    identities: list[str] | None = None
    sensors: list[str] | None = None
    callsign: str | None = None

    # The conversions are static and build plain dicts: the hot path (every track, every
    # second; history reads of up to 50,000 rows) pays neither validation nor a model
    # instance. tests/stages/test_views.py checks each dict validates as this model.

    @staticmethod
    def wire_of_update(u: TrackUpdate) -> dict[str, Any]:
        """The wire form of a tracker update (validated in the tracker already)."""
        probs = {str(k): float(v) for k, v in u.class_probs.items()}
        return {
            "t": u.t,
            "track": u.track,
            "status": str(u.status),
            "lat": u.lat,
            "lon": u.lon,
            "alt_m": u.alt_m,
            "velocity": [u.velocity[0], u.velocity[1], u.velocity[2]],
            "cls": most_probable_class(probs),
            "class_probs": probs,
            "identities": list(u.identities),
            "sensors": list(u.sensors),
            "callsign": u.callsign,
        }

    @staticmethod
    def wire_of_row(p: StoredPoint) -> dict[str, Any]:
        """The wire form of a stored row."""
        return {
            "t": p.t,
            "track": p.track,
            "status": p.status,
            "lat": p.lat,
            "lon": p.lon,
            "alt_m": p.alt_m,
            "velocity": [p.ve, p.vn, p.vu],
            "cls": p.cls,
            "class_probs": p.class_probs,
            "identities": p.identities,
            "sensors": p.sensors,
            "callsign": p.callsign,
        }

    @staticmethod
    def row_of_wire(d: dict[str, Any]) -> dict[str, Any]:
        """The store's columns of a wire form: velocity in three columns."""
        out = dict(d)
        out["ve"], out["vn"], out["vu"] = out.pop("velocity") or (0.0, 0.0, 0.0)
        return out


class View(BaseModel):
    """Base of the served records: fields a newer writer adds are ignored by older readers."""

    model_config = ConfigDict(extra="ignore")


class EventView(View):
    """An event as filed under an incident (``attrs`` hold the detector's details)."""

    t: float
    kind: str
    track: str
    lat: float
    lon: float
    alt_m: float | None = None
    attrs: dict[str, Any] | None = None


class ActionView(View):
    """An operator's action on an incident, with its wall-clock time."""

    t: float
    user: str
    action: str
    comment: str


class IncidentView(View):
    """An incident as stored and served; ``events`` and ``actions`` only in the detail."""

    id: str
    t_open: float
    t_updated: float | None = None
    severity: int
    state: IncidentState
    kind: str
    tracks: list[str]
    recommendations: list[str]
    lat: float | None = None
    lon: float | None = None
    shared: bool
    summary: str = ""
    events: list[EventView] | None = None
    actions: list[ActionView] | None = None


class RecommendationView(View):
    """One version of a measure as stored and served (``tfr`` only for a TFR)."""

    id: str
    incident: str | None = None
    action: Action
    t_issued: float
    t_expires: float
    t_reevaluate: float
    reasons: list[str]
    runways: list[str] = []
    airport: str | None = None
    tfr: dict[str, Any] | None = None
