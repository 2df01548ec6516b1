"""The analytics endpoints (issue 16): the store's Stats and the report's figures for
analysts and admins; operators and partners refused (403), strangers 401.

Partners are refused rather than served a redacted record: the store-wide figures count
every incident, also those no operator shared, and the partner API shows shared
incidents only. A partner's version is the redacted report file (tests/report/).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from skywarden.analytics import Stats
from skywarden.service.app import create_app
from skywarden.store import Database

INCIDENTS = ["I-a", "I-b", "I-c"]
SHARED = ["I-a"]
HOSTILE_AIRPORT = "<img src=x onerror=alert(1)>KELP"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, svc: SimpleNamespace) -> Iterator[Any]:
    from skywarden.model import Action, Recommendation
    from skywarden.store import recommendations

    db = Database(f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'a.db'}")
    svc.seed_store(db, INCIDENTS, SHARED)
    with db.session() as s:  # a 15-minute runway pause at an airport with a hostile name
        recommendations.upsert(s, [Recommendation(
            "M-pause", "I-b", Action.PAUSE_DEPARTURES, 1000.0, 1900.0, 1300.0,
            ("drone near the runway",), runways=("26L",), airport=HOSTILE_AIRPORT,
        )])  # fmt: skip
    with TestClient(create_app(db)) as client:
        yield SimpleNamespace(client=client, h={r: svc.login(client, r) for r in svc.ROLES})
    db.dispose()


def test_analyst_reads_the_stores_stats(env: Any) -> None:
    r = env.client.get("/api/analytics", headers=env.h["analyst"])
    assert r.status_code == 200, r.text
    stats = Stats.model_validate(r.json())
    assert stats.kind == "store"
    # the seeded store: three incidents, one northbound crossing each
    assert stats.count("track") == len(INCIDENTS)
    assert sum(stats.incidents_by_kind.values()) == len(INCIDENTS)
    assert HOSTILE_AIRPORT in {p.airport for p in stats.runway_pauses}  # JSON, not HTML


def test_figures_are_the_reports_pngs(env: Any) -> None:
    r = env.client.get("/api/analytics/figures", headers=env.h["admin"])
    assert r.status_code == 200, r.text
    figs = r.json()["figures"]
    assert set(figs) == {"hotspots", "per_day", "per_hour", "coverage", "incidents",
                         "runway_pauses"}  # fmt: skip
    for uri in figs.values():
        head, data = uri.split(",", 1)
        assert head == "data:image/png;base64"
        assert base64.b64decode(data).startswith(b"\x89PNG")


@pytest.mark.parametrize("path", ["/api/analytics", "/api/analytics/figures"])
def test_roles(env: Any, path: str) -> None:
    expected = {"analyst": 200, "admin": 200, "operator": 403, "partner": 403}
    for role, status in expected.items():
        assert env.client.get(path, headers=env.h[role]).status_code == status, role
    assert env.client.get(path).status_code == 401


def test_period_filter_and_bad_times(env: Any) -> None:
    none = env.client.get("/api/analytics?since=5000", headers=env.h["analyst"]).json()
    assert Stats.model_validate(none).count("track") == 0
    for q in ("since=nan", "since=2000&until=1000", "until=1e300"):
        bad = env.client.get(f"/api/analytics?{q}", headers=env.h["analyst"])
        assert bad.status_code == 422, q
        assert isinstance(bad.json()["detail"], list)  # FastAPI's shape, as documented


def test_the_page_is_served_under_the_policy(env: Any) -> None:
    r = env.client.get("/analytics")
    assert r.status_code == 200 and 'src="/static/analytics.js"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "<script>" not in r.text  # no inline script: the policy would refuse it
