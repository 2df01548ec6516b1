"""The service as an attacker probes it (issue #12): headers on every answer, bounded and
well-formed input (422, never 500), valid zones only, laser plans through their own
schema, and a partner who cannot locate a track better than the rounding.

Runs on SQLite and PostgreSQL: PostgreSQL refuses NUL characters, lone surrogates and
NaN in JSON columns, which is where several of these used to become 500s.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from skywarden.bus import Message
from skywarden.model import Detection
from skywarden.service import redact
from skywarden.service.app import create_app
from skywarden.service.security import MAX_BODY_BYTES
from skywarden.service.zone_schema import MAX_ZONE_VERTICES
from skywarden.store import Database
from skywarden.store.users import Role

INCIDENTS = ["I-open", "I-shared"]
SHARED = ["I-shared"]
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture
def env(seeded_url: str, template: SimpleNamespace, svc: SimpleNamespace) -> Iterator[Any]:
    db = Database(seeded_url)
    app = create_app(db, meta={"name": "El Paso", "center": [31.76, -106.43]})
    with TestClient(app, raise_server_exceptions=False) as client:
        yield SimpleNamespace(client=client, db=db, app=app, h=template.headers, svc=svc)
    db.dispose()


def where(r: Any) -> str:
    """A 422's errors as ``loc: msg`` lines."""
    return "\n".join(
        ".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in r.json()["detail"]
    )


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/static/map.js", 200),
        ("GET", "/static/no-such-file.js", 404),
        ("GET", "/basemap/nope.geojson", 404),
        ("GET", "/api/me", 401),
        ("GET", "/api/tracks?bbox=x", 422),
        ("GET", "/openapi.json", 200),
    ],
)
def test_security_headers_on_every_answer(env: Any, method: str, path: str, status: int) -> None:
    r = env.client.request(method, path, headers=env.h["analyst"] if status == 422 else {})
    assert r.status_code == status
    for k, v in HEADERS.items():
        assert r.headers[k] == v
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'none'" and "unsafe" not in csp


def test_an_unhandled_error_is_a_500_with_headers(env: Any) -> None:
    def boom() -> None:
        raise RuntimeError("a bug")

    env.app.add_api_route("/api/boom", boom)
    r = env.client.get("/api/boom")
    assert r.status_code == 500 and r.json() == {"detail": "internal server error"}
    assert "a bug" not in r.text and r.headers["x-frame-options"] == "DENY"


def test_api_answers_are_not_cached(env: Any) -> None:
    r = env.client.get("/api/me", headers=env.h["analyst"])
    assert r.headers["cache-control"] == "no-store"


# --------------------------------------------------------------------------- size limits


def test_oversized_body_is_413_before_it_is_read(env: Any) -> None:
    big = b'{"comment": "' + b"x" * MAX_BODY_BYTES + b'"}'
    h = {**env.h["operator"], "content-type": "application/json"}
    r = env.client.post("/api/incidents/I-open/notes", content=big, headers=h)
    assert r.status_code == 413 and r.headers["x-content-type-options"] == "nosniff"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"comment": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"y" * 65536
        yield b'"}'

    r = env.client.post("/api/incidents/I-open/notes", content=chunks(), headers=h)
    assert r.status_code == 413


def test_zone_vertex_count_is_capped(env: Any) -> None:
    f = env.svc.zone_feature("Z-huge")
    n = MAX_ZONE_VERTICES + 10
    ring = [
        [-106.4 + 0.01 * math.cos(2 * math.pi * k / n), 31.7 + 0.01 * math.sin(2 * math.pi * k / n)]
        for k in range(n)
    ]
    f["geometry"]["coordinates"] = [ring]
    r = env.client.post("/api/zones", json=f, headers=env.h["operator"])
    assert r.status_code == 422 and "body.geometry.coordinates.0" in where(r)


@pytest.mark.parametrize(
    "query",
    ["/api/tracks/history?limit=200000", "/api/audit?limit=10001", "/api/incidents?limit=0"],
)
def test_limits_are_capped(env: Any, query: str) -> None:
    r = env.client.get(query, headers=env.h["admin"])
    assert r.status_code == 422 and "query.limit" in where(r)


# --------------------------------------------------------------------------- 422, not 500


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/incidents?min_severity=99999999999999999999999", "query.min_severity"),
        ("/api/incidents?t0=nan", "query.t0"),
        ("/api/tracks?at=inf", "query.at"),
        ("/api/recommendations?at=-Infinity", "query.at"),
        ("/api/tracks/history?t0=5&t1=1", "t1 (1.0) before t0"),
        ("/api/audit?user=" + "u" * 300, "query.user"),
        ("/api/incidents/" + "I" * 200, "path.incident_id"),
        ("/api/incidents/I-open%00x", "path.incident_id"),  # PostgreSQL refuses NUL
        ("/api/zones/Z%00x", "path.zone_id"),
        ("/api/tracks/history?track=T%00", "query.track"),
        ("/api/audit?target=%00", "query.target"),
    ],
)
def test_bad_query_is_422_naming_the_field(env: Any, query: str, field: str) -> None:
    r = env.client.get(query, headers=env.h["admin"])
    assert r.status_code == 422 and field in where(r), r.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/incidents/I-open/notes", '{"comment": "\\ud800 lone"}', "lone surrogate"),
        ("/api/incidents/I-open/notes", '{"comment": "nul \\u0000 here"}', "NUL"),
        ("/api/incidents/I-open/resolve", '{"comment": ' + '"x"' * 1 + "}", None),
        ("/api/zones", None, "$.properties.floor_m: nan"),
        ("/api/incidents/I-open/notes", '{"comment": ' + "[" * 20 + "]" * 20 + "}", "deeper"),
        ("/api/incidents/I-open/notes", '{"comment": 1e999}', "$.comment: inf"),
    ],
)
def test_bad_body_is_422_not_500(env: Any, path: str, body: str | None, field: str | None) -> None:
    if body is None:  # a zone whose floor is NaN (Python's JSON reader accepts NaN)
        body = str(env.svc.zone_feature("Z-nan")).replace("'", '"').replace("1100.0", "NaN")
    h = {**env.h["operator"], "content-type": "application/json"}
    r = env.client.post(path, content=body.encode(), headers=h)
    if field is None:  # the control: a well-formed body is accepted
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 422 and field in where(r), r.text
    # nothing half-stored: the incident still reads back
    assert env.client.get("/api/incidents/I-open", headers=env.h["operator"]).status_code == 200


def test_json_too_deep_to_parse_is_400_not_500(env: Any) -> None:
    h = {**env.h["operator"], "content-type": "application/json"}
    body = ("[" * 100_000 + "]" * 100_000).encode()  # RecursionError in the JSON reader
    r = env.client.post("/api/incidents/I-open/notes", content=body, headers=h)
    assert r.status_code == 400 and "parsing the body" in r.json()["detail"]


# --------------------------------------------------------------------------- zones


def _with_ring(svc: Any, zone_id: str, *rings: list[list[float]]) -> dict[str, Any]:
    f = svc.zone_feature(zone_id)
    f["geometry"]["coordinates"] = [list(r) for r in rings]
    return f


@pytest.mark.parametrize(
    ("rings", "words"),
    [
        (  # a bow tie
            [[[-106.45, 31.75], [-106.40, 31.79], [-106.40, 31.75], [-106.45, 31.79]]],
            "Self-intersection",
        ),
        ([[[-106.45, 31.75], [-106.43, 31.76], [-106.41, 31.77]]], "no area"),
        ([[[-106.45, 31.75], [-106.45, 31.75], [-106.45, 31.75]]], "3 distinct"),
        (
            [
                [[-106.5, 31.7], [-106.3, 31.7], [-106.3, 31.9], [-106.5, 31.9]],
                [[-106.45, 31.75], [-106.40, 31.75], [-106.40, 31.79]],
            ],
            "hole",
        ),
        ([[[-106.45, 31.75], [-106.40, 131.75], [-106.40, 31.79]]], "latitude 131.75"),
    ],
)
def test_invalid_polygons_are_refused(env: Any, rings: Any, words: str) -> None:
    r = env.client.post(
        "/api/zones", json=_with_ring(env.svc, "Z-bad", *rings), headers=env.h["operator"]
    )
    assert r.status_code == 422 and words in where(r), where(r)
    assert env.client.get("/api/zones/Z-bad", headers=env.h["operator"]).status_code == 404


@pytest.mark.parametrize("zone_id", ["a/b", "../x", "with space", "x" * 200, ""])
def test_zone_ids_are_a_safe_charset(env: Any, zone_id: str) -> None:
    r = env.client.post(
        "/api/zones", json=env.svc.zone_feature(zone_id), headers=env.h["operator"]
    )
    assert r.status_code == 422


def test_a_stored_zone_with_a_slash_can_be_read_and_deleted(env: Any) -> None:
    """Zone files (and older versions) may have stored such ids: they stay addressable."""
    from skywarden.model import Zone, ZoneKind
    from skywarden.store import zones

    with env.db.session() as s:
        zones.put(
            s,
            Zone("legacy/1", ZoneKind.USER, "old", ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0)), 0, 10, ""),
        )
    h = env.h["operator"]
    assert env.client.get("/api/zones/legacy/1", headers=h).json()["id"] == "legacy/1"
    assert env.client.delete("/api/zones/legacy/1", headers=h).status_code == 204
    assert env.client.get("/api/zones/legacy/1", headers=h).status_code == 404


def test_zone_round_trip_through_get_and_put(env: Any) -> None:
    h = env.h["operator"]
    got = env.client.get("/api/zones/Z-seed", headers=h).json()
    got["properties"]["name"] = "renamed"
    r = env.client.put("/api/zones/Z-seed", json=got, headers=h)
    assert r.status_code == 200 and r.json()["properties"]["name"] == "renamed"


# --------------------------------------------------------------------------- laser plans


def _plan(**laser: Any) -> dict[str, Any]:
    return {
        "name": "range test",
        "site": {"lat": 31.84, "lon": -106.3, "alt_m": 1235.0},
        "laser": {
            "power_w": 20000,
            "wavelength_nm": 1070,
            "divergence_mrad": 0.1,
            "diameter_mm": 300,
            **laser,
        },
        "fan": {
            "azimuth_from_deg": 20,
            "azimuth_to_deg": 105,
            "elevation_min_deg": 3,
            "elevation_max_deg": 20,
        },
        "window": {"start": "2026-02-11T04:00:00Z", "end": "2026-02-11T06:00:00Z"},
    }


@pytest.mark.parametrize(
    ("plan", "words"),
    [
        ({"anything": "goes"}, "body.plan.site"),
        (_plan(power_w=-5), "body.plan.laser.power_w"),
        (_plan(wavelength_nm=50), "body.plan.laser.wavelength_nm"),
        ({**_plan(), "traffic": "/etc/passwd"}, "server"),
    ],
)
def test_laser_plans_are_validated_by_their_own_schema(env: Any, plan: Any, words: str) -> None:
    body = {"id": "hel-1", "name": "HEL test", "plan": plan}
    r = env.client.post("/api/laser/plans", json=body, headers=env.h["operator"])
    assert r.status_code == 422 and words in where(r), where(r)


def test_a_valid_laser_plan_is_stored_as_validated(env: Any) -> None:
    body = {"id": "hel-1", "name": "HEL test", "plan": _plan()}
    r = env.client.post("/api/laser/plans", json=body, headers=env.h["operator"])
    assert r.status_code == 201, r.text
    stored = r.json()["plan"]
    assert stored["laser"]["power_w"] == 20000 and stored["tfr"]["limit"] == "NFZ"  # defaults


# --------------------------------------------------------------------------- partner oracle


def _edge(ask: Any, lo: float, hi: float, steps: int = 40) -> float:
    """Bisect the western bbox edge at which the track drops out: ``ask(x)`` is True while
    a box starting at longitude ``x`` still holds it. What the attack of finding 2 did."""
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ask(mid) else (lo, mid)
    return lo


def test_partner_bbox_halving_recovers_only_the_rounded_position(env: Any) -> None:
    """Replay (``at``): the shared track T000002 is at lon -106.4363 at t=1004."""
    h = env.h["partner"]

    def ask(x: float) -> bool:
        r = env.client.get(f"/api/tracks?at=1004&bbox={x},31,-106,32", headers=h)
        assert r.status_code == 200
        return any(p["track"] == "T000002" for p in r.json())

    true_lon = -106.4367 + 0.0001 * 4
    found = _edge(ask, -106.6, -106.3)
    assert found == pytest.approx(round(true_lon, redact.PARTNER_DECIMALS), abs=1e-9)
    assert abs(found - true_lon) > 0.003  # the exact position stays out of reach
    assert not ask(-106.6) or all(  # the unshared tracks are never in a partner's answer
        p["track"] == "T000002"
        for p in env.client.get("/api/tracks?at=1004", headers=h).json()
    )
    staff = env.client.get(
        "/api/tracks?at=1004&bbox=-106.4364,31.76,-106.4362,31.77", headers=env.h["analyst"]
    ).json()
    assert [p["track"] for p in staff] == ["T000002"]  # staff filter on the exact values


def _live(env: Any, *tracks: tuple[str, float, float, str]) -> None:
    hub = env.app.state.ctx.hub
    hub.apply(
        Message(
            "tracks",
            {
                "tracks": [
                    {"t": 2000.0, "track": tid, "status": status, "lat": lat, "lon": lon,
                     "alt_m": 1234.5, "velocity": [1.0, 0.0, 0.0], "cls": "drone"}
                    for tid, lat, lon, status in tracks
                ]
            },
        )
    )


def test_partner_live_bbox_sees_rounded_shared_tracks_only(env: Any) -> None:
    # T000002 belongs to the shared incident, T000001 to an unshared one
    _live(env, ("T000002", 31.76712, -106.43671, "confirmed"),
          ("T000001", 31.70123, -106.45678, "confirmed"))
    h = env.h["partner"]

    def ask(x: float) -> bool:
        r = env.client.get(f"/api/tracks?bbox={x},31,-106,32", headers=h)
        return any(p["track"] == "T000002" for p in r.json())

    assert _edge(ask, -106.6, -106.3) == pytest.approx(-106.44, abs=1e-9)
    # a tight box round the unshared track's exact position: nothing, not even its id
    r = env.client.get("/api/tracks?bbox=-106.4568,31.7012,-106.4567,31.7013", headers=h)
    assert r.json() == []
    everything = env.client.get("/api/tracks", headers=h).json()
    assert [p["track"] for p in everything] == ["T000002"]
    assert everything[0]["lat"] == 31.77 and everything[0]["sensors"] is None
    staff = env.client.get("/api/tracks", headers=env.h["operator"]).json()
    assert {p["track"] for p in staff} == {"T000001", "T000002"}


def test_partner_feed_never_names_an_unshared_track_as_ended(env: Any) -> None:
    hub = env.app.state.ctx.hub
    _live(env, ("T000001", 31.70, -106.45, "confirmed"), ("T000002", 31.76, -106.43, "confirmed"))
    hub.flush()
    _live(env, ("T000001", 31.70, -106.45, "ended"), ("T000002", 31.76, -106.43, "ended"))
    batch = copy.deepcopy(hub._pending)
    partner = hub.view(Role.PARTNER, batch)
    staff = hub.view(Role.ANALYST, batch)
    assert partner["ended"] == ["T000002"]  # shared: the partner saw it, may see it end
    assert sorted(staff["ended"]) == ["T000001", "T000002"]
    assert "T000001" not in str(partner)


def test_websocket_takes_the_token_as_a_subprotocol(env: Any) -> None:
    """The map's way: the token stays out of the URL (and so out of access logs)."""
    from starlette.websockets import WebSocketDisconnect

    tok = env.h["partner"]["Authorization"].removeprefix("Bearer ")
    with env.client.websocket_connect("/api/ws", subprotocols=["skywarden.bearer", tok]) as ws:
        assert ws.accepted_subprotocol == "skywarden.bearer"
        assert ws.receive_json()["type"] == "snapshot"
    with (
        pytest.raises(WebSocketDisconnect),
        env.client.websocket_connect("/api/ws", subprotocols=["skywarden.bearer", "x.y"]) as ws,
    ):
        ws.receive_json()


def test_sbs_ingest_carries_a_hostile_callsign_verbatim() -> None:
    """Why the map must treat callsigns as text: SBS ingest accepts any text there (the
    browser test feeds this same payload to the map as a track's callsign)."""
    from skywarden.ingest.base import IngestOptions
    from skywarden.ingest.sbs import new_parser

    payload = "<img src=y onerror=\"window.__pwned='sbs'\">"
    parser = new_parser("sbs-test", IngestOptions(), None)
    t = "2026/02/11,03:00:01.000"
    out = parser.feed(
        (
            f"MSG,1,1,1,A1B2C3,1,{t},{t},{payload},,,,,,,,,,,0\n"
            f"MSG,3,1,1,A1B2C3,1,{t},{t},,3000,,,31.76,-106.43,,,0,0,0,0\n"
        ).encode(),
        1.0,
    )
    callsigns = [d.identity.callsign for d in out if isinstance(d, Detection) and d.identity]
    assert callsigns == [payload]
