"""The partner version: made by the API's redaction (``service/redact.py``), and the
report made from it lacks everything that redaction removes."""

from __future__ import annotations

import h3

from skywarden.report.build import make_report
from skywarden.service import redact


def test_redaction_keeps_counts_and_drops_what_maps_the_sensors(make_stats) -> None:
    stats = make_stats()
    p = redact.stats(stats)
    assert [c["count"] for c in p["counts"]] == [c["count"] for c in stats["counts"]]
    assert p["breakdown"]["by_hour"] == stats["breakdown"]["by_hour"]
    assert p["runway_pauses"][0] == {"airport": "KELP", "minutes": 45.5, "measures": 3}
    assert "coverage" not in p and "notes" not in p and "source" not in p
    assert p["behaviours"] == {"drops": 17, "loiters": 23}  # how many, not where
    assert set(p["withheld"]) == set(redact.STATS_WITHHELD)


def test_hot_spots_are_coarsened_and_counts_kept(make_stats) -> None:
    stats = make_stats()
    hot = redact.stats(stats)["hotspots"]
    assert all(h3.get_resolution(h["cell"]) <= redact.PARTNER_H3_RES for h in hot)
    assert sum(h["count"] for h in hot) == sum(h["count"] for h in stats["hotspots"])
    # the two downtown El Paso cells, 300 m apart, fall in one coarser cell
    assert len(hot) < len(stats["hotspots"])
    for h in hot:
        assert h["lat"] == round(h["lat"], redact.PARTNER_DECIMALS)


def test_redaction_is_an_allow_list(make_stats) -> None:
    stats = make_stats()
    stats["breakdown"]["by_sensor"] = {"radar-7": 99}  # a field added to Stats later
    stats["secret_field"] = "radar-7 at 31.75431"
    p = redact.stats(stats)
    assert "radar-7" not in repr(p)


def test_partner_report_lacks_what_redaction_removes(make_stats) -> None:
    stats = make_stats()
    analyst = make_report(stats, "analyst").html(made=0.0)
    partner = make_report(redact.stats(stats), "partner").html(made=0.0)
    for secret in ("radar-secret-site", "radar-7 was down", "/srv/month", "3,141"):
        assert secret in analyst
        assert secret not in partner
    assert 'id="withheld"' in partner and "partner version" in partner
    assert "The coverage model is withheld" in partner
    for c in stats["counts"]:  # the counts are the point of the partner version
        assert f"{c['count']:,}" in partner
