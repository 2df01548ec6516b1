"""A short atheris (libFuzzer) run per parser, seeded with each format's valid example.

Bounded to one second of fuzzing per format (about 20-40 thousand inputs each on this
machine); a crash, i.e. any exception out of a parser, fails the test with libFuzzer's
report. ``python -m skywarden.ingest.fuzz FORMAT CORPUS -max_total_time=600`` runs longer.
"""

from __future__ import annotations

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
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "skywarden.ingest.fuzz",
            fmt,
            str(corpus),
            "-max_total_time=1",
            "-rss_limit_mb=1024",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    tail = run.stderr[-3000:]
    assert run.returncode == 0, tail
    assert "INITED" in run.stderr and "Done" in tail, tail
