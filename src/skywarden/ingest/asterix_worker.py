"""asterix-decoder in a child process, so a crash of its C code costs a block, not the run.

Fuzzing skywarden's ASTERIX parser found blocks on which asterix-decoder 0.7.11 reads
past its buffer and the interpreter dies with SIGSEGV: e.g. a 27-byte CAT205 block whose
repetitive item I120 announces more repetitions than the block holds
(``cd001b63054440002700ffd8ff287f014428403ffffffffffffb0031``). A segfault cannot be
caught in Python, and it would stop every source of the run, which DESIGN.md forbids.
So the decoder runs in one long-lived child process (started on first use, shared by
all ASTERIX parsers of this process); blocks are sent in batches, one round trip per
chunk read. If the child dies, it is restarted and the batch is retried block by block
to find the culprit, which comes back as None (quarantined as ``corrupt``).
"""

from __future__ import annotations

import atexit
import importlib.util
import marshal
import struct
import subprocess
import sys
from typing import IO, Any

from skywarden.errors import SkywardenError

Records = list[dict[str, Any]]

#: What to install when the decoder is missing (the optional dependency's extra).
INSTALL_HINT = "pip install 'skywarden[asterix]'"


class DecoderMissing(SkywardenError, ImportError):
    """The optional ``asterix-decoder`` package is not installed: a start-up error."""

    def __init__(self) -> None:
        super().__init__(
            "ASTERIX needs the optional asterix-decoder package, which is not installed:"
            f" {INSTALL_HINT}"
        )


def decoder_available() -> bool:
    """Whether ``asterix-decoder`` (module ``asterix``) can be imported, without importing it.

    Checked before the worker is started: without it the child dies on its first
    import, and every block would be quarantined as a decoder crash.
    """
    return importlib.util.find_spec("asterix") is not None


def _send(stream: IO[bytes], obj: Any) -> None:
    data = marshal.dumps(obj)
    stream.write(struct.pack("<I", len(data)) + data)
    stream.flush()


def _recv(stream: IO[bytes]) -> Any:
    head = stream.read(4)
    if len(head) < 4:
        raise EOFError("decoder process ended")
    (size,) = struct.unpack("<I", head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("decoder process ended mid-reply")
    return marshal.loads(data)


def flatten(rec: dict[str, Any]) -> dict[str, Any]:
    """One flat dict per record: ``{"I040/RHO": 197.68, "I600/P84/Lat": 31.77, ...}``.

    asterix-decoder nests every value as ``{"val": v}`` inside items and compound
    subfields; flat records cross the process boundary several times faster.
    """
    out: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            if "val" in node:
                out[prefix] = node["val"]
                return
            for key, value in node.items():
                walk(f"{prefix}/{key}", value)
        else:
            out[prefix] = node

    for key, value in rec.items():
        walk(key, value)
    return out


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The child's loop: batches of blocks in, per block records or an error text out."""
    import asterix

    while True:
        try:
            blocks: list[bytes] = _recv(stdin)
        except EOFError:
            return
        out: list[Records | str] = []
        for blk in blocks:
            try:
                out.append([flatten(rec) for rec in asterix.parse(blk, verbose=False)])
            except Exception as e:  # the decoder's Python-level errors
                out.append(f"{type(e).__name__}: {e}")
        _send(stdout, out)


class DecoderProcess:
    """A restartable child process running ``asterix.parse`` (see module docstring).

    The child is ``python -m skywarden.ingest.asterix_worker`` talking length-prefixed
    ``marshal`` data (plain lists, dicts, numbers, strings) over its stdin/stdout: no
    multiprocessing, so the caller's ``__main__`` is never re-imported.
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def parse(self, blocks: list[bytes]) -> list[Records | str | None]:
        """Per block: its records, an error text, or None if the decoder crashed on it."""
        if not blocks:
            return []
        try:
            return self._call(blocks)
        except (EOFError, OSError):
            self._stop()
            self.restarts += 1
            if len(blocks) == 1:
                return [None]
            return [self.parse([b])[0] for b in blocks]

    def _call(self, blocks: list[bytes]) -> list[Records | str | None]:
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        _send(self._proc.stdin, blocks)
        result: list[Records | str | None] = _recv(self._proc.stdout)
        return result

    def _start(self) -> None:
        self._stop()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "skywarden.ingest.asterix_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=5)


_SHARED: DecoderProcess | None = None


def shared_decoder() -> DecoderProcess:
    """The process-wide decoder child, started lazily and stopped at exit."""
    global _SHARED
    if _SHARED is None:
        _SHARED = DecoderProcess()
        atexit.register(_SHARED._stop)
    return _SHARED


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
