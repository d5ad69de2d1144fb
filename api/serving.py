"""Serving an ASGI app under uvicorn, with several workers sharing the load evenly.

uvicorn's `--workers` binds one listening socket in the supervisor and hands it to every
worker; each worker's event loop, woken by a new connection, accepts every connection waiting
(up to the backlog). A client that opens its connections at once (a load balancer, a mobile
backend, wrk) lands most or all of them on whichever worker woke first, and keeps them there:
measured here, 32 keep-alive connections split 31/1, 32/0, 22/10 and 0/32 over four runs, and
the service ran at the speed of one worker.

Here every worker listens on a socket of its own, all bound to the same address with
SO_REUSEPORT, and the kernel spreads new connections over them by a hash of the client's
address and port. A worker makes its socket when it starts (a restarted worker too), so no
socket is ever left without a worker to accept on it. The supervisor holds the address with
a socket that is bound but not listening: the port is taken while it runs, and a second
server on it fails at once, but no connection is ever queued on that socket.

`python -m api.serving TARGET` runs any app this way: the benchmark serves its yardstick
like skillpath itself.
"""

import argparse
import logging
import socket
import sys
from contextlib import closing
from typing import Any, cast

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

logger = logging.getLogger("uvicorn.error")


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A socket listening on (host, port) beside the other workers' (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


class WorkerSocket:
    """What the supervisor passes to each worker in place of a socket: unpickled in the
    worker process, it becomes that worker's own listening socket."""

    def __init__(self, host: str, port: int, backlog: int) -> None:
        self._address = (host, port, backlog)

    def __reduce__(self) -> tuple[Any, tuple[str, int, int]]:
        return listening_socket, self._address


def reserve_address(host: str, port: int) -> socket.socket:
    """A socket holding (host, port) while the workers serve: bound with SO_REUSEPORT, never
    listening.

    The address is first bound without SO_REUSEPORT, which fails (OSError) when anything
    holds it, another server of this kind too: SO_REUSEPORT alone would let two of them
    share the address and split its connections.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with closing(socket.socket(family, socket.SOCK_STREAM)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, remembering whether Ctrl-C (SIGINT) stopped it."""

    interrupted = False

    def handle_int(self) -> None:
        self.interrupted = True
        super().handle_int()


def run(config: uvicorn.Config) -> None:
    """Serve `config`'s app: in this process, or in `config.workers` processes with a
    listening socket each. Ctrl-C raises KeyboardInterrupt once the server has shut down,
    as uvicorn does in one process (its supervisor returns as if all went well)."""
    if config.workers <= 1:
        uvicorn.Server(config).run()  # a failed start-up exits with an error in there
        return
    try:
        reservation = reserve_address(config.host, config.port)
    except OSError as error:
        logger.error("cannot serve on %s:%s: %s", config.host, config.port, error)
        sys.exit(STARTUP_FAILURE)
    with closing(reservation):
        # uvicorn passes the list on to each worker it starts, pickled (see WorkerSocket).
        worker_socket = WorkerSocket(config.host, config.port, config.backlog)
        supervisor = _Supervisor(config, sockets=cast(list[socket.socket], [worker_socket]))
        supervisor.run()
    # uvicorn's supervisor stops when a worker fails to start, but returns as if all went well.
    if any(worker.process.exitcode == STARTUP_FAILURE for worker in supervisor.processes):
        sys.exit(STARTUP_FAILURE)
    if supervisor.interrupted:
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """`python -m api.serving TARGET`: serve an app as `skillpath serve` serves skillpath."""
    parser = argparse.ArgumentParser(prog="python -m api.serving", description=main.__doc__)
    parser.add_argument("target", help="the app, as module:attribute")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--factory", action="store_true", help="the target makes the app")
    parser.add_argument("--loop", default="asyncio")
    parser.add_argument("--http", default="auto")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    run(
        uvicorn.Config(
            args.target,
            host=args.host,
            port=args.port,
            workers=args.workers,
            factory=args.factory,
            loop=args.loop,
            http=args.http,
            access_log=args.access_log,
            log_level="info" if args.access_log else "warning",
        )
    )


if __name__ == "__main__":
    main()
