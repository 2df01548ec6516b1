"""Track history by time window, area and track; the picture at a past time."""

from __future__ import annotations

from skywarden.model import TrackStatus, TrackUpdate
from skywarden.store import Database, tracks


def upd(t: float, track: str, lat: float, lon: float, status: str = "confirmed") -> TrackUpdate:
    return TrackUpdate(
        t,
        track,
        TrackStatus(status),
        lat,
        lon,
        1200.0,
        (1.0, 2.0, 0.0),
        (0.0,) * 6,
        None,
        {"drone": 0.8, "bird": 0.2},
        sensors=("radar-a",),
    )


def test_history_by_window_area_and_track(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        n = tracks.record_updates(
            s,
            [upd(t, "T1", 31.70 + 0.001 * t, -106.40) for t in range(10)]
            + [upd(t, "T2", 32.50, -105.00) for t in range(10)],
        )
    assert n == 20
    with db.session() as s:
        pts = tracks.history(s, t0=3, t1=5)
        assert [(p["track"], p["t"]) for p in pts if p["track"] == "T1"] == [
            ("T1", 3.0),
            ("T1", 4.0),
            ("T1", 5.0),
        ]
        assert {p["track"] for p in tracks.history(s, bbox=(-106.5, 31.6, -106.3, 31.8))} == {"T1"}
        assert len(tracks.history(s, tracks=["T2"])) == 10
        p = tracks.history(s, t0=0, t1=0, tracks=["T1"])[0]
        assert p["cls"] == "drone" and p["velocity"] == [1.0, 2.0, 0.0]
        assert p["sensors"] == ["radar-a"]
        assert tracks.time_range(s) == (0.0, 9.0)
    db.dispose()


def test_picture_at_a_time_leaves_out_ended_and_old_tracks(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        tracks.record_updates(s, [upd(t, "T1", 31.7, -106.4) for t in range(0, 30)])
        tracks.record_updates(s, [upd(t, "T2", 31.8, -106.4) for t in range(0, 2)])
        tracks.record_updates(s, [upd(t, "T3", 31.9, -106.4) for t in range(0, 20)])
        tracks.record_updates(s, [upd(20, "T3", 31.9, -106.4, "ended")])
    with db.session() as s:
        assert [(p["track"], p["t"]) for p in tracks.latest_at(s, 12.0)] == [
            ("T1", 12.0),
            ("T3", 12.0),
        ]
        assert [p["track"] for p in tracks.latest_at(s, 25.0)] == ["T1"]
    db.dispose()
