"""The role matrix, enforced: every API route called by every role, expected status each.

The table below is the contract; ``test_every_api_route_is_in_the_table`` fails when a
route is added without deciding who may call it.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from skywarden.service.app import create_app
from skywarden.service.roles import ROLE_MATRIX
from skywarden.store import Database

ROLES = ("operator", "analyst", "partner", "admin")
ACTIONS = ("ack", "res", "note", "share")
INCIDENTS = ["I-open", "I-shared"] + [f"I-{a}-{r}" for a in ACTIONS for r in ROLES]


def _zone(zone_id: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[-106.45, 31.75], [-106.40, 31.75], [-106.40, 31.79]]],
        },
        "properties": {"id": zone_id, "kind": "user", "floor_m": 1100, "ceiling_m": 1500},
    }


# method, path template ({role} is the caller's role), permission, body, success status
TABLE: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
    ("GET", "/api/me", "me", None, 200),
    ("GET", "/api/users", "users:read", None, 200),
    (
        "POST",
        "/api/users",
        "users:write",
        {"name": "new-{role}", "role": "analyst", "password": "password123"},
        201,
    ),
    ("PUT", "/api/users/u-pw-{role}/password", "users:write", {"password": "password456"}, 200),
    ("POST", "/api/users/u-off-{role}/disable", "users:write", None, 200),
    ("POST", "/api/users/u-on-{role}/enable", "users:write", None, 200),
    ("DELETE", "/api/users/u-del-{role}", "users:write", None, 204),
    ("GET", "/api/sector", "sector:read", None, 200),
    ("GET", "/api/tracks", "tracks:read", None, 200),
    ("GET", "/api/tracks/history", "tracks:history", None, 200),
    ("GET", "/api/incidents", "incidents:read", None, 200),
    ("GET", "/api/incidents/I-shared", "incidents:read", None, 200),
    ("POST", "/api/incidents/I-ack-{role}/acknowledge", "incidents:act", None, 200),
    ("POST", "/api/incidents/I-res-{role}/resolve", "incidents:act", {"comment": "done"}, 200),
    ("POST", "/api/incidents/I-note-{role}/notes", "incidents:act", {"comment": "seen"}, 200),
    ("POST", "/api/incidents/I-share-{role}/share", "incidents:share", {"shared": True}, 200),
    ("GET", "/api/recommendations", "recommendations:read", None, 200),
    ("GET", "/api/sensors", "sensors:read", None, 200),
    ("GET", "/api/zones", "zones:read", None, 200),
    ("GET", "/api/zones/Z-seed", "zones:read", None, 200),
    ("POST", "/api/zones", "zones:write", _zone("Z-new-{role}"), 201),
    ("PUT", "/api/zones/Z-put-{role}", "zones:write", _zone("Z-put-{role}"), 200),
    ("DELETE", "/api/zones/Z-del-{role}", "zones:write", None, 204),
    ("GET", "/api/laser/plans", "laser:read", None, 200),
    (
        "POST",
        "/api/laser/plans",
        "laser:write",
        {
            "id": "plan-{role}",
            "name": "test",
            "plan": {  # validated by the laser plan's own schema (LASER.yaml)
                "name": "test",
                "site": {"lat": 31.84, "lon": -106.3, "alt_m": 1235.0},
                "laser": {
                    "power_w": 5,
                    "wavelength_nm": 1070,
                    "divergence_mrad": 0.5,
                    "diameter_mm": 10,
                },
                "fan": {
                    "azimuth_from_deg": 20,
                    "azimuth_to_deg": 105,
                    "elevation_min_deg": 3,
                    "elevation_max_deg": 20,
                },
                "window": {"start": "2026-02-11T04:00:00Z", "end": "2026-02-11T06:00:00Z"},
            },
        },
        201,
    ),
    ("GET", "/api/laser/status", "laser:read", None, 200),
    ("GET", "/api/laser/decisions", "laser:read", None, 200),
    ("GET", "/api/audit", "audit:read", None, 200),
    ("GET", "/api/quarantine", "quarantine:read", None, 200),
    ("GET", "/api/stats", "stats:read", None, 200),
    ("GET", "/api/analytics", "analytics:read", None, 200),
    ("GET", "/api/analytics/figures", "analytics:read", None, 200),
]
PUBLIC = {("POST", "/api/token")}
WEBSOCKETS = {"/api/ws"}


def _fill(obj: Any, role: str) -> Any:
    if isinstance(obj, str):
        return obj.replace("{role}", role)
    if isinstance(obj, dict):
        return {k: _fill(v, role) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_fill(v, role) for v in obj]
    return obj


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, svc: SimpleNamespace) -> Iterator[Any]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('roles') / 'r.db'}")
    svc.seed_store(db, INCIDENTS, ["I-shared"])
    from skywarden.store import users, zones

    with db.session() as s:
        for r in ROLES:
            zones.put(s, zones.feature_to_zone(_zone(f"Z-del-{r}")))
            for user in ("pw", "off", "on", "del"):  # targets of the admin routes
                users.add_user(s, f"u-{user}-{r}", "analyst", "password123")
    app = create_app(db)
    with TestClient(app) as client:
        tokens = {r: svc.login(client, r) for r in ROLES}
        yield SimpleNamespace(client=client, tokens=tokens, app=app)
    db.dispose()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "perm", "body", "ok"), TABLE, ids=[f"{m} {p}" for m, p, *_ in TABLE]
)
def test_role_matrix(
    env: Any, role: str, method: str, path: str, perm: str, body: Any, ok: int
) -> None:
    expected = ok if role in ROLE_MATRIX[perm] else 403
    r = env.client.request(
        method, _fill(path, role), json=_fill(body, role), headers=env.tokens[role]
    )
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    ("method", "path", "perm", "body", "ok"), TABLE, ids=[f"{m} {p}" for m, p, *_ in TABLE]
)
def test_no_token_is_401(env: Any, method: str, path: str, perm: str, body: Any, ok: int) -> None:
    r = env.client.request(method, _fill(path, "anon"), json=_fill(body, "anon"))
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def _flat_routes(routes: Any) -> Iterator[Any]:
    """Every route, also inside routers that FastAPI >= 0.165 keeps as included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat_routes(inner.routes)
        else:
            yield route


def test_every_api_route_is_in_the_table(env: Any) -> None:
    declared = {(m, p.replace("{role}", "x")) for m, p, *_ in TABLE} | PUBLIC
    templates = {(m, p) for m, p, *_ in TABLE}
    checked = 0
    for route in _flat_routes(env.app.routes):
        if isinstance(route, APIRoute) and route.path.startswith("/api"):
            for method in route.methods or ():
                checked += 1
                shape = route.path_regex
                assert (
                    any(m == method and shape.match(_fill(p, "x")) for m, p in templates)
                    or (method, route.path) in declared
                ), f"{method} {route.path} not in the table"
        elif getattr(route, "path", "").startswith("/api"):
            assert route.path in WEBSOCKETS
    # The walk must have seen the API itself, or this test checks nothing.
    assert checked >= len(templates) - len(WEBSOCKETS)


def test_denials_are_audited(env: Any) -> None:
    env.client.get("/api/sensors", headers=env.tokens["partner"])
    log = env.client.get("/api/audit", headers=env.tokens["admin"]).json()
    assert any(
        e["user"] == "partner" and e["action"] == "denied" and e["target"] == "sensors:read"
        for e in log
    )
