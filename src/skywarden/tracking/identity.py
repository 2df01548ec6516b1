"""Cooperative identities: Remote ID serials and ICAO addresses held by tracks.

A detection that carries an identity already held by a live track goes to that track
before any gating (identity first); a detection whose identity contradicts a track's
(another ICAO address, another Remote ID serial) never gates with it. The book is the
only per-identity Python state of the tracker (a dict keyed by identity); it touches
cooperative reports only, never the bulk of radar plots.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from skywarden.tracking.records import ScanGroup, TrackMeta
from skywarden.tracking.table import TrackTable

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


class IdentityBook:
    """Which live track holds which identity, and each track's identities and callsign."""

    def __init__(self) -> None:
        self.key_to_id: dict[str, int] = {}
        self.meta: dict[int, TrackMeta] = {}

    def first(self, g: ScanGroup, table: TrackTable) -> tuple[list[int], list[int]]:
        """``(rows, dets)``: detections of ``g`` whose identity a live track holds."""
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
                if r not in taken:
                    taken.add(r)
                    rows.append(r)
                    dets.append(j)
                break
        return rows, dets

    @staticmethod
    def conflict(
        g: ScanGroup, a: dict[str, npt.NDArray], rows: IntArray, dets: IntArray
    ) -> BoolArray:
        """Pairs where the detection's identity contradicts the track's identity."""
        bad = np.zeros(rows.shape[0], dtype=bool)
        if g.identity_keys is None or rows.shape[0] == 0:
            return bad
        det_icao = np.array([any(k.startswith("icao:") for k in ks) for ks in g.identity_keys])
        det_rid = np.array([any(k.startswith("rid:") for k in ks) for ks in g.identity_keys])
        bad |= det_icao[dets] & (a["c_adsb"][rows] > 0)
        bad |= det_rid[dets] & (a["c_rid"][rows] > 0)
        return bad

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
            self.key_to_id[k] = tid
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
