"""``skywarden track --config FILE.yaml``: every TrackerConfig field, errors name the key."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.tracking.config_file import ConfigFileError, config_from_mapping, load_config

runner = CliRunner()


def test_nested_fields_are_set(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text(
        "filter: cv\nconfirm_m: 2\nrf_range_m: {rf-a: 5000}\n"
        "classifier: {rf_weight: 3, radar: {tau_s: 12}, kinematics: {flock_radius_m: 150}}\n"
        "bearing: {min_weight: 0.7}\n"
    )
    c = load_config(f)
    assert (c.filter, c.confirm_m, c.rf_range_for("rf-a")) == ("cv", 2, 5000.0)
    assert c.classifier.rf_weight == 3.0 and c.classifier.radar.tau_s == 12.0
    assert c.classifier.kinematics.flock_radius_m == 150.0 and c.bearing.min_weight == 0.7


@pytest.mark.parametrize(
    "data, key",
    [
        ({"classifier": {"rf_weigth": 3}}, "classifier.rf_weigth"),
        ({"confirm_m": "three"}, "confirm_m"),
        ({"classifier": {"radar": {"tau_s": "soon"}}}, "classifier.radar.tau_s"),
        ({"confirm_m": 9}, "confirm_m"),
        ({"report_min_p_exist": 2.0}, "report_min_p_exist"),
        ({"classifier": {"rf_tau_s": -1}}, "rf_tau_s"),
    ],
)
def test_errors_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigFileError) as e:
        config_from_mapping(data, "t.yaml")
    assert key in str(e.value) and "t.yaml" in str(e.value)


def test_the_command_reports_a_bad_key_and_exits_2(tmp_path: Path) -> None:
    cfg = tmp_path / "t.yaml"
    cfg.write_text("bearing: {min_wieght: 0.7}\n")
    src = tmp_path / "d.jsonl"
    src.write_text(json.dumps({"t": 1.0, "sensor": "r", "x": 0.0, "y": 0.0}) + "\n")
    res = runner.invoke(
        app, ["track", "--enu", str(src), "--out", str(tmp_path / "o"), "--config", str(cfg)]
    )
    assert res.exit_code == 2
    assert "bearing.min_wieght" in res.output


def test_the_command_uses_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "t.yaml"
    cfg.write_text("confirm_m: 1\nconfirm_n: 1\n")
    src = tmp_path / "d.jsonl"
    src.write_text(json.dumps({"t": 1.0, "sensor": "r", "x": 5.0, "y": 0.0}) + "\n")
    out = tmp_path / "o.jsonl"
    res = runner.invoke(app, ["track", "--enu", str(src), "--out", str(out), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["x"] == pytest.approx(5.0)  # confirmed on one plot
