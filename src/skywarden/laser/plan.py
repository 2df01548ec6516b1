"""A laser test plan (``LASER.yaml``): the laser, its site and fan, the window, the airspace.

Why a file: the range safety officer's plan is reviewed, versioned and re-run; every
number that decides what airspace is at risk is written down in one place. The schema is
strict (pydantic, unknown keys rejected) and errors name the file and the key, e.g.
``scenarios/x.yaml: laser.power_w: Input should be greater than 0``.

Units: metres and degrees, except where aviation text requires feet (zone floors/ceilings
may be given as ``*_ft_msl``). Times are ISO 8601 UTC (``2026-02-11T03:30:00Z``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from skywarden.errors import SkywardenError
from skywarden.geo import M_PER_FT
from skywarden.laser.beam import Beam, extinction_per_km
from skywarden.laser.flight_zones import FlightZone, HazardDistances, hazard_distances
from skywarden.laser.mpe import LaserInputError
from skywarden.laser.notam import NotamContext
from skywarden.laser.volume import Fan, HazardVolume
from skywarden.yamlconfig import StrictModel as _Strict
from skywarden.yamlconfig import YamlFileError, load_yaml


class LaserPlanError(SkywardenError, ValueError):
    """A laser plan file is unreadable or invalid; ``problems`` are (key, message) pairs."""

    def __init__(self, path: str, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("; ".join(f"{path}: {k}: {m}" for k, m in problems))




class SiteSpec(_Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    alt_m: float = Field(ge=-500, le=9000, description="exit aperture, m MSL")


class LaserSpec(_Strict):
    power_w: float = Field(gt=0)
    wavelength_nm: float = Field(ge=400, le=1400)
    divergence_mrad: float = Field(gt=0, description="full angle at the 1/e points")
    diameter_mm: float = Field(ge=0, description="exit beam diameter at the 1/e points")
    exposure_s: float | None = Field(default=None, gt=0, le=3e4)
    vcf: float | None = Field(default=None, ge=0, le=1)


class AtmosphereSpec(_Strict):
    visibility_km: float | None = Field(default=None, gt=0.5)
    attenuation_per_km: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> AtmosphereSpec:
        if self.visibility_km is not None and self.attenuation_per_km is not None:
            raise ValueError("give visibility_km or attenuation_per_km, not both")
        return self


class FanSpec(_Strict):
    azimuth_from_deg: float = Field(ge=0, le=360)
    azimuth_to_deg: float = Field(ge=0, le=360)
    elevation_min_deg: float = Field(ge=-90, le=90)
    elevation_max_deg: float = Field(ge=-90, le=90)

    @model_validator(mode="after")
    def _order(self) -> FanSpec:
        if self.elevation_max_deg <= self.elevation_min_deg:
            raise ValueError("elevation_max_deg must exceed elevation_min_deg")
        return self


class WindowSpec(_Strict):
    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2026-02-11T03:30:00Z")
        return v.astimezone(UTC)

    @model_validator(mode="after")
    def _order(self) -> WindowSpec:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class SensitiveZoneSpec(_Strict):
    name: str
    polygon: list[tuple[float, float]] = Field(min_length=3, description="(lon, lat) vertices")
    floor_ft_msl: float = 0.0
    ceiling_ft_msl: float

    @model_validator(mode="after")
    def _order(self) -> SensitiveZoneSpec:
        if self.ceiling_ft_msl <= self.floor_ft_msl:
            raise ValueError("ceiling_ft_msl must exceed floor_ft_msl")
        for lon, lat in self.polygon:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"vertex ({lon}, {lat}) is not (lon, lat) in degrees")
        return self


class TfrSpec(_Strict):
    limit: Literal["NFZ", "SFZ", "CFZ", "LFZ"] = "NFZ"
    buffer_nm: float = Field(default=0.0, ge=0, le=20)
    # "auto": whichever of the two has the smaller area.
    shape: Literal["auto", "cylinder", "polygon"] = "auto"


class NotamSpec(_Strict):
    fir: str = "KZAB"
    artcc: str = "ZAB"
    state: str = "TX"
    city: str = "EL PASO"
    fdc_number: str = "6/0001"
    icao_number: str = Field(default="A0001/26", pattern=r"^[A-Z]\d{4}/\d{2}$")
    reason: str = "HIGH ENERGY LASER TEST"
    controlling_agency: str = "RANGE CONTROL"


class HoldFireSpec(_Strict):
    look_ahead_s: float = Field(default=60.0, gt=0, le=600)
    step_s: float = Field(default=2.0, gt=0, le=30)
    beam_margin_deg: float = Field(default=1.0, ge=0, le=30)
    volume_margin_m: float = Field(default=300.0, ge=0)
    protect_probability: float = Field(default=0.2, gt=0, le=1)


class BlanketSpec(_Strict):
    """The closure it is compared against (the February 2026 El Paso case by default)."""

    radius_nm: float = Field(default=10.0, gt=0)
    ceiling_ft_msl: float = Field(default=18_000.0, gt=0)
    minutes: float = Field(default=420.0, gt=0, description="how long it actually lasted")
    announced_minutes: float | None = Field(default=None, gt=0)


class PlanSpec(_Strict):
    name: str
    site: SiteSpec
    laser: LaserSpec
    atmosphere: AtmosphereSpec = AtmosphereSpec()
    fan: FanSpec
    range_limit_m: float | None = Field(default=None, gt=0)
    window: WindowSpec
    airports: list[str] = Field(default_factory=list)
    sensitive_zones: list[SensitiveZoneSpec] = Field(default_factory=list)
    tfr: TfrSpec = TfrSpec()
    notam: NotamSpec = NotamSpec()
    holdfire: HoldFireSpec = HoldFireSpec()
    blanket: BlanketSpec = BlanketSpec()
    traffic: str | None = Field(default=None, description="TrackUpdate JSONL, relative to the file")


class LaserPlan:
    """A validated plan with its derived beam, distances and hazard volumes."""

    def __init__(self, spec: PlanSpec, base_dir: Path | None = None) -> None:
        self.spec = spec
        self.base_dir = base_dir or Path.cwd()
        try:
            self.fan = Fan(
                spec.fan.azimuth_from_deg,
                spec.fan.azimuth_to_deg,
                spec.fan.elevation_min_deg,
                spec.fan.elevation_max_deg,
            )
            self.beam = Beam(
                spec.laser.power_w,
                spec.laser.wavelength_nm,
                spec.laser.divergence_mrad,
                spec.laser.diameter_mm,
                self._attenuation(),
            )
        except LaserInputError as e:
            raise LaserPlanError(str(self.base_dir), [(e.field, e.reason)]) from None

    def _attenuation(self) -> float:
        atm = self.spec.atmosphere
        if atm.attenuation_per_km is not None:
            return atm.attenuation_per_km
        if atm.visibility_km is not None:
            return extinction_per_km(atm.visibility_km, self.spec.laser.wavelength_nm)
        return 0.0

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def start_t(self) -> float:
        return self.spec.window.start.timestamp()

    @property
    def end_t(self) -> float:
        return self.spec.window.end.timestamp()

    @cached_property
    def distances(self) -> HazardDistances:
        return hazard_distances(self.beam, self.spec.laser.exposure_s, self.spec.laser.vcf)

    @cached_property
    def vacuum_distances(self) -> HazardDistances:
        """The same without atmospheric attenuation (the conservative Z136.1 default)."""
        b = self.beam
        vac = Beam(b.power_w, b.wavelength_nm, b.divergence_mrad, b.diameter_mm)
        return hazard_distances(vac, self.spec.laser.exposure_s, self.spec.laser.vcf)

    def range_for(self, zone: FlightZone) -> float:
        """Hazard range for ``zone``'s limit, cut by the range limit or backstop."""
        r = self.distances.for_zone(zone)
        if self.spec.range_limit_m is not None:
            r = min(r, self.spec.range_limit_m)
        return r

    def volume(self, zone: FlightZone = FlightZone.NORMAL) -> HazardVolume:
        """The hazard volume out to ``zone``'s limit (default: the eye hazard, NOHD)."""
        s = self.spec.site
        return HazardVolume(s.lat, s.lon, s.alt_m, self.fan, self.range_for(zone))

    @property
    def tfr_zone(self) -> FlightZone:
        return FlightZone(self.spec.tfr.limit)

    @property
    def notam_context(self) -> NotamContext:
        return NotamContext(**self.spec.notam.model_dump())

    def sensitive_zone_specs(self) -> list[tuple[str, list[tuple[float, float]], float, float]]:
        return [
            (z.name, list(z.polygon), z.floor_ft_msl * M_PER_FT, z.ceiling_ft_msl * M_PER_FT)
            for z in self.spec.sensitive_zones
        ]

    def traffic_path(self) -> Path | None:
        if self.spec.traffic is None:
            return None
        p = Path(self.spec.traffic)
        return p if p.is_absolute() else self.base_dir / p


def _problems(e: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(str(p) for p in err["loc"]) or "<root>", err["msg"]) for err in e.errors()]


def parse_laser_plan(doc: object, where: str = "<plan>", base_dir: Path | None = None) -> LaserPlan:
    """Validate an already-loaded YAML/JSON document as a plan."""
    if not isinstance(doc, dict):
        raise LaserPlanError(where, [("<root>", "expected a mapping of plan keys")])
    try:
        spec = PlanSpec.model_validate(doc)
    except ValidationError as e:
        raise LaserPlanError(where, _problems(e)) from None
    try:
        return LaserPlan(spec, base_dir)
    except LaserPlanError as e:
        raise LaserPlanError(where, e.problems) from None


def load_laser_plan(path: str | Path) -> LaserPlan:
    """Read and validate ``LASER.yaml``; errors name the file and the key."""
    p = Path(path)
    try:
        doc = load_yaml(p)
    except YamlFileError as e:
        key = "<yaml>" if e.reason.startswith("not valid YAML") else "<file>"
        problem = f"{e.where}: {e.reason}" if e.where else e.reason
        raise LaserPlanError(str(p), [(key, problem)]) from None
    return parse_laser_plan(doc, str(p), p.parent)
