"""``Tracker``: the record-level face of the tracker (docs/interfaces.md).

``Tracker(frame, config).step(t, detections)`` takes ``Detection`` records, runs one
scan through the array core, and returns a ``TrackUpdate`` per confirmed or coasting
track at ``t``, plus one final ``ENDED`` update for a confirmed track the scan deleted
(so a consumer learns that a track is gone, not only that it went quiet).
``finish()`` ends the remaining tracks. Detections later than ``t`` wait for the scan
they belong to; times must not go backwards between steps. Every Remote ID claim is
checked against the sensors (:mod:`.identity_check`): the updates of a track whose
claims are contradicted say so in their evidence (``false_remote_id: ...``) and no
longer count Remote ID as corroboration.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from skywarden.geo import LocalFrame
from skywarden.model import EVIDENCE_KINDS, Detection, TrackStatus, TrackUpdate
from skywarden.tracking.classify import CLASSES
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.core import TrackerCore
from skywarden.tracking.identity_check import IdentityCheck
from skywarden.tracking.records import COASTING, CONFIRMED, ScanError, StepResult, TrackMeta
from skywarden.tracking.scan import scan_groups

_STATUS = {CONFIRMED: TrackStatus.CONFIRMED, COASTING: TrackStatus.COASTING}


def track_name(track_id: int, prefix: str = "") -> str:
    """The stable string id of a track: ``T000123``, or ``T3-000123`` with a store's run
    prefix ``3-`` (skywarden.store.ids: ids unique in a store forever)."""
    return f"T{prefix}{track_id:06d}"


class Tracker:
    """Multi-sensor tracker over a sector's local frame."""

    def __init__(
        self,
        frame: LocalFrame,
        config: TrackerConfig | None = None,
        *,
        id_prefix: str = "",
        core: TrackerCore | None = None,
    ) -> None:
        """``core``: share another's array core (the month's lanes, :mod:`.lanes`: each
        lane a ``Tracker`` face of its own over one core); else a core of its own."""
        self.frame = frame
        self.id_prefix = id_prefix
        self.config = config or TrackerConfig()
        self.core = core if core is not None else TrackerCore(self.config, dims=3)
        self.identity_check = IdentityCheck(frame)
        self._pending: list[Detection] = []
        self._t_last: float | None = None
        self._names: dict[tuple[int, int], tuple[str, ...]] = {}

    def step(self, t: float, detections: Iterable[Detection]) -> list[TrackUpdate]:
        """One scan: every detection with time <= ``t`` not yet seen."""
        now = self.take(t, detections)
        res = self.core.step(t, scan_groups(self.frame, self.config, now))
        return self.report(t, res, now, self.core.meta)

    def take(self, t: float, detections: Iterable[Detection]) -> list[Detection]:
        """The detections of the scan at ``t`` (times <= ``t``); later ones wait."""
        if self._t_last is not None and t < self._t_last:
            raise ScanError(f"Tracker.step: time went backwards ({t} < {self._t_last})")
        self._t_last = t
        batch = self._pending + list(detections)
        self._pending = [d for d in batch if d.t > t]
        return [d for d in batch if d.t <= t]

    def report(
        self,
        t: float,
        res: StepResult,
        now: Sequence[Detection],
        meta: Mapping[int, TrackMeta],
    ) -> list[TrackUpdate]:
        """A step's rows as records at ``t``, identity-checked against the scan's
        detections ``now``; ``meta``: live tracks' identities."""
        out = self.records(t, res.live, meta)
        ended = ChainMap(res.ended_meta, dict(meta)) if res.ended_meta else meta
        out += self.records(t, res.ended, ended, ended=True)
        return self.identity_check.apply(now, out)

    def finish(self) -> list[TrackUpdate]:
        """End every remaining track: one ``ENDED`` update per confirmed track."""
        t = self.core.t if self.core.t is not None else 0.0
        meta = dict(self.core.meta)
        rows = self.core.finish()
        self.core.meta.clear()
        return self.report(t, StepResult({}, rows), [], meta)

    def _sensor_names(self, mask: int) -> tuple[str, ...]:
        """The sensors of a contributing-sensor bit mask. Cached per mask and number of
        known sensors (a mask's names change only when a sensor is added): a scan reports
        every live track, and most share a handful of masks."""
        index = self.core.sensor_index
        key = (mask, len(index))
        names = self._names.get(key)
        if names is None:
            names = tuple(name for name, i in index.items() if (mask >> (i % 63)) & 1)
            self._names[key] = names
        return names

    def records(
        self,
        t: float,
        rows: dict[str, npt.NDArray],
        metas: Mapping[int, TrackMeta],
        ended: bool = False,
        t_out: float | list[float] | None = None,
    ) -> list[TrackUpdate]:
        """The core's reported ``rows`` at core time ``t`` as records at ``t_out``
        (default ``t``; a list: each row's own, the month's lanes)."""
        if not rows or rows["id"].shape[0] == 0:
            return []
        times = t_out if isinstance(t_out, list) else None
        t_rec = t if t_out is None or isinstance(t_out, list) else t_out
        x = rows["x"]
        lat, lon, alt = self.frame.to_geodetic(x[:, 0], x[:, 1], x[:, 2])
        # ``velocity`` is East-North-Up at the track's own point, as lat/lon are its own
        vel = self.frame.vectors_from_frame(lat, lon, x[:, 3:6]).tolist()
        out = []
        clf = self.core.classifier
        assert clf is not None  # a geographic tracker always classifies
        corr = clf.corroboration(rows, t).tolist()
        beside = clf.rf_bias.beside(rows).tolist()
        astray = self._astray(rows) if clf.rf_bias.per_finder else None
        # Whole columns to Python floats once (``tolist``), not one ``float()`` per cell:
        # the same numbers, and a month builds some 30,000 of these records a sector-day.
        ids, status = rows["id"].tolist(), rows["status"].tolist()
        xs, covs, probs = x.tolist(), rows["P"].tolist(), rows["probs"].tolist()
        lats, lons, alts = lat.tolist(), lon.tolist(), alt.tolist()
        p_exist, masks = rows["p_exist"].tolist(), rows["sensors"].tolist()
        evidence = clf.evidence_rows(rows)
        for i, tid in enumerate(ids):
            meta = metas.get(tid) or TrackMeta()
            xi = xs[i]
            out.append(
                TrackUpdate(
                    t=t_rec if times is None else times[i],
                    track=track_name(tid, self.id_prefix),
                    status=TrackStatus.ENDED if ended else _STATUS[status[i]],
                    lat=lats[i],
                    lon=lons[i],
                    alt_m=min(max(alts[i], -500.0), 30_000.0),
                    velocity=(vel[i][0], vel[i][1], vel[i][2]),
                    state=tuple(xi),
                    cov=tuple(tuple(r) for r in covs[i]),
                    class_probs=dict(zip(CLASSES, probs[i], strict=True)),
                    identities=tuple(meta.identities),
                    sensors=self._sensor_names(masks[i]),
                    evidence=tuple(evidence[i]),
                    callsign=meta.callsign,
                    p_exist=p_exist[i],
                    corroboration=tuple(
                        k for k, on in zip(EVIDENCE_KINDS, corr[i], strict=True) if on
                    ),
                    rf_beside=beside[i],
                    rf_astray=() if astray is None else astray.get(i, ()),
                )
            )
        return out

    def _astray(self, rows: dict[str, npt.NDArray]) -> dict[int, tuple[str, ...]]:
        """The finders whose bearings go astray of each reported row
        (:meth:`.RfBias.astray`), by row; only rows with a verdict, names sorted."""
        clf = self.core.classifier
        assert clf is not None
        hit = clf.rf_bias.astray(rows)
        if not hit.any():
            return {}
        name = {i: s for s, i in self.core.bearings.finder_ids.items()}
        slot = rows["c_rf_fslot"]
        out: dict[int, tuple[str, ...]] = {}
        for r, j in zip(*np.nonzero(hit), strict=True):
            out.setdefault(int(r), ())
            out[int(r)] += (name[int(slot[r, j])],)
        return {r: tuple(sorted(v)) for r, v in out.items()}
