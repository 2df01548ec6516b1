"""Step 4's ``rf_disowned_s``: a verdict soon after the crossing that the bearings ran
beside the track disowns every earlier fit of that finder (held-out seeds 21 S85 and
25 S74: a bird that took over a hovering drone's track carried the drone's backing over
the line; docs/notes/wave24.md)."""

from __future__ import annotations

from pathlib import Path

from analytics_build import T0

from skywarden.analytics import CountingRule
from skywarden.analytics.material import Material, SectorData, SensorSite, TrackSpan
from skywarden.analytics.records import Incursion
from skywarden.analytics.unit_checks import evidence_shares

FINDERS = [SensorSite("rf-1", "rf", 31.7, -106.4, 0.0, {"sigma_bearing_deg": 3.0})]


def _taken_over(verdict_at: float | None) -> TrackSpan:
    """400 s of a track fitted by rf-1 from its first update (a drone's own link) until
    330 s, crossing at 300 s; the tracker's verdict that the fitting bearings run beside
    it at ``verdict_at`` s (None: never)."""
    sp = TrackSpan("S1", "T1", T0, 31.7, -106.45, T0, 31.7, -106.45)
    for k in range(400):
        beside = verdict_at is not None and k >= verdict_at
        kinds = ["rf_geometry"] if k <= 330 else []
        sp.extend(T0 + k, 31.7 + k / 111_000.0, -106.45, [], ("radar-1", "rf-1"), kinds, beside)
        sp.add_fix(T0 + k, 10.0, 31.7 + k / 111_000.0, -106.45)
    return sp


def _shares(sp: TrackSpan, rule: CountingRule) -> list[tuple[int, int]]:
    mat = Material("m", "month", [SectorData("S1", spans={"T1": sp}, sensors=FINDERS)])
    u = Incursion(
        id="i1", rule="incursion", t=T0 + 300.0, lat=31.7027, lon=-106.45, alt_m=0.0,
        direction="northbound", sector="S1", tracks=["S1/T1"],
    )  # fmt: skip
    return evidence_shares(mat, [sp], u, rule)


def test_a_verdict_soon_after_the_crossing_disowns_every_earlier_fit() -> None:
    on = CountingRule(rf_disowned_s=120.0)
    off = CountingRule(rf_disowned_s=0.0)
    taken = _taken_over(verdict_at=400 - 1)  # 99 s after the crossing
    # the look-ahead alone withdraws only the fits of the verdict's last two minutes:
    # 0-278 s stay backed (279 of the 331 updates the rule reads), and the unit counts
    assert _shares(taken, off) == [(279, 331)]
    assert _shares(taken, on) == [(0, 331)]
    # a verdict later than rf_disowned_s after the crossing speaks as before
    assert _shares(taken, CountingRule(rf_disowned_s=60.0)) == [(279, 331)]
    # a drone whose own link the finder hears draws no verdict: nothing changes
    own = _taken_over(verdict_at=None)
    assert _shares(own, on) == _shares(own, off) == [(331, 331)]


def test_it_is_on_by_default_since_wave_25() -> None:
    # the default rule sets the taken-over bird apart; 0 asks the rule as it was
    assert CountingRule().rf_disowned_s == 120.0
    assert _shares(_taken_over(verdict_at=400 - 1), CountingRule()) == [(0, 331)]


def test_stats_takes_it(tmp_path: Path) -> None:
    from analytics_build import crossing, track_lines, write_run
    from typer.testing import CliRunner

    from skywarden.cli import app

    rows = track_lines("D1", [(T0 + k, 0.0, -1000.0 + 10.0 * k) for k in range(201)], ["radar-1"])
    run = write_run(tmp_path / "run", [crossing("D1", T0 + 100.0, 0.0)], rows)
    res = CliRunner().invoke(app, ["stats", str(run), "--json", "--rf-disowned-s", "0"])
    assert res.exit_code == 0, res.output
    assert "rf_disowned_s=0" in res.output  # the method says so
    bad = CliRunner().invoke(app, ["stats", str(run), "--rf-disowned-s", "-1"])
    assert bad.exit_code == 2


def test_the_readable_stats_name_the_changed_parameters(tmp_path: Path) -> None:
    # "[rf_disowned_s=0]" looks like console markup: it must print as it is
    from analytics_build import crossing, track_lines, write_run
    from typer.testing import CliRunner

    from skywarden.cli import app

    rows = track_lines("D1", [(T0 + k, 0.0, -1000.0 + 10.0 * k) for k in range(201)], ["radar-1"])
    run = write_run(tmp_path / "run", [crossing("D1", T0 + 100.0, 0.0)], rows)
    res = CliRunner(env={"COLUMNS": "400"}).invoke(app, ["stats", str(run), "--rf-disowned-s", "0"])
    assert res.exit_code == 0, res.output
    assert "[rf_disowned_s=0]" in res.output
