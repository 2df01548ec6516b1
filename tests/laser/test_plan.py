"""Loading LASER.yaml: the shipped El Paso plan, and malformed plans named by key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from skywarden.laser.flight_zones import FlightZone
from skywarden.laser.plan import LaserPlanError, load_laser_plan

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-laser.yaml"


def test_el_paso_plan_loads_with_attenuated_nohd_of_tens_of_km() -> None:
    plan = load_laser_plan(SCENARIO)
    assert plan.spec.laser.power_w == 20_000
    # near infrared: vacuum NOHD of hundreds of km, tens of km through a clear desert night
    assert plan.vacuum_distances.nohd_m > 200_000
    assert 20_000 < plan.distances.nohd_m < 80_000
    assert plan.distances.szed_m is None
    assert plan.volume().range_m == plan.distances.nohd_m
    assert plan.range_for(FlightZone.LASER_FREE) == plan.distances.nohd_m
    assert plan.end_t - plan.start_t == 7200


def _write(tmp_path: Path, doc: object) -> Path:
    p = tmp_path / "LASER.yaml"
    p.write_text(yaml.safe_dump(doc) if not isinstance(doc, str) else doc)
    return p


def _base() -> dict[str, Any]:
    return yaml.safe_load(SCENARIO.read_text())


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda d: d["laser"].update(power_w=-5), "laser.power_w"),
        (lambda d: d["laser"].update(wavelength_nm=10_600), "laser.wavelength_nm"),
        (lambda d: d["laser"].pop("divergence_mrad"), "laser.divergence_mrad"),
        (lambda d: d["fan"].update(elevation_min_deg=30), "fan"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["window"].update(end="2026-02-11T03:00:00Z"), "window"),
        (lambda d: d["window"].update(start="2026-02-11T04:00:00"), "window.start"),
        (
            lambda d: d.update(atmosphere={"visibility_km": 10, "attenuation_per_km": 0.1}),
            "atmosphere",
        ),
        (lambda d: d["notam"].update(icao_number="426/26"), "notam.icao_number"),
    ],
)
def test_malformed_plans_name_the_key(
    tmp_path: Path, edit: Callable[[dict[str, Any]], object], key: str
) -> None:
    doc = _base()
    edit(doc)
    with pytest.raises(LaserPlanError) as err:
        load_laser_plan(_write(tmp_path, doc))
    assert any(k == key for k, _ in err.value.problems), err.value.problems
    assert str(tmp_path / "LASER.yaml") in str(err.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [("laser: [unclosed", "<yaml>"), ("- just\n- a list\n", "<root>")],
)
def test_unreadable_documents(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(LaserPlanError) as err:
        load_laser_plan(_write(tmp_path, text))
    assert err.value.problems[0][0] == key


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LaserPlanError, match="<file>"):
        load_laser_plan(tmp_path / "nope.yaml")


def test_range_limit_cuts_the_volume(tmp_path: Path) -> None:
    doc = _base()
    doc["range_limit_m"] = 5000.0
    plan = load_laser_plan(_write(tmp_path, doc))
    assert plan.volume().range_m == 5000.0
    assert plan.distances.nohd_m > 5000.0  # the beam is still hazardous; the backstop stops it
