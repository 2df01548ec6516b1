"""The policy YAML selects the response rules (issue 13: rules as objects, chosen and
parameterised by the policy)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skywarden.airspace import load_policy
from skywarden.airspace.errors import PolicyError
from skywarden.airspace.policy import default_policy_path
from skywarden.airspace.rules import DEFAULT_RULES, rules_for


def _site_policy(tmp_path: Path, rules: object) -> Path:
    doc = yaml.safe_load(default_policy_path().read_text())
    doc["rules"] = rules
    p = tmp_path / "site-policy.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_the_shipped_policy_selects_every_rule_in_the_default_order() -> None:
    chosen = rules_for(load_policy().rules)
    assert [type(r) for r in chosen] == [type(r) for r in DEFAULT_RULES]


def test_a_site_policy_may_leave_a_rule_out(tmp_path: Path) -> None:
    policy = load_policy(_site_policy(tmp_path, ["zone", "closing"]))
    assert [type(r).__name__ for r in rules_for(policy.rules)] == ["ZoneRule", "ClosingRule"]


@pytest.mark.parametrize(
    ("rules", "words"),
    [(["zone", "teleport"], "rules"), (["zone", "zone"], "listed twice"), ([], "rules")],
)
def test_a_bad_rules_list_is_refused_naming_the_key(
    tmp_path: Path, rules: object, words: str
) -> None:
    with pytest.raises(PolicyError, match=words):
        load_policy(_site_policy(tmp_path, rules))


def test_the_analyzer_applies_the_rules_its_policy_selects(tmp_path: Path) -> None:
    from skywarden import refdata
    from skywarden.airspace import Analyzer, sector_zones
    from skywarden.geo import LocalFrame

    frame = LocalFrame(31.76, -106.43, 1150.0)
    zones = sector_zones(frame, airports=["KELP"])
    policy = load_policy(_site_policy(tmp_path, ["closing", "zone"]))
    an = Analyzer(frame, zones, refdata.border_line(), policy)
    assert [type(r).__name__ for r in an.rules] == ["ClosingRule", "ZoneRule"]
