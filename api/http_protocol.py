"""uvicorn's HTTP protocol with TCP_NODELAY set on every connection, and each response's head
sent together with its body.

uvicorn answers in two writes (the head, then the body). asyncio turns Nagle's algorithm off
only on sockets made with proto=IPPROTO_TCP, and the listening socket uvicorn shares between
worker processes is made with proto 0: with two workers or more, each response's second write
then waited for the client's delayed ACK, about 40 ms. (uvloop sets TCP_NODELAY itself; the
service runs the asyncio loop, see api/cli.py.)

With Nagle's algorithm off, the two writes are two system calls and two segments, and the
client is woken twice for one response. So the head is held back until the next write (the
body, written in the same turn of the event loop) and both go in one system call; a write
with nothing after it goes at the end of the loop's current turn.
"""

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# What `--http` names for uvicorn: skillpath serve and the benchmarks use it.
PROTOCOL = "api.http_protocol:NoDelayHttpToolsProtocol"


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on a TCP connection (no-op for other sockets)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HeadWithBodyTransport:
    """A transport that holds a write made when nothing is held, and sends it with the next
    write, at the end of the event loop's turn, or before the transport closes, whichever
    comes first: one system call for a response's head and body. Everything else is the
    wrapped transport's."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes) -> None:
        held = self._held
        if held is None:
            self._held = data
            self._loop.call_soon(self.flush)
        else:
            self._held = None
            self._transport.write(held + data)

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def flush(self) -> None:
        """Send what is held, if anything."""
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol, on a connection with TCP_NODELAY, each response in one write."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(HeadWithBodyTransport(transport))  # type: ignore[arg-type]
