"""The one track point record: every dict form of it is the model, field for field."""

from __future__ import annotations

from types import SimpleNamespace

from skywarden.model import TrackStatus, TrackUpdate
from skywarden.pipeline import update_dict
from skywarden.service.schemas import TrackPointOut
from skywarden.store.tracks import update_row
from skywarden.views import TrackPoint

UPDATE = TrackUpdate(
    1_770_778_800.0,
    "T000007",
    TrackStatus.COASTING,
    31.8,
    -106.4,
    1250.0,
    (3.0, -4.0, 0.5),
    (0.0, 0.0, 0.0, 3.0, -4.0, 0.5),
    None,
    {"drone": 0.7, "bird": 0.2, "manned": 0.1},
    identities=("rid:ABC",),
    sensors=("radar-1",),
)


def test_the_api_schema_is_the_record() -> None:
    assert TrackPointOut is TrackPoint


def test_the_bus_form_is_the_record_field_for_field() -> None:
    d = update_dict(UPDATE)
    assert sorted(d) == sorted(TrackPoint.model_fields), "same fields, no more, no fewer"
    p = TrackPoint.model_validate(d)
    assert p.status is TrackStatus.COASTING and p.cls == "drone"
    assert p.velocity == [3.0, -4.0, 0.5]


def test_a_stored_row_reads_back_as_the_bus_form() -> None:
    row = update_row(UPDATE)
    assert (row["ve"], row["vn"], row["vu"]) == (3.0, -4.0, 0.5) and "velocity" not in row
    assert TrackPoint.wire_of_row(SimpleNamespace(**row)) == update_dict(UPDATE)
