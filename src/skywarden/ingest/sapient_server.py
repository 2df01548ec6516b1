"""The SAPIENT fusion node's TCP server: sensor nodes connect to us (``sapient://H:P``).

In a SAPIENT system the fusion node listens and the sensor nodes (ASMs) connect, register
and report (BSI Flex 335 v2.0). Each connection has its own framing
(:class:`~skywarden.ingest.sapient.SapientParser`); the node registry is shared, so a
node that reconnects keeps its name. Replies (RegistrationAck, Error) go back on the
connection that caused them. A malformed message is rejected into the sink (quarantine)
with its reason, answered with an Error, and the connection stays open; only a broken
length prefix (framing lost) makes us close it, so the node reconnects cleanly. At most
``max_clients`` connections are served at once; more are closed at connect and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from skywarden.ingest.sapient import SapientDecoder, SapientParser
from skywarden.ingest.sink import Sink
from skywarden.ingest.sources import CHUNK, Source

MAX_CLIENTS = 64  # sensor nodes at one site; more at once is a flood, refused at connect


@dataclass
class SapientServer(Source):
    """Listen on ``host:port``; ``max_connections`` ends the source after that many
    connections have closed (tests, a bounded capture); None serves until cancelled."""

    host: str = "127.0.0.1"
    port: int = 0
    max_connections: int | None = None
    max_clients: int = MAX_CLIENTS
    decoder: SapientDecoder = field(default_factory=SapientDecoder)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    ended: int = 0  # connections that have closed
    active: int = 0
    refused: int = 0

    async def run(self, sink: Sink) -> None:
        self.decoder.sensor_override = self.options.sensor
        done = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if self.active >= self.max_clients:  # a flood of connections, not a site's nodes
                self.refused += 1
                writer.close()
                return
            self.active += 1
            parser = SapientParser(self.name, self.options, decoder=self.decoder)
            try:
                while not parser.broken:
                    data = await reader.read(CHUNK)
                    if not data:
                        break
                    sink.put(parser, parser.feed(data))
                    for reply in parser.outbox:
                        writer.write(reply)
                    parser.outbox.clear()
                    await writer.drain()
            except ConnectionError:
                pass
            finally:
                sink.put(parser, parser.close())
                sink.absorb(parser)
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
                self.ended += 1
                self.active -= 1
                if self.max_connections is not None and self.ended >= self.max_connections:
                    done.set()

        server = await asyncio.start_server(handle, self.host, self.port)
        self.port = int(server.sockets[0].getsockname()[1])
        self.ready.set()
        async with server:
            await done.wait()
