"""Stored live scans: append-only, in time order, each (source, t) once."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from skywarden.model import Detection, Position, SensorKind
from skywarden.rejection import Reason, Rejection
from skywarden.store import Database, scans

T0 = 1_770_778_800.0
GARBLED = Rejection(
    "live:x", "sbs", Reason.IMPOSSIBLE_VALUE, "bad field", "MSG,3,garbled", line=7, field="lat"
)


def det(t: float, lat: float) -> Detection:
    return Detection(T0 + t, "adsb-1", SensorKind.ADSB, position=Position(lat, -106.4, 1500.0))


def test_scans_round_trip_in_time_order(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        scans.append(s, "live:x", 101.0, [det(100.4, 31.7), det(100.9, 31.71)], [])
        scans.append(s, "live:x", 102.0, [], [GARBLED])
        scans.append(s, "live:y", 101.0, [det(100.5, 31.8)], [])
    with db.session() as s:
        got = list(scans.after(s, "live:x"))
        assert [g[0] for g in got] == [101.0, 102.0]
        assert got[0][1] == [det(100.4, 31.7), det(100.9, 31.71)]
        assert got[1][2] == [GARBLED]
        assert [g[0] for g in scans.after(s, "live:x", 101.0)] == [102.0]
        assert scans.count(s, "live:y") == 1 and scans.last_t(s, "live:x") == 102.0
    with pytest.raises(IntegrityError), db.session() as s:  # a scan is never stored twice
        scans.append(s, "live:x", 101.0, [], [])
    db.dispose()


def test_scans_stored_before_the_typed_record_read_back(db_url: str) -> None:
    """Stores written by 0.1.0 kept a rejection as [reason, field, raw]."""
    from skywarden.store.schema import SourceScan

    db = Database(db_url)
    with db.session() as s:
        s.add(SourceScan(source="live:x", t=5.0, detections=[], rejected=[["bad", "lat", "x"]]))
    with db.session() as s:
        ((t, dets, rej),) = list(scans.after(s, "live:x"))
        assert t == 5.0 and dets == []
        assert (rej[0].detail, rej[0].field, rej[0].raw) == ("bad", "lat", "x")
        assert rej[0].reason is Reason.CORRUPT
    db.dispose()
