"""Which runway flows the El Paso laser touches, and which recorded flights entered it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from skywarden.laser.flows import flows_touched, runway_flows
from skywarden.laser.plan import load_laser_plan
from skywarden.laser.traffic import TrafficFileError, flights_entering, read_track_updates
from skywarden.model import TrackUpdate

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-laser.yaml"
PLAN = load_laser_plan(SCENARIO)
FLOWS = runway_flows("KELP") + runway_flows("KBIF")

ApproachFn = Callable[..., list[TrackUpdate]]


def test_every_runway_end_has_an_arrival_and_a_departure() -> None:
    labels = {f.label for f in FLOWS}
    assert len(FLOWS) == 16  # KELP 3 runways, KBIF 1, x 2 ends x 2 directions
    assert {"KELP 26L arrivals", "KELP 08R departures", "KBIF 21 arrivals"} <= labels


def test_el_paso_fan_touches_north_east_and_eastern_flows_only() -> None:
    hits = {h.flow.label: h for h in flows_touched(PLAN.volume(), FLOWS)}
    # Flows that come in over Fort Bliss from the north-east and east cross the fan...
    assert {"KELP 22 arrivals", "KELP 26R arrivals", "KBIF 21 arrivals"} <= hits.keys()
    # ... those to the west and south-west of the airports do not.
    assert "KELP 08R arrivals" not in hits and "KELP 04 arrivals" not in hits
    h = hits["KELP 26R arrivals"]
    assert 8.0 < h.from_nm < h.to_nm
    assert 6000 < h.min_alt_ft < h.max_alt_ft


def test_recorded_flights_are_counted_with_their_flow(approach: ApproachFn, tmp_path: Path) -> None:
    t0 = PLAN.start_t + 600
    ups = approach("26R", track="T1", t0=t0, from_nm=36, to_nm=5, dt=5.0, callsign="AAL100")
    ups += approach("08R", track="T2", t0=t0, dt=5.0, callsign="UAL200")  # from the west
    drone = approach("26R", track="T3", t0=t0, dt=5.0, probs={"drone": 1.0}, callsign=None)
    late = approach("26R", track="T4", t0=PLAN.end_t + 60, dt=5.0, callsign="SWA300")
    path = tmp_path / "tracks.jsonl"
    path.write_text("".join(json.dumps(u.to_dict()) + "\n" for u in ups + drone + late))
    flights = flights_entering(
        PLAN.volume(), read_track_updates(path), PLAN.start_t, PLAN.end_t, FLOWS
    )
    assert [(f.track, f.callsign, f.flow) for f in flights] == [
        ("T1", "AAL100", "KELP 26R arrivals")
    ]
    assert flights[0].first_t > t0 and flights[0].minutes_inside > 5


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ('{"t": 1770782400, "track": "T1"}', "missing field"),
        (
            '{"t": 1770782400, "track": "T1", "status": "confirmed", "lat": 95, "lon": 0,'
            ' "alt_m": 0, "velocity": [0, 0, 0]}',
            "lat",
        ),
    ],
)
def test_malformed_traffic_lines_are_named(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "tracks.jsonl"
    path.write_text("\n" + line + "\n")
    with pytest.raises(TrafficFileError) as err:
        read_track_updates(path)
    assert err.value.line == 2
    assert reason in err.value.reason


def test_an_adsb_recording_is_read_as_flights(approach: ApproachFn, tmp_path: Path) -> None:
    from skywarden.model import Detection, Identity, Position, SensorKind

    t0 = PLAN.start_t + 600
    arrival = approach("26R", t0=t0, from_nm=36, to_nm=5, dt=2.0)
    lines = []
    for k, u in enumerate(arrival):
        det = Detection(
            t=u.t,
            sensor="adsb-kelp",
            kind=SensorKind.ADSB,
            position=Position(u.lat, u.lon, u.alt_m),
            # every other report without velocity: it is derived from the next report
            velocity=u.velocity if k % 2 else None,
            identity=Identity(icao24="a1b2c3", callsign="AAL100"),
        )
        lines.append(json.dumps(det.to_dict()))
    # a radar plot in the same file is not a flight without a tracker: skipped
    radar = Detection(
        t=t0, sensor="radar-1", kind=SensorKind.RADAR, position=Position(31.8, -106.3, 1500)
    )
    lines.append(json.dumps(radar.to_dict()))
    path = tmp_path / "detections.jsonl"
    path.write_text("\n".join(lines) + "\n")
    ups = read_track_updates(path)
    assert len(ups) == len(arrival) and {u.track for u in ups} == {"icao:a1b2c3"}
    assert all(abs(a.velocity[0] - b.velocity[0]) < 1.0 for a, b in zip(ups, arrival, strict=True))
    flights = flights_entering(PLAN.volume(), ups, PLAN.start_t, PLAN.end_t, FLOWS)
    assert [(f.track, f.callsign, f.flow) for f in flights] == [
        ("icao:a1b2c3", "AAL100", "KELP 26R arrivals")
    ]
