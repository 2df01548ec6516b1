"""The API as an operator, an analyst and a partner use it, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from skywarden.service import tokens
from skywarden.service.app import create_app
from skywarden.store import Database

INCIDENTS = ["I-open", "I-shared", "I-other"]
SHARED = ["I-shared"]


@pytest.fixture
def env(seeded_url: str, template: SimpleNamespace, svc: SimpleNamespace) -> Iterator[Any]:
    db = Database(seeded_url)
    app = create_app(db, meta={"name": "El Paso", "center": [31.76, -106.43]})
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, db=db, app=app, h=template.headers, svc=svc)
    db.dispose()


def test_login_answers_a_bearer_token(env: Any) -> None:
    r = env.client.post("/api/token", data={"username": "analyst", "password": "analyst-password"})
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "bearer"
    assert body["role"] == "analyst" and body["expires_in"] > 0
    me = env.client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"name": "analyst", "role": "analyst"}


@pytest.mark.parametrize(("user", "pw"), [("analyst", "wrong-password"), ("ghost", "whatever1")])
def test_wrong_login_is_401_and_audited(env: Any, user: str, pw: str) -> None:
    r = env.client.post("/api/token", data={"username": user, "password": pw})
    assert r.status_code == 401
    log = env.client.get("/api/audit", headers=env.h["admin"]).json()
    assert any(e["action"] == "login_failed" and e["user"] == user for e in log)


def test_forged_and_expired_tokens_are_refused(env: Any) -> None:
    secret = env.app.state.ctx.secret
    forged = tokens.issue("not-the-secret", "admin", "admin")
    expired = tokens.issue(secret, "admin", "admin", ttl_s=-1)
    for tok, words in ((forged, "bad signature"), (expired, "expired"), ("x.y.z", "malformed")):
        r = env.client.get("/api/me", headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 401 and words in r.json()["detail"]


def test_acknowledge_commits_action_and_audit_before_answering(env: Any) -> None:
    r = env.client.post("/api/incidents/I-open/acknowledge", headers=env.h["operator"])
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    # read straight from the store through a *new* connection: already committed
    fresh = Database(env.db.url, run_migrations=False)
    from skywarden.store import audit, incidents

    with fresh.session() as s:
        assert incidents.detail(s, "I-open")["state"] == "acknowledged"
        entry = audit.entries(s, target="I-open")[0]
    fresh.dispose()
    assert entry["user"] == "operator" and entry["action"] == "incident_acknowledge"
    assert entry["before"]["state"] == "open" and entry["after"]["state"] == "acknowledged"
    again = env.client.post("/api/incidents/I-open/acknowledge", headers=env.h["operator"])
    assert again.status_code == 409 and "not open" in again.json()["detail"]


def test_resolve_needs_a_comment_and_keeps_it_internal(env: Any) -> None:
    bad = env.client.post("/api/incidents/I-shared/resolve", json={}, headers=env.h["operator"])
    assert bad.status_code == 422
    ok = env.client.post(
        "/api/incidents/I-shared/resolve",
        json={"comment": "agents recovered the payload"},
        headers=env.h["operator"],
    )
    assert ok.json()["state"] == "resolved"
    staff = env.client.get("/api/incidents/I-shared", headers=env.h["analyst"]).json()
    assert staff["actions"][-1] == {
        **staff["actions"][-1],
        "user": "operator",
        "comment": "agents recovered the payload",
    }
    partner = env.client.get("/api/incidents/I-shared", headers=env.h["partner"])
    assert partner.status_code == 200
    text = partner.text
    assert "agents recovered" not in text and "operator" not in text
    assert partner.json()["actions"] is None


def test_partner_sees_only_shared_incidents_rounded(env: Any) -> None:
    got = env.client.get("/api/incidents", headers=env.h["partner"]).json()
    assert [i["id"] for i in got] == ["I-shared"]
    assert got[0]["lat"] == round(got[0]["lat"], 2) and got[0]["lon"] == -106.44
    assert env.client.get("/api/incidents/I-open", headers=env.h["partner"]).status_code == 404
    # asking for unshared ones explicitly changes nothing
    got = env.client.get("/api/incidents?shared=false", headers=env.h["partner"]).json()
    assert [i["id"] for i in got] == ["I-shared"]
    recs = env.client.get("/api/recommendations", headers=env.h["partner"]).json()
    assert [r["incident"] for r in recs] == ["I-shared"]
    staff = env.client.get("/api/incidents", headers=env.h["analyst"]).json()
    assert sorted(i["id"] for i in staff) == sorted(INCIDENTS)


def test_partner_track_replay_is_shared_and_redacted(env: Any) -> None:
    pts = env.client.get("/api/tracks?at=1004", headers=env.h["partner"]).json()
    assert [p["track"] for p in pts] == ["T000002"]  # the track of I-shared only
    p = pts[0]
    assert p["sensors"] is None and p["identities"] is None
    assert p["lat"] == round(p["lat"], 2) and p["alt_m"] % 100 == 0
    staff = env.client.get("/api/tracks?at=1004", headers=env.h["operator"]).json()
    assert {p["track"] for p in staff} == {"T000001", "T000002", "T000003"}
    assert staff[0]["sensors"] == ["radar-downtown"]


def test_share_then_partner_sees_it(env: Any) -> None:
    r = env.client.post(
        "/api/incidents/I-other/share", json={"shared": True}, headers=env.h["operator"]
    )
    assert r.json()["shared"] is True
    ids = {i["id"] for i in env.client.get("/api/incidents", headers=env.h["partner"]).json()}
    assert ids == {"I-shared", "I-other"}


def test_incident_filters(env: Any) -> None:
    env.client.post("/api/incidents/I-open/acknowledge", headers=env.h["operator"])
    get = env.client.get
    assert [
        i["id"] for i in get("/api/incidents?state=acknowledged", headers=env.h["analyst"]).json()
    ] == ["I-open"]
    assert get("/api/incidents?state=closed", headers=env.h["analyst"]).status_code == 422
    assert [i["id"] for i in get("/api/incidents?t1=1000.5", headers=env.h["analyst"]).json()] == [
        "I-open"
    ]


def test_zones_crud_in_geojson_with_audit(env: Any) -> None:
    f = env.svc.zone_feature("Z-range", kind="restricted")
    h = env.h["operator"]
    assert env.client.post("/api/zones", json=f, headers=h).status_code == 201
    assert env.client.post("/api/zones", json=f, headers=h).status_code == 409
    f["properties"]["ceiling_m"] = 2500.0
    assert (
        env.client.put("/api/zones/Z-range", json=f, headers=h).json()["properties"]["ceiling_m"]
        == 2500.0
    )
    fc = env.client.get("/api/zones", headers=env.h["partner"]).json()
    assert fc["type"] == "FeatureCollection"
    assert {x["id"] for x in fc["features"]} == {"Z-seed", "Z-range"}
    assert env.client.delete("/api/zones/Z-range", headers=h).status_code == 204
    assert env.client.delete("/api/zones/Z-range", headers=h).status_code == 404
    log = env.client.get("/api/audit?target=Z-range", headers=env.h["admin"]).json()
    assert [e["action"] for e in log] == ["zone_delete", "zone_put", "zone_create"]
    assert log[1]["before"]["properties"]["ceiling_m"] == 1800.0
    assert log[1]["after"]["properties"]["ceiling_m"] == 2500.0


def problems(r: Any) -> str:
    """A 422's errors as ``loc: msg`` lines (FastAPI's shape: a list of loc, msg, type)."""
    return "\n".join(
        ".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in r.json()["detail"]
    )


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda f: f["geometry"].update(type="LineString"), "body.geometry.type"),
        (lambda f: f["properties"].update(kind="castle"), "body.properties.kind"),
        (lambda f: f["properties"].update(ceiling_m=10.0), "ceiling not above floor"),
        (
            lambda f: f["geometry"]["coordinates"][0].__setitem__(1, [None, 31.7]),
            "body.geometry.coordinates.0.1",
        ),
    ],
)
def test_malformed_zones_are_422_naming_the_member(env: Any, mutate: Any, words: str) -> None:
    f = env.svc.zone_feature("Z-bad")
    mutate(f)
    r = env.client.post("/api/zones", json=f, headers=env.h["operator"])
    assert r.status_code == 422 and words in problems(r), problems(r)


@pytest.mark.parametrize("bbox", ["1,2,3", "-106,31,-107,32", "a,b,c,d"])
def test_bad_bbox_is_422(env: Any, bbox: str) -> None:
    r = env.client.get(f"/api/tracks/history?bbox={bbox}", headers=env.h["analyst"])
    assert r.status_code == 422 and "query.bbox" in problems(r), problems(r)


def test_history_window_and_stats(env: Any) -> None:
    h = env.h["analyst"]
    pts = env.client.get("/api/tracks/history?t0=1001&t1=1002&track=T000001", headers=h).json()
    assert [p["t"] for p in pts] == [1001.0, 1002.0]
    stats = env.client.get("/api/stats", headers=h).json()
    assert stats["incidents_by_state"] == {"open": 3}
    assert stats["track_points"] == 15 and stats["t_range"] == [1000.0, 1004.0]


def test_sensors_have_health(env: Any) -> None:
    got = env.client.get("/api/sensors", headers=env.h["operator"]).json()
    assert got[0]["id"] == "radar-downtown" and got[0]["status"] == "silent"


def test_admin_adds_users_over_the_api(env: Any) -> None:
    r = env.client.post(
        "/api/users",
        json={"name": "liaison", "role": "pilot", "password": "longenough"},
        headers=env.h["admin"],
    )
    assert r.status_code == 422
    r = env.client.post(
        "/api/users",
        json={"name": "liaison", "role": "analyst", "password": "longenough"},
        headers=env.h["admin"],
    )
    assert r.status_code == 201
    tok = env.client.post("/api/token", data={"username": "liaison", "password": "longenough"})
    assert tok.json()["role"] == "analyst"


def test_openapi_lists_the_routes(env: Any) -> None:
    paths = env.client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/token",
        "/api/tracks",
        "/api/incidents",
        "/api/sensors",
        "/api/zones",
        "/api/recommendations",
        "/api/laser/plans",
        "/api/audit",
    ):
        assert p in paths
