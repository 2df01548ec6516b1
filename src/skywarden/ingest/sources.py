"""Async sources: files, stdin, TCP clients with reconnect, UDP listeners.

DESIGN.md: the same pipeline runs over a recorded file and over live sockets. Each
source is one asyncio task feeding its own parser and handing what comes out to the
shared :class:`~skywarden.ingest.sink.Sink`. A source never dies of bad input (parsers
do not raise); a TCP source outlives its server: when the connection drops it flushes
the cut frame as ``truncated``, keeps the decoder's per-aircraft state, waits with
exponential back-off (``backoff_s`` doubling up to ``backoff_max_s``) and reconnects.

Each source keeps a one-line ``state`` (reading, connected, retrying and why) that the
live status line of ``skywarden ingest`` shows; :func:`run_until_stopped` runs sources
until they end or the user presses Ctrl-C, calling a tick (flush, status) every second.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from skywarden.ingest.base import IngestOptions, Parser
from skywarden.ingest.formats import UnknownFormat, detect_format, make_parser
from skywarden.ingest.rejection import Reason, Rejection
from skywarden.ingest.sink import Sink
from skywarden.ingest.validate import Deduplicator

CHUNK = 1 << 20
DEFAULT_PORTS = {"sbs": 30003, "avr": 30002, "beast": 30005}


@dataclass
class Source(ABC):
    """One input. ``fmt`` None means detect from the first chunk."""

    name: str
    fmt: str | None = None
    options: IngestOptions = field(default_factory=IngestOptions)
    dedup: Deduplicator | None = None
    parser: Parser | None = None
    state: str = "starting"
    closed: bool = False

    def finish(self, sink: Sink) -> None:
        """Hand the parser's last items and absorbed counts to the sink, once."""
        if self.parser is not None and not self.closed:
            sink.put(self.parser, self.parser.close())
            sink.absorb(self.parser)
        self.closed = True

    @abstractmethod
    async def run(self, sink: Sink) -> None:
        """Read until the input ends (or the task is cancelled)."""

    def _parser_for(self, head: bytes, sink: Sink) -> Parser | None:
        if self.parser is None:
            fmt = self.fmt or detect_format(head)
            if fmt is None:
                sink.reject(
                    Rejection(
                        source=self.name,
                        format="unknown",
                        reason=Reason.UNKNOWN_FORMAT,
                        detail="content matches no known format; use --format",
                        raw=head[:64].hex(),
                        raw_encoding="hex",
                        offset=0,
                    )
                )
                return None
            self.parser = make_parser(fmt, self.name, self.options, self.dedup)
        return self.parser

    async def _feed_stream(self, read: BinaryIO, sink: Sink) -> None:
        """Read chunk by chunk in a worker thread, so live sockets keep being served."""
        self.state = "reading"
        head = await asyncio.to_thread(read.read, CHUNK)
        parser = self._parser_for(head, sink)
        if parser is None:
            self.state = "unknown format"
            return
        data = head
        while data:
            sink.put(parser, parser.feed(data))
            data = await asyncio.to_thread(read.read, CHUNK)
        self.finish(sink)
        self.state = "done"


@dataclass
class FileSource(Source):
    """A recorded file, read in 1 MiB chunks.

    ``line_interval_s`` replays a file whose lines carry no time (undated SBS, AVR
    without counter) as a feed would have delivered them: line k is received at
    ``options.reference_time + k * line_interval_s``, one line per chunk.
    """

    path: Path = Path()
    line_interval_s: float | None = None

    async def run(self, sink: Sink) -> None:
        if self.line_interval_s is None:
            with self.path.open("rb") as f:
                await self._feed_stream(f, sink)
            return
        self.state = "reading"
        t0 = self.options.reference_time
        if t0 is None:
            raise ValueError("line_interval_s needs options.reference_time")
        with self.path.open("rb") as f:
            for k, line in enumerate(f):
                parser = self._parser_for(line, sink)
                if parser is None:
                    return
                sink.put(parser, parser.feed(line, t0 + k * self.line_interval_s))
                if k % 10_000 == 9_999:
                    await asyncio.sleep(0)  # let the status line tick
        self.finish(sink)
        self.state = "done"


@dataclass
class StdinSource(Source):
    """Standard input (``-`` on the command line)."""

    async def run(self, sink: Sink) -> None:
        await self._feed_stream(sys.stdin.buffer, sink)


@dataclass
class TcpSource(Source):
    """A TCP client (SBS on 30003, Beast on 30005, AVR on 30002) that reconnects.

    ``max_connections`` bounds how many connections are made in all (None: forever);
    the source ends when the last one closes. Tests use it to replay a file, drop the
    connection once, and finish.
    """

    host: str = "127.0.0.1"
    port: int = 30003
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    max_connections: int | None = None
    connections: int = 0

    async def run(self, sink: Sink) -> None:
        delay = self.backoff_s
        while self.max_connections is None or self.connections < self.max_connections:
            self.state = "connecting"
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError as e:
                if isinstance(e, ConnectionRefusedError):
                    self.state = f"retrying in {delay:g} s: nobody listening (connection refused)"
                else:
                    why = e.strerror or type(e).__name__
                    self.state = f"retrying in {delay:g} s: cannot connect ({why})"
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_max_s)
                continue
            self.connections += 1
            self.state = "connected"
            received = 0
            try:
                received = await self._read(reader, sink)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()
                if self.parser is not None:
                    sink.put(self.parser, self.parser.reset_framing())
            if self.max_connections is not None and self.connections >= self.max_connections:
                break
            # A feed that delivered data reconnects at once (a server restart); one that
            # closes without a byte is backed off like a refused connection.
            if received:
                delay = self.backoff_s
                self.state = "connection closed by the server: reconnecting"
            else:
                self.state = f"connection closed with no data: retrying in {delay:g} s"
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_max_s)
        self.finish(sink)
        self.state = "done"

    async def _read(self, reader: asyncio.StreamReader, sink: Sink) -> int:
        """Read one connection to its end; return how many bytes it delivered."""
        total = 0
        while True:
            data = await reader.read(CHUNK)
            if not data:
                return total
            total += len(data)
            parser = self._parser_for(data, sink)
            if parser is None:
                return 0  # unknown content: back off as if nothing came
            sink.put(parser, parser.feed(data))


@dataclass
class UdpSource(Source):
    """A UDP listener: each datagram is one or more whole messages (Remote ID receivers).

    Runs until cancelled; ``max_datagrams`` (tests) ends it after that many.
    """

    host: str = "0.0.0.0"
    port: int = 0
    max_datagrams: int | None = None
    bound: asyncio.Future[int] | None = None

    async def run(self, sink: Sink) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        source = self

        class Protocol(asyncio.DatagramProtocol):
            count = 0

            def datagram_received(self, data: bytes, addr: tuple[str | None, int]) -> None:
                parser = source._parser_for(data, sink)
                if parser is not None:
                    sink.put(parser, parser.feed(data))
                    sink.put(parser, parser.reset_framing())
                Protocol.count += 1
                limit = source.max_datagrams
                if limit is not None and Protocol.count >= limit and not done.done():
                    done.set_result(None)

        transport, _ = await loop.create_datagram_endpoint(
            Protocol, local_addr=(self.host, self.port)
        )
        self.state = f"listening on {self.host}:{transport.get_extra_info('sockname')[1]}"
        if self.bound is not None:
            self.bound.set_result(transport.get_extra_info("sockname")[1])
        try:
            await done
        finally:
            transport.close()
            if self.parser is not None:
                sink.absorb(self.parser)


async def run_sources(sources: list[Source], sink: Sink) -> None:
    """Run every source as its own task until all have finished."""
    await asyncio.gather(*(s.run(sink) for s in sources))


async def run_until_stopped(
    sources: list[Source],
    sink: Sink,
    tick: Callable[[], None] | None = None,
    tick_s: float = 1.0,
) -> bool:
    """Run the sources until all end or SIGINT/SIGTERM arrives; True if interrupted.

    On a signal the sources are cancelled and each parser's last items and counts are
    handed to the sink, so the summary is complete. ``tick`` runs every ``tick_s``
    (flushing the output files and redrawing the status line) and once at the end.
    A source's exception (e.g. a missing ASTERIX decoder) propagates.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass

    async def ticking() -> None:
        while True:
            await asyncio.sleep(tick_s)
            if tick is not None:
                tick()

    work = asyncio.ensure_future(run_sources(sources, sink))
    stopper = asyncio.ensure_future(stop.wait())
    ticker = asyncio.ensure_future(ticking())
    try:
        await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        ticker.cancel()
        stopper.cancel()
    interrupted = not work.done()
    if interrupted:
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        for s in sources:
            s.finish(sink)
    else:
        work.result()
    if tick is not None:
        tick()
    return interrupted


def source_for(
    spec: str,
    fmt: str | None,
    options: IngestOptions,
    dedup: Deduplicator | None,
    line_interval_s: float | None = None,
) -> Source:
    """A source from a command-line spec: a path, ``-``, ``tcp://host:port``, ``udp://host:port``.

    ``line_interval_s`` (files only) spaces undated lines; see :class:`FileSource`.
    """
    if spec == "-":
        return StdinSource("stdin", fmt, options, dedup)
    for scheme in ("tcp://", "udp://"):
        if spec.startswith(scheme):
            host, _, port_s = spec[len(scheme) :].rpartition(":")
            try:
                port = int(port_s)
            except ValueError:
                raise UnknownFormat(f"{spec}: port {port_s!r} is not a number") from None
            if scheme == "tcp://":
                return TcpSource(spec, fmt, options, dedup, host=host or "127.0.0.1", port=port)
            return UdpSource(spec, fmt, options, dedup, host=host or "0.0.0.0", port=port)
    path = Path(spec)
    if not path.is_file():
        raise FileNotFoundError(f"{spec}: no such file")
    return FileSource(spec, fmt, options, dedup, path=path, line_interval_s=line_interval_s)
