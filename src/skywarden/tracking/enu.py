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

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from skywarden.model import SensorKind
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.core import TrackerCore
from skywarden.tracking.io import InputLineError, read_jsonl
from skywarden.tracking.records import ScanGroup
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


@dataclass
class EnuColumns:
    """A whole plain ENU file as columns (NaN where ``z`` or ``sigma`` is absent)."""

    t: npt.NDArray[np.float64]
    sensor: list[str]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    z: npt.NDArray[np.float64]
    sigma: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def has_z(self) -> bool:
        return bool(np.isfinite(self.z).any())


_NUM = (int, float)


def _numbers(values: list[Any], optional: bool) -> npt.NDArray[np.float64] | None:
    """Column as floats if every value is a finite real number (or None when ``optional``)."""
    if optional:
        if not all(v is None or type(v) in _NUM for v in values):
            return None
        arr = np.array([math.nan if v is None else v for v in values], dtype=float)
        bad = ~np.isfinite(arr) & np.array([v is not None for v in values], dtype=bool)
    else:
        if not all(type(v) in _NUM for v in values):
            return None
        arr = np.asarray(values, dtype=float)
        bad = ~np.isfinite(arr)
    return None if bool(bad.any()) else arr


def read_enu_columns(path: Path | str) -> EnuColumns:
    """The file as columns, fast: one JSON parse and whole-column checks.

    Any doubt (a line that is not an object, a missing or non-numeric field, a bad
    sensor id or sigma) falls back to the line-by-line reader, whose error names the
    line and the field; a file without errors gives the same columns either way.
    """
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh.read().splitlines() if line.strip()]
    cols = None
    try:
        objs = json.loads("[" + ",".join(lines) + "]")
    except json.JSONDecodeError:
        objs = None
    if objs is not None and all(type(o) is dict for o in objs):
        try:
            t = _numbers([o["t"] for o in objs], False)
            x = _numbers([o["x"] for o in objs], False)
            y = _numbers([o["y"] for o in objs], False)
        except KeyError:
            t = x = y = None
        z = _numbers([o.get("z") for o in objs], True)
        sigma = _numbers([o.get("sigma") for o in objs], True)
        sensors = [o.get("sensor") for o in objs]
        sensors_ok = all(
            (type(v) is str and v != "") or type(v) is int for v in sensors
        )
        if (
            t is not None
            and x is not None
            and y is not None
            and z is not None
            and sigma is not None
            and sensors_ok
            and not (sigma <= 0).any()
        ):
            cols = EnuColumns(t, [str(v) for v in sensors], x, y, z, sigma)
    if cols is None:
        dets = read_enu(path)  # raises the precise error
        nan = math.nan
        cols = EnuColumns(
            np.array([d.t for d in dets], dtype=float),
            [d.sensor for d in dets],
            np.array([d.x for d in dets], dtype=float),
            np.array([d.y for d in dets], dtype=float),
            np.array([nan if d.z is None else d.z for d in dets], dtype=float),
            np.array([nan if d.sigma is None else d.sigma for d in dets], dtype=float),
        )
    return cols


def enu_scans_columns(
    c: EnuColumns, sigma_m: float, dims: int
) -> list[tuple[float, list[ScanGroup]]]:
    """Scans in time order from columns: one per distinct ``t``, one group per sensor
    (sensors in order of first appearance within the scan, as :func:`enu_scans`)."""
    n = len(c)
    if n == 0:
        return []
    names, code = np.unique(np.asarray(c.sensor, dtype=object), return_inverse=True)
    # blocks of one (t, sensor), ordered by t, then by the sensor's first line in the scan
    by_block = np.lexsort((np.arange(n), code, c.t))
    t0, k0 = c.t[by_block], code[by_block]
    cut = np.flatnonzero((np.diff(t0) != 0) | (np.diff(k0) != 0)) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut, [n]])
    block_order = np.lexsort((by_block[starts], t0[starts]))
    order = np.concatenate([by_block[starts[b] : ends[b]] for b in block_order.tolist()])
    sizes = (ends - starts)[block_order]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    t, k = c.t[order], code[order]
    pos = np.stack([c.x, c.y, np.nan_to_num(c.z, nan=0.0)], axis=1)[order, :dims]
    sig = np.where(np.isnan(c.sigma), sigma_m, c.sigma)[order]
    scans: list[tuple[float, list[ScanGroup]]] = []
    eye = np.eye(dims)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        tk = float(t[a])
        r = eye[None, :, :] * (sig[a:b] ** 2)[:, None, None]
        g = ScanGroup(tk, str(names[k[a]]), SensorKind.RADAR, z=pos[a:b], R=r)
        if scans and scans[-1][0] == tk:
            scans[-1][1].append(g)
        else:
            scans.append((tk, [g]))
    return scans


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


def run_enu_lines(
    scans: list[tuple[float, list[ScanGroup]]], config: TrackerConfig, dims: int
) -> Iterator[str]:
    """As :func:`run_enu`, as JSON text lines (the same text ``json.dumps`` would give
    with compact separators), formatted a scan at a time without a dict per row."""
    core = TrackerCore(config, dims=dims, classify=False)
    for t, groups in scans:
        live = core.step(t, groups).live
        if not live or live["id"].shape[0] == 0:
            continue
        x = live["x"]
        tt = repr(float(t))
        cols = zip(
            live["id"].tolist(),
            x[:, 0].tolist(),
            x[:, 1].tolist(),
            x[:, dims].tolist(),
            x[:, dims + 1].tolist(),
            strict=True,
        )
        for tid, px, py, vx, vy in cols:
            yield (
                f'{{"t":{tt},"track":"{track_name(tid)}","x":{px!r},"y":{py!r},'
                f'"vx":{vx!r},"vy":{vy!r}}}'
            )
