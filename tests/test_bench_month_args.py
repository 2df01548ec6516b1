"""``bench/month.py``'s options against what its month runner reads: an option the
parser lost (``--resume`` was, for a while) fails here rather than in a two-hour run."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from bench_loader import load_bench


def _bench() -> ModuleType:
    return load_bench("month")


def test_every_option_the_runner_reads_is_parsed() -> None:
    b = _bench()
    args = b.parser().parse_args(
        [
            *("--days", "3", "--seed", "2", "--sectors", "S08,S40", "--warmup-s", "60"),
            *("--resume", "--surveillance-share", "0.5", "--lanes", "8"),
            *("--tracker-config", "turn.yaml"),
        ]
    )
    cmd = b.month_command(args, Path("/tmp/m"))
    assert cmd[1:5] == ["month", "run", "--out", "/tmp/m"]
    joined = " ".join(cmd)
    parts = ("--days 3", "--seed 2", "--sectors S08,S40", "--warmup-s 60", "--resume")
    for part in (*parts, "--surveillance-share 0.5", "--lanes 8", "--tracker-config turn.yaml"):
        assert part in joined


def test_the_defaults_give_a_plain_run() -> None:
    b = _bench()
    cmd = b.month_command(b.parser().parse_args([]), Path("/tmp/m"))
    assert "--resume" not in cmd and "--sectors" not in cmd
    assert "--surveillance-share" not in cmd and "--lanes" not in cmd
    assert "--tracker-config" not in cmd
    one = b.month_command(b.parser().parse_args(["--lanes", "1"]), Path("/tmp/m"))
    assert one[one.index("--lanes") + 1] == "1"  # asked for: passed, month run's default is 16
    assert cmd[cmd.index("--days") + 1] == "1" and cmd[cmd.index("--workers") + 1] == "2"


def test_sampling_of_a_stopped_month_covers_only_its_finished_sectors() -> None:
    """The counts leave an unfinished sector out; its quiet samples must not count as
    hours either (held-out runs are pooled by their quiet hours)."""
    b = _bench()

    def sector(sid: str, quiet_s: float) -> dict:
        wins = [
            {"kind": "warmup", "start_t": 0.0, "end_t": 120.0, "weight": 0.0},
            {"kind": "quiet", "start_t": 120.0, "end_t": 120.0 + quiet_s, "weight": 10.0},
        ]
        return {"id": sid, "simulated": True, "windows": wins}

    border = {
        "sectors": [sector("S01", 3600.0), sector("S02", 1800.0)],
        "start_t": 0.0,
        "end_t": 86400.0,
        "sampling": {"quiet_s_per_day": 3600.0, "warmup_s": 120.0},
    }
    whole = b.sampling(border)
    assert whole["quiet_sample_s"] == 5400.0 and whole["sectors_simulated"] == 2
    part = b.sampling(border, {"S02"})
    assert part["quiet_sample_s"] == 3600.0 and part["warmup_s"] == 120.0
    assert part["sectors_simulated"] == 1 and part["sector_seconds_in_span"] == 86400.0


def test_the_count_can_be_asked_under_another_rule_and_bad_params_are_named() -> None:
    # held-out runs are counted under the rule of the day and the one before it
    # (docs/notes/wave22.md: line_first_m's default changed)
    b = _bench()
    args = b.parser().parse_args(["--param", "line_first_m=0", "--param", "recross_s=300"])
    assert b.parse_params(args.param) == {"line_first_m": 0.0, "recross_s": 300.0}
    with pytest.raises(SystemExit, match="--param 'nope=1': NAME=VALUE"):
        b.parse_params(["nope=1"])
    with pytest.raises(SystemExit, match="'x' is not a number"):
        b.parse_params(["line_first_m=x"])
