"""Typed errors of the airspace stage: each names the file, the key or feature, and why.

Bad input (a malformed policy YAML, a GeoJSON zone without a ceiling, a tracks file with a
broken line) must tell the operator exactly what to fix, not raise a bare ``KeyError``.
"""

from __future__ import annotations

from skywarden.errors import SkywardenError


class AirspaceError(SkywardenError, ValueError):
    """Base of every error raised by :mod:`skywarden.airspace`."""


class PolicyError(AirspaceError):
    """The response-policy YAML is unreadable or a key is missing / out of range."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason


class ZoneFileError(AirspaceError):
    """A GeoJSON zone file is malformed; ``where`` is e.g. ``features[3].properties.floor_m``."""

    def __init__(self, source: str, where: str, reason: str) -> None:
        super().__init__(f"{source}: {where}: {reason}")
        self.source = source
        self.where = where
        self.reason = reason


class TracksFileError(AirspaceError):
    """A ``tracks.jsonl`` line cannot be read as a :class:`~skywarden.model.TrackUpdate`."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason
