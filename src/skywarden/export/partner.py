"""The partner's export, redacted first by the API's own code (``skywarden.service.redact``).

The same allow-lists as ``GET /api/...`` and the WebSocket feed for the partner role:
incidents an operator shared, and only the tracks of those, positions rounded to about
1 km and altitudes to 100 m, no identities, sensors, notes or operator names;
recommendations of shared incidents. Zones are readable by every role (``zones:read``),
so they pass unchanged; laser plans are staff-only (``laser:read``) and are refused.
Every writer works on what this returns, never on the full data (DESIGN: redact first).
"""

from __future__ import annotations

from skywarden.errors import SkywardenError
from skywarden.export.data import ExportData
from skywarden.service import redact
from skywarden.service.roles import allowed
from skywarden.store.users import Role


class PartnerForbidden(SkywardenError, ValueError):
    """The partner role may not receive this kind of export at all."""


PERMISSION = {
    "tracks": "tracks:read",
    "incidents": "incidents:read",
    "zones": "zones:read",
    "laser-plan": "laser:read",
}


def check_allowed(kind: str) -> None:
    if not allowed(Role.PARTNER, PERMISSION[kind]):
        raise PartnerForbidden(
            f"a partner may not receive {kind} (permission {PERMISSION[kind]!r} is staff-only)"
        )


def for_partner(data: ExportData) -> ExportData:
    """The part of ``data`` a partner may see, redacted before anything else touches it."""
    shared = [i for i in data.incidents if i.get("shared")]
    visible = redact.shared_tracks(shared)
    ids = redact.shared_ids(shared)
    return ExportData(
        tracks=[redact.track(p) for p in data.tracks if p["track"] in visible],
        incidents=[redact.incident(i) for i in shared],
        recommendations=[
            redact.recommendation(r) for r in data.recommendations if r.get("incident") in ids
        ],
        zones=list(data.zones),
        laser_plans=[],
        source=data.source,
        origin=data.origin,
    )
