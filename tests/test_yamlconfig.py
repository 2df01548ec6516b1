"""The one YAML loader and strict base that scenario, policy, laser plan and what-if share."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from skywarden.airspace.policy import PolicyError, load_policy
from skywarden.laser.plan import LaserPlanError, load_laser_plan
from skywarden.sim.scenario import ScenarioError, load_scenario
from skywarden.yamlconfig import StrictModel, YamlFileError, load_yaml


class _Section(StrictModel):
    speed_mps: float


def test_a_strict_section_refuses_unknown_keys_and_is_frozen() -> None:
    with pytest.raises(ValidationError, match="speed_kt"):
        _Section.model_validate({"speed_mps": 1.0, "speed_kt": 2.0})
    s = _Section(speed_mps=1.0)
    with pytest.raises(ValidationError):
        s.speed_mps = 2.0  # type: ignore[misc]


def test_a_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("a: 1\nb: [unclosed\n")
    with pytest.raises(YamlFileError) as e:
        load_yaml(p)
    assert e.value.path == str(p) and e.value.where.startswith("line ")
    assert "not valid YAML" in e.value.reason


def test_unreadable_files_say_so(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    for name in ("absent.yaml", "latin1.yaml"):
        with pytest.raises(YamlFileError, match="cannot read"):
            load_yaml(tmp_path / name)


@pytest.mark.parametrize(
    ("load", "error"),
    [(load_scenario, ScenarioError), (load_policy, PolicyError), (load_laser_plan, LaserPlanError)],
)
def test_every_file_type_reports_the_loader_error_as_its_own(
    tmp_path: Path, load: object, error: type[Exception]
) -> None:
    p = tmp_path / "broken.yaml"
    p.write_text("key: [unclosed\n")
    with pytest.raises(error, match="not valid YAML") as e:
        load(p)  # type: ignore[operator]
    assert str(p) in str(e.value)
