"""The cluster's commands refuse what they cannot honour, naming the option."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from skywarden.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["serve", "--cluster"], "--cluster"),  # no --bus: nothing to consume
        (["serve", "--cluster", "--bus", "nats://127.0.0.1:1", "--scenario", "x.yaml"],
         "--cluster"),  # the workers run the stages, not the core
        (["worker", "--sectors", "a.b"], "--sectors"),
        (["worker", "--sectors", ""], "--sectors"),
        (["edge", "--sector", "west"], "--source"),
        (["edge", "--sector", "we st", "--scenario", "x.yaml"], "--sector"),
        (["edge", "--sector", "west", "--source", "detections:/nonexistent.jsonl"], "--source"),
        (["edge", "--sector", "west", "--scenario", "x.yaml", "--layout", "/nonexistent.json"],
         "--layout"),  # the layout is read before the source is built
    ],
)  # fmt: skip
def test_refusals_name_the_option(args: list[str], option: str) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    assert option in r.output


def test_worker_names_an_unreachable_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    from skywarden.cluster import topology

    monkeypatch.setattr(topology, "CONNECT_S", 1.0)  # the real wait is 10 s
    r = runner.invoke(app, ["worker", "--sectors", "west", "--bus", "nats://127.0.0.1:1"])
    assert r.exit_code == 2
    assert "--bus" in r.output and "cannot connect" in r.output
