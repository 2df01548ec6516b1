"""Without the optional asterix-decoder, ASTERIX is a clear start-up error, not N crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.ingest import asterix_worker
from skywarden.ingest.asterix_worker import DecoderMissing
from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.formats import make_parser

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def no_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asterix_worker, "decoder_available", lambda: False)


def test_the_decoder_is_found_when_installed() -> None:
    assert asterix_worker.decoder_available()  # the dev extra installs it


@pytest.mark.usefixtures("no_decoder")
def test_making_the_parser_names_the_extra() -> None:
    with pytest.raises(DecoderMissing, match=r"pip install 'skywarden\[asterix\]'"):
        make_parser("asterix", "cat015")


@pytest.mark.usefixtures("no_decoder")
@pytest.mark.parametrize("forced", [True, False])
def test_ingest_exits_2_naming_the_extra(tmp_path: Path, forced: bool) -> None:
    src = tmp_path / "radar.ast"
    src.write_bytes(EXAMPLES["asterix"])
    out = tmp_path / "d.jsonl"
    args = ["ingest", str(src), "--out", str(out)] + (["--format", "asterix"] if forced else [])
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert "skywarden[asterix]" in res.output
    assert "crashed" not in res.output and "Traceback" not in res.output
