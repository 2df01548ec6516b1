"""The HTML report: every section, the counts with their method, names escaped, nothing
fetched from outside the file."""

from __future__ import annotations

import re

from markupsafe import escape

from skywarden.report.build import make_report

SECTIONS = ("counts", "coverage", "hotspots", "time", "incidents", "runway-pauses")


def _page(stats: dict) -> str:
    return make_report(stats, "analyst").html(made=0.0)


def test_every_section_and_the_counts_with_their_method(make_stats) -> None:
    stats = make_stats()
    page = _page(stats)
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in page
    for c in stats["counts"]:
        assert f"{c['count']:,}" in page
    assert "every sensor&#39;s alert" in page and "fused tracks that crossed" in page
    # coverage: the widest set's share, the estimate and its interval
    assert "58.0%" in page and "1,500" in page and "1,420 to" in page and "1,610" in page
    assert "41 of the counted incursions broadcast" in page
    # days of the week in calendar order, not as the record listed them
    assert page.index("<th>Mon</th>") < page.index("<th>Tue</th>") < page.index("<th>Sun</th>")
    # runway pauses and incidents by kind
    assert "KELP" in page and "45.5" in page and "border_crossing" in page
    # one figure per section that has one, each an inline PNG
    figures = re.findall(r'<img alt="[^"]*" src="([^"]+)"', page)
    assert len(figures) == 6
    assert all(u.startswith("data:image/png;base64,") for u in figures)


def test_hostile_names_are_escaped(make_stats, hostile) -> None:
    page = _page(make_stats())
    assert hostile not in page
    assert "<script>alert" not in page and "<img src=x" not in page
    # as text, every time: sector, airport, incident kind and the method text
    assert page.count(str(escape(hostile))) >= 4


def test_no_external_url_and_no_script(make_stats) -> None:
    page = _page(make_stats())
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
    assert "<script" not in page.replace("&lt;script", "")
    assert "default-src 'none'" in page  # the file's own policy


def test_an_empty_record_still_renders(make_stats) -> None:
    stats = make_stats()
    stats.update(counts=[], hotspots=[], runway_pauses=[], incidents_by_kind={}, coverage=None)
    stats["breakdown"] = {"by_hour": [0] * 24}
    page = _page(stats)
    assert '<section id="hotspots">' in page
    assert "No coverage model" in page and "is withheld" not in page  # none, not hidden


def test_what_the_incursion_rule_set_apart_is_shown_not_counted(make_stats) -> None:
    stats = make_stats()
    inc = next(c for c in stats["counts"] if c["rule"] == "incursion")
    inc.update(suspected=12, from_us=1234, origin_unseen=0)
    page = _page(stats)
    assert "+ 12 suspected, not counted" in page
    assert "+ 1,234 from the US side, not counted" in page
    assert "already flying" not in page  # a zero is not listed
    # a record from before step 5 (no from_us key) still renders its suspected line
    del inc["from_us"], inc["origin_unseen"]
    assert "+ 12 suspected, not counted" in _page(stats)
    assert "from the US side" not in _page(stats)
