"""Small promises of the command line: a version flag, one default seed, clear errors."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden import __version__, cli
from skywarden.cli import app
from skywarden.commands.run import run
from skywarden.commands.simulate import simulate

runner = CliRunner()


def test_version_flag_prints_the_package_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0
    assert r.output.strip() == f"skywarden {__version__}"


def test_simulate_and_run_default_to_the_same_seed() -> None:
    def default_seed(fn: object) -> object:
        assert callable(fn)
        return inspect.signature(fn).parameters["seed"].default

    assert default_seed(simulate) == default_seed(run) == 1


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_evaluate_says_when_its_arguments_are_swapped(tmp_path: Path) -> None:
    truth = _jsonl(
        tmp_path / "truth.jsonl",
        [{"t": 0.0, "target": "bird-0001", "kind": "bird", "lat": 31.8, "lon": -106.4,
          "alt_m": 1200.0}],
    )
    tracks = _jsonl(tmp_path / "tracks.jsonl", [{"t": 0.0, "track": "T000001"}])
    r = runner.invoke(app, ["evaluate", str(tracks), str(truth)])
    assert r.exit_code == 2
    assert "swapped" in r.output
    assert "Traceback" not in r.output


def test_evaluate_names_a_file_that_is_not_truth(tmp_path: Path) -> None:
    other = _jsonl(tmp_path / "other.jsonl", [{"t": 0.0, "x": 1.0}])
    tracks = _jsonl(tmp_path / "tracks.jsonl", [{"t": 0.0, "track": "T000001"}])
    r = runner.invoke(app, ["evaluate", str(other), str(tracks)])
    assert r.exit_code == 2
    assert "other.jsonl" in r.output and "'target'" in r.output


def test_an_unhandled_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: list[str] | None = None) -> None:
        raise OSError("database unreachable\nBackground: a long explanation")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as e:
        cli.main(["serve"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "error: OSError: database unreachable (--debug shows the traceback)"
    ]


def test_debug_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(args: list[str] | None = None) -> None:
        raise OSError("database unreachable")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(OSError, match="unreachable"):
        cli.main(["--debug", "serve"])
