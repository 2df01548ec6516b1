"""The role matrix: which role may do what, the one table every endpoint is checked against.

Each endpoint names one permission; ``ROLE_MATRIX`` says which roles hold it. Keeping
the matrix as data (not as ``if role == ...`` scattered through handlers) lets the test
suite walk every route and role and prove the matrix is what is enforced.

- operator: works incidents (acknowledge, resolve, share), edits zones, files laser plans;
- analyst: reads everything, including the audit log and statistics; changes nothing;
- partner: reads a redacted feed (shared incidents only, ~1 km positions, no sensors);
- admin: everything, plus users.
"""

from __future__ import annotations

from skywarden.store.users import Role

ALL = frozenset(Role)
STAFF = frozenset({Role.OPERATOR, Role.ANALYST, Role.ADMIN})
ACTORS = frozenset({Role.OPERATOR, Role.ADMIN})

ROLE_MATRIX: dict[str, frozenset[Role]] = {
    "me": ALL,
    "sector:read": ALL,
    "tracks:read": ALL,
    "tracks:history": STAFF,
    "incidents:read": ALL,
    "incidents:act": ACTORS,
    "incidents:share": ACTORS,
    "recommendations:read": ALL,
    "sensors:read": STAFF,
    "zones:read": ALL,
    "zones:write": ACTORS,
    "laser:read": STAFF,
    "laser:write": ACTORS,
    "audit:read": frozenset({Role.ANALYST, Role.ADMIN}),
    "quarantine:read": STAFF,
    "stats:read": STAFF,
    "users:read": frozenset({Role.ADMIN}),
    "users:write": frozenset({Role.ADMIN}),
    "feed": ALL,
    # month-scale statistics and the report's figures (issue 16); not partners: they
    # count unshared incidents too (partners get a redacted report file instead)
    "analytics:read": frozenset({Role.ANALYST, Role.ADMIN}),
}


def allowed(role: Role | str, permission: str) -> bool:
    """True if ``role`` holds ``permission``; an unknown permission is held by nobody."""
    return Role(role) in ROLE_MATRIX.get(permission, frozenset())
