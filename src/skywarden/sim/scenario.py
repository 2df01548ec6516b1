# size: the simulator's scenario schema; sim is left untouched (seeded output)
"""Scenario files: the validated description of a sector, its sensors and its traffic.

A scenario is the only input of the simulator besides the seed, so everything a run
depends on is written in it and checked here with pydantic before anything runs. Errors
name the file and the key path (``sensors[2].range_max_m``) so a person can fix the
YAML without reading Python.

Units follow DESIGN.md: metres, seconds, degrees, altitudes above mean sea level
(``*_agl_m`` fields are above the ground where a flight starts: the sector's
``ground_alt_m``, raised towards each airport's elevation near it; see
``Geography.ground_at``; there is no digital elevation model).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from skywarden.errors import SkywardenError
from skywarden.geo import LocalFrame
from skywarden.yamlconfig import StrictModel as _Strict
from skywarden.yamlconfig import YamlFileError, load_yaml


class ScenarioError(SkywardenError, ValueError):
    """A scenario file cannot be read or fails validation; names file and key."""

    def __init__(self, path: str, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"{path}: {key}: {msg}" if key else f"{path}: {msg}" for key, msg in problems]
        super().__init__("\n".join(lines))


Range = tuple[float, float]


def _check_range(v: Range, lo: float = float("-inf"), hi: float = float("inf")) -> Range:
    a, b = v
    if not a <= b:
        raise ValueError(f"range [{a}, {b}] is reversed")
    if a < lo or b > hi:
        raise ValueError(f"range [{a}, {b}] outside [{lo}, {hi}]")
    return v


# --------------------------------------------------------------------------- sector


class Site(_Strict):
    """A fixed place: a sensor site or an origin. Altitude in m above mean sea level."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    alt_m: float = Field(ge=-500, le=9000)


class Sector(_Strict):
    """The area watched: a square of half-width ``extent_m`` around ``origin``.

    ``origin`` is also the origin of the sector's ENU frame. ``start`` is an ISO 8601
    UTC time (``2026-02-11T03:00:00Z``); ``duration_s`` the default run length;
    ``ground_alt_m`` the valley floor; ``airports`` those drawn on the map and used for
    the terrain; ``border_file`` a GeoJSON border instead of the shipped one.
    """

    name: str = Field(min_length=1)
    origin: Site
    extent_m: float = Field(gt=1000, le=200_000)
    ground_alt_m: float = Field(ge=-500, le=5000)
    start: datetime
    duration_s: float = Field(gt=0, le=7 * 86400)
    # Omitted: guessed from the reference data around the origin, with a warning.
    airports: list[str] = Field(default_factory=list)
    border_file: str | None = Field(
        default=None,
        description="GeoJSON border line to use instead of the shipped Natural Earth one"
        " (path relative to the scenario file)",
    )

    @field_validator("start")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        if v.tzinfo is None or v.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be UTC with a Z suffix, e.g. 2026-02-11T03:00:00Z")
        if not 2000 <= v.year <= 2099:  # the range records accept (model.Detection.t)
            raise ValueError(f"start {v:%Y-%m-%d} outside the years 2000-2099")
        return v

    @model_validator(mode="after")
    def _guess_airports(self) -> Sector:
        if "airports" not in self.model_fields_set:
            from skywarden import refdata

            o = self.origin
            guess = refdata.guess_airports(
                o.lat,
                o.lon,
                self.extent_m,
                f"scenario sector {self.name!r}",
                "set sector.airports in the scenario (an empty list for none)",
            )
            object.__setattr__(self, "airports", guess)  # frozen: set once, while validating
        return self

    @property
    def start_t(self) -> float:
        return self.start.timestamp()


# --------------------------------------------------------------------------- sensors


class _SensorBase(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$", description="sensor id")
    site: Site = Field(description="where the sensor stands (lat, lon deg; alt_m MSL)")
    range_max_m: float = Field(gt=0, le=500_000, description="farthest reach, m")
    update_s: int = Field(default=1, ge=1, le=60, description="seconds between reports")


#: Classes a counter-drone radar's on-board classifier declares (rows and columns of its
#: confusion matrix). "clutter" is what it calls a plot it judges not to be a real flyer.
CLASSIFIER_CLASSES = ("drone", "bird", "manned", "clutter")

#: P(declared | true) at nominal (high) SNR; rows true class, columns declared class.
#: Deliberately below laboratory figures (see sim/sensors/classifier.py for the sources):
#: a measured drone-vs-bird accuracy of ~96% at X-band (Narayanan et al. 2023), 85% across
#: five drone/bird classes, and 79.7% overall for a field radar's track classifier
#: (Jochumsen et al. 2016) bracket a field unit facing species and drone models it was not
#: trained on; one drone in ten called a bird and one bird in ten called a drone.
DEFAULT_CONFUSION: dict[str, dict[str, float]] = {
    "drone": {"drone": 0.85, "bird": 0.10, "manned": 0.01, "clutter": 0.04},
    "bird": {"drone": 0.10, "bird": 0.82, "manned": 0.01, "clutter": 0.07},
    "manned": {"drone": 0.02, "bird": 0.02, "manned": 0.94, "clutter": 0.02},
    "clutter": {"drone": 0.08, "bird": 0.12, "manned": 0.02, "clutter": 0.78},
}


class ClassifierConfig(_Strict):
    """A radar's on-board target classifier (see sim/sensors/classifier.py for the model).

    ``confusion`` is P(declared | true) at nominal SNR, one row per true class, each row a
    mapping over all four declared classes summing to 1. The skill fades towards a
    uniform guess as the echo weakens: weight ``1 / (1 + exp(-(m - snr50_db) /
    snr_width_db))`` on the matrix, the rest uniform, where ``m`` is the plot's SNR margin
    in dB above the radar's 50 %-detection point. Declarations for one target persist
    with correlation time ``correlation_s`` (a radar classifies tracks over a dwell, so
    successive reports are not independent); ``confidence_concentration`` sets the
    scatter of the stated confidence about its calibrated value.
    """

    confusion: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_CONFUSION.items()},
        description="P(declared | true) at nominal SNR; rows true, columns declared",
    )
    snr50_db: float = Field(
        default=8.0, ge=-20, le=60, description="SNR margin (dB) where half the skill is left"
    )
    snr_width_db: float = Field(
        default=3.0, gt=0, le=30, description="dB over which the skill fades (logistic scale)"
    )
    correlation_s: float = Field(
        default=20.0, ge=0, le=3600, description="how long one target's declaration persists, s"
    )
    confidence_concentration: float = Field(
        default=20.0, gt=1, le=1000, description="Beta concentration of the stated confidence"
    )

    @field_validator("confusion")
    @classmethod
    def _matrix(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        want = set(CLASSIFIER_CLASSES)
        if set(v) != want:
            raise ValueError(
                f"rows must be exactly {list(CLASSIFIER_CLASSES)} (true classes), got {sorted(v)}"
            )
        for row, cols in v.items():
            if set(cols) != want:
                raise ValueError(
                    f"row {row!r}: columns must be exactly {list(CLASSIFIER_CLASSES)},"
                    f" got {sorted(cols)}"
                )
            bad = {k: p for k, p in cols.items() if not 0.0 <= p <= 1.0}
            if bad:
                raise ValueError(f"row {row!r}: probabilities outside [0, 1]: {bad}")
            total = sum(cols.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"row {row!r} sums to {total:.6g}, must sum to 1")
        return {r: {c: float(v[r][c]) for c in CLASSIFIER_CLASSES} for r in CLASSIFIER_CLASSES}


class RadarConfig(_SensorBase):
    """A 3-D surveillance radar (see sim/sensors/radar.py for the model)."""

    kind: Literal["radar"]
    # Up to an airport surveillance radar's 60 NM; beyond, 10 degree false alarms would
    # sit above the 30 km records accept.
    range_max_m: float = Field(gt=0, le=150_000, description="farthest reach, m")
    range_min_m: float = Field(default=100.0, ge=0, description="blind range, m")
    azimuth_min_deg: float = Field(
        default=0.0, ge=-360, le=360, description="coverage starts here, clockwise from north"
    )
    azimuth_max_deg: float = Field(
        default=360.0, ge=-360, le=720, description="coverage ends here (may exceed 360)"
    )
    elevation_min_deg: float = Field(default=-2.0, ge=-10, le=90, description="lowest beam")
    elevation_max_deg: float = Field(default=40.0, ge=-10, le=90, description="highest beam")
    pd_max: float = Field(default=0.95, gt=0, le=1, description="detection probability up close")
    range_50_m: float = Field(
        default=6000.0, gt=0, description="range where Pd = pd_max/2 for a 0.01 m^2 target"
    )
    pd_slope: float = Field(default=6.0, gt=0, description="steepness of the Pd(range) fall")
    sigma_range_m: float = Field(
        default=10.0, gt=0, le=5000, description="range noise, m (1 sigma)"
    )
    sigma_azimuth_deg: float = Field(default=0.5, gt=0, le=20, description="azimuth noise, deg")
    sigma_elevation_deg: float = Field(default=1.0, gt=0, le=20, description="elevation noise, deg")
    sigma_radial_velocity_mps: float = Field(
        default=0.5, gt=0, le=50, description="Doppler radial velocity noise, m/s"
    )
    false_alarms_per_scan: float = Field(
        default=2.0, ge=0, description="mean of the Poisson number of false alarms per scan"
    )
    classifier: ClassifierConfig | None = Field(
        default=None,
        description="on-board class reports per plot (counter-drone radars); absent = none",
    )

    @model_validator(mode="after")
    def _limits(self) -> RadarConfig:
        if self.range_min_m >= self.range_max_m:
            raise ValueError("range_min_m must be below range_max_m")
        if self.elevation_min_deg >= self.elevation_max_deg:
            raise ValueError("elevation_min_deg must be below elevation_max_deg")
        width = self.azimuth_max_deg - self.azimuth_min_deg
        if not 0 < width <= 360:
            raise ValueError("azimuth_max_deg - azimuth_min_deg must be in (0, 360]")
        return self


class RFConfig(_SensorBase):
    """An RF direction finder: bearings to drones with an active control link."""

    kind: Literal["rf"]
    pd: float = Field(
        default=0.8, gt=0, le=1, description="probability of hearing a live link per update"
    )
    sigma_bearing_deg: float = Field(default=3.0, gt=0, le=90, description="bearing noise, deg")


class RemoteIDConfig(_SensorBase):
    """A Remote ID (ASTM F3411 broadcast) receiver."""

    kind: Literal["remote_id"]
    message_loss: float = Field(
        default=0.2, ge=0, lt=1, description="probability an update's message is lost"
    )
    sigma_position_m: float = Field(
        default=3.0, gt=0, le=50_000, description="horizontal error of the broadcast GNSS fix, m"
    )
    sigma_altitude_m: float = Field(default=4.0, gt=0, le=1000, description="its vertical error, m")


class ADSBConfig(_SensorBase):
    """A 1090 MHz ADS-B receiver."""

    kind: Literal["adsb"]
    message_loss: float = Field(
        default=0.05, ge=0, lt=1, description="probability an update's message is lost"
    )
    sigma_position_m: float = Field(
        default=15.0, gt=0, le=50_000, description="horizontal error of the broadcast position, m"
    )


class VisualConfig(_SensorBase):
    """Visual sighting reports from people at or around a site (sparse, late, coarse)."""

    kind: Literal["visual"]
    reports_per_target_hour: float = Field(
        default=2.0, ge=0, description="mean reports per visible drone or aircraft per hour"
    )
    delay_s: Range = Field(
        default=(30.0, 300.0), description="uniform delay from sighting to report, s"
    )
    sigma_position_m: float = Field(
        default=300.0, gt=0, le=50_000, description="horizontal error of the reported place, m"
    )
    sigma_altitude_m: float = Field(
        default=100.0, gt=0, le=5000, description="error of the reported height, m"
    )
    bird_reports_per_target_hour: float = Field(
        default=0.0,
        ge=0,
        description="mean reports per bird per hour within bird_range_max_m, each taken for"
        " a drone (0: birds are never reported, the simulator up to wave 23)",
    )
    bird_range_max_m: float = Field(
        default=1000.0, gt=0, le=50_000, description="farthest a bird is mistaken for a drone, m"
    )

    @field_validator("delay_s")
    @classmethod
    def _delay(cls, v: Range) -> Range:
        return _check_range(v, 0, 3600)


SensorConfig = Annotated[
    RadarConfig | RFConfig | RemoteIDConfig | ADSBConfig | VisualConfig,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------- traffic


class _DroneBase(_Strict):
    """Common to small drones; each ``[lo, hi]`` is drawn uniformly per flight.

    ``speed_mps`` cruise ground speed (<= 20); ``cruise_agl_m`` height above ground
    (<= 150); ``endurance_s`` battery time (20-40 min by default); ``rcs_m2`` radar
    cross-section.
    """

    speed_mps: Range = (6.0, 16.0)
    cruise_agl_m: Range = (30.0, 120.0)
    endurance_s: Range = (1200.0, 2400.0)
    rcs_m2: Range = (0.005, 0.03)

    @field_validator("speed_mps")
    @classmethod
    def _speed(cls, v: Range) -> Range:
        return _check_range(v, 0.5, 20)

    @field_validator("cruise_agl_m")
    @classmethod
    def _agl(cls, v: Range) -> Range:
        return _check_range(v, 5, 150)

    @field_validator("endurance_s")
    @classmethod
    def _endurance(cls, v: Range) -> Range:
        return _check_range(v, 60, 7200)

    @field_validator("rcs_m2")
    @classmethod
    def _rcs(cls, v: Range) -> Range:
        return _check_range(v, 1e-5, 10)


#: How a spoofer's Remote ID lies (skywarden.sim.spoofing gives each one's physics).
SpoofMode = Literal[
    "stolen_serial", "false_position", "false_speed", "far_operator", "malformed_serial"
]
SPOOF_MODES: tuple[SpoofMode, ...] = (
    "stolen_serial",
    "false_position",
    "false_speed",
    "far_operator",
    "malformed_serial",
)


class RemoteIDSpoofing(_Strict):
    """Smugglers that broadcast a Remote ID that lies (see skywarden.sim.spoofing).

    ``fraction`` of the flights (a draw from each flight's own ``("spoof", id)`` stream,
    so the other targets' draws are unchanged) broadcast Remote ID with one lie from
    ``modes``, each equally likely: another drone's identity (``stolen_serial``), a
    position offset ``offset_m`` in a random direction (``false_position``), a speed
    scaled by ``speed_factor`` (``false_speed``), an operator ``operator_offset_m`` from
    the take-off (``far_operator``), or a serial that breaks ANSI/CTA-2063-A
    (``malformed_serial``). Off (0) by default: no public count of spoofed Remote ID in
    the field exists (the FAA publishes enforcement of non-broadcasting drones, not of
    false broadcasts), so any non-zero default would be an assumption; benchmarks turn
    it on and say so.
    """

    fraction: float = Field(default=0.0, ge=0, le=1)
    modes: tuple[SpoofMode, ...] = Field(default=SPOOF_MODES, min_length=1)
    offset_m: Range = (300.0, 3000.0)
    speed_factor: Range = (0.1, 0.5)
    operator_offset_m: Range = (3000.0, 10000.0)

    @field_validator("offset_m", "operator_offset_m")
    @classmethod
    def _offsets(cls, v: Range) -> Range:
        return _check_range(v, 0, 50_000)

    @field_validator("speed_factor")
    @classmethod
    def _factor(cls, v: Range) -> Range:
        return _check_range(v, 0, 10)


class SmugglerTraffic(_DroneBase):
    """Drones launched on the Mexican side that cross north, drop a load and return.

    ``per_hour`` launches (Poisson); launch ``launch_south_m`` south of the border, drop
    ``drop_north_m`` north of it (shortened if the battery would not bring it home),
    hover ``hover_s`` in total around a descent to ``drop_agl_m``; ``rf_link_fraction``
    of flights are flown live (the rest follow a programmed route, link on only within
    1 km of the pilot). ``spoofing``: the share of them whose Remote ID lies
    (:class:`RemoteIDSpoofing`, off by default).
    """

    per_hour: float = Field(default=4.0, ge=0, le=200)
    launch_south_m: Range = (300.0, 2500.0)
    drop_north_m: Range = (500.0, 4000.0)
    drop_agl_m: Range = (3.0, 10.0)
    hover_s: Range = (20.0, 90.0)
    rf_link_fraction: float = Field(default=0.8, ge=0, le=1)
    spoofing: RemoteIDSpoofing = RemoteIDSpoofing()


class ConvoyTraffic(SmugglerTraffic):
    """Smuggling drones flying the same route together, ``spacing_m`` apart (a convoy)."""

    per_hour: float = Field(default=0.0, ge=0, le=50)
    size: tuple[int, int] = (3, 5)
    spacing_m: Range = (20.0, 60.0)

    @field_validator("size")
    @classmethod
    def _size(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 2 <= v[0] <= v[1] <= 20:
            raise ValueError(f"size [{v[0]}, {v[1]}] must satisfy 2 <= lo <= hi <= 20")
        return v

    @field_validator("spacing_m")
    @classmethod
    def _spacing(cls, v: Range) -> Range:
        return _check_range(v, 5, 500)


class SurveillanceTraffic(_DroneBase):
    """Drones that patrol the Mexican side of the border, watching agents.

    They fly back and forth along ``patrol_length_m`` of border, ``standoff_m`` south of
    it, hovering ``watch_s`` at the end of each pass (a loiter), until the battery calls
    them home.
    """

    count: int = Field(default=2, ge=0, le=100)
    standoff_m: Range = (200.0, 1500.0)
    patrol_length_m: Range = (1000.0, 4000.0)
    watch_s: Range = (120.0, 420.0)
    rf_link_fraction: float = Field(default=1.0, ge=0, le=1)

    @field_validator("watch_s")
    @classmethod
    def _watch(cls, v: Range) -> Range:
        return _check_range(v, 0, 3600)


class HobbyTraffic(_DroneBase):
    """Recreational drones over the city, mostly Remote ID compliant.

    ``count`` pilots fly one after another (rests of 15-60 min); each stands within
    ``area_radius_m`` of the city centre on the US side and flies legs of up to 1.5 km;
    ``remote_id_fraction`` of the drones broadcast Remote ID.
    """

    count: int = Field(default=3, ge=0, le=200)
    area_radius_m: float = Field(default=8000.0, gt=0, le=100_000)
    remote_id_fraction: float = Field(default=0.85, ge=0, le=1)
    rf_link_fraction: float = Field(default=1.0, ge=0, le=1)
    speed_mps: Range = (2.0, 10.0)


class AirportFlow(_Strict):
    """Arrivals and departures at one airport on its real runway ends.

    ``runways`` are runway-end designators in use (``"26L"``: land and take off
    heading 273 deg true); ``glide_path_deg`` and ``final_length_m`` shape the final
    approach, flown at ``approach_speed_mps``; ``military_fraction`` of flights are
    military, half of them without ADS-B.
    """

    airport: str = Field(min_length=3, max_length=4)
    runways: list[str] = Field(min_length=1)
    arrivals_per_hour: float = Field(default=4.0, ge=0, le=60)
    departures_per_hour: float = Field(default=3.0, ge=0, le=60)
    approach_speed_mps: Range = (65.0, 75.0)
    glide_path_deg: float = Field(default=3.0, gt=1, lt=6)
    final_length_m: float = Field(default=15000.0, gt=2000, le=60_000)
    military_fraction: float = Field(default=0.0, ge=0, le=1)

    @field_validator("approach_speed_mps")
    @classmethod
    def _vapp(cls, v: Range) -> Range:
        return _check_range(v, 30, 120)


class OverflightTraffic(_Strict):
    """Manned aircraft crossing the sector in a straight line at ``altitude_m`` (MSL)."""

    per_hour: float = Field(default=6.0, ge=0, le=200)
    altitude_m: Range = (3000.0, 11500.0)
    speed_mps: Range = (120.0, 250.0)

    @field_validator("speed_mps")
    @classmethod
    def _speed(cls, v: Range) -> Range:
        return _check_range(v, 30, 350)

    @field_validator("altitude_m")
    @classmethod
    def _alt(cls, v: Range) -> Range:
        return _check_range(v, 0, 15000)


class BirdTraffic(_Strict):
    """Birds (night migrants and local flocks) at low level.

    ``count`` flocks at a time (a single bird is a flock of one) within ``radius_m`` of
    the origin, ``agl_m`` above ground, meandering at ``speed_mps`` with cross-sections
    ``rcs_m2`` (each bird its own). A flock has ``flock_size`` birds ``flock_spacing_m``
    apart. In flapping flight speed and heading jitter from second to second
    (``speed_jitter`` a fraction of the speed, ``heading_jitter_deg``, 1 sigma); by day
    (local solar hours ``soaring_hours``) ``soaring_fraction`` of flocks soar: circling in
    thermals, climbing, then gliding on. See sim/traffic/birds.py for the sources.
    """

    count: int = Field(default=10, ge=0, le=1000)
    speed_mps: Range = (6.0, 15.0)
    agl_m: Range = (10.0, 400.0)
    rcs_m2: Range = (0.001, 0.02)
    radius_m: float = Field(default=20000.0, gt=0, le=200_000)
    flock_size: tuple[int, int] = (1, 1)
    flock_spacing_m: Range = (3.0, 20.0)
    speed_jitter: float = Field(default=0.08, ge=0, le=0.5)
    heading_jitter_deg: float = Field(default=6.0, ge=0, le=45)
    soaring_fraction: float = Field(default=0.0, ge=0, le=1)
    soaring_hours: Range = (9.0, 17.0)

    @field_validator("flock_size")
    @classmethod
    def _flock(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= v[0] <= v[1] <= 50:
            raise ValueError(f"flock_size [{v[0]}, {v[1]}] must satisfy 1 <= lo <= hi <= 50")
        return v

    @field_validator("flock_spacing_m")
    @classmethod
    def _spacing(cls, v: Range) -> Range:
        return _check_range(v, 0.5, 500)

    @field_validator("soaring_hours")
    @classmethod
    def _hours(cls, v: Range) -> Range:
        return _check_range(v, 0, 24)

    @field_validator("speed_mps")
    @classmethod
    def _speed(cls, v: Range) -> Range:
        return _check_range(v, 1, 40)

    @field_validator("agl_m")
    @classmethod
    def _agl(cls, v: Range) -> Range:
        return _check_range(v, 0, 3000)

    @field_validator("rcs_m2")
    @classmethod
    def _rcs(cls, v: Range) -> Range:
        return _check_range(v, 1e-5, 10)


class Traffic(_Strict):
    smugglers: SmugglerTraffic = SmugglerTraffic()
    convoys: ConvoyTraffic = ConvoyTraffic()
    surveillance: SurveillanceTraffic = SurveillanceTraffic()
    hobby: HobbyTraffic = HobbyTraffic()
    airports: list[AirportFlow] = Field(default_factory=list)
    overflights: OverflightTraffic = OverflightTraffic()
    birds: BirdTraffic = BirdTraffic()


# --------------------------------------------------------------------------- scenario


class Scenario(_Strict):
    """A whole scenario file. ``frame`` is the sector's ENU frame (origin = sector origin)."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    sector: Sector
    sensors: list[SensorConfig] = Field(default_factory=list)
    traffic: Traffic = Traffic()
    source: str = "<memory>"

    @field_validator("sensors")
    @classmethod
    def _unique_ids(cls, sensors: list[SensorConfig]) -> list[SensorConfig]:
        first: dict[str, int] = {}
        for i, sensor in enumerate(sensors):
            if sensor.id in first:
                raise ValueError(
                    f"sensor id {sensor.id!r} used twice (sensors[{first[sensor.id]}] and"
                    f" sensors[{i}])"
                )
            first[sensor.id] = i
        return sensors

    @cached_property
    def frame(self) -> LocalFrame:
        o = self.sector.origin
        return LocalFrame(o.lat, o.lon, o.alt_m)


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"radar", "rf", "remote_id", "adsb", "visual"}:
            continue  # pydantic names the union branch; the person wrote no such key
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_scenario(doc: Any, source: str = "<memory>") -> Scenario:
    """Validate an already-parsed YAML/JSON document as a scenario."""
    if not isinstance(doc, dict):
        raise ScenarioError(source, [("", "a scenario must be a mapping at the top level")])
    if "source" in doc:
        raise ScenarioError(source, [("source", "reserved key: set from the file name")])
    try:
        scn = Scenario.model_validate({**doc, "source": source})
    except ValidationError as e:
        raise ScenarioError(
            source, [(_key(err["loc"]), err["msg"]) for err in e.errors()]
        ) from None
    problems = _check_reference_data(scn)
    if problems:
        raise ScenarioError(source, problems)
    return scn


#: Sites and airports farther than this many sector half-widths from the origin are
#: almost certainly typos (swapped coordinates, a sign lost on a longitude).
FAR_EXTENTS = 4


def _check_reference_data(scn: Scenario) -> list[tuple[str, str]]:
    """Airports and runway ends named in the file must exist in ``skywarden.refdata``."""
    from skywarden import refdata
    from skywarden.geo import distance_m

    problems: list[tuple[str, str]] = []
    sec = scn.sector
    far = FAR_EXTENTS * sec.extent_m

    def too_far(key: str, lat: float, lon: float) -> None:
        d = float(distance_m(sec.origin.lat, sec.origin.lon, lat, lon))
        if d > far:
            problems.append(
                (
                    key,
                    f"{d / 1000:.0f} km from the sector origin (more than {FAR_EXTENTS}"
                    f" x extent_m); latitude and longitude swapped?",
                )
            )

    for i, icao in enumerate(sec.airports):
        try:
            refdata.runways(icao)
            ap = refdata.airport(icao)
            too_far(f"sector.airports[{i}]", ap.lat, ap.lon)
        except KeyError:
            problems.append((f"sector.airports[{i}]", f"no runway data for airport {icao!r}"))
    for i, sensor in enumerate(scn.sensors):
        too_far(f"sensors[{i}].site", sensor.site.lat, sensor.site.lon)
    for i, flow in enumerate(scn.traffic.airports):
        try:
            ends = {e.ident for rw in refdata.runways(flow.airport) for e in rw.ends}
        except KeyError:
            problems.append(
                (f"traffic.airports[{i}].airport", f"no runway data for {flow.airport!r}")
            )
            continue
        for j, ident in enumerate(flow.runways):
            if ident not in ends:
                problems.append(
                    (
                        f"traffic.airports[{i}].runways[{j}]",
                        f"{flow.airport} has no runway end {ident!r} (has {sorted(ends)})",
                    )
                )
    return problems


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file; raises ScenarioError naming file and key."""
    p = Path(path)
    try:
        doc = load_yaml(p)
    except YamlFileError as e:
        raise ScenarioError(e.path, [(e.where, e.reason)]) from None
    return parse_scenario(doc, str(p))
