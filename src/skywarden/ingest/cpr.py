"""Per-aircraft CPR position resolution that never builds on an unconfirmed fix.

Compact Position Reporting (RTCA DO-260B §A.1.7; J. Sun, *The 1090 MHz Riddle*, ch. 5)
sends a position as an even or odd 17-bit fraction of a zone. One frame resolves only
against a reference closer than half a zone (180 NM airborne, 45 NM surface, §A.1.7.5-6);
an even/odd pair resolves globally (§A.1.7.3-4), but a pair whose frames straddle a
zone, a surface frame paired with an airborne one, or a corrupt frame that passed the
parity check gives a position hundreds of kilometres off. A decoder that then decodes
every later frame locally against that one fix is wrong for the rest of the flight
(skywarden issue 11: a flight out of Paris placed at 18.99 N, 72.50 E). The rules
here follow readsb's ``track.c`` (``doGlobalCPR``, ``doLocalCPR``, ``speed_check``),
rewritten:

* **Surface and airborne apart.** Each kind keeps its own even/odd slots; a pair is
  only ever made of two frames of one kind (TC 5-8 surface, TC 9-18/20-22 airborne).
* **A fix is confirmed before it is used.** A decoded position that has no confirmed
  fix to check against becomes a *candidate*: it is not emitted and never used as a
  local reference. A later decode confirms it when it lies within the distance the
  aircraft can have covered (the speed bound below), the two decodes share no frame
  (two pairs sharing one corrupt frame can agree on the same wrong place), at least
  one of them is a global (pair) decode, not a single frame read against the
  receiver, and each pair is *whole*.
* **A pair is whole** when its older frame, read locally against the pair's position,
  lies within the speed bound of it (readsb's speed check, between the pair's own
  frames). A pair decode takes only a zone count from the older frame, so a corrupt
  older frame gives a wrong zone with the newer frame's true fraction in it; two such
  pairs whose newer frames share a parity sit on one lattice of zones and agree
  whenever their zone counts do (1 in 60 x NL, and NL is 1 near the poles: skywarden's
  CI emitted a flight at 0 N, 0 E at the South Pole). A pair that is not whole is
  kept as a candidate but confirms only the same two reports received again, later
  (identical fields at other times: random corruption does not repeat itself), and is
  no evidence for or against a confirmed fix.
* **Every frame is checked.** With a confirmed fix, a frame is decoded locally
  against it and, when a fresh opposite-parity frame of its kind exists, also
  globally. The position is emitted when the local decode is reachable from the fix
  at the speed bound and the global one (if any) agrees with it (within
  ``AGREE_M``). A frame that contradicts the fix is not emitted and puts the fix in
  *doubt*: its global decode joins the candidates, and until a global decode agrees
  with the fix again no local-only position is emitted. Candidates that confirm each
  other replace the fix (a wrong fix recovered); ``MAX_DOUBT`` contradictions in a
  row drop it (back to global decoding); one agreeing pair clears the doubt (the
  contradiction was a bad frame).
* **A fix ages.** A local decode is unambiguous only while the aircraft cannot have
  moved half a zone, so a fix anchors local decodes only while its speed-bounded
  reach stays under ``LOCAL_REACH_M`` (readsb limits aircraft-relative decodes to
  100 NM); beyond that it is dropped and a global pair is needed again.
* **Speed bound** (readsb ``speed_check``): the known ground speed (TC 19 velocity,
  or the surface movement field) x 1.3 + 50 kt, else 900 kt airborne / 175 kt
  surface (the largest surface movement code); distance allowed is
  ``SLACK_M + (|dt| + TIME_PAD_S) x bound``.
* **Receiver.** Only a receiver that was given is used: as the reference of surface
  pairs (which leave only the 90-degree quadrant open: the result must lie within the
  receiver's range) and of single surface frames (within 45 NM, §A.1.7.6), for single
  airborne frames only when the stated range is under 180 NM (readsb: a range of
  ``r`` leaves ``360 - r`` NM unambiguous, none at its 450 NM default), and for the
  range check (``max_range_m``, 450 NM by default as readsb's ``--max-range``).

pyModeS supplies the CPR arithmetic; this module owns the state and the trust.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pyModeS.position import (
    airborne_position_pair,
    airborne_position_with_ref,
    surface_position_pair,
    surface_position_with_ref,
)

from skywarden.geo import KT_TO_MS, M_PER_NM
from skywarden.ingest.rejection import Reason, RejectedMessage

AIRBORNE_PAIR_MAX_S = 10.0  # DO-260B §A.1.7.3: an older pair may straddle a zone
SURFACE_PAIR_MAX_S = 25.0  # readsb: 25 s, 50 s when moving at 25 kt or less
SURFACE_SLOW_PAIR_MAX_S = 50.0
SURFACE_SLOW_KT = 25.0
DEFAULT_SPEED_KT = {False: 900.0, True: 175.0}  # unknown speed: airborne, surface
SPEED_FACTOR, SPEED_MARGIN_KT = 1.3, 50.0
SLACK_M = 500.0  # CPR quantisation, timing jitter of receive-time feeds, merged receivers
TIME_PAD_S = 1.0
AGREE_M = 100.0  # a local and a global decode of one frame are the same point
MAX_DOUBT = 6  # contradictions in a row (about 3 s of frames) before a fix is dropped
MAX_CANDIDATES = 4
LOCAL_REACH_M = {False: 90 * M_PER_NM, True: 22.5 * M_PER_NM}  # half the unambiguous range
SURFACE_REF_MAX_M = 45 * M_PER_NM  # DO-260B §A.1.7.6: one surface frame, half a zone
DEFAULT_MAX_RANGE_M = 450 * M_PER_NM  # readsb's --max-range default


@dataclass(slots=True)
class CprReport:
    """One frame's CPR fields: format (0 even, 1 odd), 17-bit lat/lon, UTC time."""

    fmt: int
    lat: int
    lon: int
    t: float
    seq: int = 0  # set by the resolver: which frame this is, for independence checks


@dataclass(slots=True)
class Fix:
    """A decoded position; ``global_`` when it came from a pair, not a reference."""

    lat: float
    lon: float
    t: float
    global_: bool = True
    frames: tuple[int, ...] = ()  # the ``seq`` of the frames it was decoded from
    pair: tuple[CprReport, CprReport] | None = None  # a global decode's (older, newer)
    whole: bool = True  # a pair whose older frame lies where the aircraft can have been


@dataclass(slots=True)
class CprState:
    """The CPR state of one aircraft: frames per kind, the confirmed fix, candidates."""

    airborne: list[CprReport | None] = field(default_factory=lambda: [None, None])
    surface: list[CprReport | None] = field(default_factory=lambda: [None, None])
    fix: Fix | None = None  # confirmed: the only reference for local decoding
    candidates: list[Fix] = field(default_factory=list)  # never a reference, never emitted
    doubt: int = 0  # frames in a row that contradicted the fix
    dropped: int = 0  # fixes dropped or replaced because frames contradicted them


EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres on the mean-radius sphere.

    Within 0.5% of the WGS84 geodesic (:func:`skywarden.geo.distance_m`), which is
    ample for thresholds of hundreds of metres and for the range check, and several
    times cheaper than pyproj's scalar call on this once-per-frame path.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def speed_bound_ms(surface: bool, speed_kt: float | None) -> float:
    """Fastest plausible ground speed (m/s) given the last known one, after readsb."""
    if speed_kt is None:
        return DEFAULT_SPEED_KT[surface] * KT_TO_MS
    return (speed_kt * SPEED_FACTOR + SPEED_MARGIN_KT) * KT_TO_MS


def reach_m(dt: float, bound_ms: float) -> float:
    """How far the aircraft can be from a fix ``dt`` seconds old (either direction)."""
    return SLACK_M + (abs(dt) + TIME_PAD_S) * bound_ms


@dataclass
class CprResolver:
    """Turns one aircraft's CPR frames into trusted positions (see module docstring).

    ``receiver`` (lat, lon) is the receiver's position when it was given;
    ``max_range_m`` (None: no check) is how far from it a position may lie.
    """

    receiver: tuple[float, float] | None = None
    max_range_m: float | None = DEFAULT_MAX_RANGE_M

    def __post_init__(self) -> None:
        self._seq = 0
        # A surface pair leaves only the 90-degree quadrant to the reference, so any
        # reference within the receiver's range picks it right (readsb allows 450 km).
        self._surface_pair_max_m = max(self.max_range_m or DEFAULT_MAX_RANGE_M, SURFACE_REF_MAX_M)

    def resolve(
        self, st: CprState, surface: bool, rep: CprReport, speed_kt: float | None
    ) -> tuple[float, float, str] | str:
        """The position of frame ``rep`` and how it was found, or why there is none.

        Returns (lat, lon, how) with how one of ``global``, ``local``, ``confirmed``,
        ``recovered``; or a reason: ``cpr_pending`` (nothing to decode against yet),
        ``cpr_unconfirmed`` (a candidate waits for confirmation), ``cpr_doubt`` (the
        frame contradicts the fix, or the fix is in doubt), ``surface_no_reference``.
        Raises ``RejectedMessage`` for a position beyond the receiver's range.
        """
        self._seq += 1
        rep.seq = self._seq
        slots = st.surface if surface else st.airborne
        other = slots[1 - rep.fmt]
        slots[rep.fmt] = rep
        bound = speed_bound_ms(surface, speed_kt)
        reach_max = LOCAL_REACH_M[surface]
        fix = st.fix
        if fix is not None and reach_m(rep.t - fix.t, bound) > reach_max:
            st.fix = fix = None  # too old to anchor a local decode unambiguously
            st.doubt = 0
        glob = self._global(rep, other, surface, speed_kt, fix, bound)
        if fix is not None:
            return self._against_fix(st, surface, rep, glob, fix, bound)
        if glob is None:
            glob = self._single_against_receiver(surface, rep)
            if glob is None:
                return "surface_no_reference" if surface else "cpr_pending"
        self._check_range((glob.lat, glob.lon))
        if self._confirms(st, glob, bound, reach_max):
            st.fix, st.candidates = glob, []
            return glob.lat, glob.lon, "confirmed"
        self._add_candidate(st, glob, bound, reach_max)
        return "cpr_unconfirmed"

    def _against_fix(
        self,
        st: CprState,
        surface: bool,
        rep: CprReport,
        glob: Fix | None,
        fix: Fix,
        bound: float,
    ) -> tuple[float, float, str] | str:
        if glob is not None and not glob.whole:
            glob = None  # its frames disagree: no evidence for or against the fix
        lat, lon = _with_ref(surface, rep, fix.lat, fix.lon)
        reachable = distance_m(fix.lat, fix.lon, lat, lon) <= reach_m(rep.t - fix.t, bound)
        if reachable and glob is not None and distance_m(glob.lat, glob.lon, lat, lon) <= AGREE_M:
            self._check_range((glob.lat, glob.lon))
            st.fix, st.candidates, st.doubt = glob, [], 0
            return glob.lat, glob.lon, "global"
        if reachable and glob is None and st.doubt == 0:
            self._check_range((lat, lon))
            st.fix = Fix(lat, lon, rep.t, False, (rep.seq,))
            return lat, lon, "local"
        # The frame contradicts the fix, or the fix is in doubt: emit nothing.
        st.doubt += 1
        if glob is not None:
            reach_max = LOCAL_REACH_M[surface]
            if self._confirms(st, glob, bound, reach_max):
                self._check_range((glob.lat, glob.lon))
                st.fix, st.candidates, st.doubt = glob, [], 0
                st.dropped += 1
                return glob.lat, glob.lon, "recovered"
            self._add_candidate(st, glob, bound, reach_max)
        if st.doubt >= MAX_DOUBT:
            st.fix, st.doubt = None, 0
            st.dropped += 1
        return "cpr_doubt"

    @staticmethod
    def _confirms(st: CprState, new: Fix, bound: float, reach_max: float) -> bool:
        """Does an independent earlier candidate lie within reach of ``new``?"""
        for c in st.candidates:
            if not _independent(c, new):
                continue
            reach = reach_m(new.t - c.t, bound)
            if reach <= reach_max and distance_m(c.lat, c.lon, new.lat, new.lon) <= reach:
                return True
        return False

    @staticmethod
    def _add_candidate(st: CprState, new: Fix, bound: float, reach_max: float) -> None:
        """Keep ``new`` with the candidates still recent enough to confirm a later decode."""
        keep = [c for c in st.candidates if reach_m(new.t - c.t, bound) <= reach_max]
        st.candidates = [*keep[-(MAX_CANDIDATES - 1) :], new]

    def _global(
        self,
        rep: CprReport,
        other: CprReport | None,
        surface: bool,
        speed_kt: float | None,
        fix: Fix | None,
        bound: float,
    ) -> Fix | None:
        """Decode the even/odd pair ending with ``rep``, when the pair is fresh enough."""
        if other is None:
            return None
        if surface:
            slow = speed_kt is not None and speed_kt <= SURFACE_SLOW_KT
            max_age = SURFACE_SLOW_PAIR_MAX_S if slow else SURFACE_PAIR_MAX_S
        else:
            max_age = AIRBORNE_PAIR_MAX_S
        if abs(rep.t - other.t) > max_age:
            return None
        even, odd = (rep, other) if rep.fmt == 0 else (other, rep)
        if not surface:
            got = airborne_position_pair(
                even.lat, even.lon, odd.lat, odd.lon, even_is_newer=rep.fmt == 0
            )
            return None if got is None else _pair_fix(surface, other, rep, got, bound)
        ref = (fix.lat, fix.lon) if fix is not None else self.receiver
        if ref is None:
            return None
        pos = surface_position_pair(
            even.lat,
            even.lon,
            odd.lat,
            odd.lon,
            lat_ref=ref[0],
            lon_ref=ref[1],
            even_is_newer=rep.fmt == 0,
        )
        if pos is None or distance_m(ref[0], ref[1], pos[0], pos[1]) > self._surface_pair_max_m:
            return None  # no receiver hears a surface report that far: a bad pair
        return _pair_fix(surface, other, rep, pos, bound)

    def _single_against_receiver(self, surface: bool, rep: CprReport) -> Fix | None:
        """One frame read against the receiver, where its range makes that unambiguous."""
        if self.receiver is None:
            return None
        rlat, rlon = self.receiver
        if surface:
            limit = SURFACE_REF_MAX_M
        elif self.max_range_m is not None and self.max_range_m < 180 * M_PER_NM:
            limit = self.max_range_m  # readsb doLocalCPR: within range, within half a zone
        else:
            return None
        lat, lon = _with_ref(surface, rep, rlat, rlon)
        if distance_m(rlat, rlon, lat, lon) > limit:
            return None
        return Fix(lat, lon, rep.t, False, (rep.seq,))

    def _check_range(self, pos: tuple[float, float]) -> None:
        if self.receiver is None or self.max_range_m is None:
            return
        rng = float(distance_m(self.receiver[0], self.receiver[1], pos[0], pos[1]))
        if rng > self.max_range_m:
            raise RejectedMessage(
                Reason.IMPOSSIBLE_VALUE,
                f"{rng / M_PER_NM:.0f} NM from the receiver, beyond its "
                f"{self.max_range_m / M_PER_NM:.0f} NM range (wrong --receiver?)",
                "position",
            )


def _with_ref(surface: bool, rep: CprReport, lat: float, lon: float) -> tuple[float, float]:
    decode = surface_position_with_ref if surface else airborne_position_with_ref
    return decode(rep.fmt, rep.lat, rep.lon, lat, lon)


def _pair_fix(
    surface: bool, older: CprReport, newer: CprReport, pos: tuple[float, float], bound: float
) -> Fix:
    """The Fix of a decoded pair, ``whole`` when its older frame agrees with it.

    A pair decode places the aircraft with the newer frame's fraction in a zone counted
    from both frames, and nothing else of the older frame: a corrupt older frame still
    gives a position (a wrong zone) whenever the NL zones agree. Read locally against
    the result, the older frame must lie within reach of it (readsb's speed check,
    between the two frames of the pair); a random one does so about once in 30 tries
    near the equator, and far less often where longitude zones are wide.
    """
    lat, lon = _with_ref(surface, older, pos[0], pos[1])
    whole = distance_m(pos[0], pos[1], lat, lon) <= reach_m(newer.t - older.t, bound)
    return Fix(pos[0], pos[1], newer.t, True, (older.seq, newer.seq), (older, newer), whole)


def _independent(a: Fix, b: Fix) -> bool:
    """Can decodes ``a`` and ``b`` confirm each other, whatever their positions?

    Not when both are single frames, nor when they share a frame (two pairs sharing one
    corrupt frame can agree on one wrong place), nor when either is a pair that is not
    whole: two such pairs whose newer frames are true and of one parity land on one
    lattice of zones, and agree whenever their corrupt older frames give the same zone
    number (1 in 60 x NL; NL is 1 near the poles). The exception is the same report
    received twice (identical fields of both frames, at other times): random corruption
    never repeats itself, so that is two receptions of what the transponder said.
    """
    if not (a.global_ or b.global_) or set(a.frames) & set(b.frames):
        return False
    if a.whole and b.whole:
        return True
    return a.pair is not None and b.pair is not None and _same_report(a.pair, b.pair)


def _same_report(p: tuple[CprReport, CprReport], q: tuple[CprReport, CprReport]) -> bool:
    """The same two reports received again, later (not a merged feed's copy of them)."""
    return all(
        (x.fmt, x.lat, x.lon) == (y.fmt, y.lat, y.lon) and x.t != y.t
        for x, y in zip(p, q, strict=True)
    )
