"""Which side of the US-Mexico line a point lies on, as the analyzer's crossing detector
sees it.

The incursion rule asks where a drone was first seen (counting, step 5). It must answer
the way the crossings themselves were found, so it uses the airspace stage's own side
test (:class:`skywarden.airspace.border.BorderCrossingDetector`: the nearest border
segment, the outside of a turn at a vertex) on the shipped line, in a local frame
centred on the point, and the detector's hysteresis: nearer the line than that, the side
is tracker noise and the answer is 0.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from skywarden.airspace.border import BorderCrossingDetector
from skywarden.airspace.zones import border_enu
from skywarden.geo import LocalFrame

FloatArray = npt.NDArray[np.float64]

#: the crossing detector's hysteresis: a point nearer the line than this is on neither
#: side firmly (the analyzer confirms a crossing only beyond it)
FIRM_M = 40.0
#: how much of the line around the point is looked at; a point farther from the line
#: than this is "far" and its side is still found from the nearest segment in reach
REACH_M = 30_000.0


def firm_side(lat: float, lon: float, firm_m: float = FIRM_M) -> tuple[int, float | None]:
    """(+1 firmly north of the line, -1 firmly south, 0 within ``firm_m`` of it or no
    line within ``REACH_M``; the distance to the line in m, None when out of reach)."""
    d = float(north_of_line_m([lat], [lon])[0])
    if math.isnan(d):
        return 0, None
    return (0 if abs(d) <= firm_m else (1 if d > 0 else -1)), abs(d)


def north_of_line_m(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """How far north of the line each point lies (m; negative south of it), the way the
    crossing detector measures it, in one local frame centred on the first point: the
    points of one track near one crossing, a few km apart at most. NaN where no line lies
    within ``REACH_M`` of that point."""
    from skywarden import refdata

    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    if la.size == 0:
        return np.zeros(0)
    frame = LocalFrame(float(la[0]), float(lo[0]), 0.0)
    local = border_enu(frame, refdata.border_line(), REACH_M)
    if local.is_empty:
        return np.full(la.shape, np.nan)
    x, y, _ = frame.to_enu(la, lo, np.zeros(la.shape))
    return BorderCrossingDetector(local).signed_distance(x, y)
