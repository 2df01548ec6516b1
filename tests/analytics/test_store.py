"""Stats on the service's store: the same counts as on the run the store was fed from."""

from __future__ import annotations

from pathlib import Path

from analytics_build import T0, lat_at, lon_at
from typer.testing import CliRunner

from skywarden.analytics import compute_stats, count_incursions
from skywarden.cli import app
from skywarden.model import Action, Event, Incident, Recommendation, TrackStatus, TrackUpdate
from skywarden.store import Database
from skywarden.store import incidents as store_incidents
from skywarden.store import recommendations as store_recs
from skywarden.store import tracks as store_tracks


def _update(
    track: str,
    t: float,
    north_m: float,
    sensors: tuple[str, ...],
    corroboration: tuple[str, ...] = ("radar_class",),
) -> TrackUpdate:
    return TrackUpdate(
        t=t,
        track=track,
        status=TrackStatus.CONFIRMED,
        lat=lat_at(north_m),
        lon=lon_at(0.0),
        alt_m=1275.0,
        velocity=(0.0, 10.0, 0.0),
        state=(0.0, north_m, 75.0, 0.0, 10.0, 0.0),
        cov=((100.0, 0.0, 0.0), (0.0, 100.0, 0.0), (0.0, 0.0, 400.0)),
        class_probs={"drone": 0.9, "unknown": 0.1},
        sensors=sensors,
        corroboration=corroboration,
    )


def _crossing(track: str, t: float, direction: str) -> Event:
    return Event(
        "border_crossing",
        t,
        track,
        lat_at(0.0),
        lon_at(0.0),
        1275.0,
        {"direction": direction, "category": "incursion"},
    )


def _store(tmp_path: Path, url: str | None = None) -> str:
    """Two tracks of one drone that turned back (a track break of 30 s while south), each
    seen by two radars;
    a drop; an incursion incident; a 15-minute departure pause at KELP."""
    url = url or f"sqlite:///{tmp_path / 'store.db'}"
    db = Database(url)
    # T1 north across at +100 s, to 500 m, back south across at +200 s, lost at -200 m;
    # T2 found at -300 m 30 s later, north across again at +280 s.
    north_m = [-1000.0 + 10.0 * k for k in range(150)] + [500.0 - 10.0 * k for k in range(70)]
    ups = [_update("T1-000001", T0 + k, n, ("radar-1", "radar-2")) for k, n in enumerate(north_m)]
    ups += [
        _update("T1-000002", T0 + 250 + k, -300.0 + 10.0 * k, ("radar-1", "radar-2"))
        for k in range(0, 100)
    ]
    events = [
        _crossing("T1-000001", T0 + 100.0, "northbound"),
        _crossing("T1-000001", T0 + 200.0, "southbound"),
        _crossing("T1-000002", T0 + 280.0, "northbound"),
        Event("drop", T0 + 150.0, "T1-000001", lat_at(500.0), lon_at(0.0), 1210.0, {}),
    ]
    inc = Incident("I1-00001", ["T1-000001"], T0 + 100.0, 3, kind="incursion", events=events)
    rec = Recommendation(
        "M1-0001/1",
        "I1-00001",
        Action.PAUSE_DEPARTURES,
        T0 + 120.0,
        T0 + 1020.0,
        T0 + 420.0,
        ("drone near the departure path",),
        runways=("26L",),
        airport="KELP",
    )
    with db.session() as s:
        store_tracks.record_updates(s, ups)
        store_incidents.upsert(s, [inc])
        store_recs.upsert(s, [rec])
    db.dispose()
    return url


def test_stats_on_a_store(tmp_path: Path, db_url: str) -> None:
    url = _store(tmp_path, db_url)  # SQLite and PostgreSQL
    stats = compute_stats(url)
    assert stats.kind == "store"
    assert stats.count("track") == 2
    assert stats.count("incursion") == 1  # back within 10 min: the same incursion
    inc = next(c for c in stats.counts if c.rule == "incursion")
    assert (inc.suspected, inc.suspected_units) == (0, 0)  # the store kept the evidence
    assert stats.count("alert") == 4  # two radars, two crossings
    assert stats.behaviours.drops == 1
    assert stats.incidents_by_kind == {"incursion": 1}
    (kelp,) = stats.runway_pauses
    assert (kelp.airport, kelp.minutes) == ("KELP", 15.0)
    assert kelp.by_runway == {"26L departures": 15.0}
    assert stats.period.start == T0
    assert stats.coverage is None
    assert any("coverage" in n for n in stats.notes)


def test_a_sqlite_file_path_is_a_store_too_and_until_filters(tmp_path: Path) -> None:
    _store(tmp_path)
    units = count_incursions(tmp_path / "store.db", "track", end=T0 + 250.0)
    assert [u.tracks for u in units] == [["store/T1-000001"]]


def test_stats_command_on_a_store_url(tmp_path: Path) -> None:
    url = _store(tmp_path)
    res = CliRunner().invoke(app, ["stats", url, "--since", str(T0 + 300.0), "--rule", "track"])
    assert res.exit_code == 0, res.output
    assert "KELP" not in res.output  # the pause was issued before --since


def test_a_missing_sqlite_store_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none" / "store.db"
    res = CliRunner().invoke(app, ["stats", f"sqlite:///{missing}"])
    assert res.exit_code != 0
    assert "no such store file" in str(res.exception) + res.output
    assert not missing.exists()


def test_a_store_judges_evidence_as_a_run_does(tmp_path: Path) -> None:
    """A drone-classed track with no independent drone evidence crosses: suspected."""
    url = f"sqlite:///{tmp_path / 'bird.db'}"
    db = Database(url)
    ups = [
        _update("B1-000001", T0 + k, -500.0 + 10.0 * k, ("radar-1",), corroboration=())
        for k in range(100)
    ]
    with db.session() as s:
        store_tracks.record_updates(s, ups)
        store_incidents.upsert(
            s,
            [
                Incident(
                    "I1-00001",
                    ["B1-000001"],
                    T0 + 50.0,
                    3,
                    kind="incursion",
                    events=[_crossing("B1-000001", T0 + 50.0, "northbound")],
                )
            ],
        )
    db.dispose()
    stats = compute_stats(url)
    assert stats.count("track") == 1 and stats.count("incursion") == 0
    inc = next(c for c in stats.counts if c.rule == "incursion")
    assert (inc.suspected, inc.suspected_units) == (1, 1)
