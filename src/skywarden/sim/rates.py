"""How many drone incursions a month, where along the border, on which day and at what hour.

The border-wide month (``sim/month.py``) draws its incursions from this model, not from
each sector's ``smugglers.per_hour``: the rate is a *border* figure that the sectors share.

Sources and assumptions (each default below says which it is):

* **Total.** Gen. Gregory Guillot (NORTHCOM/NORAD), Senate Armed Services Committee,
  14 March 2024: "we could probably have over 1,000 a month" along the US-Mexico border,
  "I don't know the actual number - I don't think anybody does". Default 1,300 a
  30-day month: over 1,000, and inside the issue's 1,000-1,500.
* **Where.** Chief Patrol Agent Gloria Chavez (Rio Grande Valley Sector), House
  Oversight Committee, February 2023: more than 10,000 drone incursions in the RGV
  sector in the prior year (about 830 a month on ~320 river km). That sector is by far the
  busiest, so the stretch east of ``RGV_WEST_LON`` weighs ``rgv_weight`` (default 4) per
  km against 1 elsewhere; ``urban_weight`` (1.5) for stretches with a border town and
  airport (assumption: launch sites near roads and towns). The split is an assumption
  shaped by that one figure; no public per-sector monthly series exists.
* **When.** Smuggling flights favour darkness (assumption, consistent with the
  El Paso scenario's night): the hour-of-day factor is ``1 + hour_amplitude * cos(2 pi
  (h - hour_peak) / 24)`` in local solar time (longitude / 15 h from UTC), peak 01:00,
  default amplitude 0.8 (five times as many launches at 01:00 as at 13:00). Weekday
  factors (Monday first) favour weekend nights, an assumption; both are normalised to
  mean 1 so the total stays the monthly figure.
* **Hot spots.** Within a stretch most launches come from a few favoured corridors
  (roads to the river, a bend): ``corridor_share`` (0.7, assumption) of a stretch's
  crossings lie within ``corridor_sigma_km`` of ``corridors_per_100km`` corridor points
  drawn from the seed; the rest are uniform along the stretch.

Deterministic per seed, day by day: day ``d`` draws from its own stream, so running
``--days 3`` gives exactly the first three days of the month.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from skywarden.errors import SkywardenError
from skywarden.sim.seeding import stream

FloatArray = npt.NDArray[np.float64]

#: Rio Grande Valley Border Patrol sector: from about Falcon Lake (lon -99.2) to the Gulf.
RGV_WEST_LON = -99.2
HOUR_S = 3600.0
DAY_S = 86400.0
#: Monday .. Sunday (``datetime.weekday()`` order); assumption: busier Friday-Sunday nights.
WEEKDAY = (0.9, 0.9, 0.9, 0.95, 1.1, 1.2, 1.05)


class RateModelError(SkywardenError, ValueError):
    """A rate model parameter is out of range."""


@dataclass(frozen=True)
class RateModel:
    """The month's incursion rate: total, per-km weights, weekday and hour-of-day factors."""

    per_month: float = 1300.0
    month_days: float = 30.0
    rgv_weight: float = 4.0
    urban_weight: float = 1.5
    unsensed_weight: float = 1.0
    hour_amplitude: float = 0.8
    hour_peak: float = 1.0
    weekday: tuple[float, ...] = WEEKDAY
    corridor_share: float = 0.7
    corridors_per_100km: float = 2.0
    corridor_sigma_km: float = 1.0
    recross_fraction: float = 0.1
    surveillance_share: float = 0.0
    sources: dict[str, str] = field(
        default_factory=lambda: {
            "per_month": "Gen. G. Guillot, SASC hearing 14 Mar 2024: 'over 1,000 a month'",
            "rgv_weight": "CPA G. Chavez, House Oversight, Feb 2023: >10,000 incursions a"
            " year in the RGV sector (~830/month); the weight itself is an assumption",
            "urban_weight": "assumption",
            "unsensed_weight": "assumption: no data on where unseen drones cross",
            "hour": "assumption: night-heavy, peak 01:00 local solar time",
            "weekday": "assumption: busier Friday-Sunday",
            "corridors": "assumption",
            "recross_fraction": "assumption: share of flights that cross, turn back and"
            " cross again before the drop",
            "surveillance_share": "share of flights that cross to watch agents and go home"
            " without a drop (sim/incursions.py, watcher). Reported: 'more than 9,000 drone"
            " flights into U.S. airspace in the last year to surveil' law enforcement (a"
            " senior DHS official to Judicial Watch, Apr 2022, from CBP Rio Grande Valley),"
            " against >10,000 incursions a year there (CPA G. Chavez, Feb 2023); no"
            " border-wide split is published. Default 0: the 30-day month of waves 8-10"
            " was planned without them",
        }
    )

    def __post_init__(self) -> None:
        checks = [
            ("per_month", 0 < self.per_month <= 1e6),
            ("month_days", 0 < self.month_days <= 366),
            ("rgv_weight", 0 <= self.rgv_weight <= 100),
            ("urban_weight", 0 <= self.urban_weight <= 100),
            ("unsensed_weight", 0 <= self.unsensed_weight <= 100),
            ("hour_amplitude", 0 <= self.hour_amplitude < 1),
            ("hour_peak", 0 <= self.hour_peak < 24),
            ("weekday", len(self.weekday) == 7 and all(w > 0 for w in self.weekday)),
            ("corridor_share", 0 <= self.corridor_share <= 1),
            ("corridors_per_100km", 0 <= self.corridors_per_100km <= 100),
            ("corridor_sigma_km", 0 < self.corridor_sigma_km <= 100),
            ("recross_fraction", 0 <= self.recross_fraction <= 1),
            ("surveillance_share", 0 <= self.surveillance_share <= 1),
        ]
        bad = [name for name, ok in checks if not ok]
        if bad:
            raise RateModelError(f"rate model: {', '.join(bad)} out of range ({self})")

    # ------------------------------------------------------------------ factors

    def hour_factor(self, local_hour: npt.ArrayLike) -> FloatArray:
        """Hour-of-day factor (mean 1 over the day) at local solar hour(s)."""
        h = np.asarray(local_hour, dtype=float)
        return 1.0 + self.hour_amplitude * np.cos(2 * np.pi * (h - self.hour_peak) / 24.0)

    def weekday_factor(self, weekday: npt.ArrayLike) -> FloatArray:
        """Day-of-week factor (mean 1 over the week), Monday = 0."""
        w = np.asarray(self.weekday, dtype=float)
        return np.asarray((w / w.mean())[np.asarray(weekday) % 7], dtype=float)

    def per_km_hour(self) -> float:
        """Base incursions per weight-km per hour, before the hour and weekday factors."""
        return self.per_month / (self.month_days * 24.0)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["weekday"] = list(self.weekday)
        d["hour_factor_by_local_hour"] = [
            round(float(v), 4) for v in self.hour_factor(np.arange(24, dtype=float))
        ]
        return d


@dataclass(frozen=True)
class Stretch:
    """A piece of border the rate applies to: along-border km [km0, km1), its weight."""

    sector: str
    km0: float
    km1: float
    weight: float
    lon: float  # of the stretch middle, for local solar time

    @property
    def length_km(self) -> float:
        return self.km1 - self.km0


@dataclass(frozen=True)
class Draw:
    """One incursion's launch: time (s since epoch), along-border km, owning stretch index."""

    t: float
    km: float
    stretch: int
    recross: bool


def corridors(seed: int, stretches: list[Stretch], model: RateModel) -> list[FloatArray]:
    """Favoured crossing points (along-border km) of each stretch, fixed for the seed."""
    out = []
    for i, s in enumerate(stretches):
        rng = stream(seed, "month", "corridors", i)
        n = rng.poisson(model.corridors_per_100km * s.length_km / 100.0)
        out.append(np.sort(rng.uniform(s.km0, s.km1, size=max(int(n), 1))))
    return out


def expected(
    stretches: list[Stretch], model: RateModel, t0: float, days: float
) -> npt.NDArray[np.float64]:
    """Expected incursions per stretch (rows) and hour (columns) from ``t0`` for ``days``.

    Weights are normalised over the whole border so that a 30-day month holds
    ``per_month`` on average whatever the tiling.
    """
    weights = np.array([s.weight * s.length_km for s in stretches])
    share = weights / weights.sum()
    hours = math.ceil(days * 24 - 1e-9)
    th = t0 + HOUR_S * (np.arange(hours) + 0.5)
    lons = np.array([s.lon for s in stretches])
    local = ((th[None, :] / HOUR_S) + lons[:, None] / 15.0) % 24.0
    weekday = (np.floor(th / DAY_S).astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    lam = model.per_km_hour() * share[:, None] * model.hour_factor(local)
    lam = lam * model.weekday_factor(weekday)[None, :]
    if hours and days * 24 < hours:  # a partial last hour
        lam[:, -1] *= days * 24 - (hours - 1)
    return np.asarray(lam, dtype=float)


def draw(
    seed: int, stretches: list[Stretch], model: RateModel, t0: float, days: float
) -> list[Draw]:
    """Every incursion launch of the run, in time order, deterministic per seed and day."""
    if not stretches:
        return []
    lam = expected(stretches, model, t0, days)
    cors = corridors(seed, stretches, model)
    out: list[Draw] = []
    n_days = math.ceil(days - 1e-9)
    for d in range(n_days):
        rng = stream(seed, "month", "incursions", d)
        block = lam[:, d * 24 : (d + 1) * 24]
        counts = rng.poisson(block)
        for i, h in zip(*np.nonzero(counts), strict=True):
            s = stretches[int(i)]
            for _ in range(int(counts[i, h])):
                frac_h = 1.0 if (d * 24 + h) < days * 24 - 1 else (days * 24 - (d * 24 + h))
                t = t0 + HOUR_S * (d * 24 + h + rng.uniform(0.0, max(min(frac_h, 1.0), 1e-6)))
                if rng.uniform() < model.corridor_share:
                    c = cors[int(i)][int(rng.integers(len(cors[int(i)])))]
                    km = float(np.clip(rng.normal(c, model.corridor_sigma_km), s.km0, s.km1))
                else:
                    km = float(rng.uniform(s.km0, s.km1))
                out.append(
                    Draw(float(np.floor(t)), km, int(i), rng.uniform() < model.recross_fraction)
                )
    out.sort(key=lambda x: (x.t, x.km))
    return out
