# size: the incursion rule stated in words (the module doc, ~120 lines) stays with its code
"""The three counting rules: per alert, per track, per de-duplicated incursion.

"More than 1,000 drone incursions a month" means nothing until it says what it counted.
These are three answers, from the naive to the honest one, each with its method in
words (:data:`METHODS`) so that no count is shown without it.

- **alert**: what a system without fusion reports. Every sensor that saw the drone
  raises its own alert at each crossing: for each border-crossing event, the number of
  distinct sensors (ADS-B excluded: it reports manned aircraft) that had fed the
  crossing track by ``ALERT_WINDOW_S`` after the crossing, at least one (the tracker
  reports a track's sensors cumulatively, so a sensor that saw the drone earlier on the
  same track counts too). Every re-crossing and every track break alerts again.
- **track**: fused tracks that crossed: the number of distinct tracks (per sector) with
  a crossing event in the direction counted. Three towers seeing one drone make one
  track, but a track break, the same drone tracked by two overlapping sectors, or a
  drone that comes back after turning around, count again.
- **incursion**: de-duplicated incursions. Crossing events are merged when they are the
  same physical crossing seen twice (two sectors, or two tracks of one drone), or the
  same drone crossing again soon after turning back:

  1. *Duplicates.* Two crossings in the same direction by tracks of *different* sectors
     within ``DUP_WINDOW_S`` and ``DUP_DISTANCE_M`` of each other are one crossing,
     matched one to one (nearest first), so a convoy of drones crossing together in an
     overlap still counts as many. Within one sector the tracker has already fused the
     sensors: two tracks alive at the same time there are two drones.
  2. *Chains.* Track B continues track A (a track break) when they share an identity
     (Remote ID serial or session, in any sector), or when B begins within
     ``LINK_GAP_S`` of A's end no farther than ``MAX_SPEED_MPS`` times the gap plus
     ``LINK_SLACK_M`` from A's last point (each A has at most one successor, the
     nearest in time). Without an identity a drone lost for longer is not followed: on
     a busy stretch the next drone from the same launch site appears where the last one
     landed minutes later (on a simulated El Paso night, a 10-minute, 25 m/s link merged
     4 of 47 distinct drones), so the rule counts a drone that comes back after a long
     loss twice rather than merge two.
  3. *Re-crossings.* Along a chain, a crossing counts as a new incursion only if the
     drone stayed on the other side for more than ``RECROSS_S`` (X = 10 min) since it
     last crossed back (or, with no crossing back seen, since its previous crossing).

  4. *Evidence.* The event gate calls a track a drone on its class probability, which
     a bird or a clutter track can reach for a while. A unit counts only when the
     evidence carries it; otherwise it is *suspected*, reported apart
     (:func:`suspected`, with the reason) and not counted:

     - its tracks carried independent drone evidence (the tracker's ``corroboration``:
       RF control-link geometry, Remote ID, a radar drone class, a visual report,
       hovering) in at least ``EVIDENCE_SHARE`` of their updates by ``ALERT_WINDOW_S``
       after its first crossing. A bird on one direction finder's ray picks up RF
       credit while it sits on the ray, so its corroboration mostly comes and goes,
       where a drone's control link, radar returns and motion back it scan after scan;
       but a bird flying along the ray keeps it (seed 11, S69: a bird flying north
       along the bearing of a drone farther out, RF-backed in 85 of 134 updates;
       docs/notes/wave11.md). So RF link geometry alone, from the one finder that fed
       the track, does not back an update when that finder's first fit came
       ``RF_LATE_S`` or more after the track began (the ray came to it: a drone's own
       link is heard from its first scans in reach) *and* its bearing to the track
       swept less than ``RF_SWEEP_SIGMAS`` of its bearing errors while it fitted (the
       track rode the ray rather than the ray following it across); two finders' rays
       cross at a place and are not asked (docs/notes/wave12.md: both birds of seeds 11
       and 12 set apart, 1 of the 30-day month's 999 counted drones lost). Nor does it
       on an update after which, within ``RF_BESIDE_S``, the tracker found the fitting
       bearings running *beside* the track rather than along it
       (``TrackUpdate.rf_beside``, :mod:`skywarden.tracking.rf_bias`: their mean
       residual more than 3 standard errors off, over the test's minute of memory): a
       bird whose track began on the ray of a drone nobody tracks and then flew across
       it (held-out seed 13, S24; docs/notes/wave13.md); and when that verdict came
       within ``RF_DISOWNED_S`` after the crossing, on no update before it either (a
       bird that took over a hovering drone's track while the drone's link stayed on its
       ray: held-out seeds 21 S85 and 25 S74; docs/notes/wave24.md). With
       ``rf_astray_s`` (0, off, by default; not yet measured on held-out data), a finder
       whose own fitted bearings the tracker found not following the track within that
       long after the crossing (``TrackUpdate.rf_astray``, a per-finder verdict) feeds
       none of the unit's updates, and a finder left alone by that backs them only if
       its bearing to the track swept ``RF_SWEEP_SIGMAS`` of its bearing errors, however
       early it fitted: two rays, one of them
       another emitter's, do not cross at a place (seed 28 S87: a bird that two finders
       backed, one of whose bearings stood still while the bird's swept 11 deg;
       docs/notes/wave28.md). Nor on an update at
       which the track knew its position no better than ``RF_LOCATED_M`` (1 sigma, as at
       the line): a track that nothing else locates is held on the ray by that finder's
       bearings, so their fit is the bearings agreeing with themselves (held-out seed
       16, S78: a radar clutter track that one finder's bearings, of a drone 3.8 km
       away, kept alive for 217 s; docs/notes/wave14.md);
       ``rf_sites`` (default ``RF_SITES``, one) asks that many finders to have fed a
       track before RF link geometry alone backs an update at all; two would set those
       birds apart and half of the planned drones with them, which one finder alone
       hears;
     - at every fix in the ``FIX_WINDOW_S`` before the crossing and at its first fix
       after it the track knew its position to ``MAX_SIGMA_M`` (1 sigma, the ellipse's
       long axis; of two tracks of the unit updated at once, the better): a crossing
       is a claim about which side of the line an object is, and a track coasting blind
       or held by bearings alone cannot make it (its estimate drifts over the line while
       nothing measures it). Nor can one that was held by bearings alone until just
       before the line: one finder's bearings fix the ray, not the range, and a single
       radar plot on the ray pulls such a track along it to where the plot was (the
       month's seed 1, S64: 2.2 km, 3 s before the "crossing"; docs/notes/wave9.md);
     - and by ``ALERT_WINDOW_S`` after the crossing some fix of its tracks put the drone
       ``ACROSS_SIGMAS`` or more of that fix's position errors beyond the line: a
       crossing claims the drone is on the other side, and a track that drifts over the
       line and back within its own error shows nothing (held-out seed 24, S37 and S86:
       the tracks of surveillance drones hovering 255 and 313 m south of the line, held
       between sparse radar plots by one finder's bearings, crossed by at most 0.7 and
       1.1 of their errors; every planned drone of the reference week by 6.3 or more;
       docs/notes/wave23.md).

     The half is the majority rule, not a fitted edge: on the month's first two days
     (seed 1, docs/notes/suspected.md) the real drones' units had shares of 0.57-1.00
     and the birds' 0.00-0.45; the drone-classed tracks with no target within 300 m
     crossed while known to 300-500 m. A source that kept no corroboration or
     covariance (an older run directory, the service's store) is counted without the
     checks it cannot make, and :mod:`.stats` says so.

  5. *Where the flight came from.* An incursion is a flight from Mexico into the United
     States. A unit that passed step 4 is set apart, with the reason, when the earliest
     update of any track of its group (chain and duplicates) lies more than ``FIRM_M``
     (the crossing detector's hysteresis) north of the line: *from the US*
     (:func:`from_us`). That drone was in the US before it ever crossed (a track first
     seen north cannot cross north without going south first), so its northbound
     crossing is a flight coming back, such as a hobby flight from a US town straying
     over the river. So is it when that first fix lies within the hysteresis (where
     it cannot say which side) and the group's first crossing was southbound: the
     detector confirms one only for a track that met the line going south, so the
     drone was north of it before it was ever south (seeds 11 and 12: US hobby pilots
     at the fence of Nogales and Brownsville, first seen 1-31 m north of the line;
     docs/notes/wave12.md). Or when that first fix lies within the hysteresis and the
     group's first crossing was northbound (``line_first_m``, since wave 22): the drone
     was never seen south of the line, launched on it (seeds 22 and 23: US hobby pilots
     0.3-11 m from the line) or first seen there, *origin unseen*. Or when that first
     fix came within ``FEED_START_S`` of its sector's
     feed start (a run's start; each simulated run of a month's touching windows): the
     drone was already flying and where it came from was not seen, *origin unseen*
     (:func:`origin_unseen`). In a month that is frequent and one-sided: every quiet
     sample and warm-up starts with background traffic in the air, while a planned
     flight's window opens before its launch. Costs on the 30-day month: 2 of the 998
     planned incursions step 4 counted (one whose outbound crossing no sensor saw, one
     first seen as a neighbour's feed began); on a plain run, a smuggler already flying
     when the run began (1 of 45 on the El Paso night). A US flight the tracker first
     saw firmly south of the line still counts: by its track it is a smuggler
     (docs/notes/count6.md).

  Why 10 minutes: a drone that darts back over the line and returns within minutes
  (evading a camera, manoeuvring around a mast, hovering over the river) is one trip;
  to start a new trip it has to land, be reloaded or have its battery swapped and take
  off again, which takes longer than that. Typical quadcopter endurance is 20-30 min,
  so a 10-minute absence is a third to a half of a flight: long enough to be a new
  sortie. ``recross_s`` is a parameter so the rule can be argued and re-run.

The rules count crossings in one direction, northbound (into the United States) unless
asked otherwise: a smuggler's drone that crosses north and flies home south made one
incursion, not two.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np

from skywarden.analytics.border_samples import owners
from skywarden.analytics.border_side import FIRM_M
from skywarden.analytics.material import MANNED_ONLY_KINDS, CrossingEvent, Material, TrackSpan
from skywarden.analytics.records import Incursion, Rule
from skywarden.analytics.unit_checks import (
    Fix,
    SetApart,
    doubt,
    origin,
)
from skywarden.analytics.unit_checks import evidence_recorded as evidence_recorded
from skywarden.analytics.unit_checks import origin_recorded as origin_recorded

Direction = Literal["northbound", "southbound", "both"]

ALERT_WINDOW_S = 30.0
DUP_WINDOW_S = 60.0
DUP_DISTANCE_M = 1000.0
RECROSS_S = 600.0
LINK_GAP_S = 60.0
#: the fastest smuggler cruise of the simulator and of field reports (sim: 8-16 m/s)
MAX_SPEED_MPS = 16.0
LINK_SLACK_M = 300.0
#: the share of a unit's track updates that must carry independent drone evidence
EVIDENCE_SHARE = 0.5
#: the direction finders whose bearings must have fed a track for RF link geometry to
#: be evidence on its own. One: asking for two (two rays cross at a place, one fits
#: anything along it) sets apart half of the planned drones (docs/notes/wave11.md)
RF_SITES = 1
#: ... and when one finder alone had, a fit that began late and never had to follow the
#: track across the ray is the ray passing over it (step 4): a drone's own link is heard
#: from its first scans in reach (on the 30-day month 99 % of the drones' tracks had
#: their first RF fit within 45 s), where both birds of seeds 11 and 12 that one finder's
#: ray carried had flown 72 and 81 s without one; and along the ray the bearing to them
#: swept 3.5 and 7.7 deg, against 3 sigma = 9 deg for the 3 deg finders
#: (docs/notes/wave12.md)
RF_LATE_S = 60.0
RF_SWEEP_SIGMAS = 3.0
#: step 4: how long after a one-finder RF fit a verdict that the fitting bearings ran
#: beside the track still speaks for it: twice the off-ray test's 60 s memory
RF_BESIDE_S = 120.0
#: step 4: a verdict this soon after the crossing that the fitting bearings ran beside the
#: track withdraws that finder's fits from every earlier update: the link it heard at
#: the line was not the track's. Two held-out birds took over a hovering drone's track
#: while the drone's link stayed on their ray, the verdict 61 s after the crossing
#: (seeds 21 S85, 25 S74); the same two minutes as ``RF_BESIDE_S``, not fitted. Moved 4
#: of 1,633 stored units' evidence, all birds', no planned drone's; held out (seed 26
#: part a) 0 false where the rule without it counted 1 (docs/notes/wave24.md, wave25.md)
RF_DISOWNED_S = RF_BESIDE_S
#: a crossing is a claim about which side of the line an object is on: a track that does
#: not know its position to this (1 sigma, the ellipse's long axis) cannot make it
MAX_SIGMA_M = 100.0
#: step 4: one finder's fit to a track held by its bearings alone is the bearings agreeing
#: with themselves; located means what it means at the line (``MAX_SIGMA_M``). The
#: held-out seed 16's clutter track on a finder's ray (S78) was known to 119-676 m at
#: its fits (docs/notes/wave14.md)
RF_LOCATED_M = MAX_SIGMA_M
#: step 4: within the alert window after the crossing, the track must put the object this
#: many of its position errors (1 sigma, the long axis) beyond the line: a drift within
#: the error shows nothing. Two, the conventional one-sided 97.7 %, not fitted: on the
#: reference week (seed 1, days 1-7) every planned drone's track got 6.3 or more within
#: the window, and the three drone-classed tracks with no drone across the line (seed 1
#: S05, held-out seed 24 S37 and S86) 0.7-1.1 (docs/notes/wave23.md)
ACROSS_SIGMAS = 2.0
#: the fixes either side of the line are looked for this close to the crossing
FIX_WINDOW_S = 15.0
#: a drone in the air when a feed begins is confirmed within a few scans (the tracker's
#: 3 hits in 4 scans, 1-2 s each): first seen this soon, it was already flying
FEED_START_S = 10.0

METHODS: dict[Rule, str] = {
    "alert": (
        "per alert: every sensor that had fed a crossing track by "
        f"{ALERT_WINDOW_S:g} s after its border crossing counts one alert (ADS-B "
        "excluded), as a system without fusion would report; re-crossings and track "
        "breaks alert again"
    ),
    "track": (
        "per track: fused tracks with at least one border-crossing event; a track break, "
        "a drone tracked in two overlapping sectors or one that comes back counts again"
    ),
    "incursion": (
        "per de-duplicated incursion: crossings merged when the same crossing is seen by "
        f"two sectors (same direction, within {DUP_WINDOW_S:g} s and {DUP_DISTANCE_M:g} m, "
        "matched one to one), when tracks of one drone chain (shared identity, or a track "
        f"starting within {LINK_GAP_S:g} s of another's end and reachable at "
        f"{MAX_SPEED_MPS:g} m/s), and when a drone crosses again after less than "
        f"{RECROSS_S / 60:g} min on the other side (X = {RECROSS_S / 60:g} min: shorter "
        "than landing, reloading and relaunching; a longer absence is a new sortie); a "
        "unit counts only when independent drone evidence (RF link geometry, Remote ID, "
        "radar drone class, visual report, hovering) backed at least "
        f"{EVIDENCE_SHARE:.0%} of its tracks' updates by {ALERT_WINDOW_S:g} s after its "
        "first crossing (one direction finder's bearings alone do not, when its first fit "
        f"came {RF_LATE_S:g} s or more into the track and its bearing to the track swept "
        f"less than {RF_SWEEP_SIGMAS:g} bearing errors: a bird riding another drone's "
        "ray; nor on an update after which, within "
        f"{RF_BESIDE_S:g} s, the tracker found the fitting bearings running beside the "
        "track: a bird crossing another drone's ray, and on none before it when that "
        f"verdict came within {RF_DISOWNED_S:g} s after the crossing: a bird that took "
        "over a drone's track on the drone's ray; nor on one at which the track knew "
        f"its position no better than {RF_LOCATED_M:g} m: held on the ray by those "
        "bearings alone), and its track knew its position to "
        f"{MAX_SIGMA_M:g} m (1 sigma) "
        f"at its fixes in the {FIX_WINDOW_S:g} s before the line and its first after, "
        f"and put the drone {ACROSS_SIGMAS:g} or more of those errors beyond the line "
        f"within {ALERT_WINDOW_S:g} s of the crossing (the "
        "rest are reported as suspected, with "
        "the reason); a unit whose drone was first seen more than "
        f"{FIRM_M:g} m north of the line, or nearer it than that whose first crossing "
        "was southbound, came from the US side, and one first seen "
        f"within {FEED_START_S:g} s of its sector's feed start was already flying (where "
        "from unseen): both are reported apart, not counted"
    ),
}


@dataclass(frozen=True, slots=True)
class CountingRule:
    """The incursion rule's parameters (defaults above, stated in :data:`METHODS`)."""

    recross_s: float = RECROSS_S
    dup_window_s: float = DUP_WINDOW_S
    dup_distance_m: float = DUP_DISTANCE_M
    max_speed_mps: float = MAX_SPEED_MPS
    link_slack_m: float = LINK_SLACK_M
    link_gap_s: float = LINK_GAP_S
    alert_window_s: float = ALERT_WINDOW_S
    evidence_share: float = EVIDENCE_SHARE
    max_sigma_m: float = MAX_SIGMA_M
    fix_window_s: float = FIX_WINDOW_S
    #: step 4: within the alert window after the crossing, some fix of the unit's tracks
    #: lay this many of its position errors beyond the line (0: not asked)
    across_sigmas: float = ACROSS_SIGMAS
    #: step 4: RF link geometry alone backs an update only when this many of the
    #: sector's direction finders had fed the track (1: any finder's bearings)
    rf_sites: int = RF_SITES
    #: step 4: with one finder, a fit first made this long (s) after the track began ...
    rf_late_s: float = RF_LATE_S
    #: ... backs an update alone only if the finder's bearing to the track swept this many
    #: of its bearing errors while it fitted (0: not asked)
    rf_sweep_sigmas: float = RF_SWEEP_SIGMAS
    #: step 4: with one finder, its RF geometry backs no update after which, within this
    #: long (s), the tracker found the bearings that fit the track running beside it
    #: (``TrackUpdate.rf_beside``; 0: not asked)
    rf_beside_s: float = RF_BESIDE_S
    #: step 4: with one finder, a verdict that the fitting bearings ran beside the track
    #: within this long (s) after the crossing withdraws its RF geometry from *every*
    #: update before the verdict (the link it heard was not the track's at the line; a
    #: bird that took over a drone's track carries the drone's backing: held-out seeds
    #: 21 S85 and 25 S74, docs/notes/wave24.md; 0: not asked)
    rf_disowned_s: float = RF_DISOWNED_S
    #: step 4: a finder whose own fitted bearings the tracker found not following the
    #: track within this long (s) after the crossing (``TrackUpdate.rf_astray``) feeds
    #: none of its updates, and a finder left alone by that must show the sweep however
    #: early it fitted. 0, not asked, by default: shaped on seed 28's S87 bird, not yet
    #: measured on held-out data (120 s, as ``rf_disowned_s``, is the value to try); it
    #: needs a tracker run with the per-finder verdict on (docs/analytics.md, step 4)
    rf_astray_s: float = 0.0
    #: step 4: a finder that fed a unit's track and whose bearings stayed on the track's
    #: old ray over this long (s) after the track left it (read from the run's
    #: detections, :mod:`.rf_behind`) feeds none of its updates, as ``rf_astray_s``
    #: withdraws one. 0, not asked, by default: shaped on seed 30's S27 bird, it set
    #: apart 7 of the reference week's 242 counted planned drones (wave 35); needs a run
    #: that kept its detections
    rf_behind_s: float = 0.0
    #: step 4: with one finder, its RF geometry backs no update at which the track knew
    #: its position no better than this (m, 1 sigma; inf: not asked)
    rf_located_m: float = RF_LOCATED_M
    #: step 5: a first fix farther north of the line than this is "seen in the US"
    #: (inf: not asked)
    origin_firm_m: float = FIRM_M
    #: step 5: a first fix this soon after the sector's feed began is "already in the
    #: air" (a negative value: not asked)
    feed_start_s: float = FEED_START_S
    #: step 5: a first fix within this distance of the line (m) in a group whose first
    #: crossing was northbound is "first seen on the line": where the flight came from
    #: was not seen (0: not asked; the crossing detector's hysteresis by default since
    #: wave 22, docs/notes/wave22.md)
    line_first_m: float = FIRM_M


def method(rule: Rule, params: CountingRule | None = None) -> str:
    """The rule in words, with the parameters that differ from the defaults appended
    (and the options that are off by default stated when set)."""
    p = params or CountingRule()
    changed = [
        f"{f.name}={getattr(p, f.name):g}"
        for f in fields(p)
        if getattr(p, f.name) != getattr(CountingRule(), f.name)
    ]
    text = METHODS[rule]
    if rule == "incursion" and p.rf_astray_s > 0.0:
        text += (
            "; and a direction finder whose own fitted bearings the tracker found not "
            f"following a track within {p.rf_astray_s:g} s after the crossing "
            "(rf_astray_s) backs none of its updates, a finder left alone by that only "
            f"where its bearing to the track swept {p.rf_sweep_sigmas:g} bearing errors"
        )
    if rule == "incursion" and p.rf_behind_s > 0.0:
        text += (
            "; and a direction finder whose bearings stayed on a track's old ray for "
            f"{p.rf_behind_s:g} s after the track left it (rf_behind_s) backs none of "
            "its updates"
        )
    return text + (f" [{', '.join(changed)}]" if changed else "")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius): enough for km-scale gates."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def _wanted(c: CrossingEvent, direction: Direction) -> bool:
    return direction in ("both", c.direction)


def count_alerts(
    mat: Material, direction: Direction = "northbound", params: CountingRule | None = None
) -> list[Incursion]:
    """One :class:`Incursion` per (crossing event, sensor that saw it)."""
    p = params or CountingRule()
    manned = {s.id for sec in mat.sectors for s in sec.sensors if s.kind in MANNED_ONLY_KINDS}
    out: list[Incursion] = []
    for c in mat.crossings():
        if not _wanted(c, direction):
            continue
        span = mat.span(c)
        sensors = sorted(
            s
            for s in (span.sensors_by(c.t + p.alert_window_s) if span else set())
            if s not in manned and not s.startswith("adsb")
        )
        for s in sensors or ["?"]:
            out.append(_unit("alert", len(out), [c], [s]))
    return out


def count_tracks(mat: Material, direction: Direction = "northbound") -> list[Incursion]:
    """One :class:`Incursion` per fused track with a crossing in ``direction``."""
    by_track: dict[str, list[CrossingEvent]] = defaultdict(list)
    for c in mat.crossings():
        if _wanted(c, direction):
            by_track[c.key].append(c)
    units = [_unit("track", 0, cs, []) for cs in by_track.values()]
    units.sort(key=lambda u: u.t)
    return [u.model_copy(update={"id": f"track-{i + 1:05d}"}) for i, u in enumerate(units)]


def count_deduplicated(
    mat: Material, direction: Direction = "northbound", params: CountingRule | None = None
) -> list[Incursion]:
    """De-duplicated incursions: duplicates, chains and re-crossings merged, and only the
    units backed by evidence that came from the south of the line (module doc, steps
    1-5)."""
    p = params or CountingRule()
    return [u for u, kind, _ in _judged(mat, direction, p) if kind is None]


def suspected(
    mat: Material, direction: Direction = "northbound", params: CountingRule | None = None
) -> list[tuple[Incursion, str]]:
    """The de-duplicated units step 4 left out, each with the reason (weight-0 warm-up
    units too): drone-classed crossings the evidence does not carry."""
    return _set_apart(mat, direction, params, "suspected")


def from_us(
    mat: Material, direction: Direction = "northbound", params: CountingRule | None = None
) -> list[tuple[Incursion, str]]:
    """The de-duplicated units step 5 set apart, each with the reason (weight-0 warm-up
    units too): drones first seen on the US side of the line, whose northbound crossing
    brought back a flight that had gone south from the US."""
    return _set_apart(mat, direction, params, "from_us")


def origin_unseen(
    mat: Material, direction: Direction = "northbound", params: CountingRule | None = None
) -> list[tuple[Incursion, str]]:
    """The de-duplicated units step 5 set apart because their drone was already in the
    air when its sector's feed began (weight-0 warm-up units too), with the reason."""
    return _set_apart(mat, direction, params, "origin_unseen")


def _set_apart(
    mat: Material, direction: Direction, params: CountingRule | None, kind: SetApart
) -> list[tuple[Incursion, str]]:
    p = params or CountingRule()
    return [(u, why) for u, k, why in _judged(mat, direction, p) if k == kind and why]


def judged(
    mat: Material, direction: Direction = "northbound", params: CountingRule | None = None
) -> list[tuple[Incursion, SetApart | None, str | None]]:
    """Every de-duplicated unit (steps 1-3) with what steps 4 and 5 made of it: None
    (counted), "suspected", "from_us" or "origin_unseen", and the reason; one pass for readers that
    want all three (``suspected`` and ``from_us`` each make their own)."""
    return _judged(mat, direction, params or CountingRule())


def _judged(
    mat: Material, direction: Direction, p: CountingRule
) -> list[tuple[Incursion, SetApart | None, str | None]]:
    """Steps 4 and 5 on every unit of steps 1-3. Step 4 is asked first: a unit the
    evidence does not carry is not known to be a drone, and where it came from is then
    beside the point."""
    out: list[tuple[Incursion, SetApart | None, str | None]] = []
    for u, first in _deduplicated(mat, direction, p):
        why = doubt(mat, u, p)
        if why is not None:
            out.append((u, "suspected", why))
            continue
        kind, why = origin(mat, u, first, p)
        out.append((u, kind, why))
    return out


def _deduplicated(
    mat: Material, direction: Direction, p: CountingRule
) -> list[tuple[Incursion, Fix | None]]:
    """Steps 1-3 of the incursion rule: every unit, backed by evidence or not, with the
    first fix (t, lat, lon, sector) of its group (the earliest update of any of its tracks, the
    chain's and a duplicate's included; None without track history)."""
    events = mat.crossings()
    uf = _UnionFind(len(events))
    _merge_duplicates(events, uf, p)
    comp_of_track = _chains(mat, events, p)
    # A track's crossings and its chain's belong together; duplicates join chains.
    first_of_chain: dict[int, int] = {}
    for i, c in enumerate(events):
        chain = comp_of_track.get(c.key, -1 - i)
        if chain in first_of_chain:
            uf.union(first_of_chain[chain], i)
        else:
            first_of_chain[chain] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(events)):
        groups[uf.find(i)].append(i)
    out: list[tuple[Incursion, Fix | None]] = []
    for members in groups.values():
        group = [events[i] for i in sorted(members)]
        spans = [sp for k in sorted({c.key for c in group}) if (sp := mat.span_of(k))]
        seen = min(((sp.t0, sp.lat0, sp.lon0, sp.sector) for sp in spans), default=None)
        first = None if seen is None else Fix(*seen, first_crossing=group[0].direction)
        out += [(_placed(mat, u, group, p), first) for u in _recrossings(group, direction, p)]
    out.sort(key=lambda x: (x[0].t, x[0].sector))
    return [
        (u.model_copy(update={"id": f"incursion-{i + 1:05d}"}), first)
        for i, (u, first) in enumerate(out)
    ]


def count(
    mat: Material,
    rule: Rule,
    direction: Direction = "northbound",
    params: CountingRule | None = None,
) -> list[Incursion]:
    """The units counted under ``rule``, each marked ``identified`` when one of its tracks
    carried a Remote ID serial or session (a cooperative drone that names its operator)."""
    if rule == "alert":
        units = count_alerts(mat, direction, params)
    elif rule == "track":
        units = count_tracks(mat, direction)
    elif rule == "incursion":
        units = count_deduplicated(mat, direction, params)
    else:
        raise ValueError(f"rule {rule!r}: one of alert, track, incursion")
    # a unit whose first crossing fell in a month's warm-up (weight 0, docs/month.md)
    # stands for no time of the month: it is not a counted unit
    units = [u for u in units if u.weight > 0.0]
    ided = {
        f"{s.id}/{k}"
        for s in mat.sectors
        for k, sp in s.spans.items()
        if any(i.startswith(("rid:", "ridsession:")) for i in sp.identities)
    }
    own = owners(
        mat.sectors, np.asarray([u.lat for u in units]), np.asarray([u.lon for u in units])
    )
    return [
        u.model_copy(
            update={"identified": bool(ided & set(u.tracks)), "sector": own[i] if own else u.sector}
        )
        for i, u in enumerate(units)
    ]


# --------------------------------------------------------------------------- internals


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _merge_duplicates(events: Sequence[CrossingEvent], uf: _UnionFind, p: CountingRule) -> None:
    """Match crossings of different sectors one to one, nearest first, within the gates."""
    pairs: list[tuple[float, int, int]] = []
    for i, a in enumerate(events):
        for j in range(i + 1, len(events)):
            b = events[j]
            if b.t - a.t > p.dup_window_s:
                break
            if b.sector == a.sector or b.direction != a.direction:
                continue
            d = distance_m(a.lat, a.lon, b.lat, b.lon)
            if d <= p.dup_distance_m:
                pairs.append((d / p.dup_distance_m + (b.t - a.t) / p.dup_window_s, i, j))
    pairs.sort()
    taken: set[tuple[int, str]] = set()
    for _, i, j in pairs:
        a, b = events[i], events[j]
        if (i, b.sector) in taken or (j, a.sector) in taken:
            continue
        taken.add((i, b.sector))
        taken.add((j, a.sector))
        uf.union(i, j)


def _chains(mat: Material, events: Sequence[CrossingEvent], p: CountingRule) -> dict[str, int]:
    """Chain number of each crossing track (track breaks and shared identities linked)."""
    keys = sorted({c.key for c in events})
    spans: dict[str, TrackSpan] = {}
    for c in events:
        sp = mat.span(c)
        if sp is not None:
            spans.setdefault(c.key, sp)
    idx = {k: i for i, k in enumerate(keys)}
    uf = _UnionFind(len(keys))
    by_identity: dict[str, int] = {}  # one serial is one drone, in any sector
    for k in keys:
        for ident in sorted(spans[k].identities) if k in spans else ():
            if ident.startswith(("rid:", "ridsession:")):
                uf.union(by_identity.setdefault(ident, idx[k]), idx[k])
    for a, b in _breaks(spans, p):
        uf.union(idx[a], idx[b])
    return {k: uf.find(idx[k]) for k in keys}


def _breaks(spans: dict[str, TrackSpan], p: CountingRule) -> list[tuple[str, str]]:
    """Track breaks within a sector: (A, B) with B the nearest-in-time track starting
    within ``link_gap_s`` of A's end and reachable from it; one to one."""
    by_sector: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for k, sp in spans.items():
        by_sector[sp.sector].append((sp.t0, k))
    for starts in by_sector.values():
        starts.sort()
    used: set[str] = set()
    out = []
    for a in sorted(spans, key=lambda k: spans[k].t1):
        sa = spans[a]
        starts = by_sector[sa.sector]
        lo = bisect.bisect_left(starts, (sa.t1 - 1.0, ""))
        hi = bisect.bisect_right(starts, (sa.t1 + p.link_gap_s, "\uffff"))
        best: tuple[float, str] | None = None
        for t0, b in starts[lo:hi]:
            if b == a or b in used:
                continue
            sb = spans[b]
            gap = t0 - sa.t1
            reach = p.max_speed_mps * max(gap, 0.0) + p.link_slack_m
            if distance_m(sa.lat1, sa.lon1, sb.lat0, sb.lon0) <= reach and (
                best is None or gap < best[0]
            ):
                best = (gap, b)
        if best is not None:
            used.add(best[1])
            out.append((a, best[1]))
    return out


def _recrossings(
    group: list[CrossingEvent], direction: Direction, p: CountingRule
) -> list[Incursion]:
    """Split one drone's crossings into incursions by the re-crossing rule."""
    group.sort(key=lambda c: c.t)
    # Physical crossings: the same direction within the duplicate window is one.
    phys: list[list[CrossingEvent]] = []
    for c in group:
        if phys and phys[-1][0].direction == c.direction and c.t - phys[-1][-1].t <= p.dup_window_s:
            phys[-1].append(c)
        else:
            phys.append([c])
    out: list[Incursion] = []
    last_t: dict[str, float] = {}  # direction -> time of the last crossing that way
    current: dict[str, list[CrossingEvent]] = {}
    for cs in phys:
        c = cs[0]
        other = "southbound" if c.direction == "northbound" else "northbound"
        prev_same = last_t.get(c.direction)
        back = last_t.get(other)
        if prev_same is None:
            new = True
        elif back is not None and back > prev_same:
            new = c.t - back > p.recross_s
        else:
            new = c.t - prev_same > p.recross_s
        if new or c.direction not in current:
            if c.direction in current:
                out.append(_unit("incursion", 0, current[c.direction], []))
            current[c.direction] = list(cs)
        else:
            current[c.direction] += cs
        last_t[c.direction] = cs[-1].t
    out += [_unit("incursion", 0, cs, []) for cs in current.values()]
    return [u for u in out if direction in ("both", u.direction)]


def _placed(mat: Material, u: Incursion, group: list[CrossingEvent], p: CountingRule) -> Incursion:
    """The unit at the place where its best-located track crossed.

    Its first physical crossing may be seen by two tracks (two sectors, one drone); the
    earlier is not always the better: a neighbour's track held by direction finders
    alone can cross 1-2 km along a bearing from the drone (the month's seed 1, S02 and
    S78: docs/notes/wave9.md). The time stays the first crossing's; the place, height
    and sector are those of the event whose track knew its position best (1 sigma at
    its fix nearest the crossing), the earliest on a tie or without fixes.
    """
    same = [
        c
        for c in group
        if c.direction == u.direction and u.t <= c.t <= u.t + p.dup_window_s and c.key in u.tracks
    ]
    if len(same) < 2:
        return u

    def sigma(c: CrossingEvent) -> float:
        sp = mat.span_of(c.key)
        near = sp.fixes_near(c.t, p.fix_window_s) if sp is not None else []
        return min(near, key=lambda f: (abs(f.t - c.t), f.sigma_m)).sigma_m if near else math.inf

    best = min(same, key=lambda c: (sigma(c), c.t))
    return u.model_copy(
        update={"lat": best.lat, "lon": best.lon, "alt_m": best.alt_m, "sector": best.sector}
    )


def _unit(rule: Rule, n: int, cs: Sequence[CrossingEvent], sensors: list[str]) -> Incursion:
    c = cs[0]
    return Incursion(
        id=f"{rule}-{n + 1:05d}",
        rule=rule,
        t=c.t,
        lat=c.lat,
        lon=c.lon,
        alt_m=c.alt_m,
        direction=c.direction,
        sector=c.sector,
        tracks=sorted({x.key for x in cs}),
        sensors=sensors,
        crossings=len(cs),
        t_last=cs[-1].t,
        weight=c.weight,
    )
