"""The response policy file: the shipped default loads; bad files name the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skywarden.airspace import PolicyError, load_policy, parse_policy
from skywarden.airspace.policy import default_policy_path


def default_doc() -> dict:
    return yaml.safe_load(default_policy_path().read_text())


def test_shipped_policy_has_a_lifetime_and_a_reason_for_every_measure():
    p = load_policy()
    for action in (
        "monitor",
        "verify",
        "notify",
        "notify_foreign_authority",
        "pause_arrivals",
        "pause_departures",
        "pause_all",
        "tfr",
    ):
        m = p.measures.of(action)
        assert 0 < m.reevaluate_min <= m.duration_min
        assert 0 < m.lift_after_absent_min <= m.duration_min
        assert len(m.why) > 20
    # the factors sum to 100; false_remote_id (a lying Remote ID) comes on top of them
    w = p.scoring.weights.model_dump()
    assert sum(w.values()) - w["false_remote_id"] == pytest.approx(100.0)
    assert p.measures.pause_arrivals.reevaluate_min == 5


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda d: d["measures"]["notify"].pop("duration_min"), "measures.notify.duration_min"),
        (lambda d: d["measures"]["tfr"].update(duration_min=0), "measures.tfr.duration_min"),
        (lambda d: d["measures"]["pause_all"].update(reevaluate_min=60), "measures.pause_all"),
        (lambda d: d["triggers"].update(several_drones=1), "triggers.several_drones"),
        (lambda d: d["subjects"].update(min_p_drone=1.5), "subjects.min_p_drone"),
        (lambda d: d["triggers"].update(pause_wihtin_nm=3), "triggers.pause_wihtin_nm"),
        (lambda d: d["evidence"].update(counting_kinds=["radar", "visual"]), "evidence"),
        (lambda d: d["evidence"].update(min_kinds=5), "evidence"),
        (lambda d: d["evidence"].update(min_p_drone=0.3), "evidence.min_p_drone"),
        (lambda d: d["evidence"].pop("persistence_s"), "evidence.persistence_s"),
        (lambda d: d["measures"]["verify"].update(duration_min=30), "measures.verify"),
        (lambda d: d["measures"]["verify"].pop("max_renewals"), "measures.verify.max_renewals"),
        (
            lambda d: d["measures"]["verify"].update(max_renewals=1000),
            "measures.verify.max_renewals",
        ),
        (lambda d: d.pop("jurisdiction"), "jurisdiction"),
    ],
)
def test_a_bad_policy_names_the_key(edit, key):
    doc = default_doc()
    edit(doc)
    with pytest.raises(PolicyError) as err:
        parse_policy(doc, "site.yaml")
    assert err.value.key == key
    assert str(err.value).startswith("site.yaml: ")


def test_an_open_ended_measure_is_refused():
    doc = default_doc()
    doc["measures"]["tfr"]["duration_min"] = 10 * 24 * 60  # the ten-day NOTAM
    with pytest.raises(PolicyError) as err:
        parse_policy(doc)
    assert err.value.key == "measures.tfr.duration_min"


def test_unreadable_files(tmp_path: Path):
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("measures: [unclosed")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)
    bad.write_text("- a list\n")
    with pytest.raises(PolicyError, match="mapping"):
        load_policy(bad)


def test_shipped_evidence_gate():
    ev = load_policy().evidence
    assert ev.min_kinds == 2 and ev.min_p_drone >= 0.9
    # Kinematics is reported but never counted: not independent of the radar track.
    assert "kinematics" not in ev.counting_kinds
    assert set(ev.counting_kinds) == {"radar_class", "rf_geometry", "remote_id", "visual"}
    v = load_policy().measures.verify
    assert v.duration_min == 1 and v.max_renewals == 2


def test_a_version_1_site_policy_still_loads_with_the_shipped_gate():
    doc = default_doc()
    doc["version"] = 1
    for key in ("evidence", "jurisdiction"):
        doc.pop(key)
    for key in ("verify", "notify_foreign_authority"):
        doc["measures"].pop(key)
    p = parse_policy(doc, "old-site.yaml")
    assert p.evidence == load_policy().evidence
    assert p.measures.verify == load_policy().measures.verify
    doc["version"] = 2  # a version-2 file must state them itself
    with pytest.raises(PolicyError) as err:
        parse_policy(doc, "site.yaml")
    assert err.value.key == "evidence"
