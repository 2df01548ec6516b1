"""Jurisdiction: a hazard at an airport of the other country is its authority's to act on."""

from __future__ import annotations

from skywarden.airspace import Analyzer, AnalyzerConfig, load_policy
from skywarden.airspace.jurisdiction import Jurisdictions
from skywarden.model import Action

RESTRICTING = {Action.PAUSE_ARRIVALS, Action.PAUSE_DEPARTURES, Action.PAUSE_ALL, Action.TFR}


def test_countries_come_from_airportsdata_and_unknown_identifiers_are_home():
    j = Jurisdictions("US", load_policy().jurisdiction)
    assert j.foreign("MMCS") == "MX"
    assert j.foreign("KELP") is None
    assert j.foreign("border security") is None  # an audience, not an airport
    assert j.authority("MX").startswith("AFAC")
    assert j.authority("GT") == "the civil aviation authority of GT"


def test_corroborated_drones_at_mmcs_notify_its_authority_never_pause(analyzer, fx, run):
    tracks = []
    # Three corroborated drones for 35 min on MMCS's approaches: at a US airport this is
    # pause all and a TFR; at Ciudad Juarez it is a notification to AFAC, nothing else.
    for i, end in enumerate(("03", "21", "14")):
        x, y, alt = fx.runway_point(end, 1852.0, 60.0, airport="MMCS")
        tracks.append(
            fx.leg(
                f"MX{i}", [(0, x, y, alt), (2100, x + 20, y, alt)], corroboration=fx.CORROBORATED
            )
        )
    out = run(analyzer, *tracks)
    recs = out["recommendations"]
    assert not [r for r in recs if r.action in RESTRICTING]
    foreign = [r for r in recs if r.action == Action.NOTIFY_FOREIGN]
    assert {r.airport for r in foreign} == {"MMCS"}
    assert len({r.id.split("/")[0] for r in foreign}) == 1  # one notification, renewed
    first = foreign[0]
    assert first.reasons[0].startswith("notify AFAC (Agencia Federal de Aviación Civil, Mexico)")
    assert "its runways are not ours to pause" in first.reasons[0]
    assert any(r.startswith("a hazard to MMCS runways (pause_arrivals 03") for r in first.reasons)
    assert first.evidence == fx.CORROBORATED and first.confidence == 0.9
    # No plain notification or verification addressed to the Mexican airport either.
    assert not [r for r in recs if r.airport == "MMCS" and r.action != Action.NOTIFY_FOREIGN]


def test_the_sector_country_decides_which_side_is_foreign(zones, index, fx, run):
    from skywarden import refdata

    an = Analyzer(
        fx.FRAME,
        zones,
        refdata.border_line(),
        load_policy(),
        AnalyzerConfig(country="MX"),
        index=index,
    )
    x, y, alt = fx.runway_point("22", 1852.0, 60.0)
    out = run(
        an, fx.leg("D", [(0, x, y, alt), (120, x + 20, y, alt)], corroboration=fx.CORROBORATED)
    )
    acts = {(r.action, r.airport) for r in out["recommendations"]}
    assert (Action.NOTIFY_FOREIGN, "KELP") in acts
    assert not {a for a, _ in acts} & RESTRICTING
    note = next(r for r in out["recommendations"] if r.action == Action.NOTIFY_FOREIGN)
    assert note.reasons[0].startswith("notify FAA")
