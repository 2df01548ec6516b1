"""Format detection from a stream's first bytes, and the parser registry."""

from __future__ import annotations

import pytest

from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.formats import FORMATS, UnknownFormat, detect_format, make_parser


@pytest.mark.parametrize("fmt", sorted(EXAMPLES))
def test_every_example_is_recognised_from_its_first_bytes(fmt: str) -> None:
    assert detect_format(EXAMPLES[fmt][:4096]) == fmt


@pytest.mark.parametrize(
    "head", [b"", b"hello world\n", b"\x00\x01\x02", b'{"unrelated": 1}\n', b"t,x,y\n1,2,3\n"]
)
def test_unrecognisable_content_is_none(head: bytes) -> None:
    assert detect_format(head) is None


def test_registry_builds_every_format_and_names_unknown_ones() -> None:
    for fmt in FORMATS:
        assert make_parser(fmt, "src").format == fmt
    with pytest.raises(UnknownFormat, match="unknown format 'mp3'"):
        make_parser("mp3", "src")
