"""Minutes of restricted operations per runway end: versions joined, overlaps counted once."""

from __future__ import annotations

from skywarden.airspace.report import measure_spans, restricted_minutes
from skywarden.model import Action, Recommendation

T = 1_770_778_800.0


def rec(
    mid: str, v: int, action: Action, t0: float, t1: float, status: str, runways=()
) -> Recommendation:
    return Recommendation(
        id=f"{mid}/{v}",
        incident="I1",
        action=action,
        t_issued=T + t0,
        t_expires=T + t1,
        t_reevaluate=T + min(t0 + 300, t1),
        reasons=("r",),
        runways=runways,
        airport="KELP",
        status=status,
    )


ENDS = {"KELP": ["04", "22"]}


def test_a_measure_spans_from_its_first_version_to_its_lift():
    recs = [
        rec("M1", 1, Action.PAUSE_ARRIVALS, 0, 900, "active", ("22",)),
        rec("M1", 2, Action.PAUSE_ARRIVALS, 300, 1200, "renewed", ("22",)),
        rec("M1", 3, Action.PAUSE_ARRIVALS, 720, 720, "lifted", ("22",)),
    ]
    ((mid, first, start, end),) = measure_spans(recs)
    assert (mid, first.id, start - T, end - T) == ("M1", "M1/1", 0.0, 720.0)
    assert restricted_minutes(recs, ENDS) == {"KELP 22": {"arrivals": 12.0}}


def test_overlaps_count_once_and_pause_all_stops_every_direction():
    recs = [
        rec("M1", 1, Action.PAUSE_ARRIVALS, 0, 600, "active", ("22",)),
        rec("M1", 2, Action.PAUSE_ARRIVALS, 600, 600, "lifted", ("22",)),
        rec("M2", 1, Action.PAUSE_ALL, 300, 900, "active"),
        rec("M2", 2, Action.PAUSE_ALL, 900, 900, "lifted"),
        rec("M3", 1, Action.NOTIFY, 0, 900, "active"),
    ]
    m = restricted_minutes(recs, ENDS)
    assert m == {
        "KELP 22": {"arrivals": 15.0, "departures": 10.0},
        "KELP 04": {"arrivals": 10.0, "departures": 10.0},
    }


def test_the_timeline_says_what_each_measure_rests_on():
    from rich.console import Console

    from skywarden.airspace.report import rests_on, timeline_table

    r = Recommendation(
        "M1/1",
        "I1",
        Action.PAUSE_ARRIVALS,
        T,
        T + 900,
        T + 300,
        ("r",),
        ("22",),
        "KELP",
        confidence=0.934,
        evidence=("radar_class", "rf_geometry"),
    )
    assert rests_on(r) == "0.93 radar_class+rf_geometry"
    v = Recommendation("M2/1", "I1", Action.VERIFY, T, T + 60, T + 60, ("r",), airport="KELP")
    assert rests_on(v) == "- no evidence"
    console = Console(width=250, record=True)
    console.print(timeline_table([r, v]))
    text = console.export_text()
    assert "0.93 radar_class+rf_geometry" in text and "verify" in text
