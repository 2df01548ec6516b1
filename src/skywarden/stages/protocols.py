"""The stage seams: what a tracker, an analyzer and a hold-fire interlock look like to the loop.

Typed in and out (``Detection`` -> ``TrackUpdate`` -> ``Analysis`` -> ``HoldFireDecision``),
structural (``typing.Protocol``) so the stage packages need not import this one:
``tracking.Tracker``, ``airspace.Analyzer`` and ``laser.HoldFire`` satisfy them as they
are, and so does any stand-in a test or a later sector worker brings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from skywarden.model import Detection, Incident, TrackUpdate
from skywarden.stages.records import Analysis


class TrackingStage(Protocol):
    """Detections of one scan in, the tracks' updates at ``t`` out."""

    def step(self, t: float, detections: list[Detection]) -> list[TrackUpdate]: ...


@runtime_checkable
class FinishingTracker(Protocol):
    """A tracker that flushes its last ``ended`` updates when the input ends."""

    def finish(self) -> list[TrackUpdate]: ...


class AnalysisStage(Protocol):
    """Track updates of one scan in, the events, incidents and recommendations out."""

    def step(self, t: float, updates: Sequence[TrackUpdate]) -> Analysis: ...


@runtime_checkable
class FinishingAnalyzer(Protocol):
    """An analyzer that lifts its measures and lets incidents resolve at the end of input."""

    def finish(self, t: float) -> Analysis: ...


@runtime_checkable
class OperatedAnalyzer(Protocol):
    """An analyzer that hears the operators: acknowledge, resolve, notes and sharing."""

    def acknowledge(self, incident: str, t: float, who: str) -> Incident: ...

    def resolve(self, incident: str, t: float, who: str) -> Incident: ...

    def annotate(self, incident: str, t: float, who: str, what: str) -> Incident: ...


class HoldFireAnswer(Protocol):
    """What ``HoldFire.decide`` returns (``laser.holdfire.Decision``)."""

    @property
    def state(self) -> str: ...

    @property
    def reasons(self) -> list[str]: ...

    @property
    def tracks(self) -> list[str]: ...


class HoldFireStage(Protocol):
    """Track updates of one scan in, HOLD or CLEAR with reasons out."""

    def decide(self, t: float, updates: Sequence[TrackUpdate]) -> HoldFireAnswer: ...
