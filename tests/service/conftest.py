"""Service fixtures: a seeded store per backend, logins per role, a scene to serve.

``db_url`` (SQLite and a throwaway PostgreSQL cluster) comes from tests/conftest.py.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pg() -> Any:
    """scripts/pg_throwaway.py (on sys.path through tests/conftest.py)."""
    import pg_throwaway

    return pg_throwaway


# --------------------------------------------------------------------------- app env

ROLES = ("operator", "analyst", "partner", "admin")


def password(role: str) -> str:
    return f"{role}-password"


def zone_feature(zone_id: str, kind: str = "user") -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[-106.45, 31.75], [-106.40, 31.75], [-106.40, 31.79], [-106.45, 31.75]]
            ],
        },
        "properties": {
            "id": zone_id,
            "kind": kind,
            "name": f"zone {zone_id}",
            "floor_m": 1100.0,
            "ceiling_m": 1800.0,
            "owner": "ops",
        },
    }


def seed_store(db: Any, incident_ids: list[str], shared: list[str]) -> None:
    """Users for every role, incidents (some shared), a zone, a sensor, a recommendation,
    a laser plan, track history: a small but complete picture for API tests."""
    from skywarden.model import Action, Event, Incident, Recommendation, TrackStatus, TrackUpdate
    from skywarden.store import incidents, laser, recommendations, sensors, tracks, users, zones

    with db.session() as s:
        for role in ROLES:
            users.add_user(s, role, role, password(role))
        incs = []
        for n, iid in enumerate(incident_ids):
            trk = f"T{n + 1:06d}"
            ev = Event(
                "border_crossing",
                1000.0 + n,
                trk,
                31.7543 + n * 0.01,
                -106.4367,
                1200.0,
                {"sensor": "radar-downtown"},
            )
            incs.append(
                Incident(iid, [trk], 1000.0 + n, 2, events=[ev], recommendations=[f"M-{iid}"])
            )
        incidents.upsert(s, incs)
        recommendations.upsert(
            s,
            [
                Recommendation(
                    f"M-{iid}",
                    iid,
                    Action.NOTIFY,
                    1000.0,
                    1900.0,
                    1300.0,
                    (f"drone over the border ({iid})",),
                    airport="KELP",
                )
                for iid in incident_ids
            ],
        )
        tracks.record_updates(
            s,
            [
                TrackUpdate(
                    1000.0 + k,
                    f"T{n + 1:06d}",
                    TrackStatus.CONFIRMED,
                    31.7543 + n * 0.01,
                    -106.4367 + 0.0001 * k,
                    1200.0,
                    (5.0, 0.0, 0.0),
                    (0.0,) * 6,
                    None,
                    {"drone": 0.9, "unknown": 0.1},
                    sensors=("radar-downtown",),
                    corroboration=("radar_class",),  # the radar declared a drone
                )
                for n in range(len(incident_ids))
                for k in range(5)
            ],
        )
        sensors.register(
            s,
            [
                {
                    "id": "radar-downtown",
                    "kind": "radar",
                    "lat": 31.77,
                    "lon": -106.475,
                    "alt_m": 1210.0,
                }
            ],
        )
        from skywarden.store.zones import feature_to_zone

        zones.put(s, feature_to_zone(zone_feature("Z-seed")))
        laser.put_plan(s, "el-paso-laser", "test range", {"power_w": 10})
    with db.session() as s:
        for iid in shared:
            incidents.act(s, iid, "operator", "share")


def login(client: Any, role: str) -> dict[str, str]:
    r = client.post("/api/token", data={"username": role, "password": password(role)})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SimpleNamespace]:
    """A seeded store per backend and test module, with a bearer token per role.

    Argon2 is deliberately slow (a quarter second a hash here), so users are created and
    logged in once per module; each test then gets a *copy* of this database (a file copy
    on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL). The copies share the
    token secret, so the tokens stay valid in every copy.
    """
    from fastapi.testclient import TestClient

    from skywarden.service.app import create_app
    from skywarden.store import Database

    folder = tmp_path_factory.mktemp("tmpl")
    # The signing key lives in a file, not in the copied database: point every copy of
    # this module's store at one key file so the tokens below stay valid in each.
    mp = pytest.MonkeyPatch()
    mp.setenv("SKYWARDEN_SECRET_KEY_FILE", str(folder / "token-secret.key"))
    request.addfinalizer(mp.undo)
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'template.db'}"
    else:
        pg = _pg()
        try:
            cluster = pg.shared_cluster()
        except pg.PostgresUnavailable as e:
            pytest.skip("server missing: " + str(e))  # CI=true: a failure (tests/conftest.py)
        name = "tmpl" + uuid.uuid4().hex[:10]
        url = cluster.fresh_database(name)
    db = Database(url)
    seed_store(db, list(request.module.INCIDENTS), list(request.module.SHARED))
    with TestClient(create_app(db)) as client:
        headers = {r: login(client, r) for r in ROLES}
    db.dispose()
    yield SimpleNamespace(backend=request.param, url=url, headers=headers, folder=folder)


@pytest.fixture
def seeded_url(template: SimpleNamespace, tmp_path: Path) -> str:
    """A fresh copy of the module's seeded store (see ``template``)."""
    if template.backend == "sqlite":
        dst = tmp_path / "store.db"
        shutil.copyfile(template.url.removeprefix("sqlite:///"), dst)
        return f"sqlite:///{dst}"
    tmpl = template.url.rsplit("/", 1)[1]
    return str(_pg().shared_cluster().fresh_database("c" + uuid.uuid4().hex[:12], tmpl))


@pytest.fixture(scope="session")
def svc() -> SimpleNamespace:
    """The helpers above, for test modules (importlib mode cannot import conftest)."""
    return SimpleNamespace(
        ROLES=ROLES,
        password=password,
        zone_feature=zone_feature,
        seed_store=seed_store,
        login=login,
        pg=_pg,
        write_scene=write_scene,
        Served=Served,
        add_user=add_user,
        SENSORS=SENSORS,
        T0=T0,
    )


# --------------------------------------------------------------------------- a scene to serve

SENSORS = [
    {
        "id": "radar-test-site",
        "kind": "radar",
        "site": {"lat": 31.771234, "lon": -106.475678, "alt_m": 1210.0},
    },
    {
        "id": "rf-test-site",
        "kind": "rf",
        "site": {"lat": 31.690123, "lon": -106.330456, "alt_m": 1160.0},
    },
]
T0 = 1_770_778_800.0  # 2026-02-11T03:00:00Z, the El Paso night


def write_scene(folder: Path, seconds: int, n_tracks: int = 3) -> Path:
    """A recorded ``tracks.jsonl`` and its ``sector.json``: drones flying north across the
    Rio Grande near downtown El Paso, one update a second, the kind of picture the
    tracker produces. Returns the tracks file."""
    from skywarden.geo import LocalFrame
    from skywarden.model import TrackStatus, TrackUpdate

    frame = LocalFrame(31.76, -106.43, 1150.0)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sector.json").write_text(
        json.dumps(
            {
                "name": "El Paso (test)",
                "origin": {"lat": 31.76, "lon": -106.43, "alt_m": 1150.0},
                "extent_m": 30000,
                "start_t": T0,
                "duration_s": seconds,
                "seed": 1,
                "airports": ["KELP", "KBIF", "MMCS"],
                "sensors": SENSORS,
            }
        )
    )
    path = folder / "tracks.jsonl"
    with path.open("w") as f:
        for k in range(seconds):
            for i in range(n_tracks):
                x0, vy = -3000.0 + 2500.0 * i, 8.0 + 2.0 * (i % 3)
                x, y, z = x0, -1500.0 + vy * k, 60.0
                lat, lon, alt = frame.to_geodetic(x, y, z)
                u = TrackUpdate(
                    T0 + k,
                    f"T{i + 1:06d}",
                    TrackStatus.CONFIRMED,
                    lat,
                    lon,
                    alt,
                    (0.0, vy, 0.0),
                    (x, y, z, 0.0, vy, 0.0),
                    None,
                    {"drone": 0.9, "manned": 0.02, "bird": 0.03, "unknown": 0.05},
                    sensors=("radar-test-site",),
                )
                f.write(json.dumps(u.to_dict()) + "\n")
    return path


class Served:
    """``skywarden serve`` in a subprocess on a free loopback port."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"serve-{self.port}.log"
        exe = Path(sys.executable).with_name("skywarden")
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(self.port), *args],
            cwd=cwd,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        import httpx

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"serve not ready after {timeout} s: {self.log.read_text()}")

    def token(self, user: str, pw: str) -> dict[str, str]:
        import httpx

        r = httpx.post(f"{self.url}/api/token", data={"username": user, "password": pw})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed on the way out."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def add_user(db_url: str, name: str, role: str, folder: Path) -> str:
    """Create a user through the real CLI; returns the password."""
    pw = f"{name}-pass-123"
    pwfile = folder / f"{name}.pw"
    pwfile.write_text(pw + "\n")
    exe = Path(sys.executable).with_name("skywarden")
    subprocess.run(
        [
            str(exe),
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-file",
            str(pwfile),
            "--db",
            db_url,
        ],
        check=True,
        capture_output=True,
    )
    return pw
