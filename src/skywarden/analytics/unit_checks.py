"""What steps 4 and 5 of the incursion rule ask of one unit (module doc of
:mod:`.counting`): is it a drone by its own evidence, and did it come from Mexico.

Each check reads only what the unit's tracks recorded (corroboration, covariance, the
first fix) and the sector's feed starts, never truth; each answer comes with its reason
in words, because a unit set apart is reported apart, never dropped.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from skywarden.analytics.border_side import firm_side, north_of_line_m
from skywarden.analytics.material import Material, TrackSpan
from skywarden.analytics.records import Incursion
from skywarden.analytics.rf_behind import behind

if TYPE_CHECKING:
    from skywarden.analytics.counting import CountingRule

#: why step 4 or 5 set a unit apart (None: counted)
SetApart = Literal["suspected", "from_us", "origin_unseen"]


class Fix(NamedTuple):
    """Where a unit's drone was first seen, and how its group first crossed the line."""

    t: float
    lat: float
    lon: float
    sector: str
    #: the direction of the earliest crossing of its group (chain and duplicates)
    first_crossing: str = "northbound"


def evidence_recorded(mat: Material) -> bool:
    """Whether any crossing track of the source kept its corroboration (step 4 applies)."""
    return any(sp.evidence_recorded for s in mat.sectors for sp in s.spans.values())


def origin_recorded(mat: Material) -> bool:
    """Whether any crossing track of the source kept its history (step 5 applies)."""
    return any(s.spans for s in mat.sectors)


def origin(
    mat: Material, u: Incursion, first: Fix | None, p: CountingRule
) -> tuple[SetApart | None, str | None]:
    """Step 5 (module doc): whether the flight was seen coming from Mexico.

    ``first`` is the earliest update of any track of the unit's group (the drone's first
    fix). Firmly north of the line there (beyond the crossing detector's hysteresis),
    the drone was in the US before it ever crossed: its northbound crossing is the way
    back of a flight that went south, not a flight from Mexico. So was it when the
    group's first crossing was southbound: the detector confirms one only for a track
    that met the line going south, so it was north of it (within the hysteresis, where
    the first fix cannot say) before it was ever south (seeds 11 and 12: three US hobby
    flights launched 17-36 m north of the line at Nogales and Brownsville, first seen
    1-31 m north of it, docs/notes/wave12.md). First seen within
    ``feed_start_s`` of the start of its sector's feed, it was already in the air when
    the feed began, and where it came from was not seen. With ``line_first_m`` (40 m by
    default since wave 22; 0: not asked), a drone first seen that near the line whose
    first crossing was northbound was never seen south of it: launched on the line
    (seeds 22 and 23: US hobby pilots standing 0.3-11 m from the line in S65 and S06,
    docs/notes/wave21.md) or first seen there, and where it came from was not seen
    either."""
    if first is None or u.direction != "northbound":
        return None, None
    t0, lat, lon, sector, first_crossing = first
    if math.isfinite(p.origin_firm_m):
        side, dist = firm_side(lat, lon, p.origin_firm_m)
        if side > 0 and dist is not None:
            return "from_us", (
                f"first seen {dist:.0f} m north of the line, {u.t - t0:.0f} s before it "
                "crossed north: a flight from the US side coming back"
            )
        if first_crossing == "southbound" and side == 0 and dist is not None:
            return "from_us", (
                f"first seen {dist:.0f} m from the line, it crossed south before it ever "
                "crossed north: a flight from the US side (or from the line) coming back"
            )
    if p.line_first_m > 0.0 and first_crossing == "northbound":
        near = firm_side(lat, lon, p.line_first_m)[1]
        if near is not None and near <= p.line_first_m:
            return "origin_unseen", (
                f"first seen {near:.0f} m from the line, {u.t - t0:.0f} s before it crossed "
                "north, never seen going south: launched on the line or first seen there, "
                "where it came from was not seen"
            )
    starts = next((s.feed_starts for s in mat.sectors if s.id == sector), [])
    since = [t0 - a for a in starts if a <= t0]
    if since and min(since) <= p.feed_start_s:
        return "origin_unseen", (
            f"first seen {min(since):.0f} s after its sector's feed began ({sector}): "
            "already in the air, where it came from was not seen"
        )
    return None, None


def unit_spans(mat: Material, u: Incursion) -> list[TrackSpan]:
    """The unit's tracks that the source kept."""
    return [sp for key in u.tracks if (sp := mat.span_of(key)) is not None]


def evidence_shares(
    mat: Material, spans: list[TrackSpan], u: Incursion, p: CountingRule
) -> list[tuple[int, int]]:
    """(updates backed by independent drone evidence, updates) of each of ``spans`` up
    to the alert window after the unit's first crossing, where the source recorded it."""
    known = []
    for sp in spans:
        # a verdict soon after the crossing disowns every fit before it (rf_disowned_s)
        disowned = p.rf_disowned_s > 0.0 and sp.found_beside(u.t, p.rf_disowned_s)
        x = sp.evidence_share(
            u.t + p.alert_window_s,
            mat.direction_finders(sp.sector),
            p.rf_sites,
            p.rf_sweep_sigmas,
            p.rf_late_s,
            math.inf if disowned else p.rf_beside_s,
            p.rf_located_m,
            withdrawn(mat, sp, u, p),
        )
        if x is not None:
            known.append(x)
    return known


def withdrawn(mat: Material, sp: TrackSpan, u: Incursion, p: CountingRule) -> frozenset[str]:
    """The finders whose fitted bearings the tracker found not following ``sp`` within
    ``rf_astray_s`` after the unit's crossing (``TrackUpdate.rf_astray``), and those whose
    bearings stayed on its old ray after it left (``rf_behind_s``, :mod:`.rf_behind`):
    the link they heard was another emitter's, and they feed none of its updates (module
    doc of :mod:`.counting`, step 4; empty when neither is asked)."""
    astray: frozenset[str] = frozenset()
    if p.rf_astray_s > 0.0 and sp.rf_astray:
        astray = frozenset(f for f in sp.rf_astray if sp.found_astray(f, u.t, p.rf_astray_s))
    return astray | behind(mat, sp, u.t, p)


def doubt(mat: Material, u: Incursion, p: CountingRule) -> str | None:
    """Why the unit is only suspected (module doc, step 4), or None when it counts (or
    when the source kept nothing to judge it by)."""
    spans = unit_spans(mat, u)
    known = evidence_shares(mat, spans, u, p)
    if known:
        backed, seen = sum(x[0] for x in known), sum(x[1] for x in known)
        if seen == 0 or backed < p.evidence_share * seen:
            gone = sorted({f for sp in spans for f in withdrawn(mat, sp, u, p)})
            astray = (
                f" ({', '.join(gone)} withdrawn: bearings not following the track"
                + (f" within {p.rf_astray_s:g} s after the crossing" if p.rf_astray_s else "")
                + (" or left on its old ray" if p.rf_behind_s else "")
                + ")"
                if gone
                else ""
            )
            return f"independent drone evidence in {backed} of {seen} updates{astray}"
    return _unlocated(spans, u, p) or _not_shown_across(spans, u, p)


def _unlocated(spans: list[TrackSpan], u: Incursion, p: CountingRule) -> str | None:
    """Why the unit's tracks did not know where the drone was as it came to the line
    (module doc of :mod:`.counting`, step 4), or None.

    At each update time the best-located of the unit's tracks counts (two sectors'
    tracks of one drone). The fixes either side of the line must be located, and so must
    every fix in the ``fix_window_s`` before it: a track held by one finder's bearings
    alone knows the ray, not the range, and a single radar plot on that ray (a false
    alarm, another object) pulls it along the ray to wherever the plot was, a few
    seconds before it "crosses" (docs/notes/wave9.md, seed 1 S64)."""
    best: dict[float, float] = {}
    for sp in spans:
        for f in sp.fixes_near(u.t, p.fix_window_s):
            best[f.t] = min(f.sigma_m, best.get(f.t, math.inf))
    before = sorted((t, s) for t, s in best.items() if t <= u.t)
    after = sorted((t, s) for t, s in best.items() if t > u.t)
    if not (before and after):
        return None
    sigma = max(before[-1][1], after[0][1])  # the fixes either side of the line
    if sigma > p.max_sigma_m:
        return f"position known to {sigma:.0f} m (1 sigma) at the line"
    unlocated = [f for f in before if f[1] > p.max_sigma_m]
    if unlocated:
        t_last, sigma = unlocated[-1]  # the last time it did not know where it was
        return (
            f"position known to {sigma:.0f} m (1 sigma) {u.t - t_last:.0f} s before the "
            "line: not seen coming to it"
        )
    return None


def _not_shown_across(spans: list[TrackSpan], u: Incursion, p: CountingRule) -> str | None:
    """Why the unit's tracks never showed the object on the far side of the line in the
    alert window after the crossing (module doc of :mod:`.counting`, step 4), or None.

    A crossing says the object is now on the other side. The track shows that only once
    it puts the object farther beyond the line than its own position error: a hovering
    drone's track, nudged by one finder's bearings between sparse radar plots, drifts
    over the line and back within its error (held-out seed 24, S37 and S86: 255 and 313
    m south of the line, their tracks at most 0.7 and 1.1 sigma north before the next
    plot put them back; docs/notes/wave23.md). Not asked when the source kept no fixes in
    the window or no line lies in reach."""
    if p.across_sigmas <= 0.0:
        return None
    fixes = [f for sp in spans for f in sp.fixes if u.t < f.t <= u.t + p.alert_window_s]
    if not fixes:
        return None
    lat, lon = np.array([(f.lat, f.lon) for f in fixes]).T
    beyond = north_of_line_m(lat, lon) * (1.0 if u.direction == "northbound" else -1.0)
    sigma = np.maximum([f.sigma_m for f in fixes], 1e-3)
    z = beyond / sigma
    if np.isnan(z).any() or z.max() >= p.across_sigmas:
        return None
    k = int(np.argmax(z))
    side = "north" if u.direction == "northbound" else "south"
    return (
        f"not shown {side} of the line beyond its position error: at most {beyond[k]:.0f} m "
        f"({z[k]:.1f} sigma of {sigma[k]:.0f} m) in the {p.alert_window_s:g} s after it "
        "crossed"
    )
