"""uvicorn's HTTP protocol with TCP_NODELAY set on every connection.

uvicorn answers in two writes (the head, then the body). asyncio turns Nagle's algorithm off
only on sockets made with proto=IPPROTO_TCP, and the listening socket uvicorn shares between
worker processes is made with proto 0: with two workers or more, each response's second write
then waited for the client's delayed ACK, about 40 ms. (uvloop sets TCP_NODELAY itself; the
service runs the asyncio loop, see api/cli.py.)
"""

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# What `--http` names for uvicorn: skillpath serve and the benchmarks use it.
PROTOCOL = "api.http_protocol:NoDelayHttpToolsProtocol"


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on a TCP connection (no-op for other sockets)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol, on a connection with TCP_NODELAY."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
