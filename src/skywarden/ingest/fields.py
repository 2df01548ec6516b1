"""Typed field access for the JSON and CSV formats: every error names its field.

The documented skywarden formats (radar plots, RF direction finders, visual sightings)
are small records of named fields. These helpers read one field, check its type,
finiteness and range, and raise ``RejectedMessage`` naming the field, so the quarantine
says exactly what was wrong ("azimuth_deg=400 outside [0, 360]").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from skywarden.ingest.rejection import Reason, RejectedMessage


def number(obj: Mapping[str, Any], key: str, lo: float, hi: float) -> float:
    """A required finite number in [lo, hi]."""
    v = optional(obj, key, lo, hi)
    if v is None:
        raise RejectedMessage(Reason.MISSING_FIELD, f"{key} is required", key)
    return v


def optional(obj: Mapping[str, Any], key: str, lo: float, hi: float) -> float | None:
    """A finite number in [lo, hi], or None when absent or empty."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RejectedMessage(Reason.CORRUPT, f"{key} is a boolean", key)
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise RejectedMessage(Reason.CORRUPT, f"{key} is not a number: {value!r}", key) from None
    if not math.isfinite(v):
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"{key} is not finite", key)
    if not lo <= v <= hi:
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"{key}={v} outside [{lo}, {hi}]", key)
    return v


def text(obj: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise RejectedMessage(Reason.MISSING_FIELD, f"{key} is required", key)
        return None
    if not isinstance(value, str):
        raise RejectedMessage(Reason.CORRUPT, f"{key} is not a string", key)
    return value


def utc_time(obj: Mapping[str, Any], key: str = "t") -> float:
    """UTC epoch seconds from a number or an ISO 8601 string with a zone."""
    value = obj.get(key)
    if isinstance(value, str) and not _is_number(value):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RejectedMessage(
                Reason.CORRUPT, f"{key} is not ISO 8601: {value!r}", key
            ) from None
        if dt.tzinfo is None:
            raise RejectedMessage(Reason.CORRUPT, f"{key} has no time zone: {value!r}", key)
        return dt.timestamp()
    # Detection's own bounds: 2000-01-01 to 2100-01-01.
    return number(obj, key, 946_684_800.0, 4_102_444_800.0)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
