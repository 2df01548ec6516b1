"""The response policy: documented thresholds and measure lifetimes, loaded from YAML.

The shipped default is ``policy.yaml`` beside this module (read its comments for the
reasoning behind every number). :func:`load_policy` validates a policy with pydantic and
raises :class:`~skywarden.airspace.errors.PolicyError` naming the file and the key at
fault, so a site can ship its own policy file without reading this code.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from skywarden.airspace.errors import PolicyError
from skywarden.model import EVIDENCE_KINDS
from skywarden.yamlconfig import StrictModel as _Strict
from skywarden.yamlconfig import YamlFileError, load_yaml


class Subjects(_Strict):
    min_p_drone: float = Field(ge=0.0, le=1.0)
    keep_p_drone: float = Field(ge=0.0, le=1.0)
    max_p_manned: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _hysteresis(self) -> Subjects:
        if self.keep_p_drone > self.min_p_drone:
            raise ValueError("keep_p_drone must not exceed min_p_drone")
        return self


class Weights(_Strict):
    drone_class: float = Field(ge=0)
    approach_proximity: float = Field(ge=0)
    closing: float = Field(ge=0)
    manned_altitude: float = Field(ge=0)
    behaviour: float = Field(ge=0)
    no_remote_id: float = Field(ge=0)
    border_crossing: float = Field(ge=0)
    # A Remote ID the sensors contradict (tracking.identity_check). Optional so a site
    # policy written before it keeps loading, with the shipped weight: a false identity
    # must never score better than none.
    false_remote_id: float = Field(default=10.0, ge=0)


class Scoring(_Strict):
    weights: Weights
    proximity_scale_m: float = Field(gt=0)
    memory_s: float = Field(gt=0)
    manned_band_agl_ft: float = Field(ge=0)


class Triggers(_Strict):
    notify_within_m: float = Field(ge=0)
    pause_within_nm: float = Field(gt=0)
    closing_cpa_m: float = Field(ge=0)
    closing_horizon_s: float = Field(gt=0)
    several_drones: int = Field(ge=2)
    persistence_min: float = Field(gt=0)


class Measure(_Strict):
    """Lifetime of one measure; never open-ended (all three times are required)."""

    duration_min: float = Field(gt=0, le=24 * 60)
    reevaluate_min: float = Field(gt=0)
    lift_after_absent_min: float = Field(gt=0)
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Measure:
        if self.reevaluate_min > self.duration_min:
            raise ValueError("reevaluate_min must not exceed duration_min")
        if self.lift_after_absent_min > self.duration_min:
            raise ValueError("lift_after_absent_min must not exceed duration_min")
        return self


class VerifyMeasure(Measure):
    """Cue a camera or an observer, with a deadline; renewed at most ``max_renewals`` times."""

    max_renewals: int = Field(ge=0, le=10)
    on_deadline: str = Field(min_length=1)

    @model_validator(mode="after")
    def _deadline(self) -> VerifyMeasure:
        if self.duration_min > 10:
            raise ValueError("a verification deadline longer than 10 min is no deadline")
        return self


class TfrMeasure(Measure):
    min_radius_nm: float = Field(gt=0)
    margin_nm: float = Field(ge=0)
    max_radius_nm: float = Field(gt=0)
    ceiling_margin_ft: float = Field(ge=0)
    max_ceiling_ft_agl: float = Field(gt=0)


class Measures(_Strict):
    monitor: Measure
    verify: VerifyMeasure
    notify: Measure
    notify_foreign_authority: Measure
    pause_arrivals: Measure
    pause_departures: Measure
    pause_all: Measure
    tfr: TfrMeasure

    def of(self, action: str) -> Measure:
        m: Measure = getattr(self, action)
        return m


class Evidence(_Strict):
    """What a runway pause or a TFR rests on (DESIGN: evidence before disruption)."""

    min_p_drone: float = Field(ge=0.5, le=1.0)
    min_p_exist: float = Field(ge=0.0, le=1.0)
    counting_kinds: tuple[str, ...] = Field(min_length=1)
    min_kinds: int = Field(ge=1)
    persistence_s: float = Field(gt=0, le=600)
    persistence_gap_s: float = Field(ge=0, le=30)
    # Shorter persistence for a track that already has one counting kind (optional: a
    # site file without it keeps the single persistence_s rule).
    persistence_one_kind_s: float | None = Field(default=None, gt=0, le=600)

    @model_validator(mode="after")
    def _kinds(self) -> Evidence:
        one = self.persistence_one_kind_s
        if one is not None and one > self.persistence_s:
            raise ValueError("persistence_one_kind_s exceeds persistence_s")
        unknown = sorted(set(self.counting_kinds) - set(EVIDENCE_KINDS))
        if unknown:
            raise ValueError(f"unknown evidence kinds {unknown}; known: {list(EVIDENCE_KINDS)}")
        if self.min_kinds > len(set(self.counting_kinds)):
            raise ValueError("min_kinds exceeds the number of counting_kinds")
        return self


class Jurisdiction(_Strict):
    """Who is told about a hazard at an airport of another country (never a pause of it)."""

    authorities: dict[str, str] = Field(min_length=1)
    unknown_authority: str = Field(min_length=1)

    def authority(self, country: str) -> str:
        return self.authorities.get(country, self.unknown_authority.format(country=country))


#: The response rules a policy may select (``skywarden.airspace.rules``), by name.
RuleName = Literal["zone", "near_path", "closing", "recent_crossing"]
ALL_RULES: tuple[RuleName, ...] = ("zone", "near_path", "closing", "recent_crossing")


class Policy(_Strict):
    """A validated response policy (see ``policy.yaml`` for the meaning of each key)."""

    version: int = Field(ge=1)
    subjects: Subjects
    scoring: Scoring
    triggers: Triggers
    evidence: Evidence
    jurisdiction: Jurisdiction
    measures: Measures
    # The situations that call for measures, applied in this order; each is parameterised
    # by ``triggers`` and ``scoring``. A site may leave one out (say, no border audience).
    rules: tuple[RuleName, ...] = Field(default=ALL_RULES, min_length=1)
    source: str = "<memory>"

    @model_validator(mode="after")
    def _rules_once(self) -> Policy:
        if len(set(self.rules)) != len(self.rules):
            raise ValueError(f"rules: a rule is listed twice in {list(self.rules)}")
        return self


def default_policy_path() -> Path:
    return Path(str(resources.files("skywarden.airspace").joinpath("policy.yaml")))


# Sections added in version 2. A version-1 site policy gets the shipped ones, so an old
# file keeps loading and its pauses still need evidence (the safe side).
_V2_SECTIONS = ("evidence", "jurisdiction")
_V2_MEASURES = ("verify", "notify_foreign_authority")


def _upgrade_v1(doc: dict[str, Any]) -> dict[str, Any]:
    if doc.get("version") != 1:
        return doc
    shipped = load_yaml(default_policy_path())
    out = {**doc}
    for key in _V2_SECTIONS:
        out.setdefault(key, shipped[key])
    if isinstance(doc.get("measures"), dict):
        out["measures"] = {**{k: shipped["measures"][k] for k in _V2_MEASURES}, **doc["measures"]}
    return out


def parse_policy(doc: Any, source: str = "<memory>") -> Policy:
    """Validate a policy mapping; errors name ``source`` and the dotted key at fault.

    A version-1 policy (before the evidence gate) gets the shipped ``evidence``,
    ``jurisdiction``, ``measures.verify`` and ``measures.notify_foreign_authority``."""
    if not isinstance(doc, dict):
        raise PolicyError(source, "$", "policy must be a YAML mapping")
    doc = _upgrade_v1(doc)
    try:
        return Policy.model_validate({**doc, "source": source})
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "$"
        raise PolicyError(source, key, err["msg"]) from None


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a policy YAML; ``None`` loads the shipped default."""
    p = Path(path) if path is not None else default_policy_path()
    try:
        doc = load_yaml(p)
    except YamlFileError as e:
        raise PolicyError(e.path, e.where or "$", e.reason) from None
    return parse_policy(doc, str(p))
