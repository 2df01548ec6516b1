"""The plain local-frame interface: anyone's x/y detections in, x/y/vx/vy tracks out.

Input lines: ``{"t": s, "sensor": id, "x": m, "y": m}`` with optional ``"z"`` (m) and
``"sigma"`` (m, one standard deviation per axis; default ``--sigma``). Every distinct
``t`` is one scan. Output lines: ``{"t", "track", "x", "y", "vx", "vy"}`` (exactly: a
contract) for every confirmed track at every scan time of the input, and for a coasting one while
its existence probability stays at or above ``report_min_p_exist``.

Without any ``"z"`` the tracker runs in 2-D; with some, in 3-D (a missing ``z`` is 0).
Times are plain seconds here: any origin, no epoch check.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skywarden.model import SensorKind
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.core import ScanGroup, TrackerCore
from skywarden.tracking.io import InputLineError, read_jsonl
from skywarden.tracking.tracker import track_name


@dataclass
class EnuDetection:
    """One plain detection (already validated)."""

    t: float
    sensor: str
    x: float
    y: float
    z: float | None
    sigma: float | None


def _number(
    path: Path | str, n: int, obj: dict[str, Any], key: str, required: bool
) -> float | None:
    if key not in obj or obj[key] is None:
        if required:
            raise InputLineError(path, n, f"missing {key!r}")
        return None
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InputLineError(path, n, f"{key!r} must be a finite number, got {v!r}")
    return float(v)


def parse_enu_line(path: Path | str, n: int, obj: dict[str, Any]) -> EnuDetection:
    """Validate one input object; errors name the file, the line and the field."""
    t = _number(path, n, obj, "t", True)
    x = _number(path, n, obj, "x", True)
    y = _number(path, n, obj, "y", True)
    z = _number(path, n, obj, "z", False)
    sigma = _number(path, n, obj, "sigma", False)
    sensor = obj.get("sensor")
    if not isinstance(sensor, str | int) or sensor == "":
        raise InputLineError(path, n, f"'sensor' must be a non-empty id, got {sensor!r}")
    if sigma is not None and sigma <= 0:
        raise InputLineError(path, n, f"'sigma' must be positive, got {sigma}")
    assert t is not None and x is not None and y is not None
    return EnuDetection(t, str(sensor), x, y, z, sigma)


def read_enu(path: Path | str) -> list[EnuDetection]:
    """Every detection of a plain ENU file, validated."""
    return [parse_enu_line(path, n, obj) for n, obj in read_jsonl(path)]


def enu_scans(
    dets: Iterable[EnuDetection], sigma_m: float, dims: int
) -> list[tuple[float, list[ScanGroup]]]:
    """Scans in time order: one per distinct ``t``, one group per sensor."""
    by_t: dict[float, dict[str, list[EnuDetection]]] = defaultdict(lambda: defaultdict(list))
    for d in dets:
        by_t[d.t][d.sensor].append(d)
    scans = []
    for t in sorted(by_t):
        groups = []
        for sensor, ds in by_t[t].items():
            z = np.array([[d.x, d.y, d.z or 0.0][:dims] for d in ds])
            s = np.array([d.sigma if d.sigma is not None else sigma_m for d in ds])
            r = np.eye(dims)[None, :, :] * (s**2)[:, None, None]
            groups.append(ScanGroup(t, sensor, SensorKind.RADAR, z=z, R=r))
        scans.append((t, groups))
    return scans


def run_enu(
    scans: list[tuple[float, list[ScanGroup]]], config: TrackerConfig, dims: int
) -> Iterator[dict[str, Any]]:
    """Track the scans; yield one output object per confirmed track per scan time."""
    core = TrackerCore(config, dims=dims, classify=False)  # the output has no classes
    for t, groups in scans:
        live = core.step(t, groups).live
        if not live:
            continue
        x = live["x"]
        for i in range(x.shape[0]):
            yield {
                "t": t,
                "track": track_name(int(live["id"][i])),
                "x": float(x[i, 0]),
                "y": float(x[i, 1]),
                "vx": float(x[i, dims]),
                "vy": float(x[i, dims + 1]),
            }
