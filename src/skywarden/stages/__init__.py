"""One stage loop for every way skywarden runs: records, stage seams, the runner.

``Scan`` -> ``StageChain`` (tracker -> analyzer -> hold-fire) -> ``StepResult`` ->
``Hooks`` (commit, publish), driven by ``Runner``. docs/architecture.md draws it.
"""

from skywarden.stages.chain import LaserSetting, StageChain
from skywarden.stages.protocols import (
    AnalysisStage,
    HoldFireAnswer,
    HoldFireStage,
    OperatedAnalyzer,
    TrackingStage,
)
from skywarden.stages.records import (
    Analysis,
    HoldFireDecision,
    HoldState,
    NoAnalysis,
    Rejected,
    Scan,
    StepResult,
)
from skywarden.stages.runner import Hooks, Pacer, ResumePoint, Runner, WallClock, fresh

__all__ = [
    "Analysis",
    "AnalysisStage",
    "HoldFireAnswer",
    "HoldFireDecision",
    "HoldFireStage",
    "HoldState",
    "Hooks",
    "LaserSetting",
    "NoAnalysis",
    "OperatedAnalyzer",
    "Pacer",
    "Rejected",
    "ResumePoint",
    "Runner",
    "Scan",
    "StageChain",
    "StepResult",
    "TrackingStage",
    "WallClock",
    "fresh",
]
