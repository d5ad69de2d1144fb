"""Connections get TCP_NODELAY even on a listening socket made with proto 0, as uvicorn makes
the one it shares between worker processes."""

import asyncio
import socket

from api.http_protocol import set_nodelay


def _nodelay_of_accepted_connection(*, set_it: bool) -> int:
    async def accept_one() -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                if set_it:
                    set_nodelay(transport)
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            value = await asyncio.wait_for(accepted, timeout=5)
            writer.close()
            await writer.wait_closed()
        return value

    return asyncio.run(accept_one())


def test_accepted_connections_send_small_writes_at_once():
    # asyncio leaves Nagle's algorithm on for such a socket...
    assert _nodelay_of_accepted_connection(set_it=False) == 0
    # ...and the protocol skillpath serves with turns it off.
    assert _nodelay_of_accepted_connection(set_it=True) != 0
