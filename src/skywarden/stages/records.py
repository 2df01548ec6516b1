"""The records that travel between the stages of one scan: what goes in, what comes out.

A scan is the unit of work of :class:`~skywarden.pipeline.runner.Runner`: a source yields
:class:`Scan` records; the stages turn one into a :class:`StepResult` (the track updates,
the :class:`Analysis` and the :class:`HoldFireDecision`); the runner's hooks store,
publish or write that result. This package sits in the bottom layer with ``model.py``
(it imports nothing else of skywarden), so every stage package and command can drive
the loop. These are dataclasses like the rest of ``model.py``: they stay inside one
process (the wire forms are the ``to_dict`` methods).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from skywarden.model import Detection, Event, Incident, Recommendation, TrackUpdate
from skywarden.rejection import Rejection


class Analysis(Protocol):
    """The analyzer's output for one scan (``airspace.AnalysisStep`` is one): new events,
    new or changed incidents, new recommendation versions."""

    events: list[Event]
    incidents: list[Incident]
    recommendations: list[Recommendation]


@dataclass
class NoAnalysis:
    """The analysis of a pipeline without an analyzer (or of a failed scan): nothing."""

    events: list[Event] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)


# A rejected message as a source reports it: the one quarantine record. Live ingest, the
# durable scan store and the quarantine all carry it (store.scans, store.quarantine).
Rejected = Rejection


class HoldState(StrEnum):
    """The laser interlock's two answers; anything else is treated as HOLD (fail closed)."""

    HOLD = "HOLD"
    CLEAR = "CLEAR"


@dataclass
class Scan:
    """What a source yields per tick: detections to track, or already-formed track
    updates (a recorded ``tracks.jsonl``), plus anything it rejected on the way."""

    t: float
    detections: list[Detection] = field(default_factory=list)
    updates: list[TrackUpdate] | None = None
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class HoldFireDecision:
    """The hold-fire record the store, the bus and ``/api/laser/status`` use.

    ``t`` is None only for a fail-safe HOLD announced before any scan was seen.
    """

    t: float | None
    plan: str
    state: HoldState
    reasons: list[str]
    tracks: list[str]
    hazard: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The wire form (the ``laser`` topic's payload), unchanged since it was a dict."""
        return {
            "t": self.t,
            "plan": self.plan,
            "state": str(self.state),
            "reasons": list(self.reasons),
            "tracks": list(self.tracks),
            "hazard": self.hazard,
        }


@dataclass
class StepResult:
    """One scan through the stages. ``final`` marks the end-of-input flush (the tracker's
    last ``ended`` updates and the analyzer's ``finish``), which some outputs leave out."""

    t: float
    detections: list[Detection]
    updates: list[TrackUpdate]
    analysis: Analysis
    decision: HoldFireDecision | None
    rejected: list[Rejected]
    final: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # stage name -> wall seconds

    @property
    def events(self) -> list[Event]:
        return self.analysis.events

    @property
    def incidents(self) -> list[Incident]:
        return self.analysis.incidents

    @property
    def recommendations(self) -> list[Recommendation]:
        return self.analysis.recommendations
