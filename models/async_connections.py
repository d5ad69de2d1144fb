"""PostgreSQL's connections for the event loop: psycopg's pool, shared by SQLAlchemy's async
engine (units of work) and by single statements run straight on a connection.

The pooled connections are in autocommit: a single statement, the hottest work, runs on one as
it comes (one round trip, no BEGIN and no COMMIT). SQLAlchemy is handed them out of autocommit,
for its transactions, and a statement's checkout puts one back in it. SQLAlchemy's own pool is
off (NullPool): closing a connection returns it here (the pool rolls back what it left open).

A pool belongs to the event loop it was opened in; `close` ends it, and the next use opens a
new one in the loop then running (each test's client runs its own loop).
"""

import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import psycopg
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

# A connection idle for longer than this is checked with a ping (one round trip) before use (a
# server restart or an idle timeout may have closed it); a dead one is replaced. One that has
# been busy all along is known to be alive, and pinging it would add a round trip to every
# request (SQLAlchemy's pool_pre_ping pings on every checkout). The synchronous engines'
# pools do the same (models/database.py).
PING_AFTER_IDLE_SECONDS = 5.0
# How long `fill` waits for the database to give the pool all its connections.
FILL_TIMEOUT_SECONDS = 30.0
# How long a request waits for a pooled connection before the pool gives up (answered 503,
# api/errors.py): under load a connection is free within milliseconds, so a longer wait means
# the database is gone or full, and a client is better told so than kept for the pools' 30 s.
# The synchronous engines' pools wait as long (models/database.py).
CHECKOUT_TIMEOUT_SECONDS = 10.0

Connection = psycopg.AsyncConnection[Any]


class _LatestFirstPool(AsyncConnectionPool[Connection]):
    """psycopg's pool, handing out the connection returned last rather than the one idle
    longest.

    psycopg's pool takes turns over all its connections (first in, first out): once a burst has
    opened them all, every statement runs on a different one, each with its own PostgreSQL
    process, caches and prepared statements to build. Measured with PUTs after a burst of reads
    (2 workers, 24 connections each, the default then): first-in-first-out, 404-475 PUTs a
    second and 1.2-1.5 ms of PostgreSQL's CPU per PUT; last-in-first-out, 604-655 and 1.0 ms.
    The spare connections are left idle: a pool not `fill`ed shrinks by closing them (the one
    idle longest first, as before).

    This reaches into the pool's internals (`_get_ready_connection` takes the left end of its
    deque `_pool`; returned connections join the right end): a test checks the order
    (tests/models/test_database.py), so an upgrade that changes them fails there.
    """

    async def _get_ready_connection(
        self,
        timeout: float | None,  # noqa: ASYNC109 (the pool's own signature)
    ) -> Connection | None:
        # Called under the pool's lock: the newest connection moves to the end taken from.
        self._pool.rotate(1)
        return await super()._get_ready_connection(timeout)


async def _parse_json_with_orjson(connection: Connection) -> None:
    """JSON values read on `connection` (a PUT's history event, a learner's review cards) are
    parsed by orjson, several times faster than the standard library's json (3.6% of a
    worker's time under write then read). Both read what PostgreSQL stores alike, but for
    integers beyond 64 bits, which orjson reads as floats: none of the values stored has one."""
    set_json_loads(orjson.loads, connection)


class AsyncConnections:
    """A pool of up to `size` async connections made with psycopg's keyword arguments
    `params`, opened when first used. Connections are opened as they are needed and kept
    until idle for ten minutes (all of them and for good once `fill`ed): opening one costs
    PostgreSQL a process, and planning each statement until psycopg has prepared it on that
    connection."""

    def __init__(self, params: dict[str, Any], *, size: int) -> None:
        self._params = {**params, "autocommit": True}
        self._size = size
        self._pool: _LatestFirstPool | None = None
        # When each connection was last handed out (for `_check`).
        self._handed_out: weakref.WeakKeyDictionary[Connection, float] = weakref.WeakKeyDictionary()

    async def _opened(self) -> _LatestFirstPool:
        pool = self._pool
        if pool is None:
            pool = self._pool = _LatestFirstPool(
                kwargs=self._params,
                min_size=0,
                max_size=self._size,
                timeout=CHECKOUT_TIMEOUT_SECONDS,
                open=False,
                close_returns=True,
                # No `reset`: with one, the pool puts a connection back in a task of its own,
                # a turn of the event loop later. Each checkout sets the mode it needs.
                check=self._check,
                configure=_parse_json_with_orjson,
                name="skillpath",
            )
        await pool.open()  # returns at once once open
        return pool

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Connection]:
        """A pooled connection, in autocommit, until the block ends."""
        pool = await self._opened()
        async with pool.connection() as connection:
            if not connection.autocommit:  # SQLAlchemy's last (`connect`)
                await connection.set_autocommit(True)
            yield connection

    async def connect(self) -> Connection:
        """A pooled connection out of autocommit, for SQLAlchemy (`async_creator`); closing
        it returns it to the pool."""
        connection = await (await self._opened()).getconn()
        await connection.set_autocommit(False)
        return connection

    async def fill(self) -> None:
        """Open every connection now, and keep them all open from then on (a fixed-size
        pool). A server calls this before it serves: psycopg grows a pool one connection at a
        time, so a first burst of requests otherwise queues behind the opening of each
        connection, each a new PostgreSQL process. Raises psycopg_pool.PoolTimeout (and closes
        the pool) when the database does not give `size` connections in
        FILL_TIMEOUT_SECONDS."""
        pool = await self._opened()
        await pool.resize(min_size=self._size, max_size=self._size)
        await pool.wait(FILL_TIMEOUT_SECONDS)

    async def close(self) -> None:
        """Close every connection; the next use opens a new pool."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _check(self, connection: Connection) -> None:
        # Idle at most since it was last handed out: a connection held for a while is pinged
        # once more than it needs, never once less.
        now = time.monotonic()
        handed_out = self._handed_out.get(connection)
        if handed_out is not None and now - handed_out >= PING_AFTER_IDLE_SECONDS:
            await AsyncConnectionPool.check_connection(connection)
        self._handed_out[connection] = now
