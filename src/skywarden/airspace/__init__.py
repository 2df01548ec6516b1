"""skywarden.airspace: zones, crossings, behaviours, explained threat and proportionate response.

The seam used by the pipeline (docs/interfaces.md)::

    zones = sector_zones(frame, airports=scenario.sector.airports)
    analyzer = Analyzer(frame, zones, border_line(), load_policy())
    out = analyzer.step(t, updates)   # once per second; -> AnalysisStep
"""

from skywarden.airspace.analyzer import AnalysisStep, Analyzer, AnalyzerConfig
from skywarden.airspace.errors import AirspaceError, PolicyError, TracksFileError, ZoneFileError
from skywarden.airspace.policy import Policy, load_policy, parse_policy
from skywarden.airspace.response import Cause, Responder
from skywarden.airspace.threat import ThreatScore
from skywarden.airspace.zone_index import ZoneIndex
from skywarden.airspace.zones import ZoneSpec, airport_zones, load_zones_geojson, sector_zones

__all__ = [
    "AirspaceError",
    "AnalysisStep",
    "Analyzer",
    "AnalyzerConfig",
    "Cause",
    "Policy",
    "PolicyError",
    "Responder",
    "ThreatScore",
    "TracksFileError",
    "ZoneFileError",
    "ZoneIndex",
    "ZoneSpec",
    "airport_zones",
    "load_policy",
    "load_zones_geojson",
    "parse_policy",
    "sector_zones",
]
