"""A sector's definition on the bus: the edge writes it, a worker builds its stages from it.

Why on the bus: a worker that takes over a sector must build the same tracker frame,
zones and analyzer as the worker before it, without a file on its own disk. The edge
knows its sector (a scenario, or the ``sector.json`` of a recorded or live feed) and
writes it to the KV bucket ``sw_sectors`` under the sector id, in the ``sector.json``
form ``skywarden simulate`` writes (origin, extent, airports, sensors).
"""

from __future__ import annotations

import json
import math
from typing import Any

from skywarden.errors import SkywardenError
from skywarden.geo import LocalFrame
from skywarden.service.sources import SectorInfo


class SectorDefinitionError(SkywardenError, ValueError):
    """A sector definition on the bus is malformed; names the sector and the field."""


def to_json(info: SectorInfo) -> bytes:
    """The sector as ``sector.json`` bytes."""
    f = info.frame
    d = {
        "name": info.name,
        "origin": {"lat": f.lat0, "lon": f.lon0, "alt_m": f.alt0_m},
        "extent_m": info.extent_m,
        "airports": list(info.airports),
        "sensors": list(info.sensors),
    }
    return json.dumps(d, separators=(",", ":")).encode()


def from_json(sector: str, data: bytes) -> SectorInfo:
    """Parse and check what ``to_json`` wrote (untrusted: it came over the network)."""
    try:
        d = json.loads(data)
        o = d["origin"]
        lat, lon, alt = (_num(sector, f"origin.{k}", o[k]) for k in ("lat", "lon", "alt_m"))
        extent = _num(sector, "extent_m", d.get("extent_m", 30_000.0))
        airports = [str(a) for a in d.get("airports", [])]
        sensors = [dict(s) for s in d.get("sensors", [])]
        name = str(d.get("name", sector))
    except SectorDefinitionError:
        raise
    except (ValueError, KeyError, TypeError) as e:
        raise SectorDefinitionError(f"sector {sector!r}: bad definition: {e!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and extent > 0):
        raise SectorDefinitionError(f"sector {sector!r}: origin or extent out of range")
    return SectorInfo(name, LocalFrame(lat, lon, alt), sensors, airports, extent)


def _num(sector: str, name: str, v: Any) -> float:
    x = float(v)
    if not math.isfinite(x):
        raise SectorDefinitionError(f"sector {sector!r}: {name} is not finite")
    return x
