"""The fuzzing corpus kept in the repository, and ``make fuzz`` outside ``make test``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skywarden.ingest.formats import FORMATS
from skywarden.ingest.fuzz import contract

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "ingest" / "corpus"


def test_every_format_has_a_small_seed_corpus() -> None:
    assert {d.name for d in CORPUS.iterdir() if d.is_dir()} == set(FORMATS)
    for d in CORPUS.iterdir():
        seeds = list(d.iterdir())
        assert seeds, d
        assert all(s.stat().st_size < 64 * 1024 for s in seeds), d


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_corpus_passes_the_ingest_contract(fmt: str) -> None:
    check = contract(fmt)  # feeds each seed in two chunks; raises on any exception
    for seed in sorted((CORPUS / fmt).iterdir()):
        check(seed.read_bytes())


def test_make_fuzz_is_not_part_of_make_test() -> None:
    make = (REPO / "Makefile").read_text()
    assert re.search(r"^FUZZ_SECONDS \?= (\d+)$", make, re.M)
    assert int(re.search(r"^FUZZ_SECONDS \?= (\d+)$", make, re.M).group(1)) >= 600  # type: ignore[union-attr]
    assert re.search(r"^fuzz:", make, re.M)
    test_line = re.search(r"^test:(.*)$", make, re.M)
    pytest_line = re.search(r"^pytest:(.*)$", make, re.M)
    assert test_line and "fuzz" not in test_line.group(1)
    assert pytest_line and "fuzz" not in pytest_line.group(1)
