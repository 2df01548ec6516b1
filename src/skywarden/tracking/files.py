"""File-level runs: ``detections.jsonl`` in, ``tracks.jsonl`` out, and truth for evaluation.

Scans: the tracker steps at whole seconds; detections with time in ``(T-1, T]`` belong
to the scan at ``T`` (the simulator and the live service both tick at 1 Hz). The frame
origin comes from ``--origin``, else from ``sector.json`` next to the detections (as the
simulator writes it), else from the mean of the first 100 position detections.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from skywarden import jsonl
from skywarden.errors import warn_guess
from skywarden.geo import LocalFrame
from skywarden.jsonl import Rejection
from skywarden.model import Detection, TrackUpdate, TruthPoint
from skywarden.tracking.io import InputLineError

T = TypeVar("T")
#: Where a bad line goes instead of raising: the quarantine, a counter (None: raise).
OnReject = Callable[[Rejection], None] | None


def parse_origin(text: str) -> LocalFrame:
    """``"LAT,LON,ALT"`` (degrees, degrees, metres MSL) to a frame; errors say what is wrong."""
    parts = text.split(",")
    if len(parts) != 3:
        raise ValueError(f"--origin needs LAT,LON,ALT, got {text!r}")
    try:
        lat, lon, alt = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"--origin: not numbers: {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and math.isfinite(alt)):
        raise ValueError(f"--origin: out of range: {text!r}")
    return LocalFrame(lat, lon, alt)


def sector_frame(directory: Path) -> LocalFrame | None:
    """The frame of a simulator run's ``sector.json`` in ``directory``, if there is one."""
    path = directory / "sector.json"
    if not path.exists():
        return None
    try:
        o = json.loads(path.read_text())["origin"]
        return LocalFrame(float(o["lat"]), float(o["lon"]), float(o["alt_m"]))
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as e:
        raise InputLineError(path, 1, f"sector.json has no usable origin: {e}") from None


def _lines(
    path: Path, parse: Callable[[dict[str, Any]], T], on_reject: OnReject
) -> Iterator[T]:
    """Records of a JSON Lines file: a bad line goes to ``on_reject``, or raises if None."""
    for item in jsonl.read_jsonl(path, parse):
        if isinstance(item, Rejection):
            if on_reject is None:
                raise InputLineError.from_rejection(item)
            on_reject(item)
        else:
            yield item.record


def iter_detections(path: Path, on_reject: OnReject = None) -> Iterator[Detection]:
    """Detections of a JSON Lines file; a bad line raises an error naming file and line,
    or, given ``on_reject``, is handed to it (to quarantine) and skipped."""
    return _lines(path, Detection.from_dict, on_reject)


def iter_truth(path: Path, on_reject: OnReject = None) -> Iterator[TruthPoint]:
    return _lines(path, TruthPoint.from_dict, on_reject)


def iter_tracks(path: Path, on_reject: OnReject = None) -> Iterator[TrackUpdate]:
    return _lines(path, TrackUpdate.from_dict, on_reject)


def mean_origin(path: Path, first: int = 100) -> LocalFrame:
    """A frame at the mean of the first ``first`` position detections of a file."""
    lat, lon, alt = [], [], []
    for d in iter_detections(path):
        if d.position is not None:
            lat.append(d.position.lat)
            lon.append(d.position.lon)
            alt.append(d.position.alt_m)
        elif d.bearing is not None:
            lat.append(d.bearing.sensor_lat)
            lon.append(d.bearing.sensor_lon)
            alt.append(d.bearing.sensor_alt_m)
        if len(lat) >= first:
            break
    if not lat:
        raise InputLineError(path, 1, "no detections to place a frame origin on")
    return LocalFrame(float(np.mean(lat)), float(np.mean(lon)), float(np.mean(alt)))


def resolve_frame(detections: Path, origin: str | None) -> LocalFrame:
    """``--origin``, else ``sector.json`` beside the file, else the detections' mean."""
    if origin:
        return parse_origin(origin)
    frame = sector_frame(detections.parent)
    if frame is None:
        frame = mean_origin(detections)
        warn_guess(
            f"{detections}: no sector.json beside it: frame origin guessed at the mean of the"
            f" first detections ({frame.lat0:.4f}, {frame.lon0:.4f}, {frame.alt0_m:.0f} m);"
            " give --origin LAT,LON,ALT or put a sector.json beside the detections"
        )
    return frame
