"""The service's pipeline: the one stage loop (``skywarden.stages``) with a store, a bus
and a laser interlock; see :mod:`skywarden.pipeline.service`."""

from skywarden.pipeline.commit import update_dict
from skywarden.pipeline.seed import SEEDED_PLANS, SEEDED_ZONES, seed_store
from skywarden.pipeline.service import (
    SNAPSHOT_EVERY,
    STALE_AFTER_S,
    Pipeline,
    Source,
    run_to_end,
)
from skywarden.stages import HoldFireDecision, HoldState, Scan, StepResult

HOLD = HoldState.HOLD
CLEAR = HoldState.CLEAR

__all__ = [
    "CLEAR",
    "HOLD",
    "SEEDED_PLANS",
    "SEEDED_ZONES",
    "SNAPSHOT_EVERY",
    "STALE_AFTER_S",
    "HoldFireDecision",
    "Pipeline",
    "Scan",
    "Source",
    "StepResult",
    "run_to_end",
    "seed_store",
    "update_dict",
]
