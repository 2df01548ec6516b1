"""One short recorded run and one store built from it, shared by the evidence tests.

A minute of the El Paso scenario (about 1,800 raw records, two incidents) recorded with
``skywarden run --evidence``; the store is what ``skywarden serve --source
detections:...`` fills from the same detections. Tests that tamper get their own copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"


def record_run(out: Path, *extra: str) -> Path:
    args = ["run", str(SCENARIO), "--seed", "1", "--duration", "60", "--out", str(out)]
    r = CliRunner().invoke(app, [*args, *extra])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="session")
def recorded_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record_run(tmp_path_factory.mktemp("evidence") / "run", "--evidence")


@pytest.fixture
def run_dir(recorded_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(recorded_run, tmp_path / "run"))


@pytest.fixture(scope="session")
def recorded_store(recorded_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from skywarden.pipeline import run_to_end
    from skywarden.service.launch import build

    path = tmp_path_factory.mktemp("store") / "store.db"
    launched = build(
        f"sqlite:///{path}", None, 1.0, [f"detections:{recorded_run}/detections.jsonl"]
    )
    assert launched.pipeline is not None
    run_to_end(launched.pipeline)
    launched.db.dispose()
    return path


@pytest.fixture
def store_file(recorded_store: Path, tmp_path: Path) -> Path:
    for p in recorded_store.parent.glob(recorded_store.name + "*"):
        if not p.name.endswith(".pem"):
            shutil.copy(p, tmp_path / p.name)
    return tmp_path / recorded_store.name
