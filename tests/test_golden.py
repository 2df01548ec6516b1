"""Behaviour unchanged (issue 13): fixed commands give byte-identical output files.

The expected SHA-256 of each output is stored in ``tests/golden/*.json``. A refactor
must keep them; a change meant to alter behaviour refreshes them on purpose with
``python scripts/update_golden.py`` and says why in its commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import update_golden as golden  # scripts/ is on sys.path (tests/conftest.py)

REFRESH = (
    "the outputs changed. If the change is meant (new behaviour), refresh the golden"
    " hashes with `python scripts/update_golden.py`, check `git diff tests/golden`, and"
    " say in the commit why the outputs moved; if not, this is a regression."
)


@pytest.mark.parametrize("case", golden.CASES, ids=lambda c: c.name)
def test_outputs_are_byte_identical_to_the_golden_run(case: golden.Case, tmp_path: Path) -> None:
    expected = golden.recorded(case)
    assert expected, f"{case.golden} missing: run `python scripts/update_golden.py`"
    got = golden.run_case(case, tmp_path)
    changed = {
        name: (expected.get(name, "-")[:12], got.get(name, "-")[:12])
        for name in sorted(expected.keys() | got.keys())
        if expected.get(name) != got.get(name)
    }
    assert not changed, f"skywarden {' '.join(case.args)}: {changed}: {REFRESH}"


def test_timing_keys_do_not_count(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"scores": {"x": 1}, "seconds": {"track": 6.4}}')
    b.write_text('{"scores": {"x": 1}, "seconds": {"track": 11.9}}')
    assert golden.file_sha256(a) == golden.file_sha256(b)
    b.write_text('{"scores": {"x": 2}, "seconds": {"track": 6.4}}')
    assert golden.file_sha256(a) != golden.file_sha256(b)
