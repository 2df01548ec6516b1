"""Named random streams: reproducible, independent, and stable across processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from skywarden.sim.seeding import stream


def test_same_name_same_numbers_other_names_other_numbers() -> None:
    a = stream(1, "smuggler", 3).random(4).tolist()
    assert a == stream(1, "smuggler", 3).random(4).tolist()
    assert a != stream(1, "smuggler", 4).random(4).tolist()
    assert a != stream(2, "smuggler", 3).random(4).tolist()
    assert a != stream(1, "bird", 3).random(4).tolist()


def test_streams_do_not_depend_on_the_process() -> None:
    code = (
        "from skywarden.sim.seeding import stream; print(stream(1, 'sensor', 'radar-1').random())"
    )
    out = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert out == {f"{stream(1, 'sensor', 'radar-1').random()}\n"}


def test_negative_seed_or_index_is_refused() -> None:
    with pytest.raises(ValueError, match="seed"):
        stream(-1, "x")
    with pytest.raises(ValueError, match="index"):
        stream(1, "x", -2)
