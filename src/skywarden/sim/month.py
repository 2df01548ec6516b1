"""A border-wide month: which incursions fly, where and when, and what each sector simulates.

A naive month is every sector x 720 h of one-second simulation through the tracker:
at ~10-20 ms a tick that is days of CPU on two cores. What the month is *about* is
sparse: ~1,300 flights of ~10-25 minutes along 2,600 km. So each sector simulates

* **incursion windows**: every second from ``PRE_S`` before an incursion's launch to
  ``POST_S`` after its landing, for every incursion whose flight enters the sector's box
  (the owner and any overlapping neighbour), with the sector's full background traffic
  (birds, surveillance and hobby drones, manned flows, radar clutter) as its scenario has
  it; overlapping windows are merged. Weight 1.
* **quiet samples**: ``quiet_s`` seconds a day of the time outside those windows, at a
  start drawn per sector and day (so the month covers every hour of the day), with the
  same background. Weight ``quiet time of that day / sampled quiet time``: false alarms,
  false tracks and false "crossings" in quiet time are *estimated* from these samples,
  not simulated everywhere. This is the one approximation of the month; the bench
  reports the sampled fraction and the weights, and ``quiet_s = 86400`` simulates all.
* **warm-ups**: ``warmup_s`` seconds (default ``WARMUP_S``, 120 s) simulated before each
  counted window, weight 0. A fresh simulation starts with every background track young
  at once, which a steady feed never has (on the month's day 2 both sampled bird
  "incursions" came from tracks born in their sample's first 3 s); what is reported in
  the warm-up counts for nothing, so the counted part starts with tracks of every age up
  to ``warmup_s``. A warm-up never overlaps the previous window: it starts at the
  previous window's end at the latest, and windows that touch are simulated as one
  (``runs``), so the later one continues the earlier one's sky. This is a sampling fix
  only: birds, clutter and geometry are the scenario's.

Each window is a fresh ``Simulation`` of the sector scenario (so background traffic is in
steady state from its first second, thanks to the scenario's lead times) seeded from the
month seed, the sector and the window start: deterministic per seed.

Unsensed sectors (``border_sectors.UNSENSED``) simulate nothing: their incursions are
in ``truth_incursions.jsonl`` with ``sector: null``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from skywarden.errors import SkywardenError
from skywarden.geo import distance_m
from skywarden.sim import rates
from skywarden.sim.border_sectors import (
    MARGIN_KM,
    TILE_KM,
    BorderLine,
    Tile,
    tile_border,
)
from skywarden.sim.engine import Simulation
from skywarden.sim.geography import Geography
from skywarden.sim.incursions import border_point, crossings, incursion, moved, watcher
from skywarden.sim.month_windows import Window, minus, overlap, with_warmups
from skywarden.sim.rates import RateModel, Stretch
from skywarden.sim.scenario import Scenario
from skywarden.sim.schedule import Schedule
from skywarden.sim.seeding import stream
from skywarden.sim.target import Target

PRE_S = 45.0
POST_S = 15.0
#: A neighbour simulates a flight that passes within a sensor's range plus this pad.
REACH_PAD_M = 500.0
QUIET_S = 600.0
#: Warm-up before each counted window (weight 0). Longer than everything in the chain
#: that makes a young track differ from an old one: the classifier's short memories
#: (RF credit fades to a tenth in ~46 s at ``rf_tau_s`` 20 s; speed and kinematic
#: ramps 4 s), plus the event gate's dwell (30 s) and existence gap (5 s) that a track
#: must pass before a crossing is reported; 120 s is about twice their sum. Chosen from
#: those constants, before any month ran with it (not fitted to the bench).
WARMUP_S = 120.0
#: The month starts on a Sunday at midnight UTC: 2026-02-01 (the El Paso night is the 10th).
START = datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
SCHEMA = "skywarden.month/1"


class MonthError(SkywardenError, ValueError):
    """A month parameter is out of range."""


@dataclass
class Incursion:
    """A true incursion: a drone flight from Mexico across the border (global id)."""

    id: str
    launch_t: float
    km: float
    owner: str  # tile id of the stretch it crosses
    recross: bool
    target: Target | None = None  # in the owner tile's frame
    family: str = "smuggler"  # or "watcher" (sim/incursions.py)
    crossings: list[dict[str, Any]] = field(default_factory=list)
    in_boxes: list[str] = field(default_factory=list)  # sensed tiles that simulate it

    def record(self, sensed: bool) -> dict[str, Any]:
        """The ``truth_incursions.jsonl`` line (the first crossing is the incursion's)."""
        first = self.crossings[0] if self.crossings else {}
        return {
            "id": self.id,
            "target": self.id,
            "t": first.get("t", self.launch_t),
            "lon": first.get("lon"),
            "lat": first.get("lat"),
            "direction": first.get("direction", "N"),
            "sector": self.owner if sensed else None,
            "stretch": self.owner,
            "border_km": round(self.km, 3),
            "launch_t": self.launch_t,
            "end_t": None if self.target is None else self.target.t_end,
            "recross": self.recross,
            "family": self.family,
            "crossings": self.crossings,
            "in_sectors": self.in_boxes if sensed else [],
        }


@dataclass
class MonthPlan:
    """Everything decided before any sector runs (cheap: no sensor is simulated)."""

    seed: int
    start_t: float
    days: float
    tiles: list[Tile]
    model: RateModel
    margin_km: float
    tile_km: float
    quiet_s: float
    line: BorderLine
    warmup_s: float = WARMUP_S
    #: of each run's first warm-up, the seconds fed to the chain (None: all of it)
    warmup_fed_s: float | None = None
    incursions: list[Incursion] = field(default_factory=list)
    windows: dict[str, list[Window]] = field(default_factory=dict)

    @property
    def end_t(self) -> float:
        return self.start_t + self.days * rates.DAY_S

    def tile(self, tid: str) -> Tile:
        return next(t for t in self.tiles if t.id == tid)

    def sensed(self) -> list[Tile]:
        return [t for t in self.tiles if t.sensed]


def _geo(tile: Tile, cache: dict[str, Geography]) -> Geography:
    if tile.id not in cache:
        sec = tile.doc["sector"]
        cache[tile.id] = Geography(tile.frame, tile.extent_m, sec["ground_alt_m"], tile.airports)
    return cache[tile.id]


def plan_month(  # noqa: PLR0913 (keyword-only knobs of the one planning entry point)
    seed: int = 1,
    days: float = 30.0,
    *,
    model: RateModel | None = None,
    tile_km: float = TILE_KM,
    margin_km: float = MARGIN_KM,
    quiet_s: float = QUIET_S,
    start: datetime = START,
    only: list[str] | None = None,
    warmup_s: float = WARMUP_S,
    warmup_fed_s: float | None = None,
    bird_reports: float = 0.0,
    bird_range_m: float = 1000.0,
) -> MonthPlan:
    """Tile the border, draw the incursions, build their flights, lay out the windows.

    ``only`` restricts the *sectors simulated* to these tile ids; incursions are still
    drawn along the whole border (the truth does not depend on what is simulated), and
    those of other tiles are kept in truth with ``sector: null``-like ``simulated: false``.
    ``bird_reports``/``bird_range_m``: each sector's observers'
    ``bird_reports_per_target_hour`` and ``bird_range_max_m`` (birds taken for drones,
    ``sim/sensors/visual.py``; a rate of 0 leaves the sector documents as before).
    ``warmup_fed_s``: a study of the warm-up's length on the same sky (:func:`with_warmups`).
    """
    _check(seed, days, quiet_s, (warmup_s, warmup_fed_s), (bird_reports, bird_range_m))
    model = model or RateModel()
    tiles = tile_border(tile_km, margin_km)
    if bird_reports > 0:
        _observers_see_birds(tiles, bird_reports, bird_range_m)
    simulated = _simulated(tiles, only)
    line = BorderLine.shipped()
    plan = MonthPlan(
        seed, start.timestamp(), days, tiles, model, margin_km, tile_km, quiet_s, line, warmup_s
    )
    plan.warmup_fed_s = warmup_fed_s
    stretches = [Stretch(t.id, t.km0, t.km1, rate_weight(t, model), t.origin[1]) for t in tiles]
    draws = rates.draw(seed, stretches, model, plan.start_t, days)
    geos: dict[str, Geography] = {}
    for k, d in enumerate(draws):
        owner = tiles[d.stretch]
        family = _family(seed, k, model.surveillance_share)
        # a watcher's flight has no re-crossing shape: its truth says so
        recross = d.recross and family == "smuggler"
        inc = Incursion(f"inc-{k:05d}", d.t, d.km, owner.id, recross, family=family)
        _fly(plan, inc, owner, geos)
        plan.incursions.append(inc)
    for t in tiles:
        if t.sensed and t.id in simulated:
            plan.windows[t.id] = _windows(plan, t)
    return plan


def _check(
    seed: int,
    days: float,
    quiet_s: float,
    warmup: tuple[float, float | None],
    birds: tuple[float, float],
) -> None:
    """Refuse options out of range, naming the option (``warmup``: ``warmup_s`` and
    ``warmup_fed_s``; ``birds``: ``bird_reports`` and ``bird_range_m``)."""
    (warmup_s, warmup_fed_s), (bird_reports, bird_range_m) = warmup, birds
    if seed < 0:
        raise MonthError(f"seed {seed}: must be >= 0")
    if not 0 < days <= 31:
        raise MonthError(f"--days {days:g}: must be in (0, 31]")
    if not 0 <= quiet_s <= rates.DAY_S:
        raise MonthError(f"--quiet-s {quiet_s:g}: must be in [0, 86400]")
    if not 0 <= warmup_s <= 3600:
        raise MonthError(f"--warmup-s {warmup_s:g}: must be in [0, 3600]")
    if warmup_fed_s is not None and not 0 <= warmup_fed_s <= warmup_s:
        raise MonthError(f"--warmup-fed-s {warmup_fed_s:g}: must be in [0, --warmup-s]")
    if not 0 <= bird_reports <= 3600:
        raise MonthError(f"--bird-reports {bird_reports:g}: must be in [0, 3600]")
    if not 0 < bird_range_m <= 50_000:
        raise MonthError(f"--bird-range-m {bird_range_m:g}: must be in (0, 50000]")


def _observers_see_birds(tiles: list[Tile], rate: float, range_m: float) -> None:
    """Give every sector's observers the bird report rate and range (recorded in its
    document, so ``border.json`` and ``--resume`` see them)."""
    for t in tiles:
        for s in t.doc["sensors"]:
            if s["kind"] == "visual":
                s["bird_reports_per_target_hour"] = rate
                s["bird_range_max_m"] = range_m


def _family(seed: int, k: int, share: float) -> str:
    """Incursion ``k``'s family, from a stream of its own: with no watchers planned
    nothing is drawn, so the month is the one planned before watchers existed."""
    if share <= 0.0:
        return "smuggler"
    return "watcher" if stream(seed, "month", "family", k).uniform() < share else "smuggler"


def _simulated(tiles: list[Tile], only: list[str] | None) -> set[str]:
    """The ids of the sectors to simulate; ``--sectors`` naming an unknown or unsensed
    sector is refused before anything is drawn."""
    simulated = set(only) if only is not None else {t.id for t in tiles}
    unknown = simulated - {t.id for t in tiles}
    if unknown:
        raise MonthError(
            f"--sectors: unknown sector id(s) {', '.join(sorted(unknown))}"
            f" (this tiling has S00..{tiles[-1].id})"
        )
    blind = sorted(t.id for t in tiles if t.id in simulated and not t.sensed)
    if only is not None and blind:
        raise MonthError(
            f"--sectors: {', '.join(blind)} have no sensors (border_sectors.UNSENSED):"
            " nothing to simulate there; their incursions are in truth with sector null"
        )
    return simulated


def rate_weight(t: Tile, model: RateModel) -> float:
    """Incursion rate weight per km of a tile's stretch (sim/rates.py says why)."""
    if not t.sensed:
        return model.unsensed_weight
    w = model.rgv_weight if t.origin[1] >= rates.RGV_WEST_LON else 1.0
    return w * (model.urban_weight if t.airports else 1.0)


def _fly(plan: MonthPlan, inc: Incursion, owner: Tile, geos: dict[str, Geography]) -> None:
    """Build the flight in the owner's frame, find its crossings and the boxes it enters."""
    geo = _geo(owner, geos)
    la, lo = plan.line.at(inc.km)
    lb, lob = plan.line.at(inc.km + 0.05)
    crossing = border_point(owner.frame, float(la), float(lo), float(lb), float(lob))
    rng = stream(plan.seed, "month", "flight", int(inc.id.split("-")[1]))
    if inc.family == "watcher":
        tg = watcher(geo, crossing, inc.launch_t, rng, inc.id)
    else:
        tg = incursion(geo, crossing, inc.launch_t, rng, inc.id, inc.recross)
    inc.target = tg
    lat, lon, _ = owner.frame.to_geodetic(tg.xyz[:, 0], tg.xyz[:, 1], np.zeros(len(tg.xyz)))
    for row, direction in crossings(geo, tg):
        inc.crossings.append(
            {
                "t": tg.t0 + row,
                "lon": round(float(lon[row]), 6),
                "lat": round(float(lat[row]), 6),
                "direction": direction,
            }
        )
    for other in plan.tiles:
        if abs(other.index - owner.index) > 3 or not other.sensed:
            continue
        if other.id == owner.id or _in_range(other, lat, lon):
            inc.in_boxes.append(other.id)


def _in_range(tile: Tile, lat: np.ndarray, lon: np.ndarray) -> bool:
    """Whether a flight passes within reach of one of the tile's short-range sensors
    (radar, RF, visual, Remote ID: not ADS-B, which sees only manned aircraft) and inside
    its box. A flight nobody in a sector can see is not simulated there."""
    x, y, _ = tile.frame.to_enu(lat, lon, np.zeros(len(lat)))
    inside = np.maximum(np.abs(x), np.abs(y)) <= tile.extent_m
    if not inside.any():
        return False
    la, lo = lat[inside][::10], lon[inside][::10]
    for s in tile.doc["sensors"]:
        if s["kind"] == "adsb":
            continue
        d = distance_m(
            np.full(len(la), float(s["site"]["lat"])),
            np.full(len(lo), float(s["site"]["lon"])),
            la,
            lo,
        )
        if float(np.min(d, initial=np.inf)) <= float(s.get("range_max_m", 10_000.0)) + REACH_PAD_M:
            return True
    return False


def _merge(spans: list[tuple[float, float, str]]) -> list[tuple[float, float, tuple[str, ...]]]:
    out: list[tuple[float, float, list[str]]] = []
    for a, b, iid in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b), [*out[-1][2], iid])
        else:
            out.append((a, b, [iid]))
    return [(a, b, tuple(ids)) for a, b, ids in out]


def _windows(plan: MonthPlan, tile: Tile) -> list[Window]:
    """The tile's incursion windows and its quiet samples, in time order."""
    spans = [
        (
            max(inc.launch_t - PRE_S, plan.start_t),
            min(inc.target.t_end + POST_S, plan.end_t),
            inc.id,
        )
        for inc in plan.incursions
        if inc.target is not None and tile.id in inc.in_boxes and inc.launch_t < plan.end_t
    ]
    busy = _merge(spans)
    out = [Window(a, b, "incursion", 1.0, ids) for a, b, ids in busy]
    n_days = math.ceil(plan.days - 1e-9)
    for d in range(n_days):
        d0 = plan.start_t + d * rates.DAY_S
        d1 = min(d0 + rates.DAY_S, plan.end_t)
        quiet_total = (d1 - d0) - overlap(busy, d0, d1)
        if plan.quiet_s <= 0 or quiet_total <= 0:
            continue
        rng = stream(plan.seed, "month", "quiet", tile.index, d)
        length = min(plan.quiet_s, d1 - d0)
        s0 = float(np.floor(d0 + rng.uniform(0.0, max(d1 - d0 - length, 0.0))))
        pieces = minus((s0, s0 + length), busy)
        sampled = sum(b - a for a, b in pieces)
        if sampled <= 0:
            continue
        w = quiet_total / sampled
        out += [Window(a, b, "quiet", w) for a, b in pieces if b - a >= 1.0]
    return with_warmups(sorted(out, key=lambda w: w.start), plan.warmup_s, plan.warmup_fed_s)


class _WithInjected(Schedule):
    """A scenario's schedule plus prebuilt targets, each released at its launch time."""

    def __init__(self, base: Schedule, targets: list[Target]) -> None:
        super().__init__(base.seed, base.t_start)
        self.base = base
        self.pending = sorted(targets, key=lambda tg: (tg.t0, tg.id))

    def next_time(self) -> float:
        own = self.pending[0].t0 if self.pending else float("inf")
        return min(own, self.base.next_time())

    def pop_due(self, t: float) -> list[Target]:
        out = self.base.pop_due(t)
        while self.pending and self.pending[0].t0 <= t:
            out.append(self.pending.pop(0))
        return out


class WindowSimulation(Simulation):
    """The sector scenario from ``start`` for ``duration_s``, with the month's drones in it."""

    def __init__(
        self,
        scn: Scenario,
        seed: int,
        start: float,
        duration_s: float,
        geography: Geography,
        injected: list[Target],
    ) -> None:
        super().__init__(scn, seed=seed, duration_s=duration_s, geography=geography)
        self.t_start = float(np.floor(start))
        self.injected = injected

    def _schedule(self) -> Schedule:
        return _WithInjected(super()._schedule(), self.injected)


def window_seed(seed: int, tile: Tile, w: Window) -> int:
    """A window's simulator seed: from the month seed, the sector and where the window's
    sky starts (``Window.sky_start``)."""
    r = stream(seed, "month", "window", tile.index, int(w.sky_start) % (2**31))
    return int(r.integers(0, 2**31 - 1))


def injected_for(plan: MonthPlan, tile: Tile, w: Window) -> list[Target]:
    """The month's flights of a window, in the tile's frame."""
    out = []
    by_id = {inc.id: inc for inc in plan.incursions}
    for iid in w.incursions:
        inc = by_id[iid]
        assert inc.target is not None
        tg = (
            inc.target
            if inc.owner == tile.id
            else moved(inc.target, plan.tile(inc.owner).frame, tile.frame)
        )
        out.append(tg)
    return out
