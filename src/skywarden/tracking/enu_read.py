"""Reading the plain local-frame input of ``track --enu``, fast and with precise errors.

Input lines: ``{"t": s, "sensor": id, "x": m, "y": m}`` with optional ``"z"`` (m) and
``"sigma"`` (m, one standard deviation per axis). The whole file is decoded in one
call by msgspec into typed structs (validated as it parses: numbers must be numbers,
never booleans or strings) and turned into columns. Any doubt (malformed JSON, a wrong
type, a missing field, a non-finite value, an empty sensor id, a sigma <= 0) falls back
to the line-by-line reader, whose error names the file, the line and the field; a file
without errors gives the same columns either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from skywarden.tracking.io import InputLineError, read_jsonl


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


class _EnuLine(msgspec.Struct):
    """One input line as msgspec decodes it (unknown keys are ignored, as before)."""

    t: float
    x: float
    y: float
    sensor: str | int
    z: float | None = None
    sigma: float | None = None


_DECODER = msgspec.json.Decoder(_EnuLine)


def _fast_columns(data: bytes) -> EnuColumns | None:
    """Columns of a file that decodes and validates cleanly, else None."""
    try:
        rows = _DECODER.decode_lines(data)
    except msgspec.DecodeError:  # ValidationError included
        return None
    if not rows:
        e = np.empty(0)
        return EnuColumns(e, [], e, e, e, e)
    n = len(rows)
    t, x, y = (np.fromiter(map(attrgetter(k), rows), float, n) for k in ("t", "x", "y"))
    z = np.array([r.z for r in rows], dtype=float)  # None -> NaN
    sigma = np.array([r.sigma for r in rows], dtype=float)
    if not (np.isfinite(t).all() and np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    if (sigma <= 0).any():
        return None
    sensor: list[Any] = [r.sensor for r in rows]
    names = set(sensor)
    if "" in names:
        return None
    if not all(type(s) is str for s in names):
        sensor = [str(s) for s in sensor]
    return EnuColumns(t, sensor, x, y, z, sigma)


def read_enu_columns(path: Path | str) -> EnuColumns:
    """The file as columns, fast (see module); errors name the line and the field."""
    with open(path, "rb") as fh:
        cols = _fast_columns(fh.read())
    if cols is not None:
        return cols
    dets = read_enu(path)  # raises the precise error
    nan = math.nan
    return EnuColumns(
        np.array([d.t for d in dets], dtype=float),
        [d.sensor for d in dets],
        np.array([d.x for d in dets], dtype=float),
        np.array([d.y for d in dets], dtype=float),
        np.array([nan if d.z is None else d.z for d in dets], dtype=float),
        np.array([nan if d.sigma is None else d.sigma for d in dets], dtype=float),
    )
