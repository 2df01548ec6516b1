"""The pipeline over a recorded night: what it stores, how it resumes, what it rejects."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from skywarden.airspace import Analyzer, load_policy, sector_zones
from skywarden.bus import InProcessBus
from skywarden.pipeline import Pipeline, run_to_end
from skywarden.refdata import border_line
from skywarden.service.sources import (
    SourceSpecError,
    TracksFile,
    parse_source,
    read_sector_json,
)
from skywarden.store import Database, cursor, incidents, quarantine, tracks
from skywarden.store.schema import TrackPoint


def pipeline(db: Database, path: Path) -> Pipeline:
    sector = read_sector_json(path.with_name("sector.json"))
    assert sector is not None
    zones = sector_zones(sector.frame, airports=sector.airports)
    analyzer = Analyzer(sector.frame, zones, border_line(), load_policy())
    return Pipeline(
        db, InProcessBus(), TracksFile(path), analyzer=analyzer, zones=zones, sensors=sector.sensors
    )


def test_a_recorded_night_fills_the_store(tmp_path: Path, svc: SimpleNamespace) -> None:
    path = svc.write_scene(tmp_path / "night", seconds=60, n_tracks=3)
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    run_to_end(pipeline(db, path))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(TrackPoint)) == 180
        assert tracks.time_range(s) == (svc.T0, svc.T0 + 59)
        assert incidents.query(s), "drones crossing into the airport zones open incidents"
        assert cursor.get(s, TracksFile(path).id) == (svc.T0 + 59, 60)


def test_a_rerun_resumes_after_the_cursor_and_writes_nothing_twice(
    tmp_path: Path, svc: SimpleNamespace
) -> None:
    path = svc.write_scene(tmp_path / "night", seconds=40, n_tracks=2)
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    scans = list(TracksFile(path).scans())
    run_to_end(pipeline(db, path), scans[:25])  # "killed" after 25 scans
    with db.session() as s:
        first = {i["id"]: i["t_open"] for i in incidents.query(s)}
    run_to_end(pipeline(db, path))  # restart: replays 25 scans silently, stores the rest
    with db.session() as s:
        pts = tracks.history(s, tracks=["T000001"])
        assert [p["t"] for p in pts] == [svc.T0 + k for k in range(40)]
        again = {i["id"]: i["t_open"] for i in incidents.query(s)}
    assert first.items() <= again.items()


def test_bad_lines_go_to_the_quarantine(tmp_path: Path, svc: SimpleNamespace) -> None:
    path = svc.write_scene(tmp_path / "night", seconds=5, n_tracks=1)
    lines = path.read_text().splitlines()
    lines.insert(2, "{not json")
    lines.insert(3, lines[3].replace('"lat": 31.', '"lat": 131.'))
    path.write_text("\n".join(lines) + "\n")
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    run_to_end(pipeline(db, path))
    with db.session() as s:
        got = quarantine.entries(s)
        assert len(got) == 2
        assert {q["field"] for q in got} == {"?", "lat"}
        assert any("tracks line 3: corrupt: not JSON" in q["reason"] for q in got), got


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("tracks", "expected KIND:PATH"),
        ("tracks:/no/such.jsonl", "no such file"),
        ("radar:{path}", "unknown kind 'radar'"),
    ],
)
def test_bad_source_specs_are_named(tmp_path: Path, spec: str, words: str) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text("")
    with pytest.raises(SourceSpecError, match=words) as e:
        parse_source(spec.format(path=f))
    assert "--source" in str(e.value)


class FailsOnce:
    """An analyzer stand-in that breaks on one scan, to show the pipeline survives it."""

    def __init__(self, t_bad: float) -> None:
        self.t_bad = t_bad
        self.calls = 0

    def step(self, t: float, updates: list[object]) -> SimpleNamespace:
        self.calls += 1
        if t == self.t_bad:
            raise ZeroDivisionError("division by zero in a detector")
        return SimpleNamespace(events=[], incidents=[], recommendations=[])


def test_a_stage_failing_on_one_scan_costs_only_that_scan(
    tmp_path: Path, svc: SimpleNamespace
) -> None:
    path = svc.write_scene(tmp_path / "night", seconds=10, n_tracks=1)
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    stage = FailsOnce(svc.T0 + 4)
    run_to_end(Pipeline(db, InProcessBus(), TracksFile(path), analyzer=stage))
    assert stage.calls == 10
    with db.session() as s:
        assert len(tracks.history(s)) == 9  # every scan but the failed one
        (q,) = quarantine.entries(s)
        assert q["field"] == "scan" and "ZeroDivisionError" in q["reason"]
        assert str(svc.T0 + 4) in q["reason"]
