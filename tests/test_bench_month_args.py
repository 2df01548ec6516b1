"""``bench/month.py``'s options against what its month runner reads: an option the
parser lost (``--resume`` was, for a while) fails here rather than in a two-hour run."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

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
