"""Sector areas for hand-over: a core per sector, extended by a stated overlap margin.

Each sector has a *core* polygon; the cores of a deployment tile the border without
overlapping. Its *extended* area is the core grown by ``margin_m``:

* **membership** - a detection belongs to every sector whose extended area contains it
  (the edge gateway publishes it on each of those sectors' subjects), so two
  neighbouring workers track the same target from the same detections in the overlap;
* **authority** - one sector at a time reports a track: the one whose core contains it.
  A track that drifts along a core edge would make that flap, so the current owner
  keeps it until it is more than ``hysteresis_m`` outside its core (:meth:`authority`).

Why ``DEFAULT_MARGIN_M`` = 2 km: the neighbour must start, confirm and match its own
track, and say so, before the owner lets go. Budget at the fastest drones (about
40 m/s: racing and FPV quadcopters; the simulator's cruise limit is 20 m/s): 3-of-4
confirmation at 1 s scans with missed plots at the edge of a tower radar's reach
(about 6 s), the hand-over's 5-scan match window (5 s), a bus round trip for offer and
accept (< 1 s), and a spare scan or two: 15 s x 40 m/s = 600 m; plus three sigma of the
tower radar's cross-range error at its 9 km reach (0.5 deg: 80 m sigma, 240 m) and the
250 m hysteresis: about 1.1 km. Two kilometres leaves nearly as much again for a match
that must wait out an ambiguity; much more only makes both workers track more of each
other's area (a tower radar sees 9 km: ``sim/sector_gen.py``).

Each sector measures in its own local ENU frame (origin at its core's centroid), so
the geometry stays metric anywhere on a 3,100 km border.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Polygon

from skywarden.cluster.global_ids import GlobalIdError, check_sector_id
from skywarden.geo import LocalFrame
from skywarden.model import Detection

#: The stated overlap between neighbouring sectors (see the module docstring).
DEFAULT_MARGIN_M = 2000.0
#: How far outside its core the owner keeps authority (anti-flap).
DEFAULT_HYSTERESIS_M = 250.0

BoolArray = npt.NDArray[np.bool_]


class SectorAreaError(GlobalIdError):
    """A sector's polygon or the layout is invalid (overlapping cores, bad margins)."""


@dataclass(frozen=True)
class SectorArea:
    """One sector's core, keep (core + hysteresis) and extended (core + margin) areas."""

    id: str
    frame: LocalFrame
    core: Polygon
    keep: Polygon
    extended: Polygon

    @classmethod
    def from_lonlat(
        cls,
        sector: str,
        ring: Sequence[tuple[float, float]],
        margin_m: float = DEFAULT_MARGIN_M,
        hysteresis_m: float = DEFAULT_HYSTERESIS_M,
    ) -> SectorArea:
        """A sector from its core's (lon, lat) ring, as zones are written."""
        check_sector_id(sector)
        if not (np.isfinite(margin_m) and np.isfinite(hysteresis_m)):
            raise SectorAreaError(f"sector {sector}: margin and hysteresis must be finite")
        if not 0.0 <= hysteresis_m < margin_m:
            raise SectorAreaError(
                f"sector {sector}: need 0 <= hysteresis_m ({hysteresis_m:g}) < margin_m"
                f" ({margin_m:g}): the owner must let go while the neighbour still sees it"
            )
        try:
            ll = np.asarray(ring, dtype=float)
        except (TypeError, ValueError):
            raise SectorAreaError(f"sector {sector}: core ring is not (lon, lat) pairs") from None
        if ll.ndim != 2 or ll.shape[1] != 2 or ll.shape[0] < 3 or not np.isfinite(ll).all():
            raise SectorAreaError(f"sector {sector}: core ring needs >= 3 finite (lon, lat)")
        if (np.abs(ll[:, 0]) > 180).any() or (np.abs(ll[:, 1]) > 90).any():
            raise SectorAreaError(f"sector {sector}: core ring outside lon/lat range")
        frame = LocalFrame(float(ll[:, 1].mean()), float(ll[:, 0].mean()), 0.0)
        x, y, _ = frame.to_enu(ll[:, 1], ll[:, 0], np.zeros(len(ll)))
        core = Polygon(np.column_stack([x, y]))
        if not core.is_valid or core.area <= 0:
            raise SectorAreaError(f"sector {sector}: core ring is not a simple polygon")
        return cls(sector, frame, core, core.buffer(hysteresis_m), core.buffer(margin_m))

    def xy(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        lat_a, lon_a = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        x, y, _ = self.frame.to_enu(lat_a, lon_a, np.zeros_like(lat_a))
        return np.asarray(x), np.asarray(y)

    def contains(self, lat: npt.ArrayLike, lon: npt.ArrayLike, area: str = "core") -> BoolArray:
        """Which points lie in the ``core``, ``keep`` or ``extended`` area."""
        poly = {"core": self.core, "keep": self.keep, "extended": self.extended}[area]
        x, y = self.xy(lat, lon)
        return np.asarray(shapely.contains_xy(poly, x, y), dtype=bool)


class SectorLayout:
    """The sectors of a deployment: membership and authority rules over their areas."""

    def __init__(self, areas: Iterable[SectorArea]) -> None:
        self.areas = {a.id: a for a in areas}
        if not self.areas:
            raise SectorAreaError("a sector layout needs at least one sector")
        ids = list(self.areas)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                # b's core in a's frame: cores may touch, never overlap (authority is unique).
                ring = np.asarray(self.areas[b].core.exterior.coords)
                lat, lon, _ = self.areas[b].frame.to_geodetic(
                    ring[:, 0], ring[:, 1], np.zeros(len(ring))
                )
                x, y = self.areas[a].xy(lat, lon)
                shared = Polygon(np.column_stack([x, y])).intersection(self.areas[a].core).area
                if shared > 1.0e-4 * min(self.areas[a].core.area, self.areas[b].core.area):
                    raise SectorAreaError(
                        f"sectors {a} and {b}: cores overlap by {shared / 1e6:.3f} km^2;"
                        " cores must tile (the overlap is the margin, not the core)"
                    )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "sector layout") -> SectorLayout:
        """``{"margin_m": 2000, "hysteresis_m": 250, "sectors": {"west": [[lon, lat],
        ...], ...}}`` (margin and hysteresis optional): the layout file's form."""
        if not isinstance(d, Mapping) or not isinstance(d.get("sectors"), Mapping):
            raise SectorAreaError(f"{where}: expected an object with a 'sectors' object")
        try:
            margin = float(d.get("margin_m", DEFAULT_MARGIN_M))
            hyst = float(d.get("hysteresis_m", DEFAULT_HYSTERESIS_M))
        except (TypeError, ValueError):
            raise SectorAreaError(f"{where}: margin_m and hysteresis_m must be numbers") from None
        areas = []
        for sector, ring in d["sectors"].items():
            try:
                areas.append(SectorArea.from_lonlat(str(sector), ring, margin, hyst))
            except GlobalIdError as e:  # a bad sector id, ring or margin
                raise SectorAreaError(f"{where}: {e}") from None
        try:
            return cls(areas)
        except SectorAreaError as e:
            raise SectorAreaError(f"{where}: {e}") from None

    @classmethod
    def from_file(cls, path: Path) -> SectorLayout:
        """A layout from a JSON file (:meth:`from_dict`); errors name the file."""
        try:
            d = json.loads(Path(path).read_text())
        except OSError as e:
            raise SectorAreaError(f"{path}: cannot read ({e.strerror})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise SectorAreaError(f"{path}: not JSON ({e})") from None
        return cls.from_dict(d, str(path))

    def __getitem__(self, sector: str) -> SectorArea:
        try:
            return self.areas[sector]
        except KeyError:
            raise SectorAreaError(f"sector {sector!r} is not in the layout") from None

    def membership(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> dict[str, BoolArray]:
        """Per sector: which points it receives (its extended area contains them)."""
        return {s: a.contains(lat, lon, "extended") for s, a in self.areas.items()}

    def sectors_of(self, lat: float, lon: float) -> list[str]:
        """Every sector a detection at (lat, lon) belongs to."""
        return [s for s, a in self.areas.items() if bool(a.contains(lat, lon, "extended")[0])]

    def route(self, detections: Sequence[Detection]) -> dict[str, list[Detection]]:
        """The membership rule for an edge: per sector, the detections it receives.
        A position goes to every sector whose extended area holds it; a bearing (no
        position) to every sector whose extended area holds its sensor. One array
        test per sector for the whole batch."""
        if not detections:
            return {s: [] for s in self.areas}
        lat = np.empty(len(detections))
        lon = np.empty(len(detections))
        for i, d in enumerate(detections):
            if d.position is not None:
                lat[i], lon[i] = d.position.lat, d.position.lon
            else:
                assert d.bearing is not None  # a Detection has one or the other
                lat[i], lon[i] = d.bearing.sensor_lat, d.bearing.sensor_lon
        return {
            s: [d for d, inside in zip(detections, mask, strict=True) if inside]
            for s, mask in self.membership(lat, lon).items()
        }

    def core_of(self, lat: float, lon: float) -> str | None:
        """The sector whose core contains (lat, lon), or None in a gap between cores."""
        for s, a in self.areas.items():
            if bool(a.contains(lat, lon, "core")[0]):
                return s
        return None

    def authority(self, current: str | None, lat: float, lon: float) -> str | None:
        """Who should report a track at (lat, lon) now that ``current`` does: the owner
        until the track is more than the hysteresis outside its core, then the sector
        whose core contains it (the owner still, in a gap between cores)."""
        if current is not None and bool(self[current].contains(lat, lon, "keep")[0]):
            return current
        return self.core_of(lat, lon) or current

    def neighbours(self, sector: str) -> list[str]:
        """Sectors whose extended area reaches into ``sector``'s core."""
        me = self[sector]
        ring = np.asarray(me.core.exterior.coords)
        lat, lon, _ = me.frame.to_geodetic(ring[:, 0], ring[:, 1], np.zeros(len(ring)))
        out = []
        for s, a in self.areas.items():
            if s == sector:
                continue
            x, y = a.xy(lat, lon)
            if Polygon(np.column_stack([x, y])).intersects(a.extended):
                out.append(s)
        return out
