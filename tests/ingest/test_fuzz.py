"""A short atheris (libFuzzer) run per parser, seeded with each format's valid example.

Bounded to one second of fuzzing per format (about 20-40 thousand inputs each on this
machine); a crash, i.e. any exception out of a parser, fails the test with libFuzzer's
report. ``python -m skywarden.ingest.fuzz FORMAT CORPUS -max_total_time=600`` runs longer.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.formats import FORMATS


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_fuzz_parser_briefly(fmt: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed").write_bytes(b"\x40" + EXAMPLES[fmt])  # first byte: the chunk split
    # A child's peak RSS starts at its parent's (Linux keeps the high-water mark across
    # fork and exec), and libFuzzer reads it as its own: a test worker grown to 1.3 GB
    # by earlier tests made every format "out of memory" at its first input (wave 13's
    # fresh clone). The fuzzer gets 1 GB above what this process has used.
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "skywarden.ingest.fuzz",
            fmt,
            str(corpus),
            "-max_total_time=1",
            f"-rss_limit_mb={base_mb + 1024}",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    tail = run.stderr[-3000:]
    assert run.returncode == 0, tail
    assert "INITED" in run.stderr and "Done" in tail, tail
