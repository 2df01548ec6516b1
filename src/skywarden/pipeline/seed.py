"""Seed a scenario's zones and laser plan into the store, each id once ever.

Issue 12, finding 5: rewriting them on every start silently undid an operator's deleted,
edited or replaced zone or plan. Now a zone (plan) is written only if its id is neither
in the store nor was ever seeded before (the seeded ids are kept in ``settings``): into
an empty store the scenario seeds everything; after that the store's zones and plans are
the operators', and only a new sector's zones are added. A seed is audited like any
other change, as user ``skywarden``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.model import Zone
from skywarden.store import audit as store_audit
from skywarden.store import laser as store_laser
from skywarden.store import settings as store_settings
from skywarden.store import zones as store_zones
from skywarden.store.schema import LaserPlanRow, ZoneRow

SEEDED_ZONES = "seeded.zones"
SEEDED_PLANS = "seeded.laser_plans"


def seed_store(
    s: Session, source: str, zones: Sequence[Zone], laser_plan: dict[str, Any] | None
) -> None:
    """Seed ``zones`` and ``laser_plan`` (see the module docstring)."""
    if zones:
        _seed_zones(s, source, zones)
    if laser_plan is not None:
        _seed_plan(s, laser_plan)


def _seed_zones(s: Session, source: str, zones: Sequence[Zone]) -> None:
    seen = set(store_settings.get(s, SEEDED_ZONES, {}).get("ids", []))
    have = set(s.scalars(select(ZoneRow.id)))
    new = [z for z in zones if z.id not in seen and z.id not in have]
    if new:
        store_zones.put_many(s, new)
        store_audit.append(
            s, "skywarden", "system", "zones_seed", source, None, {"zones": [z.id for z in new]}
        )
    all_ids = sorted(seen | {z.id for z in zones})
    if len(all_ids) != len(seen):
        store_settings.put(s, SEEDED_ZONES, {"ids": all_ids, "t": time.time()})


def _seed_plan(s: Session, laser_plan: dict[str, Any]) -> None:
    pid = str(laser_plan["id"])
    seen = set(store_settings.get(s, SEEDED_PLANS, {}).get("ids", []))
    if pid in seen:
        return
    if s.get(LaserPlanRow, pid) is None:
        _, after = store_laser.put_plan(s, pid, str(laser_plan.get("name", pid)), laser_plan)
        store_audit.append(s, "skywarden", "system", "laser_plan_seed", pid, None, after)
    store_settings.put(s, SEEDED_PLANS, {"ids": sorted(seen | {pid}), "t": time.time()})
