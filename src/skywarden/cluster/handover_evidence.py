"""Class evidence of one track of a :class:`~skywarden.tracking.tracker.Tracker`, read
for a hand-over offer and written into the neighbour's adopting track.

The classifier recomputes a track's class probabilities every scan from its evidence
columns (``tracking.classify``: ADS-B and Remote ID counts, RF credit, speed, hover
time, height, radar class reports...), so adopting only the probabilities would be
undone at the next scan: the evidence columns travel instead. In the overlap both
sectors see the same detections, so the owner's evidence includes what the
neighbour's young track has seen: the adopting track takes the owner's values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from skywarden.tracking.records import TrackMeta
from skywarden.tracking.tracker import Tracker, track_name


class TrackerEvidence:
    """:class:`~skywarden.cluster.handover.EvidenceLink` over a live tracker, or over a
    function giving the current one (a worker replaces its tracker when it loads a
    snapshot)."""

    def __init__(self, tracker: Tracker | Callable[[], Tracker]) -> None:
        self._get = tracker if callable(tracker) and not isinstance(tracker, Tracker) else None
        self._tracker = tracker if isinstance(tracker, Tracker) else None

    @property
    def tracker(self) -> Tracker:
        if self._get is not None:
            return self._get()
        assert self._tracker is not None
        return self._tracker

    def _row(self, local: str) -> int:
        prefix = track_name(0, self.tracker.id_prefix)[:-6]
        if not local.startswith(prefix) or not local[len(prefix) :].isdigit():
            return -1
        return self.tracker.core.table.row_of(int(local[len(prefix) :]))

    def _columns(self) -> list[str]:
        a = self.tracker.core.table.a
        return [k for k, v in a.items() if k.startswith("c_") and v.ndim == 1]

    def read(self, local: str) -> dict[str, float]:
        """The scalar evidence columns of ``local`` (empty if it is not live)."""
        i = self._row(local)
        if i < 0:
            return {}
        a = self.tracker.core.table.a
        return {k: float(a[k][i]) for k in self._columns()}

    def write(self, local: str, evidence: Mapping[str, float], identities: Sequence[str]) -> None:
        """Put the offered evidence and identities on ``local`` (unknown columns ignored;
        an identity another live track here holds stays with that track)."""
        i = self._row(local)
        if i < 0:
            return
        a = self.tracker.core.table.a
        for k in self._columns():
            if k in evidence:
                a[k][i] = np.float64(evidence[k])
        tid = int(a["id"][i])
        book = self.tracker.core.identities
        for key in identities:
            # The identity book too, not only the labels: with Remote ID evidence on
            # it, the track would otherwise refuse its own serial's next report.
            holder = book.key_to_id.get(key)
            if holder is not None and holder != tid and self.tracker.core.table.row_of(holder) >= 0:
                continue  # another live track here holds it: never steal
            book.key_to_id[key] = tid
            meta = book.meta.setdefault(tid, TrackMeta())
            if key not in meta.identities:
                meta.identities.append(key)
