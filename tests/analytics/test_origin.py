"""The incursion rule's step 5, where the flight came from, on constructed track histories.

An incursion is a flight from Mexico into the United States. A drone first seen north
of the line that crosses south and comes back made a northbound crossing, but no flight
from Mexico; a drone already flying when its sector's feed began came from somewhere the
feed never saw. Both are counted apart with the reason; the track rule, which asks
neither, counts every one.
"""

from __future__ import annotations

from pathlib import Path

from analytics_build import FEED_LEAD_S, T0, crossing, track_lines, write_run
from typer.testing import CliRunner

from skywarden.analytics import CountingRule, compute_stats, count_incursions, sources
from skywarden.analytics.counting import from_us, method, origin_unseen
from skywarden.analytics.run_source import feed_starts

SENSORS = ("radar-1", "rf-1")


def _line(t0: float, t1: float, east: float, north0: float, north1: float) -> list:
    """(t, east, north) each second from (east, north0) at t0 to (east, north1) at t1."""
    n = int(t1 - t0)
    return [(t0 + k, east, north0 + (north1 - north0) * k / n) for k in range(n + 1)]


def _hobby(tmp_path: Path, name: str = "hobby", start_north_m: float = 500.0) -> Path:
    """First seen ``start_north_m`` north of the line at T0, south across it at T0 + 50
    to 500 m south, back north across it at T0 + 150 and on to 500 m north."""
    pts = _line(T0, T0 + 100.0, 0.0, start_north_m, -500.0)
    pts += _line(T0 + 101.0, T0 + 200.0, 0.0, -490.0, 500.0)
    events = [crossing("H1", T0 + 50.0, 0.0, "southbound"), crossing("H1", T0 + 150.0, 0.0)]
    return write_run(tmp_path / name, events, track_lines("H1", pts, SENSORS))


def _smuggler(tmp_path: Path, first_t: float, name: str = "smuggler") -> Path:
    """First seen 1 km south of the line at ``first_t``, north across it 100 s later."""
    pts = _line(first_t, first_t + 200.0, 0.0, -1000.0, 1000.0)
    events = [crossing("D1", first_t + 100.0, 0.0)]
    return write_run(tmp_path / name, events, track_lines("D1", pts, SENSORS))


def test_a_drone_first_seen_in_the_us_is_set_apart_a_drone_from_mexico_counts(
    tmp_path: Path,
) -> None:
    hobby = _hobby(tmp_path)
    smuggler = _smuggler(tmp_path, T0)
    assert count_incursions(hobby, "incursion") == []
    assert len(count_incursions(hobby, "track")) == 1  # the naive rule asks nothing
    ((unit, why),) = from_us(sources.load(hobby))
    assert unit.tracks == ["constructed/H1"]
    assert why.startswith("first seen 500 m north of the line, 150 s before it crossed north")
    assert len(count_incursions(smuggler, "incursion")) == 1
    assert from_us(sources.load(smuggler)) == []


def test_a_first_fix_within_the_detectors_hysteresis_is_on_neither_side(tmp_path: Path) -> None:
    # 20 m from the line is tracker noise (the crossing detector's 40 m): the first fix
    # cannot say where the drone came from. A drone first seen there that crosses north
    # first is not from the US; it was never seen coming from Mexico either, so the
    # default (line_first_m, wave 22) sets it apart as where-from-unseen, and without
    # that rule it counts. One whose first crossing is southbound was north of the line
    # before it was ever south: a flight from the line out and back (seeds 11 and 12: US
    # hobby pilots at the fence of Nogales and Brownsville, docs/notes/wave12.md).
    north_first = _line(T0, T0 + 100.0, 0.0, -20.0, 980.0)
    launch = write_run(
        tmp_path / "launch",
        [crossing("D1", T0 + 2.0, 0.0)],
        track_lines("D1", north_first, SENSORS),
    )
    assert from_us(sources.load(launch)) == []
    assert len(origin_unseen(sources.load(launch))) == 1
    unasked = CountingRule(line_first_m=0.0)
    assert len(count_incursions(launch, "incursion", params=unasked)) == 1
    out_and_back = _hobby(tmp_path, "near", start_north_m=20.0)
    assert count_incursions(out_and_back, "incursion") == []
    ((_, why),) = from_us(sources.load(out_and_back))
    assert "m from the line, it crossed south before it ever crossed north" in why
    strict = CountingRule(origin_firm_m=10.0)  # firmly north at 10 m: the first rule
    ((_, why),) = from_us(sources.load(out_and_back), params=strict)
    assert why.startswith("first seen 19 m north of the line")
    assert (
        from_us(sources.load(out_and_back), params=CountingRule(origin_firm_m=float("inf"))) == []
    )


def test_the_chain_is_asked_where_it_began_not_the_track_that_crossed(tmp_path: Path) -> None:
    # H1 is first seen 500 m north, flies south across the line and is lost 300 m south;
    # H2 starts 10 s later 50 m from there (a track break: the same drone) and crosses
    # north. H2 alone was first seen in Mexico; the drone was first seen in the US.
    h1 = _line(T0, T0 + 80.0, 0.0, 500.0, -300.0)
    h2 = _line(T0 + 90.0, T0 + 190.0, 50.0, -300.0, 700.0)
    events = [crossing("H1", T0 + 50.0, 0.0, "southbound"), crossing("H2", T0 + 120.0, 50.0)]
    tracks = track_lines("H1", h1, SENSORS) + track_lines("H2", h2, SENSORS)
    run = write_run(tmp_path / "broken", events, tracks)
    assert count_incursions(run, "incursion") == []
    ((unit, _),) = from_us(sources.load(run))
    assert unit.tracks == ["constructed/H2"]


def test_a_drone_already_flying_when_the_feed_began_is_set_apart(tmp_path: Path) -> None:
    feed_start = T0 - FEED_LEAD_S  # the run's start_t
    flying = _smuggler(tmp_path, feed_start + 2.0, "flying")
    later = _smuggler(tmp_path, feed_start + 60.0, "later")
    assert count_incursions(flying, "incursion") == []
    ((_, why),) = origin_unseen(sources.load(flying))
    assert why.startswith("first seen 2 s after its sector's feed began")
    assert len(count_incursions(later, "incursion")) == 1
    off = CountingRule(feed_start_s=-1.0)
    assert len(count_incursions(flying, "incursion", params=off)) == 1


def test_touching_month_windows_are_one_feed() -> None:
    # a warm-up and its window touch: one simulation, one start; a later sample: another
    windows = [(100.0, 220.0, 0.0), (220.0, 900.0, 1.0), (5000.0, 5300.0, 280.0)]
    assert feed_starts(windows) == [100.0, 5000.0]
    assert feed_starts([]) == []


def test_stats_report_what_step_5_set_apart_and_the_command_prints_it(tmp_path: Path) -> None:
    from skywarden.analytics.records import Stats
    from skywarden.cli import app

    hobby = _hobby(tmp_path)
    inc = next(c for c in compute_stats(hobby).counts if c.rule == "incursion")
    assert (inc.count, inc.from_us, inc.from_us_units) == (0, 1, 1)
    assert (inc.origin_unseen, inc.origin_unseen_units) == (0, 0)
    res = CliRunner().invoke(app, ["stats", str(hobby)])
    assert res.exit_code == 0, res.output
    assert "from the US side, not counted: 1 (1 unit(s))" in res.output
    res = CliRunner().invoke(app, ["stats", str(hobby), "--json", "--origin-firm-m", "inf"])
    assert res.exit_code == 0, res.output
    assert Stats.model_validate_json(res.output).count("incursion") == 1
    res = CliRunner().invoke(app, ["stats", str(hobby), "--origin-firm-m", "-5"])
    assert res.exit_code == 2 and "--origin-firm-m" in res.output


def test_a_source_without_track_history_is_counted_and_says_so(tmp_path: Path) -> None:
    run = write_run(tmp_path / "bare", [crossing("D1", T0 + 100.0, 0.0)])
    (run / "tracks.jsonl").unlink()
    stats = compute_stats(run)
    assert stats.count("incursion") == 1
    inc = next(c for c in stats.counts if c.rule == "incursion")
    assert inc.from_us is None and inc.origin_unseen is None
    assert any("where a flight came from" in n for n in stats.notes)


def test_line_first_sets_apart_a_drone_first_seen_on_the_line(tmp_path: Path) -> None:
    # Seeds 22 and 23: US hobby pilots standing 0.3-11 m from the line launched, climbed
    # on it (the track zig-zagging across it by noise) and flew north; the detector
    # confirmed a northbound crossing and the first fix, within its hysteresis, could not
    # say (docs/notes/wave21.md). By default (40 m, wave 22) a drone first seen that near
    # the line whose first crossing is northbound was never seen coming from Mexico;
    # ``line_first_m=0`` does not ask.
    from skywarden.cli import app

    on_line = _line(T0, T0 + 100.0, 0.0, 8.0, 1008.0)
    launch = write_run(
        tmp_path / "launch", [crossing("D1", T0 + 5.0, 0.0)], track_lines("D1", on_line, SENSORS)
    )
    asked = CountingRule(line_first_m=40.0)
    assert CountingRule() == asked  # the default asks
    assert len(count_incursions(launch, "incursion", params=CountingRule(line_first_m=0.0))) == 1
    assert count_incursions(launch, "incursion") == []
    ((_, why),) = origin_unseen(sources.load(launch), params=asked)
    assert why.startswith("first seen 7 m from the line, 5 s before it crossed north")
    assert origin_unseen(sources.load(launch), params=CountingRule(line_first_m=5.0)) == []
    # a drone seen coming from 1 km south counts; one out and back from the line stays
    # from the US (its first crossing was southbound)
    smuggler = _smuggler(tmp_path, T0)
    assert len(count_incursions(smuggler, "incursion", params=asked)) == 1
    out_and_back = _hobby(tmp_path, "near", start_north_m=20.0)
    assert len(from_us(sources.load(out_and_back), params=asked)) == 1
    res = CliRunner().invoke(app, ["stats", str(launch)])
    assert res.exit_code == 0, res.output
    assert "where from unseen, not counted: 1 (1 unit(s))" in res.output
    res = CliRunner().invoke(app, ["stats", str(launch), "--line-first-m", "0"])
    assert res.exit_code == 0, res.output
    assert "where from unseen, not counted: 0 (0 unit(s))" in res.output
    assert "[line_first_m=0]" in method("incursion", CountingRule(line_first_m=0.0))
