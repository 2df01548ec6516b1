"""Visual sighting reports: people who see a light or hear a drone and call it in.

Parameters (``VisualConfig``): site (where the observers are, e.g. a border patrol
station); ``range_max_m`` (horizontal distance at which a drone or aircraft is noticed
at night); ``reports_per_target_hour``, the mean rate of reports per visible target;
``delay_s`` [lo, hi], the uniform delay between seeing and the report reaching the
system; ``sigma_position_m``/``sigma_altitude_m``, the (coarse) error of the position
the observer gives. A report is time-stamped when it *arrives* (``t``), so the stream
stays time-ordered; ``attrs["observed_t"]`` is when the target was seen and the position
is where it was then.

Observers also mistake birds for drones (``bird_reports_per_target_hour`` within
``bird_range_max_m``; 0 by default, the simulator up to wave 23). The FAA's published
sighting lists hold birds, balloons and blimps among their "drones" (the AMA's
analyses of the 2014-2016 lists), and the FAA told the GAO (GAO-18-110, May 2018) that
many reports are unreliable because so small an object cannot be told apart at
distance. Neither gives a rate per bird: the rate is an assumption, swept where it is
measured (docs/notes/wave24.md). A bird's report says "drone", as its observer
believes. Bird reports draw from a child stream, so turning them on leaves every
drone and aircraft report as it was.
"""

from __future__ import annotations

import heapq
import itertools

import numpy as np
import numpy.typing as npt

from skywarden.model import Detection, Position, SensorKind
from skywarden.sim.scenario import VisualConfig
from skywarden.sim.sensors.base import SensorModel, diag_cov, r2, r7
from skywarden.sim.snapshot import Snapshot


class VisualReports(SensorModel):
    cfg: VisualConfig

    def __init__(self, cfg: VisualConfig, rng: np.random.Generator) -> None:
        super().__init__(cfg, rng)
        self._pending: list[tuple[float, int, Detection]] = []
        self._seq = itertools.count()
        # a child stream: spawning draws nothing from ``rng`` (as the radar's classifier)
        self._bird_rng = rng.spawn(1)[0] if cfg.bird_reports_per_target_hour > 0 else None

    def sight(self, snap: Snapshot) -> list[Detection]:
        """Draw this tick's sightings; returns the reports (stamped with arrival time)."""
        c = self.cfg
        n = len(snap)
        if n == 0:
            return []
        _, d = self.geometry.geodesic(snap, c.site.lat, c.site.lon)
        noticed = snap.is_drone | snap.is_manned  # what observers report as it is
        visible = noticed & (d <= c.range_max_m)
        p = c.reports_per_target_hour / 3600.0 * c.update_s
        idx = np.flatnonzero(visible & (self.rng.uniform(size=n) < p))
        out = self._reports(snap, idx, self.rng)
        seen = idx
        if self._bird_rng is not None:
            # the tick's geodesics skip birds: their distance comes from the site frame
            e, nn, _ = self.local(snap)
            bird = ~noticed & (np.hypot(e, nn) <= c.bird_range_max_m)
            pb = c.bird_reports_per_target_hour / 3600.0 * c.update_s
            bidx = np.flatnonzero(bird & (self._bird_rng.uniform(size=n) < pb))
            out += self._reports(snap, bidx, self._bird_rng)
            seen = np.concatenate([idx, bidx])
        self._seen(snap, seen)
        return out

    def _reports(
        self, snap: Snapshot, idx: npt.NDArray[np.intp], rng: np.random.Generator
    ) -> list[Detection]:
        """Reports of targets ``idx`` (noise and delay drawn from ``rng``)."""
        c = self.cfg
        lat, lon, alt = self.perturbed(snap, idx, c.sigma_position_m, c.sigma_altitude_m, rng)
        delay = np.ceil(rng.uniform(c.delay_s[0], c.delay_s[1], len(idx)))
        cov = diag_cov(c.sigma_position_m, c.sigma_position_m, c.sigma_altitude_m)
        out = []
        for j, i in enumerate(idx):
            # what the observer says: a bird is taken for a drone
            what = "aircraft" if snap.is_manned[i] else "drone"
            out.append(
                Detection(
                    t=snap.t + float(delay[j]),
                    sensor=self.id,
                    kind=SensorKind.VISUAL,
                    position=Position(r7(lat[j]), r7(lon[j]), r2(alt[j]), cov),
                    attrs={"observed_t": snap.t, "delay_s": float(delay[j]), "reported_as": what},
                )
            )
        return out

    def observe(self, snap: Snapshot) -> list[Detection]:
        self.last_seen = []
        if self.due(snap.t):
            for det in self.sight(snap):
                heapq.heappush(self._pending, (det.t, next(self._seq), det))
        out = []
        while self._pending and self._pending[0][0] <= snap.t:
            out.append(heapq.heappop(self._pending)[2])
        return out
