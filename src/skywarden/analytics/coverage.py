"""The coverage model: placeholder until the model lands (returns None)."""

from __future__ import annotations

from collections.abc import Sequence

from skywarden.analytics.material import Material
from skywarden.analytics.records import Coverage, Incursion


def coverage_estimate(mat: Material, incursions: Sequence[Incursion]) -> Coverage | None:  # noqa: ARG001
    return None
