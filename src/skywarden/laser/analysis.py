"""Everything a range safety officer needs from a plan, in one pass: ``analyse(plan)``.

Why a separate step: the CLI, the README figures, the plot and the tests all need the
same numbers (distances, zones penetrated, TFR and NOTAM, flows and flights touched,
minutes of restriction beside a blanket closure); computing them in one place keeps them
consistent. The result is a plain dict (JSON-ready) plus the objects the plot needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from skywarden.geo import FT_PER_M, M_PER_NM
from skywarden.laser.airport_zones import ZoneArea, airport_zones, sensitive_zone
from skywarden.laser.flight_zones import FlightZone
from skywarden.laser.flows import Flow, FlowHit, flows_touched, runway_flows
from skywarden.laser.notam import faa_domestic, icao
from skywarden.laser.penetration import ZoneHit, zones_penetrated
from skywarden.laser.plan import LaserPlan, PlanSpec
from skywarden.laser.replay import HoldReplay, replay_holds
from skywarden.laser.tfr import Tfr, smallest_tfr
from skywarden.laser.traffic import FlightEntry, flights_entering, read_track_updates
from skywarden.laser.volume import HazardVolume


@dataclass
class PlanAnalysis:
    plan: LaserPlan
    volume: HazardVolume
    zones: list[ZoneArea]
    zone_hits: list[ZoneHit]
    tfr: Tfr
    notam_faa: str
    notam_icao: str
    flows: list[Flow]
    flow_hits: list[FlowHit]
    flights: list[FlightEntry] | None = None
    holds: HoldReplay | None = None
    summary: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        d = self.plan.distances
        vac = self.plan.vacuum_distances
        return {
            "name": self.plan.name,
            "distances": d.to_dict(),
            "vacuum_distances": vac.to_dict(),
            "attenuation_per_km": self.plan.beam.attenuation_per_km,
            "volume": {
                "site": {
                    "lat": self.volume.site_lat,
                    "lon": self.volume.site_lon,
                    "alt_m": self.volume.site_alt_m,
                },
                "fan": {
                    "azimuth_from_deg": self.volume.fan.azimuth_from_deg,
                    "azimuth_to_deg": self.volume.fan.azimuth_to_deg,
                    "elevation_min_deg": self.volume.fan.elevation_min_deg,
                    "elevation_max_deg": self.volume.fan.elevation_max_deg,
                },
                "range_m": self.volume.range_m,
                "limit": str(self.plan.tfr_zone),
                "footprint_area_nm2": self.volume.footprint.area / M_PER_NM**2,
                "ceiling_ft_msl": self.volume.ceiling_msl_m() * FT_PER_M,
            },
            "zones_penetrated": [h.to_dict() for h in self.zone_hits],
            "tfr": self.tfr.to_dict(),
            "notam": {"faa_domestic": self.notam_faa, "icao": self.notam_icao},
            "flows_touched": [h.to_dict() for h in self.flow_hits],
            "flights": None if self.flights is None else [f.to_dict() for f in self.flights],
            "hold_replay": None if self.holds is None else self.holds.to_dict(),
            "comparison": self.summary,
        }


def _summary(
    spec: PlanSpec,
    volume: HazardVolume,
    tfr: Tfr,
    polygon: bool,
    flows: list[Flow],
    flow_hits: list[FlowHit],
) -> dict[str, object]:
    """The TFR against the site circle and the announced blanket, in numbers."""
    b = spec.blanket
    minutes = tfr.minutes
    summary: dict[str, object] = {
        "tfr_minutes": minutes,
        "tfr_shape": "polygon" if polygon else "cylinder",
        "tfr_area_nm2": tfr.polygon_area_nm2 if polygon else tfr.cylinder_area_nm2,
        "tfr_ceiling_ft_msl": tfr.ceiling_ft_msl,
        # What a circle of the hazard distance around the site would need instead.
        "site_circle_area_nm2": math.pi * (volume.range_m / M_PER_NM) ** 2,
        "flows_total": len(flows),
        "flows_touched": len(flow_hits),
        "flow_minutes_restricted": len(flow_hits) * minutes,
        "blanket_minutes": b.minutes,
        "blanket_announced_minutes": b.announced_minutes,
        "blanket_area_nm2": math.pi * b.radius_nm**2,
        "blanket_ceiling_ft_msl": b.ceiling_ft_msl,
        "blanket_flow_minutes": len(flows) * b.minutes,
    }
    return summary


def analyse(plan: LaserPlan, traffic: str | Path | None = None) -> PlanAnalysis:
    """Distances, zones, TFR + NOTAM, flows and flights, and the blanket comparison.

    ``traffic`` (a ``tracks.jsonl``) overrides the plan's own ``traffic`` entry.
    """
    spec = plan.spec
    volume = plan.volume(plan.tfr_zone)
    frame = volume.frame
    zones = airport_zones(spec.airports, frame)
    zones += [
        sensitive_zone(n, poly, lo, hi, frame) for n, poly, lo, hi in plan.sensitive_zone_specs()
    ]
    volume_for = {z: plan.volume(z) for z in FlightZone}
    hits = zones_penetrated(plan.beam, plan.distances, volume_for, zones)
    tfr = smallest_tfr(volume, plan.start_t, plan.end_t, spec.tfr.buffer_nm)
    polygon = spec.tfr.shape == "polygon" or (
        spec.tfr.shape == "auto" and tfr.polygon_area_nm2 < tfr.cylinder_area_nm2
    )
    ctx = plan.notam_context
    flows = [f for icao_code in spec.airports for f in runway_flows(icao_code)]
    flow_hits = flows_touched(volume, flows)
    flights = None
    holds = None
    traffic = Path(traffic) if traffic is not None else plan.traffic_path()
    if traffic is not None:
        recording = read_track_updates(traffic)
        holds = replay_holds(plan, recording)
        flights = flights_entering(
            volume,
            recording,
            plan.start_t,
            plan.end_t,
            flows,
            spec.holdfire.protect_probability,
        )
    summary = _summary(spec, volume, tfr, polygon, flows, flow_hits)
    return PlanAnalysis(
        plan,
        volume,
        zones,
        hits,
        tfr,
        faa_domestic(tfr, ctx, polygon=polygon),
        icao(tfr, ctx, polygon=polygon),
        flows,
        flow_hits,
        flights,
        holds,
        summary,
    )
