"""Canonical bytes of the stages' outputs, so two runs compare byte for byte.

Why: "the same tracks and incidents" must mean the same bytes, not "close enough". Each
output record is serialised the one way (``to_dict``, keys sorted, no spaces, floats as
Python's shortest round-tripping repr), and a scan's outputs are hashed per kind, so a
divergence is named by kind (tracks, events, incidents, recommendations) and record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

OUTPUT_KINDS = ("tracks", "events", "incidents", "recommendations")


class _Dictable(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class _Outputs(Protocol):
    """A ``StepResult``'s outputs (kept structural: this package sits below the stages)."""

    @property
    def updates(self) -> list[Any]: ...

    @property
    def events(self) -> list[Any]: ...

    @property
    def incidents(self) -> list[Any]: ...

    @property
    def recommendations(self) -> list[Any]: ...


def canonical(obj: Any) -> bytes:
    """The one serialisation compared and hashed (UTF-8 JSON, sorted keys, compact)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def records(result: _Outputs) -> dict[str, list[dict[str, Any]]]:
    """A scan's outputs by kind, as their dictionaries."""
    return {
        "tracks": [u.to_dict() for u in result.updates],
        "events": [e.to_dict() for e in result.events],
        "incidents": [i.to_dict() for i in result.incidents],
        "recommendations": [r.to_dict() for r in result.recommendations],
    }


def digest(items: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 (hex) over the canonical bytes of each item, each on its own line."""
    h = hashlib.sha256()
    for it in items:
        h.update(canonical(it))
        h.update(b"\n")
    return h.hexdigest()


def digests(result: _Outputs) -> dict[str, str]:
    """The per-kind digests of one scan's outputs (stored with the scan's chain head)."""
    return {k: digest(v) for k, v in records(result).items()}
