"""Coverage-guided fuzzing of one ingest parser with atheris (libFuzzer for Python).

    python -m skywarden.ingest.fuzz FORMAT [CORPUS_DIR...] -max_total_time=2
    make fuzz [FUZZ_SECONDS=600] [FUZZ_FORMATS="sbs rid_network"]

``make fuzz`` (not part of ``make test``) fuzzes every format for ``FUZZ_SECONDS``
each, seeded from the corpus kept in the repository, ``tests/ingest/corpus/FORMAT/``
(small files: each format's valid example, and for line and JSON formats a line
without its newline, deep nesting and brackets inside strings). New inputs libFuzzer
finds go to ``.cache/fuzz/FORMAT`` (merge the useful ones back with ``-merge=1``),
crashing inputs to ``.cache/fuzz/crash-FORMAT-*``.

The property fuzzed is the ingest contract: whatever bytes arrive, in whatever chunks,
a parser returns only Detections and Rejections and never raises. The first input byte
chooses where the input is split into two chunks, so framing across chunk boundaries
is fuzzed too. Any exception is a crash that libFuzzer reports with the input.

Only skywarden's own modules are instrumented (imported inside
``atheris.instrument_imports``), which keeps start-up to about a second; hence nothing
from skywarden is imported at the top of this file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

T = 1_770_779_400.0


def contract(fmt: str) -> Callable[[bytes], None]:
    """The check run on each input: feed in two chunks, only typed items come out."""
    from skywarden.ingest.base import IngestOptions
    from skywarden.ingest.formats import make_parser
    from skywarden.ingest.rejection import Rejection
    from skywarden.model import Detection

    opts = IngestOptions(
        reference_time=T,
        receiver=(31.8, -106.4),
        sites={"1/2": (31.8, -106.4, 1200.0)},
        clock=lambda: T,
    )

    def check_one(data: bytes) -> None:
        parser = make_parser(fmt, "fuzz", opts)
        split = data[0] if data else 0
        body = data[1:]
        out = parser.feed(body[:split], T) + parser.feed(body[split:], T) + parser.close()
        for item in out:
            if not isinstance(item, Detection | Rejection):
                raise TypeError(f"{fmt} returned {type(item).__name__}")

    check_one(b"")  # import the parser's modules now, under instrumentation
    return check_one


def main(argv: list[str]) -> None:
    import atheris

    fmt = argv[1]
    with atheris.instrument_imports(include=["skywarden"]):
        from skywarden.ingest.formats import FORMATS

        if fmt not in FORMATS:
            raise SystemExit(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
        check = contract(fmt)
    atheris.Setup([argv[0], *argv[2:]], check)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
