"""Each response rule alone: a step view in, the causes it adds out (issue 13).

The views are built from hand-written fixture tracks (conftest ``leg``) and the El Paso
zone index; a recording sink stands in for the analyzer's collector.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from skywarden import refdata
from skywarden.airspace import Analyzer, load_policy
from skywarden.airspace.closing import paths_from_zones
from skywarden.airspace.rules import (
    BORDER_AUDIENCE,
    DEFAULT_RULES,
    NearPathRule,
    RecentCrossingRule,
    StepView,
    ZoneRule,
)
from skywarden.airspace.track_table import TrackTable
from skywarden.model import Action


class Sink:
    """Records what rules add: (action, scope, track index, runways, reason)."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str, int, tuple[str, ...], str]] = []

    def add(
        self,
        action: Action,
        scope: str,
        k: int,
        why: Callable[[], str],
        runways: tuple[str, ...] = (),
    ) -> None:
        self.got.append((action.value, scope, int(k), runways, why()))

    def add_many(
        self,
        action: Action,
        scope: str,
        ks: np.ndarray,
        why: Callable[[int], str],
        runways: tuple[str, ...] = (),
    ) -> None:
        for k in ks:
            self.got.append((action.value, scope, int(k), runways, why(int(k))))


def view(fx, index, points, last_cross=None, d_now=None) -> StepView:
    """A one-scan view of drones at ENU ``points`` (x, y, alt MSL)."""
    ups = []
    for n, (x, y, alt) in enumerate(points):
        ups += fx.leg(f"T{n}", [(0, x, y, alt), (0, x, y, alt)])
    b = TrackTable(fx.FRAME).ingest(ups)
    pi, zi = index.memberships(b.x, b.y, b.alt)
    paths, path_zone = paths_from_zones(index.zones, fx.FRAME)
    n_paths = len(paths)
    d = np.full((len(b), n_paths), 1e9) if d_now is None else d_now
    return StepView(
        t=float(b.t.max()),
        b=b,
        pi=pi,
        zi=zi,
        d_now=d,
        d_cpa=d,
        t_cpa=np.zeros_like(d),
        last_cross=np.full(len(b) + 1, -np.inf) if last_cross is None else last_cross,
        zindex=index,
        paths=paths,
        path_zone=path_zone,
        path_airport=np.array([p.airport for p in paths], dtype=object),
        policy=load_policy(),
    )


def test_zone_rule_pauses_the_runway_end_whose_corridor_a_drone_is_in(fx, index):
    x, y, alt = fx.runway_point("22", along_m=1500.0, agl_m=60.0)
    sink = Sink()
    ZoneRule().apply(view(fx, index, [(x, y, alt)]), sink)
    pauses = [g for g in sink.got if g[0] == "pause_arrivals"]
    assert [(a, s, r) for a, s, _, r, _ in pauses] == [("pause_arrivals", "KELP", ("22",))]
    assert "arrival corridor of 22" in pauses[0][4]


def test_zone_rule_ignores_a_corridor_beyond_the_pause_range(fx, index):
    far = load_policy().triggers.pause_within_nm * 1852.0 + 2000.0
    x, y, alt = fx.runway_point("22", along_m=far, agl_m=300.0)
    sink = Sink()
    ZoneRule().apply(view(fx, index, [(x, y, alt)]), sink)
    assert not [g for g in sink.got if g[0].startswith("pause")]


def test_recent_crossing_rule_tells_border_security_only_while_recent(fx, index):
    v = view(fx, index, [(0.0, 20_000.0, 1300.0), (500.0, 20_000.0, 1300.0)])
    memory = v.policy.scoring.memory_s
    last = np.full(8, -np.inf)
    last[v.b.rows[0]] = v.t - memory / 2  # crossed a moment ago
    last[v.b.rows[1]] = v.t - memory * 2  # crossed long ago
    v = StepView(**{**v.__dict__, "last_cross": last})
    sink = Sink()
    RecentCrossingRule().apply(v, sink)
    assert [(a, s, k) for a, s, k, _, _ in sink.got] == [("notify", BORDER_AUDIENCE, 0)]


def test_near_path_rule_notifies_each_airport_once_per_drone(fx, index):
    v = view(fx, index, [(0.0, 20_000.0, 1300.0)])
    d = np.full((1, len(v.paths)), 1e9)
    near = v.policy.triggers.notify_within_m
    kelp = np.flatnonzero(v.path_airport == "KELP")
    d[0, kelp[:2]] = near / 2  # near two KELP paths
    v = StepView(**{**v.__dict__, "d_now": d, "d_cpa": d})
    sink = Sink()
    NearPathRule().apply(v, sink)
    assert [(a, s, k) for a, s, k, _, _ in sink.got] == [("notify", "KELP", 0)]


def test_the_analyzer_applies_the_rules_it_is_given(fx, zones, index, run):
    x, y, alt = fx.runway_point("22", along_m=1500.0, agl_m=60.0)
    leg = fx.leg(
        "T-r", [(0, x, y, alt), (60, x, y, alt)], p_drone=0.95, corroboration=fx.CORROBORATED
    )

    def measures(rules) -> set[str]:
        an = Analyzer(
            fx.FRAME, zones, refdata.border_line(), load_policy(), index=index, rules=rules
        )
        return {r.action.value for r in run(an, leg)["recommendations"]}

    assert "pause_arrivals" in measures(DEFAULT_RULES)
    assert measures(()) <= {"monitor"}
