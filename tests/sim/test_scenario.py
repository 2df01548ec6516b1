"""Scenario files: the shipped El Paso one loads; malformed ones fail naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.sim import ScenarioError, load_scenario, parse_scenario
from skywarden.sim.scenario import RadarConfig, RemoteIDConfig

SCENARIO = Path(__file__).parents[2] / "scenarios" / "el-paso.yaml"


def _doc() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(SCENARIO.read_text())  # type: ignore[no-any-return]


def _errors(doc: object, tmp_path: Path, text: str | None = None) -> ScenarioError:
    p = tmp_path / "bad.yaml"
    p.write_text(text if text is not None else yaml.safe_dump(doc))
    with pytest.raises(ScenarioError) as ei:
        load_scenario(p)
    assert str(p) in str(ei.value)
    return ei.value


def test_el_paso_scenario_loads_with_its_night_and_sensors() -> None:
    scn = load_scenario(SCENARIO)
    assert scn.sector.start_t == 1_770_778_800.0  # 2026-02-11T03:00:00Z
    assert scn.frame.lat0 == 31.76 and scn.frame.alt0_m == 1150.0
    kinds = {s.kind for s in scn.sensors}
    assert kinds == {"radar", "rf", "remote_id", "adsb", "visual"}
    radar = next(s for s in scn.sensors if isinstance(s, RadarConfig))
    assert radar.update_s == 1
    assert {f.airport for f in scn.traffic.airports} == {"KELP", "KBIF", "MMCS"}
    assert scn.source == str(SCENARIO)


def test_sensor_defaults_are_documented_values() -> None:
    doc = _doc()
    doc["sensors"] = [
        {"id": "rid", "kind": "remote_id", "site": doc["sector"]["origin"], "range_max_m": 3000}
    ]
    rid = parse_scenario(doc).sensors[0]
    assert isinstance(rid, RemoteIDConfig) and rid.message_loss == 0.2


@pytest.mark.parametrize(
    ("mutate", "key", "words"),
    [
        (lambda d: d["sector"].update(start="2026-02-11T03:00:00"), "sector.start", "UTC"),
        (lambda d: d["sector"]["origin"].update(lat=95.0), "sector.origin.lat", "less than"),
        (lambda d: d["sector"].update(start="1970-01-01T00:00:00Z"), "sector.start", "2000"),
        (lambda d: d["sensors"][0].update(range_max_m=-1), "sensors[0].range_max_m", "greater"),
        (lambda d: d["sensors"][1].update(kind="sonar"), "sensors[1]", "sonar"),
        (lambda d: d["sensors"][0].update(range_min_m=20_000), "sensors[0]", "range_min_m"),
        (lambda d: d["sensors"][2].update(colour="red"), "sensors[2].colour", "not permitted"),
        (lambda d: d["sensors"][3].update(id=d["sensors"][0]["id"]), "sensors", "used twice"),
        (
            lambda d: d["traffic"]["smugglers"].update(speed_mps=[10, 40]),
            "traffic.smugglers.speed_mps",
            "outside",
        ),
        (
            lambda d: d["traffic"]["hobby"].update(cruise_agl_m=[100, 50]),
            "traffic.hobby.cruise_agl_m",
            "reversed",
        ),
        (
            lambda d: d["traffic"]["airports"][0]["runways"].append("27"),
            "traffic.airports[0].runways[2]",
            "no runway end '27'",
        ),
        (lambda d: d["sensors"][4]["site"].update(lon=106.489), "sensors[4].site", "swapped"),
        (lambda d: d["sector"]["airports"].append("MMMX"), "sector.airports[3]", "no runway"),
        (
            lambda d: d["traffic"]["airports"][1].update(airport="ZZZZ"),
            "traffic.airports[1].airport",
            "ZZZZ",
        ),
    ],
)
def test_malformed_scenarios_name_the_key(mutate, key: str, words: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = _doc()
    mutate(doc)
    err = _errors(doc, tmp_path)
    assert any(k == key and words in msg for k, msg in err.problems), err.problems


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    err = _errors(None, tmp_path, text="sector:\n  name: [unclosed\n")
    assert "line" in err.problems[0][0] and "not valid YAML" in err.problems[0][1]


def test_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    assert "mapping" in _errors(None, tmp_path, text="- a\n- b\n").problems[0][1]
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml")


def _leaves(d: object, path: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
    if isinstance(d, dict):
        return [p for k, v in d.items() for p in _leaves(v, (*path, k))]
    if isinstance(d, list):
        return [p for i, v in enumerate(d) for p in _leaves(v, (*path, i))]
    return [path]


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_corrupted_value_is_a_scenario_error_or_valid(data: st.DataObject) -> None:
    doc = _doc()
    paths = _leaves(doc)
    path = data.draw(st.sampled_from(paths))
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = data.draw(junk)
    try:
        parse_scenario(doc, "fuzz.yaml")
    except ScenarioError as e:
        assert e.problems and str(e).startswith("fuzz.yaml: ")
