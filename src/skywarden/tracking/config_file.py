"""``TrackerConfig`` from a YAML file, validated with pydantic; errors name the key.

Every field of :class:`~skywarden.tracking.config.TrackerConfig` can be set, nested
components too (``classifier: {rf_weight: 4, radar: {tau_s: 20}}``, ``bearing:
{min_weight: 0.7}``). Unknown keys are errors (a misspelt key silently ignored is a
setting that never took effect), as are values of the wrong type or out of range; each
message names the file and the dotted key (``classifier.radar.tau_s``).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from skywarden.errors import SkywardenError
from skywarden.tracking.config import TrackerConfig


class ConfigFileError(SkywardenError, ValueError):
    """A tracker configuration file cannot be used. Names the file and the key."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        where = f"{path}: {key}" if key else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.key = key
        self.reason = reason


def _unknown_keys(cls: type, data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, type]]:
    """Dotted keys of ``data`` that are not fields of dataclass ``cls`` (recursively),
    each with the class it should have been a field of."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    out = []
    for key, value in data.items():
        if key not in names:
            out.append((f"{prefix}{key}", cls))
            continue
        sub = hints.get(key)
        if isinstance(sub, type) and dataclasses.is_dataclass(sub) and isinstance(value, Mapping):
            out += _unknown_keys(sub, value, f"{prefix}{key}.")
    return out


def config_from_mapping(
    data: Mapping[str, Any], source: Path | str = "<config>", **overrides: Any
) -> TrackerConfig:
    """Validate ``data`` (plus keyword ``overrides``, which win) into a ``TrackerConfig``."""
    if not isinstance(data, Mapping):
        raise ConfigFileError(source, "", f"expected a mapping of keys, got {type(data).__name__}")
    bad = _unknown_keys(TrackerConfig, data)
    if bad:
        key, cls = bad[0]
        known = ", ".join(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))
        raise ConfigFileError(source, key, f"unknown key ({cls.__name__} has: {known})")
    merged = {**data, **overrides}
    try:
        return TypeAdapter(TrackerConfig).validate_python(merged)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigFileError(source, key, msg) from None


def read_mapping(path: Path | str) -> Any:
    """The YAML file's contents, not yet validated (an empty file: no settings);
    :func:`config_from_mapping` checks that it is a mapping of known keys."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigFileError(path, "", f"cannot read: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigFileError(path, "", f"not YAML: {e}") from None
    return data or {}


def load_config(path: Path | str, **overrides: Any) -> TrackerConfig:
    """Read and validate a YAML tracker configuration (``overrides`` win over the file)."""
    return config_from_mapping(read_mapping(path), path, **overrides)
