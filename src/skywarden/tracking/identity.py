"""Cooperative identities: Remote ID serials and ICAO addresses held by tracks.

A detection that carries an identity already held by a live track goes to that track
before any other association (identity first), provided it lies within
``IDENTITY_GATE_FACTOR`` times the track's gate: an identity is a claim (a Remote ID
broadcast is unauthenticated), so it may win a close call but never pull a track
across the sky. A detection whose identity contradicts a track's (another ICAO
address, another Remote ID serial) never gates with it. The first live track to hold
an identity keeps it: a second track that takes a detection with the same serial (two
drones broadcasting one serial: a stolen one) lists it too but steals nothing, so the
identity check (:mod:`.identity_check`) sees the serial at two places. The book is the
only per-identity Python state of the tracker (a dict keyed by identity); it touches
cooperative reports only, never the bulk of radar plots.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from skywarden.tracking.gating import mahalanobis2
from skywarden.tracking.records import ScanGroup, TrackMeta
from skywarden.tracking.table import TrackTable

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Identity first reaches this many times the position gate's chi-square (twice its
#: distance): a claimed identity may decide a close call, never a far one. A spoofed
#: position hundreds of metres off, against gates of tens of metres, is far.
IDENTITY_GATE_FACTOR = 4.0


class IdentityBook:
    """Which live track holds which identity, and each track's identities and callsign."""

    def __init__(self) -> None:
        self.key_to_id: dict[str, int] = {}
        self.meta: dict[int, TrackMeta] = {}

    def first(
        self, g: ScanGroup, table: TrackTable, chi2: float = np.inf
    ) -> tuple[list[int], list[int]]:
        """``(rows, dets)``: detections of ``g`` whose identity a live track holds, each
        within ``IDENTITY_GATE_FACTOR * chi2`` of that track (``chi2``: the position
        gate's threshold; the default, infinite, is identity first without a gate)."""
        rows: list[int] = []
        dets: list[int] = []
        if g.identity_keys is None:
            return rows, dets
        taken: set[int] = set()
        for j, keys in enumerate(g.identity_keys):
            for k in keys:
                tid = self.key_to_id.get(k)
                if tid is None:
                    continue
                r = table.row_of(tid)
                if r < 0:
                    del self.key_to_id[k]
                    continue
                if r not in taken and self._within(g, table, r, j, chi2):
                    taken.add(r)
                    rows.append(r)
                    dets.append(j)
                break
        return rows, dets

    @staticmethod
    def _within(g: ScanGroup, table: TrackTable, r: int, j: int, chi2: float) -> bool:
        if not np.isfinite(chi2) or g.z is None or g.R is None:
            return True
        d = g.z.shape[1]
        a = table.a
        nu = g.z[j : j + 1] - a["x"][r : r + 1, :d]
        s = a["P"][r : r + 1, :d, :d] + g.R[j : j + 1]
        return bool(mahalanobis2(nu, s)[0] <= IDENTITY_GATE_FACTOR * chi2)

    def conflict(
        self, g: ScanGroup, a: dict[str, npt.NDArray], rows: IntArray, dets: IntArray
    ) -> BoolArray:
        """Pairs where the detection's identity contradicts the track's identity: an
        ICAO address against an ADS-B track, a Remote ID serial against a Remote ID
        track that does not list that serial."""
        bad = np.zeros(rows.shape[0], dtype=bool)
        if g.identity_keys is None or rows.shape[0] == 0:
            return bad
        det_icao = np.array([any(k.startswith("icao:") for k in ks) for ks in g.identity_keys])
        det_rid = np.array([any(k.startswith("rid:") for k in ks) for ks in g.identity_keys])
        bad |= det_icao[dets] & (a["c_adsb"][rows] > 0)
        rid = det_rid[dets] & (a["c_rid"][rows] > 0)
        for k in np.flatnonzero(rid).tolist():  # cooperative pairs only: a few per scan
            meta = self.meta.get(int(a["id"][rows[k]]))
            held = set(meta.identities) if meta is not None else set()
            mine = {key for key in g.identity_keys[int(dets[k])] if key.startswith("rid:")}
            rid[k] = not (mine & held)
        return bad | rid

    def give(self, tid: int, g: ScanGroup, j: int) -> None:
        """Track ``tid`` took detection ``j`` of ``g``: it now holds its identities."""
        assert g.identity_keys is not None
        keys = g.identity_keys[j]
        callsign = g.callsigns[j] if g.callsigns else None
        if not keys and not callsign:
            return
        meta = self.meta.setdefault(tid, TrackMeta())
        for k in keys:
            if k not in meta.identities:
                meta.identities.append(k)
            self.key_to_id.setdefault(k, tid)  # the first live holder keeps it
        if callsign:
            meta.callsign = callsign

    def release(self, ended_ids: list[int]) -> dict[int, TrackMeta]:
        """Forget ended tracks' identities; returns their metadata for the last report."""
        out: dict[int, TrackMeta] = {}
        if not self.meta:  # no cooperative track: nothing to release (radar-only scenes)
            return out
        for tid in ended_ids:
            meta = self.meta.pop(tid, None)
            if meta:
                out[tid] = meta
                for k in meta.identities:
                    if self.key_to_id.get(k) == tid:
                        del self.key_to_id[k]
        return out
