"""bench/month_speed.py: the command each tree's month runs with."""

from __future__ import annotations

from pathlib import Path

from bench_loader import load_bench


def _tree(root: Path, lanes: bool) -> Path:
    cmds = root / "skywarden" / "commands"
    cmds.mkdir(parents=True)
    if lanes:
        (cmds / "month_lanes.py").write_text("")
    return root


def test_a_tree_with_lanes_is_told_its_lanes_even_one(tmp_path: Path) -> None:
    b = load_bench("month_speed")
    src = _tree(tmp_path / "new", lanes=True)
    cmd = b.month_command(src, tmp_path / "out", 10.0, "S86", 1)
    assert cmd[cmd.index("--lanes") + 1] == "1"  # its own default is 16
    assert cmd[cmd.index("--days") + 1] == "10"
    assert cmd[cmd.index("--workers") + 1] == "1"


def test_an_older_tree_without_lanes_gets_no_lanes_option(tmp_path: Path) -> None:
    b = load_bench("month_speed")
    src = _tree(tmp_path / "old", lanes=False)
    assert "--lanes" not in b.month_command(src, tmp_path / "out", 1.0, "S86", 1)
    cmd = b.month_command(src, tmp_path / "out", 1.0, "S86", 16, Path("t.yaml"))
    assert cmd[cmd.index("--lanes") + 1] == "16"
    assert cmd[-2:] == ["--tracker-config", "t.yaml"]
