"""Sensor models: each turns a ``Snapshot`` of truth into the Detections a real sensor emits.

One class per sensor kind, each with the documented parameters of its scenario config
(``sim/scenario.py``) and its own random stream. ``build_sensor`` picks the class.
"""

from __future__ import annotations

import numpy as np

from skywarden.sim.scenario import (
    ADSBConfig,
    RadarConfig,
    RemoteIDConfig,
    RFConfig,
    VisualConfig,
)
from skywarden.sim.sensors.adsb import ADSBReceiver
from skywarden.sim.sensors.base import SensorModel, TickGeometry
from skywarden.sim.sensors.radar import Radar
from skywarden.sim.sensors.remote_id import RemoteIDReceiver
from skywarden.sim.sensors.rf import DirectionFinder
from skywarden.sim.sensors.visual import VisualReports

__all__ = [
    "ADSBReceiver",
    "DirectionFinder",
    "Radar",
    "RemoteIDReceiver",
    "SensorModel",
    "TickGeometry",
    "VisualReports",
    "build_sensor",
]


def build_sensor(
    cfg: RadarConfig | RFConfig | RemoteIDConfig | ADSBConfig | VisualConfig,
    rng: np.random.Generator,
    geometry: TickGeometry | None = None,
) -> SensorModel:
    """The model for a sensor configuration; sensors given one ``geometry`` share their
    per-tick conversions (a simulation's sensors all see the same snapshots)."""
    model = _model(cfg, rng)
    if geometry is not None:
        model.geometry = geometry
    return model


def _model(
    cfg: RadarConfig | RFConfig | RemoteIDConfig | ADSBConfig | VisualConfig,
    rng: np.random.Generator,
) -> SensorModel:
    if isinstance(cfg, RadarConfig):
        return Radar(cfg, rng)
    if isinstance(cfg, RFConfig):
        return DirectionFinder(cfg, rng)
    if isinstance(cfg, RemoteIDConfig):
        return RemoteIDReceiver(cfg, rng)
    if isinstance(cfg, ADSBConfig):
        return ADSBReceiver(cfg, rng)
    return VisualReports(cfg, rng)
