"""Connections get TCP_NODELAY even on a listening socket made with proto 0, as uvicorn makes
the one it shares between worker processes; and a response's head goes out with its body, in
one write."""

import asyncio
import socket
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from api.http_protocol import HeadWithBodyTransport, NoDelayHttpToolsProtocol, set_nodelay


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


class RecordingTransport(asyncio.Transport):
    """A transport that keeps what is written to it, as the socket would receive it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_a_response_head_goes_out_with_its_body():
    async def written() -> list[bytes]:
        transport = RecordingTransport()
        held = HeadWithBodyTransport(transport)
        held.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert transport.writes == []
        held.write(b"body")
        await asyncio.sleep(0)  # the end of the loop's turn: nothing more to send
        return transport.writes

    assert asyncio.run(written()) == [b"HTTP/1.1 200 OK\r\n\r\nbody"]


def test_a_write_with_nothing_after_it_goes_out_at_the_end_of_the_loops_turn():
    async def written() -> tuple[list[bytes], list[bytes]]:
        transport = RecordingTransport()
        held = HeadWithBodyTransport(transport)
        held.write(b"first")
        during = list(transport.writes)
        await asyncio.sleep(0)
        return during, transport.writes

    assert asyncio.run(written()) == ([], [b"first"])


def test_closing_sends_what_is_held_first():
    async def written() -> tuple[list[bytes], bool]:
        transport = RecordingTransport()
        held = HeadWithBodyTransport(transport)
        held.write(b"last words")
        held.close()
        await asyncio.sleep(0)
        return transport.writes, transport.closed

    assert asyncio.run(written()) == ([b"last words"], True)


def test_uvicorn_sends_each_response_in_one_write():
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = [(b"content-length", b"5")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hello"})

    async def written() -> list[bytes]:
        config = uvicorn.Config(app, lifespan="off", log_level="warning")
        config.load()
        protocol = NoDelayHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
        transport = RecordingTransport()
        protocol.connection_made(transport)
        protocol.data_received(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        for _ in range(10):  # the request's task, then the end of its turn
            await asyncio.sleep(0)
        protocol.connection_lost(None)
        return transport.writes

    [response] = asyncio.run(written())
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert response.endswith(b"\r\n\r\nhello")
