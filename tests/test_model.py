"""model: records validate on construction and round-trip through their JSON form."""

import math

import pytest

from skywarden.model import (
    Bearing,
    Detection,
    Identity,
    InvalidRecord,
    Position,
    SensorKind,
    TrackStatus,
    TrackUpdate,
)


def _det(**kw: object) -> Detection:
    base: dict[str, object] = dict(
        t=1_770_000_000.0,
        sensor="radar-1",
        kind=SensorKind.RADAR,
        position=Position(31.8, -106.4, 1300.0),
    )
    base.update(kw)
    return Detection(**base)  # type: ignore[arg-type]


def test_detection_round_trip() -> None:
    d = _det(
        velocity=(1.0, 2.0, 0.5),
        identity=Identity(rid_serial="1596F3A1B2C3D4E5", operator_lat=31.7, operator_lon=-106.5),
        attrs={"rcs_dbsm": -20.0},
    )
    assert Detection.from_dict(d.to_dict()) == d


def test_bearing_detection_round_trip() -> None:
    d = _det(kind=SensorKind.RF, position=None, bearing=Bearing(31.7, -106.4, 1150.0, 45.0, 2.0))
    assert Detection.from_dict(d.to_dict()) == d


@pytest.mark.parametrize(
    ("lat", "lon", "alt", "field"),
    [(91.0, 0.0, 0.0, "lat"), (0.0, 181.0, 0.0, "lon"), (0.0, 0.0, math.nan, "alt_m")],
)
def test_position_rejects_impossible_values(lat: float, lon: float, alt: float, field: str) -> None:
    with pytest.raises(InvalidRecord) as e:
        Position(lat, lon, alt)
    assert e.value.field == field


def test_detection_needs_exactly_one_measurement() -> None:
    with pytest.raises(InvalidRecord):
        _det(position=None)


def test_detection_rejects_supersonic_drone_and_bad_time() -> None:
    with pytest.raises(InvalidRecord) as e:
        _det(velocity=(2000.0, 0.0, 0.0))
    assert e.value.field == "velocity[0]"
    with pytest.raises(InvalidRecord) as e:
        _det(t=1_770_000_000_000.0)  # milliseconds by mistake
    assert e.value.field == "t"


def test_identity_keys_and_icao_validation() -> None:
    assert Identity(icao24="a1b2c3", rid_serial="X").keys() == ["icao:a1b2c3", "rid:X"]
    with pytest.raises(InvalidRecord):
        Identity(icao24="A1B2C3X")


def _plain_update() -> TrackUpdate:
    """A confirmed track update with none of the optional fields."""
    return TrackUpdate(
        t=1.0,
        track="T1",
        status=TrackStatus.CONFIRMED,
        lat=31.7,
        lon=-106.4,
        alt_m=1200.0,
        velocity=(0.0, 0.0, 0.0),
        state=(0.0,) * 6,
        cov=None,
        class_probs={"drone": 1.0},
    )


def test_track_update_says_rf_beside_only_when_true() -> None:
    u = _plain_update()
    assert "rf_beside" not in u.to_dict()  # older readers and files unchanged
    b = TrackUpdate.from_dict({**u.to_dict(), "rf_beside": True})
    assert b.rf_beside and b.to_dict()["rf_beside"] is True
    assert TrackUpdate.from_dict(b.to_dict()) == b


def test_track_update_names_astray_finders_only_when_there_are_any() -> None:
    u = _plain_update()
    assert u.rf_astray == () and "rf_astray" not in u.to_dict()  # files unchanged
    b = TrackUpdate.from_dict({**u.to_dict(), "rf_astray": ["rf-S87-1", "rf-kbro"]})
    assert b.rf_astray == ("rf-S87-1", "rf-kbro")
    assert b.to_dict()["rf_astray"] == ["rf-S87-1", "rf-kbro"]
    assert TrackUpdate.from_dict(b.to_dict()) == b
    assert TrackUpdate.from_dict({**u.to_dict(), "rf_astray": []}) == u
    for bad in ("rf-S87-1", ["rf-1", 2], {"rf-1": True}, None, True):
        with pytest.raises(InvalidRecord) as e:
            TrackUpdate.from_dict({**u.to_dict(), "rf_astray": bad})
        assert e.value.field == "rf_astray"
