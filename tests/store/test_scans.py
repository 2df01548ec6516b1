"""Stored live scans: append-only, in time order, each (source, t) once."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from skywarden.model import Detection, Position, SensorKind
from skywarden.store import Database, scans

T0 = 1_770_778_800.0


def det(t: float, lat: float) -> Detection:
    return Detection(T0 + t, "adsb-1", SensorKind.ADSB, position=Position(lat, -106.4, 1500.0))


def test_scans_round_trip_in_time_order(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        scans.append(s, "live:x", 101.0, [det(100.4, 31.7), det(100.9, 31.71)], [])
        scans.append(s, "live:x", 102.0, [], [("sbs: bad field", "lat", "MSG,3,garbled")])
        scans.append(s, "live:y", 101.0, [det(100.5, 31.8)], [])
    with db.session() as s:
        got = list(scans.after(s, "live:x"))
        assert [g[0] for g in got] == [101.0, 102.0]
        assert got[0][1] == [det(100.4, 31.7), det(100.9, 31.71)]
        assert got[1][2] == [("sbs: bad field", "lat", "MSG,3,garbled")]
        assert [g[0] for g in scans.after(s, "live:x", 101.0)] == [102.0]
        assert scans.count(s, "live:y") == 1 and scans.last_t(s, "live:x") == 102.0
    with pytest.raises(IntegrityError), db.session() as s:  # a scan is never stored twice
        scans.append(s, "live:x", 101.0, [], [])
    db.dispose()
