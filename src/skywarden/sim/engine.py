"""The simulation loop: launch targets when due, move everyone one second, let sensors look.

``Simulation.steps()`` is a generator of one ``Step`` per second, so a live service can
replay a scenario in real time and a file writer can stream a night to disk without
holding it in memory. Random streams are per target and per sensor (``seeding.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LineString

from skywarden.model import Detection, TruthPoint
from skywarden.refdata import BorderFileError, load_border
from skywarden.sim.geography import MESA_RADIUS_M, Geography, GeographyError
from skywarden.sim.scenario import Scenario
from skywarden.sim.schedule import Schedule
from skywarden.sim.seeding import stream
from skywarden.sim.sensors import SensorModel, TickGeometry, build_sensor
from skywarden.sim.sensors.radar import Radar
from skywarden.sim.sensors.radar_bank import RadarBank
from skywarden.sim.snapshot import Snapshot
from skywarden.sim.spoofing import spoof_of, spoofing, steal_identities
from skywarden.sim.target import Target
from skywarden.sim.traffic import birds, drones, manned

# How long before the run each family starts, so the first second has traffic in the air.
LEAD_DRONE_S = 2400.0
LEAD_MANNED_S = 900.0


@dataclass(frozen=True)
class Step:
    """One second of the run: every airborne target's truth and every detection made."""

    t: float
    truth: list[TruthPoint]
    detections: list[Detection]
    snapshot: Snapshot
    #: For evaluation: which sensors detected each truth target at this tick (target id
    #: -> sensor ids). Detections never carry truth; this is the simulator's answer key.
    seen: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Simulation:
    """A scenario run for a seed. ``duration_s`` overrides the scenario's default length."""

    def __init__(
        self,
        scn: Scenario,
        seed: int = 0,
        duration_s: float | None = None,
        geography: Geography | None = None,
    ) -> None:
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        self.scn = scn
        self.seed = seed
        self.duration_s = float(duration_s if duration_s is not None else scn.sector.duration_s)
        if self.duration_s <= 0:
            raise ValueError(f"duration_s must be > 0, got {self.duration_s}")
        self.frame = scn.frame
        sec = scn.sector
        needed = sorted({*sec.airports, *(f.airport for f in scn.traffic.airports)})
        self.geo = geography or Geography(
            self.frame, sec.extent_m, sec.ground_alt_m, needed, border=self._border()
        )
        self._check_border()
        self.t_start = float(np.floor(sec.start_t))
        self.sensors: list[SensorModel] = self._sensors()

    def _sensors(self) -> list[SensorModel]:
        geometry = TickGeometry()  # sensors sharing a site convert each snapshot once
        sensors = [
            build_sensor(cfg, stream(self.seed, "sensor", cfg.id), geometry)
            for cfg in self.scn.sensors
        ]
        RadarBank([s for s in sensors if isinstance(s, Radar)])  # all radars in one scan
        return sensors

    def _border(self) -> LineString | None:
        """The scenario's own border file, if it names one (else the shipped border)."""
        name = self.scn.sector.border_file
        if name is None:
            return None
        p = Path(name)
        if not p.is_absolute():
            p = Path(self.scn.source).parent / p
        try:
            return load_border(p)
        except BorderFileError as e:
            raise GeographyError(f"{self.scn.source}: sector.border_file: {e}") from None

    def _check_border(self) -> None:
        tr = self.scn.traffic
        needs = [
            key
            for key, wanted in (
                ("traffic.smugglers.per_hour", tr.smugglers.per_hour > 0),
                ("traffic.convoys.per_hour", tr.convoys.per_hour > 0),
                ("traffic.surveillance.count", tr.surveillance.count > 0),
            )
            if wanted
        ]
        if needs and not self.geo.has_border:
            raise GeographyError(
                f"{self.scn.source}: {', '.join(needs)}: cross-border traffic needs the"
                " border to cross the sector; set these to 0 or move sector.origin"
            )

    @property
    def n_ticks(self) -> int:
        return int(np.ceil(self.duration_s))

    # size: deterministic draw order: splitting risks the seeded output
    def _schedule(self) -> Schedule:
        tr = self.scn.traffic
        geo = self.geo
        s = Schedule(self.seed, self.t_start)
        s.add_rate(
            "smuggler",
            tr.smugglers.per_hour,
            spoofing(
                partial(drones.smuggler, tr.smugglers, geo),
                tr.smugglers.spoofing,
                self.seed,
                self.frame,
            ),
            LEAD_DRONE_S,
        )
        s.add_rate(
            "convoy",
            tr.convoys.per_hour,
            spoofing(
                partial(drones.convoy, tr.convoys, geo), tr.convoys.spoofing, self.seed, self.frame
            ),
            LEAD_DRONE_S,
        )
        s.add_slots(
            "surveillance",
            tr.surveillance.count,
            partial(drones.surveillance, tr.surveillance, geo),
            (-1800.0, 600.0),
            (600.0, 1800.0),
        )
        centre = (0.0, 0.0)
        if "KELP" in geo.runways:  # the city lies between the origin and its airport
            ax, ay = geo.airport_xy("KELP")
            centre = (ax / 2, ay / 2)
        s.add_slots(
            "hobby",
            tr.hobby.count,
            partial(drones.hobby, tr.hobby, geo, centre_xy=centre),
            (-1200.0, 1800.0),
            (900.0, 3600.0),
        )
        for flow in tr.airports:
            tag = flow.airport.lower()
            s.add_rate(
                f"arrival-{tag}",
                flow.arrivals_per_hour,
                partial(manned.arrival, flow, geo),
                LEAD_MANNED_S,
            )
            s.add_rate(
                f"departure-{tag}",
                flow.departures_per_hour,
                partial(manned.departure, flow, geo),
                LEAD_MANNED_S,
            )
        s.add_rate(
            "overflight",
            tr.overflights.per_hour,
            partial(manned.overflight, tr.overflights, geo),
            LEAD_MANNED_S,
        )
        s.add_slots(
            "bird",
            tr.birds.count,
            partial(birds.flock, tr.birds, geo),
            (-1800.0, 300.0),
            (0.0, 900.0),
        )
        return s

    def steps(self) -> Iterator[Step]:
        """One ``Step`` per second from the scenario start, lazily.

        Each call starts the run afresh (new schedule, sensors re-seeded), so iterating
        twice gives the same steps.
        """
        schedule = self._schedule()
        self.sensors = self._sensors()
        active: list[Target] = []
        for k in range(self.n_ticks):
            t = self.t_start + k
            launched = schedule.pop_due(t)
            if launched:
                steal_identities(launched, active)
            # a new list: the previous step's snapshot holds the old one
            active = [tg for tg in (*active, *launched) if tg.t0 <= t <= tg.t_end]
            snap = Snapshot.of(t, active, self.frame)
            truth = self.truth_points(snap)
            dets: list[Detection] = []
            seen: dict[str, list[str]] = {}
            for sensor in self.sensors:
                dets.extend(sensor.observe(snap))
                for tid in sensor.last_seen:
                    seen.setdefault(tid, []).append(sensor.id)
            dets.sort(key=_order)
            yield Step(t, truth, dets, snap, {k: tuple(v) for k, v in seen.items()})

    @staticmethod
    def truth_points(snap: Snapshot) -> list[TruthPoint]:
        """The snapshot as records, rounded to 1e-7 deg, 1 cm and 1 cm/s (checked as
        whole arrays, as ``TruthPoint`` checks each record: a tick's twenty records cost
        more to check one by one than to build)."""
        lat, lon, alt = snap.lat.round(7), snap.lon.round(7), snap.alt.round(2)
        lats, lons, alts, vels = (
            lat.tolist(),
            lon.tolist(),
            alt.tolist(),
            snap.vel.round(2).tolist(),
        )
        valid = bool(
            (np.abs(lat) <= 90.0).all()
            and (np.abs(lon) <= 180.0).all()
            and ((alt >= -500.0) & (alt <= 30_000.0)).all()
        )
        make = TruthPoint.trusted if valid else TruthPoint
        return [
            make(
                snap.t,
                tg.id,
                tg.kind,
                tg.role,
                lats[i],
                lons[i],
                alts[i],
                (vels[i][0], vels[i][1], vels[i][2]),
                tg.identity,
                _spoof_record(tg),
            )
            for i, tg in enumerate(snap.targets)
        ]

    def describe(self) -> dict[str, Any]:
        """The ``sector.json`` document (docs/interfaces.md)."""
        sec = self.scn.sector
        return {
            "name": sec.name,
            "origin": sec.origin.model_dump(),
            "extent_m": sec.extent_m,
            "ground_alt_m": sec.ground_alt_m,
            "ground_model": {  # see Geography.ground_at
                "floor_alt_m": sec.ground_alt_m,
                "mesa_radius_m": MESA_RADIUS_M,
                "mesas": sorted(self.geo.runways),
            },
            "start_t": self.t_start,
            "start": sec.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_s": self.duration_s,
            "seed": self.seed,
            "scenario": self.scn.source,
            "airports": sorted(self.geo.runways),
            "sensors": [s.describe() for s in self.sensors],
        }


def _spoof_record(tg: Target) -> dict[str, Any] | None:
    sp = spoof_of(tg)
    return None if sp is None else sp.to_dict()


def _order(d: Detection) -> tuple[float, str]:
    return (d.t, d.sensor)
