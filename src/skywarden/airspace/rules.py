"""Response rules: each situation that calls for a measure, as a small object (issue 13).

A rule looks at one analysis step (:class:`StepView`: the subjects' batch, their zone
memberships, their distances to the flight paths) and adds causes to a sink
(:class:`CauseSink`: ``add`` for one drone, ``add_many`` for notifications of many). It
decides nothing else: the evidence gate, jurisdiction, escalations and the responder
come after, in :class:`~.analyzer.Analyzer`. Thresholds come from the policy's
``triggers`` and ``scoring`` sections, so every rule is parameterised by the policy YAML.
:data:`DEFAULT_RULES` is the shipped list, in the order the analyzer applies it (the
order names the causes and so the measure ids: keep it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np
import numpy.typing as npt

from skywarden.airspace.closing import PathSegment
from skywarden.airspace.policy import Policy
from skywarden.airspace.track_table import Batch
from skywarden.airspace.zone_index import ZoneIndex
from skywarden.geo import FT_PER_M, M_PER_NM
from skywarden.model import Action, ZoneKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

CORRIDORS = (ZoneKind.APPROACH_CORRIDOR, ZoneKind.DEPARTURE_CORRIDOR)
OWNED = (ZoneKind.RESTRICTED, ZoneKind.USER, ZoneKind.LASER_HAZARD, ZoneKind.TFR)
BORDER_AUDIENCE = "border security"


class CauseSink(Protocol):
    """Where rules put causes (the analyzer's collector)."""

    def add(
        self,
        action: Action,
        scope: str,
        k: int,
        why: Callable[[], str],
        runways: tuple[str, ...] = (),
    ) -> None: ...

    def add_many(
        self,
        action: Action,
        scope: str,
        ks: IntArray,
        why: Callable[[int], str],
        runways: tuple[str, ...] = (),
    ) -> None: ...


@dataclass(frozen=True)
class StepView:
    """What the rules see of one step: subjects only (every row of ``b`` is a drone)."""

    t: float
    b: Batch
    pi: IntArray  # (update, zone) memberships of b
    zi: IntArray
    d_now: FloatArray  # (update, path) distance now
    d_cpa: FloatArray  # ... at the closest approach
    t_cpa: FloatArray  # ... and its time
    last_cross: FloatArray  # per track row: time of its last reported crossing
    zindex: ZoneIndex
    paths: Sequence[PathSegment]
    path_zone: Sequence[int]  # per path: its corridor zone index, or -1
    path_airport: npt.NDArray[np.object_]
    policy: Policy

    @property
    def ids(self) -> list[str]:
        return [u.track for u in self.b.updates]


class Rule(Protocol):
    """One situation that calls for a measure."""

    def apply(self, v: StepView, sink: CauseSink) -> None: ...


class ZoneRule:
    """Inside a corridor near its runway end: pause that end (arrivals or departures).
    Inside an owned zone: tell its owner. In an airport's surface area: tell the tower."""

    def apply(self, v: StepView, sink: CauseSink) -> None:
        b, pi, zi = v.b, v.pi, v.zi
        pause_range = v.policy.triggers.pause_within_nm * M_PER_NM
        ids = v.ids
        if len(pi) == 0:
            return
        along = v.zindex.along(zi, b.x[pi], b.y[pi])
        for k, z, a in zip(pi, zi, along, strict=True):
            zone = v.zindex.zones[int(z)]
            kind = zone.kind
            if kind in CORRIDORS:
                if a > pause_range:
                    continue
                arr = kind == ZoneKind.APPROACH_CORRIDOR
                end = str(zone.attrs["runway_end"])
                agl_ft = (b.alt[k] - v.zindex.g_base[z]) * FT_PER_M
                sink.add(
                    Action.PAUSE_ARRIVALS if arr else Action.PAUSE_DEPARTURES,
                    str(zone.attrs["airport"]),
                    int(k),
                    partial(
                        "drone {} in the {} corridor of {}, {:.1f} NM from the {}, "
                        "{:.0f} ft above it".format,
                        ids[k],
                        "arrival" if arr else "departure",
                        end,
                        a / M_PER_NM,
                        "threshold" if arr else "runway end",
                        agl_ft,
                    ),
                    (end,),
                )
            elif kind in OWNED:
                sink.add(
                    Action.NOTIFY,
                    zone.owner or zone.id,
                    int(k),
                    partial("drone {} inside {} {}".format, ids[k], zone.kind.value, zone.name),
                )
            elif kind == ZoneKind.AIRPORT_SURFACE:
                ap = str(zone.attrs.get("airport", zone.owner))
                sink.add(
                    Action.NOTIFY,
                    ap,
                    int(k),
                    partial("drone {} in {}".format, ids[k], zone.name),
                )


class NearPathRule:
    """Within ``triggers.notify_within_m`` of any path of an airport: tell its tower (one
    cause per airport and drone)."""

    def __init__(self) -> None:
        self._columns: tuple[npt.NDArray[np.object_], list[tuple[str, BoolArray]]] | None = None

    def _airports(self, path_airport: npt.NDArray[np.object_]) -> list[tuple[str, BoolArray]]:
        """Each airport (sorted) with its paths' columns; worked out once per paths array
        (the analyzer passes the same one every step)."""
        if self._columns is None or self._columns[0] is not path_airport:
            cols = [(ap, path_airport == ap) for ap in sorted(set(path_airport))]
            self._columns = (path_airport, cols)
        return self._columns[1]

    def apply(self, v: StepView, sink: CauseSink) -> None:
        if not (v.d_now.shape[0] and v.d_now.shape[1]):
            return
        ids = v.ids
        for ap, cols in self._airports(v.path_airport):
            dmin = v.d_now[:, cols].min(axis=1)
            near = (dmin <= v.policy.triggers.notify_within_m).nonzero()[0]
            sink.add_many(Action.NOTIFY, ap, near, _near_path_reason(ids, dmin, ap))


class ClosingRule:
    """Closing on a path (closest approach within ``triggers.closing_cpa_m``, ahead, and
    nearer than now): on a runway, pause all; on a corridor, pause its end if the closest
    approach is inside the pause range and under the corridor's ceiling."""

    def apply(self, v: StepView, sink: CauseSink) -> None:
        d_now, d_cpa, t_cpa, b = v.d_now, v.d_cpa, v.t_cpa, v.b
        if not (d_now.shape[0] and d_now.shape[1]):
            return
        trig = v.policy.triggers
        closing = (d_cpa <= trig.closing_cpa_m) & (t_cpa > 0) & (d_cpa < d_now)
        ck, cj = closing.nonzero()
        if len(ck) == 0:  # the usual scan: nothing closing, nothing to work out
            return
        pause_range = trig.pause_within_nm * M_PER_NM
        ids = v.ids
        zk = np.array([v.path_zone[j] for j in cj.tolist()], dtype=np.intp)
        cx = b.x[ck] + b.vel[ck, 0] * t_cpa[ck, cj]
        cy = b.y[ck] + b.vel[ck, 1] * t_cpa[ck, cj]
        corridor = zk >= 0
        along_c = np.full(len(ck), np.inf)
        ceiling_c = np.full(len(ck), -np.inf)
        if corridor.any():
            zc = zk[corridor]
            along_c[corridor] = v.zindex.along(zc, cx[corridor], cy[corridor])
            ceiling_c[corridor] = v.zindex.ceiling_at(zc, cx[corridor], cy[corridor])
        for n, (k, j) in enumerate(zip(ck.tolist(), cj.tolist(), strict=True)):
            p = v.paths[j]
            why = partial(
                "drone {} closing on {}: {:.0f} m in {:.0f} s".format,
                ids[k],
                p.name,
                d_cpa[k, j],
                t_cpa[k, j],
            )
            if p.kind == "runway":
                sink.add(Action.PAUSE_ALL, p.airport, k, why)
            elif along_c[n] <= pause_range and b.alt[k] <= ceiling_c[n]:
                action = Action.PAUSE_ARRIVALS if p.kind == "approach" else Action.PAUSE_DEPARTURES
                sink.add(action, p.airport, k, why, (p.runway_end,))


class RecentCrossingRule:
    """A drone that crossed the border within ``scoring.memory_s``: tell border security."""

    def apply(self, v: StepView, sink: CauseSink) -> None:
        b = v.b
        ids = v.ids
        recent = b.t - v.last_cross[b.rows] <= v.policy.scoring.memory_s
        sink.add_many(
            Action.NOTIFY,
            BORDER_AUDIENCE,
            recent.nonzero()[0],
            lambda k: f"drone {ids[k]} crossed the border",
        )


def _near_path_reason(ids: list[str], dmin: FloatArray, ap: str) -> Callable[[int], str]:
    def why(k: int) -> str:
        return f"drone {ids[k]} {dmin[k]:.0f} m from a {ap} path"

    return why


DEFAULT_RULES: tuple[Rule, ...] = (ZoneRule(), NearPathRule(), ClosingRule(), RecentCrossingRule())

#: The rule each name in a policy's ``rules`` list selects.
RULES_BY_NAME: dict[str, Callable[[], Rule]] = {
    "zone": ZoneRule,
    "near_path": NearPathRule,
    "closing": ClosingRule,
    "recent_crossing": RecentCrossingRule,
}


def rules_for(names: Sequence[str]) -> tuple[Rule, ...]:
    """The rule objects a policy selects, in its order (names validated by the policy)."""
    return tuple(RULES_BY_NAME[n]() for n in names)
