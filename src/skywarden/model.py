# size: the records in one file: every stage imports skywarden.model; shared validators
"""Typed records shared by every stage of the pipeline (see DESIGN.md, "Records and units").

Records are frozen, slotted dataclasses validated on construction: cheap enough to build
hundreds of thousands per second at the ingest edge, strict enough that nothing
non-finite or out of range travels downstream. Each has ``to_dict``/``from_dict`` for
the JSON Lines files (``detections.jsonl``, ``truth.jsonl``, ``tracks.jsonl``).

Units: time in UTC seconds since the Unix epoch; lat/lon in degrees WGS84; altitude in
metres above mean sea level; speeds m/s; angles degrees; covariances in the local ENU
frame in m^2 (or (m/s)^2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from skywarden.errors import SkywardenError


class InvalidRecord(SkywardenError, ValueError):
    """A record field is missing, non-finite or out of range. Names the field."""

    def __init__(self, record: str, field_name: str, reason: str) -> None:
        super().__init__(f"{record}.{field_name}: {reason}")
        self.record = record
        self.field = field_name
        self.reason = reason


class SensorKind(StrEnum):
    RADAR = "radar"
    RF = "rf"
    REMOTE_ID = "remote_id"
    ADSB = "adsb"
    VISUAL = "visual"
    EO = "eo"


class TargetClass(StrEnum):
    DRONE = "drone"
    MANNED = "manned"
    BIRD = "bird"
    UNKNOWN = "unknown"


def most_probable_class(probs: Mapping[str, float]) -> str:
    """The name of the most probable class; ``unknown`` without probabilities.

    The one place that picks a track's label from its class probabilities (the first of
    equal maxima wins), used by the track record, the store and the laser's reasons.
    """
    if not probs:
        return TargetClass.UNKNOWN.value
    return str(max(probs.items(), key=lambda kv: kv[1])[0])


class TrackStatus(StrEnum):
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    COASTING = "coasting"
    ENDED = "ended"


class ZoneKind(StrEnum):
    BORDER_BUFFER = "border_buffer"
    AIRPORT_SURFACE = "airport_surface"
    APPROACH_CORRIDOR = "approach_corridor"
    DEPARTURE_CORRIDOR = "departure_corridor"
    RESTRICTED = "restricted"
    LASER_HAZARD = "laser_hazard"
    TFR = "tfr"
    USER = "user"


class IncidentState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


# Independent kinds of evidence that a track is a drone (TrackUpdate.corroboration). Two
# of them, or persistence, are what a runway pause or a TFR rests on (DESIGN: evidence
# before disruption). "radar_class": the radar's own classifier called it a drone;
# "rf_geometry": a control link whose bearings fit the track's position; "remote_id": a
# broadcast serial; "visual": an observer or camera report; "kinematics": hover or
# rotorcraft-only motion seen by the tracker.
EVIDENCE_KINDS = ("radar_class", "rf_geometry", "remote_id", "visual", "kinematics")


class Action(StrEnum):
    MONITOR = "monitor"
    # Cue a camera or an observer to confirm a drone before anything disruptive: the
    # answer while evidence is uncorroborated; it has a deadline like every measure.
    VERIFY = "verify"
    NOTIFY = "notify"
    # A hazard at an airport of the other country: tell that country's authority; never
    # a recommendation to pause its runways.
    NOTIFY_FOREIGN = "notify_foreign_authority"
    PAUSE_DEPARTURES = "pause_departures"
    PAUSE_ARRIVALS = "pause_arrivals"
    PAUSE_ALL = "pause_all"
    TFR = "tfr"


# --------------------------------------------------------------------------- validation


def _finite(record: str, name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidRecord(record, name, f"not a number: {value!r}") from None
    if not math.isfinite(v):
        raise InvalidRecord(record, name, f"not finite: {value!r}")
    return v


def _in_range(record: str, name: str, value: float, lo: float, hi: float) -> float:
    v = _finite(record, name, value)
    if not lo <= v <= hi:
        raise InvalidRecord(record, name, f"{v} outside [{lo}, {hi}]")
    return v


def _check_lat_lon_alt(record: str, lat: float, lon: float, alt_m: float) -> None:
    _in_range(record, "lat", lat, -90.0, 90.0)
    _in_range(record, "lon", lon, -180.0, 180.0)
    # Dead Sea shore to the top of the flight levels anything we watch can reach.
    _in_range(record, "alt_m", alt_m, -500.0, 30_000.0)


def _check_matrix(record: str, name: str, m: Sequence[Sequence[float]], n: int) -> None:
    if len(m) != n or any(len(row) != n for row in m):
        raise InvalidRecord(record, name, f"expected {n}x{n} matrix")
    if _all_finite(m):
        for i in range(n):
            if m[i][i] < 0:
                raise InvalidRecord(record, name, f"negative variance at [{i}][{i}]")
        return
    for i in range(n):  # the slow path names the first bad cell
        for j in range(n):
            _finite(record, name, m[i][j])
        if m[i][i] < 0:
            raise InvalidRecord(record, name, f"negative variance at [{i}][{i}]")


def _all_finite(m: Sequence[Sequence[float]]) -> bool:
    """Every cell a finite real number? One sum instead of a check per cell: a finite sum
    of real numbers has no infinity or NaN among them (an overflow only sends the
    matrix down the per-cell path, which then accepts it)."""
    try:
        total = sum(map(sum, m))
    except TypeError:
        return False
    return isinstance(total, int | float) and math.isfinite(total)


def _tuple3(v: Sequence[float] | None) -> tuple[float, float, float] | None:
    if v is None:
        return None
    a, b, c = v
    return (float(a), float(b), float(c))


def _matrix(m: Sequence[Sequence[float]] | None) -> tuple[tuple[float, ...], ...] | None:
    if m is None:
        return None
    return tuple(tuple(float(x) for x in row) for row in m)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != {}}


# --------------------------------------------------------------------------- detection


@dataclass(frozen=True, slots=True)
class Position:
    """A point measurement; ``cov`` is the 3x3 ENU position covariance in m^2."""

    lat: float
    lon: float
    alt_m: float
    cov: tuple[tuple[float, ...], ...] | None = None

    def __post_init__(self) -> None:
        _check_lat_lon_alt("Position", self.lat, self.lon, self.alt_m)
        if self.cov is not None:
            _check_matrix("Position", "cov", self.cov, 3)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"lat": self.lat, "lon": self.lon, "alt_m": self.alt_m}
        if self.cov is not None:
            d["cov"] = [list(r) for r in self.cov]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Position:
        return cls(float(d["lat"]), float(d["lon"]), float(d["alt_m"]), _matrix(d.get("cov")))

    @classmethod
    def trusted(
        cls,
        lat: float,
        lon: float,
        alt_m: float,
        cov: tuple[tuple[float, ...], ...] | None = None,
    ) -> Position:
        """A Position from values the caller has already validated, without re-checking.

        Only for bulk producers that applied exactly the checks of ``__post_init__``
        (finite, lat in [-90, 90], lon in [-180, 180], alt_m in [-500, 30000]; a ``cov``
        3x3, finite, no negative variance) to whole arrays at once
        (``skywarden.ingest.sbs_batch``, the simulator's radars); everything else uses
        ``Position(...)``.
        """
        p = _PositionSlots()
        p.lat, p.lon, p.alt_m, p.cov = lat, lon, alt_m, cov
        p.__class__ = cls  # type: ignore[assignment]
        return p  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Bearing:
    """A bearing-only measurement from a sensor at a known place (RF direction finder).

    ``bearing_deg`` is true bearing, clockwise from north, [0, 360).
    """

    sensor_lat: float
    sensor_lon: float
    sensor_alt_m: float
    bearing_deg: float
    sigma_deg: float
    elevation_deg: float | None = None
    elevation_sigma_deg: float | None = None

    def __post_init__(self) -> None:
        _check_lat_lon_alt("Bearing", self.sensor_lat, self.sensor_lon, self.sensor_alt_m)
        _in_range("Bearing", "bearing_deg", self.bearing_deg, 0.0, 360.0)
        _in_range("Bearing", "sigma_deg", self.sigma_deg, 1e-6, 180.0)
        if self.elevation_deg is not None:
            _in_range("Bearing", "elevation_deg", self.elevation_deg, -90.0, 90.0)
        if self.elevation_sigma_deg is not None:
            _in_range("Bearing", "elevation_sigma_deg", self.elevation_sigma_deg, 1e-6, 180.0)

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "sensor_lat": self.sensor_lat,
                "sensor_lon": self.sensor_lon,
                "sensor_alt_m": self.sensor_alt_m,
                "bearing_deg": self.bearing_deg,
                "sigma_deg": self.sigma_deg,
                "elevation_deg": self.elevation_deg,
                "elevation_sigma_deg": self.elevation_sigma_deg,
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Bearing:
        return cls(
            float(d["sensor_lat"]),
            float(d["sensor_lon"]),
            float(d["sensor_alt_m"]),
            float(d["bearing_deg"]),
            float(d["sigma_deg"]),
            None if d.get("elevation_deg") is None else float(d["elevation_deg"]),
            None if d.get("elevation_sigma_deg") is None else float(d["elevation_sigma_deg"]),
        )


@dataclass(frozen=True, slots=True)
class Identity:
    """Cooperative identity: Remote ID serial/session id, ICAO 24-bit address, callsign.

    The Remote ID operator position travels with the identity so it stays with the track.
    """

    rid_serial: str | None = None
    rid_session: str | None = None
    icao24: str | None = None
    callsign: str | None = None
    operator_lat: float | None = None
    operator_lon: float | None = None

    def __post_init__(self) -> None:
        if self.icao24 is not None:
            s = self.icao24
            if len(s) != 6 or any(c not in "0123456789abcdef" for c in s):
                raise InvalidRecord("Identity", "icao24", f"not 6 lower-case hex digits: {s!r}")
        if self.operator_lat is not None:
            _in_range("Identity", "operator_lat", self.operator_lat, -90.0, 90.0)
        if self.operator_lon is not None:
            _in_range("Identity", "operator_lon", self.operator_lon, -180.0, 180.0)

    def keys(self) -> list[str]:
        """Namespaced identity keys, e.g. ``icao:a1b2c3``, for association by identity."""
        out = []
        if self.icao24:
            out.append(f"icao:{self.icao24}")
        if self.rid_serial:
            out.append(f"rid:{self.rid_serial}")
        if self.rid_session:
            out.append(f"ridsession:{self.rid_session}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "rid_serial": self.rid_serial,
                "rid_session": self.rid_session,
                "icao24": self.icao24,
                "callsign": self.callsign,
                "operator_lat": self.operator_lat,
                "operator_lon": self.operator_lon,
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Identity:
        return cls(
            d.get("rid_serial"),
            d.get("rid_session"),
            d.get("icao24"),
            d.get("callsign"),
            d.get("operator_lat"),
            d.get("operator_lon"),
        )


@dataclass(frozen=True, slots=True)
class Detection:
    """One sensor report: a position or a bearing, optional velocity and identity.

    ``velocity`` is (east, north, up) in m/s; ``velocity_sigma`` its per-axis standard
    deviation in m/s. ``attrs`` keeps what a sensor says beyond the common record (radar
    range/azimuth/elevation, RCS, RF protocol, visual free text, ...).
    """

    t: float
    sensor: str
    kind: SensorKind
    position: Position | None = None
    bearing: Bearing | None = None
    velocity: tuple[float, float, float] | None = None
    velocity_sigma: float | None = None
    identity: Identity | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # 2000-01-01 to 2100-01-01: anything else is a unit or epoch mistake.
        _in_range("Detection", "t", self.t, 946_684_800.0, 4_102_444_800.0)
        if not self.sensor:
            raise InvalidRecord("Detection", "sensor", "empty sensor id")
        if not isinstance(self.kind, SensorKind):
            try:
                object.__setattr__(self, "kind", SensorKind(self.kind))
            except ValueError:
                raise InvalidRecord("Detection", "kind", f"unknown kind {self.kind!r}") from None
        if (self.position is None) == (self.bearing is None):
            raise InvalidRecord("Detection", "measurement", "exactly one of position, bearing")
        if self.velocity is not None:
            for i, v in enumerate(self.velocity):
                _in_range("Detection", f"velocity[{i}]", v, -400.0, 400.0)
        if self.velocity_sigma is not None:
            _in_range("Detection", "velocity_sigma", self.velocity_sigma, 0.0, 1000.0)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"t": self.t, "sensor": self.sensor, "kind": str(self.kind)}
        if self.position is not None:
            d["position"] = self.position.to_dict()
        if self.bearing is not None:
            d["bearing"] = self.bearing.to_dict()
        if self.velocity is not None:
            d["velocity"] = list(self.velocity)
        if self.velocity_sigma is not None:
            d["velocity_sigma"] = self.velocity_sigma
        if self.identity is not None:
            d["identity"] = self.identity.to_dict()
        if self.attrs:
            d["attrs"] = dict(self.attrs)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Detection:
        try:
            return cls(
                t=float(d["t"]),
                sensor=str(d["sensor"]),
                kind=SensorKind(d["kind"]),
                position=Position.from_dict(d["position"]) if d.get("position") else None,
                bearing=Bearing.from_dict(d["bearing"]) if d.get("bearing") else None,
                velocity=_tuple3(d.get("velocity")),
                velocity_sigma=d.get("velocity_sigma"),
                identity=Identity.from_dict(d["identity"]) if d.get("identity") else None,
                attrs=dict(d.get("attrs") or {}),
            )
        except KeyError as e:
            raise InvalidRecord("Detection", str(e.args[0]), "missing") from None
        except (TypeError, ValueError) as e:
            if isinstance(e, InvalidRecord):
                raise
            raise InvalidRecord("Detection", "?", str(e)) from None

    @classmethod
    def trusted(
        cls,
        t: float,
        sensor: str,
        kind: SensorKind,
        position: Position,
        velocity: tuple[float, float, float] | None,
        identity: Identity | None,
        attrs: Mapping[str, Any],
    ) -> Detection:
        """A position Detection from values the caller has already validated.

        Skips ``__post_init__``: only for bulk decoders that checked ``t`` (finite, in
        2000-2100), a non-empty ``sensor``, a ``SensorKind`` ``kind``, a ``position``
        built by ``Position(...)`` or ``Position.trusted`` and each velocity component in
        [-400, 400] m/s for whole arrays at once (``skywarden.ingest.sbs_batch``), where
        re-checking each record would cost more than decoding it.
        """
        d = _DetectionSlots()
        d.t, d.sensor, d.kind, d.position, d.bearing = t, sensor, kind, position, None
        d.velocity, d.velocity_sigma, d.identity, d.attrs = velocity, None, identity, attrs
        d.__class__ = cls  # type: ignore[assignment]
        return d  # type: ignore[return-value]


class _PositionSlots:
    """Position's layout without its frozen ``__setattr__``: ``trusted`` fills one, then
    makes it a Position by ``__class__`` assignment (same slots, so CPython allows it).
    Filling slots directly costs about half of ``object.__setattr__`` per field."""

    __slots__ = Position.__slots__
    lat: float
    lon: float
    alt_m: float
    cov: tuple[tuple[float, ...], ...] | None


class _DetectionSlots:
    """Detection's layout, for :meth:`Detection.trusted` (see ``_PositionSlots``)."""

    __slots__ = Detection.__slots__
    t: float
    sensor: str
    kind: SensorKind
    position: Position | None
    bearing: Bearing | None
    velocity: tuple[float, float, float] | None
    velocity_sigma: float | None
    identity: Identity | None
    attrs: Mapping[str, Any]


# --------------------------------------------------------------------------- truth


@dataclass(frozen=True, slots=True)
class TruthPoint:
    """The simulator's ground truth for one target at one time.

    ``kind`` is the target class; ``role`` says what it is doing (smuggler, surveillance,
    hobby, arrival, departure, overflight, bird) so evaluation can score behaviours.
    """

    t: float
    target: str
    kind: TargetClass
    role: str
    lat: float
    lon: float
    alt_m: float
    velocity: tuple[float, float, float]
    identity: Identity | None = None
    #: How the target's Remote ID lies (simulated spoofers only): ``{"mode": ...}`` and
    #: the mode's parameters (skywarden.sim.spoofing); absent for honest targets.
    spoof: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        _check_lat_lon_alt("TruthPoint", self.lat, self.lon, self.alt_m)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "t": self.t,
            "target": self.target,
            "kind": str(self.kind),
            "role": self.role,
            "lat": self.lat,
            "lon": self.lon,
            "alt_m": self.alt_m,
            "velocity": list(self.velocity),
        }
        if self.identity is not None:
            d["identity"] = self.identity.to_dict()
        if self.spoof is not None:
            d["spoof"] = dict(self.spoof)
        return d

    @classmethod
    def trusted(  # noqa: PLR0913, PLR0917 (the record's ten fields, positional for speed)
        cls,
        t: float,
        target: str,
        kind: TargetClass,
        role: str,
        lat: float,
        lon: float,
        alt_m: float,
        velocity: tuple[float, float, float],
        identity: Identity | None,
        spoof: Mapping[str, Any] | None,
    ) -> TruthPoint:
        """A TruthPoint from values the caller has already validated (``__post_init__``'s
        checks on whole arrays at once: the simulator's ``truth_points``), unchecked."""
        p = _TruthPointSlots()
        p.t, p.target, p.kind, p.role = t, target, kind, role
        p.lat, p.lon, p.alt_m, p.velocity = lat, lon, alt_m, velocity
        p.identity, p.spoof = identity, spoof
        p.__class__ = cls  # type: ignore[assignment]
        return p  # type: ignore[return-value]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TruthPoint:
        vel = _tuple3(d["velocity"])
        assert vel is not None
        return cls(
            float(d["t"]),
            str(d["target"]),
            TargetClass(d["kind"]),
            str(d["role"]),
            float(d["lat"]),
            float(d["lon"]),
            float(d["alt_m"]),
            vel,
            Identity.from_dict(d["identity"]) if d.get("identity") else None,
            dict(d["spoof"]) if d.get("spoof") else None,
        )


class _TruthPointSlots:
    """TruthPoint's layout, for :meth:`TruthPoint.trusted` (see ``_PositionSlots``)."""

    __slots__ = TruthPoint.__slots__
    t: float
    target: str
    kind: TargetClass
    role: str
    lat: float
    lon: float
    alt_m: float
    velocity: tuple[float, float, float]
    identity: Identity | None
    spoof: Mapping[str, Any] | None


# --------------------------------------------------------------------------- track


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    """A track's state at one time, as written to ``tracks.jsonl`` (one line per update).

    ``state`` is ENU (x, y, z, vx, vy, vz) in the sector frame; lat/lon/alt_m and
    ``velocity`` give the same in geographic terms so consumers need no frame.
    ``class_probs`` sums to 1 over drone/manned/bird/unknown; ``evidence`` lists the
    reasons behind it, so a person can see why. ``p_exist`` is the tracker's probability
    that the track is a real target, not clutter (IPDA-style). ``corroboration`` names the
    independent kinds of drone evidence that currently support the track (values of
    ``EVIDENCE_KINDS``): a disruptive measure needs two of them, or persistence.
    ``rf_beside``: the direction-finder bearings that fit the track run beside it, not
    along it (another emitter's link on a nearby ray, :mod:`skywarden.tracking.rf_bias`);
    written only when true. ``rf_astray``: the direction finders (sensor ids) whose
    own bearings that fit the track stood still while it swept across them (the tracker's
    per-finder follow test, off by default); written only when there are any.
    """

    t: float
    track: str
    status: TrackStatus
    lat: float
    lon: float
    alt_m: float
    velocity: tuple[float, float, float]
    state: tuple[float, ...]
    cov: tuple[tuple[float, ...], ...] | None
    class_probs: Mapping[str, float]
    identities: tuple[str, ...] = ()
    sensors: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    callsign: str | None = None
    p_exist: float = 1.0
    corroboration: tuple[str, ...] = ()
    rf_beside: bool = False
    rf_astray: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_lat_lon_alt("TrackUpdate", self.lat, self.lon, self.alt_m)
        if not 0.0 <= _finite("TrackUpdate", "p_exist", self.p_exist) <= 1.0:
            raise InvalidRecord("TrackUpdate", "p_exist", f"{self.p_exist} outside [0, 1]")
        unknown = set(self.corroboration) - set(EVIDENCE_KINDS)
        if unknown:
            raise InvalidRecord("TrackUpdate", "corroboration", f"unknown kinds {sorted(unknown)}")
        if not isinstance(self.status, TrackStatus):
            object.__setattr__(self, "status", TrackStatus(self.status))
        total = sum(self.class_probs.values())
        if self.class_probs and abs(total - 1.0) > 1e-6:
            raise InvalidRecord("TrackUpdate", "class_probs", f"sum {total} != 1")

    @property
    def best_class(self) -> TargetClass:
        return TargetClass(most_probable_class(self.class_probs))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "t": self.t,
            "track": self.track,
            "status": str(self.status),
            "lat": self.lat,
            "lon": self.lon,
            "alt_m": self.alt_m,
            "velocity": list(self.velocity),
            "state": list(self.state),
            "class_probs": dict(self.class_probs),
            "identities": list(self.identities),
            "sensors": list(self.sensors),
            "evidence": list(self.evidence),
            "p_exist": self.p_exist,
            "corroboration": list(self.corroboration),
        }
        if self.cov is not None:
            d["cov"] = [list(r) for r in self.cov]
        if self.callsign:
            d["callsign"] = self.callsign
        if self.rf_beside:
            d["rf_beside"] = True
        if self.rf_astray:
            d["rf_astray"] = list(self.rf_astray)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TrackUpdate:
        vel = _tuple3(d["velocity"])
        assert vel is not None
        beside = d.get("rf_beside", False)
        if not isinstance(beside, bool):
            raise InvalidRecord("TrackUpdate", "rf_beside", f"not true or false: {beside!r}")
        astray = d.get("rf_astray", [])
        if not (isinstance(astray, list) and all(isinstance(s, str) for s in astray)):
            raise InvalidRecord(
                "TrackUpdate", "rf_astray", f"not a list of finder names: {astray!r}"
            )
        return cls(
            t=float(d["t"]),
            track=str(d["track"]),
            status=TrackStatus(d["status"]),
            lat=float(d["lat"]),
            lon=float(d["lon"]),
            alt_m=float(d["alt_m"]),
            velocity=vel,
            state=tuple(float(x) for x in d.get("state", ())),
            cov=_matrix(d.get("cov")),
            class_probs={str(k): float(v) for k, v in d.get("class_probs", {}).items()},
            identities=tuple(d.get("identities", ())),
            sensors=tuple(d.get("sensors", ())),
            evidence=tuple(d.get("evidence", ())),
            callsign=d.get("callsign"),
            p_exist=float(d.get("p_exist", 1.0)),
            corroboration=tuple(d.get("corroboration", ())),
            rf_beside=beside,
            rf_astray=tuple(astray),
        )


# --------------------------------------------------------------------------- airspace


@dataclass(frozen=True, slots=True)
class Zone:
    """A volume of airspace: a polygon (lon, lat ring) with floor and ceiling in m MSL."""

    id: str
    kind: ZoneKind
    name: str
    polygon: tuple[tuple[float, float], ...]
    floor_m: float
    ceiling_m: float
    owner: str
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.polygon) < 3:
            raise InvalidRecord("Zone", "polygon", "fewer than 3 vertices")
        for lon, lat in self.polygon:
            _in_range("Zone", "polygon.lon", lon, -180.0, 180.0)
            _in_range("Zone", "polygon.lat", lat, -90.0, 90.0)
        if self.ceiling_m <= self.floor_m:
            raise InvalidRecord("Zone", "ceiling_m", "ceiling not above floor")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "name": self.name,
            "polygon": [list(p) for p in self.polygon],
            "floor_m": self.floor_m,
            "ceiling_m": self.ceiling_m,
            "owner": self.owner,
            "attrs": dict(self.attrs),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Zone:
        return cls(
            str(d["id"]),
            ZoneKind(d["kind"]),
            str(d.get("name", d["id"])),
            tuple((float(p[0]), float(p[1])) for p in d["polygon"]),
            float(d["floor_m"]),
            float(d["ceiling_m"]),
            str(d.get("owner", "")),
            dict(d.get("attrs") or {}),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """A fact about a track at a time: crossed the border, entered a zone, loitered..."""

    kind: str
    t: float
    track: str
    lat: float
    lon: float
    alt_m: float
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "t": self.t,
            "track": self.track,
            "lat": self.lat,
            "lon": self.lon,
            "alt_m": self.alt_m,
        }
        d.update(self.attrs)
        return d


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A proportionate measure with its reasons, an expiry and a re-evaluation time."""

    id: str
    incident: str | None
    action: Action
    t_issued: float
    t_expires: float
    t_reevaluate: float
    reasons: tuple[str, ...]
    runways: tuple[str, ...] = ()
    airport: str | None = None
    tfr: Mapping[str, Any] | None = None
    # Lifecycle of the measure this record is a version of: "active" (issued), "renewed"
    # (re-evaluated, cause still present), "lifted" (cause absent for its stated time),
    # "expired". A lifted/expired version has t_expires = the time it ended.
    status: str = "active"
    # How sure the policy is that a drone is there (the drone probability it acted on)
    # and the independent kinds of evidence it rests on (EVIDENCE_KINDS, or "persistence").
    confidence: float | None = None
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.t_issued <= self.t_reevaluate <= self.t_expires:
            raise InvalidRecord("Recommendation", "t_expires", "need issued <= re-eval <= expiry")
        if not self.reasons:
            raise InvalidRecord("Recommendation", "reasons", "a recommendation needs reasons")

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "incident": self.incident,
                "action": str(self.action),
                "t_issued": self.t_issued,
                "t_expires": self.t_expires,
                "t_reevaluate": self.t_reevaluate,
                "reasons": list(self.reasons),
                "runways": list(self.runways),
                "airport": self.airport,
                "tfr": dict(self.tfr) if self.tfr else None,
                "status": self.status,
                "confidence": self.confidence,
                "evidence": list(self.evidence),
            }
        )


@dataclass(slots=True)
class Incident:
    """Events of one track or group, a severity, a lifecycle and an audit trail.

    Mutable on purpose: its state and trail grow; the store keeps every change.
    """

    id: str
    tracks: list[str]
    t_open: float
    severity: int
    state: IncidentState = IncidentState.OPEN
    kind: str = "incursion"
    events: list[Event] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tracks": list(self.tracks),
            "t_open": self.t_open,
            "severity": self.severity,
            "state": str(self.state),
            "kind": self.kind,
            "events": [e.to_dict() for e in self.events],
            "recommendations": list(self.recommendations),
            "audit": list(self.audit),
        }
