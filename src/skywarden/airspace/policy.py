"""The response policy: documented thresholds and measure lifetimes, loaded from YAML.

The shipped default is ``policy.yaml`` beside this module (read its comments for the
reasoning behind every number). :func:`load_policy` validates a policy with pydantic and
raises :class:`~skywarden.airspace.errors.PolicyError` naming the file and the key at
fault, so a site can ship its own policy file without reading this code.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from skywarden.airspace.errors import PolicyError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class TfrMeasure(Measure):
    min_radius_nm: float = Field(gt=0)
    margin_nm: float = Field(ge=0)
    max_radius_nm: float = Field(gt=0)
    ceiling_margin_ft: float = Field(ge=0)
    max_ceiling_ft_agl: float = Field(gt=0)


class Measures(_Strict):
    monitor: Measure
    notify: Measure
    pause_arrivals: Measure
    pause_departures: Measure
    pause_all: Measure
    tfr: TfrMeasure

    def of(self, action: str) -> Measure:
        m: Measure = getattr(self, action)
        return m


class Policy(_Strict):
    """A validated response policy (see ``policy.yaml`` for the meaning of each key)."""

    version: int = Field(ge=1)
    subjects: Subjects
    scoring: Scoring
    triggers: Triggers
    measures: Measures
    source: str = "<memory>"


def default_policy_path() -> Path:
    return Path(str(resources.files("skywarden.airspace").joinpath("policy.yaml")))


def parse_policy(doc: Any, source: str = "<memory>") -> Policy:
    """Validate a policy mapping; errors name ``source`` and the dotted key at fault."""
    if not isinstance(doc, dict):
        raise PolicyError(source, "$", "policy must be a YAML mapping")
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
        doc = yaml.safe_load(p.read_text())
    except OSError as e:
        raise PolicyError(str(p), "$", f"cannot read: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise PolicyError(str(p), "$", f"not valid YAML: {e}") from None
    return parse_policy(doc, str(p))
