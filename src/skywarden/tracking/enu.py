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

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from skywarden.model import SensorKind
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.core import TrackerCore
from skywarden.tracking.enu_read import (
    EnuColumns,
    EnuDetection,
    parse_enu_line,
    read_enu,
    read_enu_columns,
)
from skywarden.tracking.records import ScanGroup
from skywarden.tracking.tracker import track_name

__all__ = [
    "EnuColumns",
    "EnuDetection",
    "enu_scans",
    "enu_scans_columns",
    "format_enu_scan",
    "parse_enu_line",
    "read_enu",
    "read_enu_columns",
    "run_enu",
    "run_enu_lines",
]


def enu_scans_columns(
    c: EnuColumns, sigma_m: float, dims: int
) -> list[tuple[float, list[ScanGroup]]]:
    """Scans in time order from columns: one per distinct ``t``, one group per sensor
    (sensors in order of first appearance within the scan, as :func:`enu_scans`)."""
    n = len(c)
    if n == 0:
        return []
    # sensor codes by first appearance (the order of codes does not matter: blocks are
    # ordered by time, then by their first line)
    index: dict[str, int] = {}
    code = np.fromiter((index.setdefault(s, len(index)) for s in c.sensor), np.intp, n)
    names = list(index)
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


class _EnuRow(msgspec.Struct):
    """One output line; the field order is the line's key order (a contract)."""

    t: float
    track: str
    x: float
    y: float
    vx: float
    vy: float


_ENCODER = msgspec.json.Encoder()


def _repr_safe(v: npt.NDArray[np.float64]) -> bool:
    """True if msgspec writes every value exactly as ``repr`` does: zero, or a magnitude
    in [1e-4, 1e16), where both write plain positional digits (``repr`` switches to an
    exponent outside it, msgspec at other points); both write the shortest round trip."""
    a = np.abs(v)
    return bool(((a == 0.0) | ((a >= 1e-4) & (a < 1e16))).all())


def format_enu_scan(t: float, live: dict[str, npt.NDArray], dims: int) -> str:
    """One scan's output lines as text, each ending in a newline: the same text
    ``json.dumps`` gives with compact separators.

    msgspec encodes the rows (four times faster than Python's float ``repr``) when
    every number of the scan is written the same by both; a scan with a number
    outside that range is formatted with ``repr``, so the bytes never change.
    """
    if not live or live["id"].shape[0] == 0:
        return ""
    x = live["x"]
    cols = (x[:, 0], x[:, 1], x[:, dims], x[:, dims + 1])
    names = [track_name(tid) for tid in live["id"].tolist()]
    rows = zip(names, *(c.tolist() for c in cols), strict=True)
    tf = float(t)
    if _repr_safe(np.array([tf])) and all(_repr_safe(c) for c in cols):
        enc = _ENCODER.encode_lines([_EnuRow(tf, *r) for r in rows])
        return enc.decode()
    tt = repr(tf)
    return "".join(
        f'{{"t":{tt},"track":"{name}","x":{px!r},"y":{py!r},"vx":{vx!r},"vy":{vy!r}}}\n'
        for name, px, py, vx, vy in rows
    )


def run_enu_lines(
    scans: list[tuple[float, list[ScanGroup]]], config: TrackerConfig, dims: int
) -> Iterator[str]:
    """As :func:`run_enu`, as JSON text lines (without their newline)."""
    core = TrackerCore(config, dims=dims, classify=False)
    for t, groups in scans:
        text = format_enu_scan(t, core.step(t, groups).live, dims)
        yield from text.splitlines()
