"""The live CoT feed's state: bus messages in, CoT events out (no sockets here).

It keeps what a track's event needs beyond the track point: the time of the track's
previous update (for ``stale``), the open incident each track belongs to, and the
latest recommendation of each incident. For the partner audience, every message is
redacted first by ``skywarden.service.redact`` (the same code as the API and the
WebSocket feed): only tracks of shared incidents, positions rounded to about 1 km, no
identities, no sensors; incidents and recommendations through the same allow-lists.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from skywarden.protocols import cot
from skywarden.service import redact


class CotFeed:
    """Turns the pipeline's bus messages into CoT events for one audience."""

    def __init__(self, *, partner: bool = False, include_birds: bool = False) -> None:
        self.partner = partner
        self.include_birds = include_birds
        self.last_t: dict[str, float] = {}
        self.incidents: dict[str, dict[str, Any]] = {}
        self.recommendations: dict[str, dict[str, Any]] = {}  # latest per incident

    def seed(self, incidents: list[dict[str, Any]], recs: list[dict[str, Any]]) -> None:
        """Start from the service's live picture (incidents open before we started)."""
        for i in incidents:
            self.incidents[str(i["id"])] = i
        for r in sorted(recs, key=lambda r: r.get("t_issued") or 0.0):
            if r.get("incident"):
                self.recommendations[str(r["incident"])] = r

    def incident_of(self, track: str) -> dict[str, Any] | None:
        """The most severe unresolved incident the track belongs to."""
        live = [
            i
            for i in self.incidents.values()
            if track in (i.get("tracks") or ()) and i.get("state") != "resolved"
        ]
        return max(live, key=lambda i: (i.get("severity") or 0, i["id"])) if live else None

    def _shared(self) -> set[str]:
        return redact.shared_tracks(self.incidents.values())

    def on_message(self, topic: str, data: Mapping[str, Any]) -> list[ET.Element]:
        """The events to send for one bus message (possibly none)."""
        if topic == "tracks":
            return self._tracks(data.get("tracks") or [])
        if topic == "incidents":
            return self._incidents(data.get("incidents") or [])
        if topic == "recommendations":
            for r in data.get("recommendations") or []:
                if r.get("incident"):
                    self.recommendations[str(r["incident"])] = r
        return []

    def _tracks(self, tracks: list[dict[str, Any]]) -> list[ET.Element]:
        out = []
        visible = self._shared() if self.partner else None
        for tr in tracks:
            tid = str(tr["track"])
            prev = self.last_t.get(tid)
            t = float(tr["t"])
            if tr.get("status") == "ended":
                self.last_t.pop(tid, None)
            else:
                self.last_t[tid] = t
            if visible is not None and tid not in visible:
                continue
            inc = self.incident_of(tid)
            rec = self.recommendations.get(str(inc["id"])) if inc else None
            if self.partner:
                tr = redact.track(tr)
                inc = redact.incident(inc) if inc else None
                rec = redact.recommendation(rec) if rec else None
            ev = cot.track_event(
                tr,
                incident=inc,
                recommendation=rec,
                interval_s=None if prev is None else t - prev,
                include_birds=self.include_birds,
            )
            if ev is not None:
                out.append(ev)
        return out

    def _incidents(self, incidents: list[dict[str, Any]]) -> list[ET.Element]:
        out = []
        for inc in incidents:
            iid = str(inc["id"])
            before = self.incidents.get(iid)
            self.incidents[iid] = inc
            if self.partner and not inc.get("shared"):
                if before is not None and before.get("shared"):
                    # withdrawn from the partner: remove its marker (stale now)
                    gone = dict(redact.incident(before), state="resolved")
                    ev = cot.incident_event(gone)
                    if ev is not None:
                        out.append(ev)
                continue
            rec = self.recommendations.get(iid)
            if self.partner:
                inc = redact.incident(inc)
                rec = redact.recommendation(rec) if rec else None
            ev = cot.incident_event(inc, rec)
            if ev is not None:
                out.append(ev)
        return out
