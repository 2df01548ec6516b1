"""Components as instances (issue 13): the core takes objects, the config only builds them."""

import dataclasses

import numpy as np
import numpy.typing as npt
import pytest

from skywarden.model import SensorKind
from skywarden.tracking import ScanGroup, TrackerConfig, TrackerCore
from skywarden.tracking.association import GNNAssociator
from skywarden.tracking.components import TrackerComponents
from skywarden.tracking.config_file import config_from_mapping
from skywarden.tracking.deletion import Deleter
from skywarden.tracking.filters import IMMFilter, KalmanFilter
from skywarden.tracking.motion import Hover

IntArray = npt.NDArray[np.intp]


def _scan(t: float, z: list[list[float]]) -> list[ScanGroup]:
    zz = np.asarray(z, dtype=float).reshape(-1, 2)
    r = np.broadcast_to(np.eye(2) * 100.0, (zz.shape[0], 2, 2)).copy()
    return [ScanGroup(t, "radar", SensorKind.RADAR, z=zz, R=r)]


def _coast_scans(core: TrackerCore) -> int:
    """Scans a confirmed track is reported after its target disappears."""
    for k in range(5):
        core.step(float(k), _scan(float(k), [[100.0 + 10 * k, 200.0]]))
    shown = 0
    for k in range(5, 30):
        live = core.step(float(k), []).live
        if live and live["id"].shape[0]:
            shown += 1
        if core.table.n == 0:
            break
    return shown


def test_default_components_are_what_the_default_config_builds() -> None:
    assert TrackerComponents() == TrackerConfig().components(3)


def test_config_builds_the_filter_it_describes() -> None:
    imm = TrackerConfig(hover_tau_s=3.0, hover_q=4.0).components(3).filter
    assert isinstance(imm, IMMFilter)
    assert imm.models[1] == Hover(tau_s=3.0, q=4.0)
    cv = TrackerConfig(filter="cv", cv_q=1.5).components(2).filter
    assert isinstance(cv, KalmanFilter) and cv.dims == 2 and cv.model.q == 1.5  # type: ignore[attr-defined]


def test_yaml_keys_reach_the_components() -> None:
    c = config_from_mapping({"hover_q": 5.0, "confirm_m": 2, "max_coast_s": 4.0})
    comps = c.components(3)
    assert comps.filter.models[1].q == 5.0  # type: ignore[attr-defined]
    assert comps.initiator.confirm.m == 2
    assert comps.deleter.max_coast_s == 4.0


def test_swapping_the_deleter_changes_only_deletion() -> None:
    base = TrackerConfig(report_min_p_exist=0.0).components(2, classify=False)
    quick = dataclasses.replace(base, deleter=Deleter(max_coast_s=2.0))
    assert _coast_scans(TrackerCore(components=quick, dims=2)) < _coast_scans(
        TrackerCore(components=base, dims=2)
    )


def test_any_associator_object_is_used() -> None:
    calls: list[int] = []

    @dataclasses.dataclass(frozen=True)
    class Counting(GNNAssociator):
        def assign(
            self,
            n_tracks: int,
            n_dets: int,
            ti: IntArray,
            dj: IntArray,
            cost: npt.NDArray[np.float64],
            gate: float,
        ) -> tuple[IntArray, IntArray]:
            calls.append(int(ti.shape[0]))
            return super().assign(n_tracks, n_dets, ti, dj, cost, gate)

    comps = dataclasses.replace(TrackerConfig().components(2), associator=Counting())
    core = TrackerCore(components=comps, dims=2)
    for k in range(3):
        core.step(float(k), _scan(float(k), [[10.0 * k, 0.0]]))
    assert calls and all(c >= 1 for c in calls)


def test_a_filter_of_other_dimensions_is_refused() -> None:
    with pytest.raises(ValueError, match="2-D core needs a 2-D filter"):
        TrackerCore(components=TrackerComponents(), dims=2)
    with pytest.raises(ValueError, match="not both"):
        TrackerCore(TrackerConfig(), components=TrackerComponents())


def test_without_a_classifier_the_report_has_no_class_columns() -> None:
    core = TrackerCore(TrackerConfig(), dims=2, classify=False)
    assert core.classifier is None
    live = {}
    for k in range(4):
        live = core.step(float(k), _scan(float(k), [[10.0 * k, 0.0]])).live
    assert live["id"].shape[0] == 1 and "probs" not in live
    classified = TrackerCore(TrackerConfig(), dims=2)
    for k in range(4):
        live = classified.step(float(k), _scan(float(k), [[10.0 * k, 0.0]])).live
    assert "probs" in live
