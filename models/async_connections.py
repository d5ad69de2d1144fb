"""PostgreSQL's connections for the event loop: psycopg's pool, shared by SQLAlchemy's async
engine (units of work) and by single statements run straight on a connection.

The pooled connections are in autocommit: a single statement, the hottest work, runs on one as
it comes (one round trip, no BEGIN and no COMMIT). SQLAlchemy is handed them out of autocommit,
for its transactions, and they are put back in it when returned. SQLAlchemy's own pool is off
(NullPool): closing a connection returns it here.

A pool belongs to the event loop it was opened in; `close` ends it, and the next use opens a
new one in the loop then running (each test's client runs its own loop).
"""

import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

# A connection idle for longer than this is checked with a ping (one round trip) before use (a
# server restart or an idle timeout may have closed it); a dead one is replaced. One that has
# been busy all along is known to be alive, and pinging it would add a round trip to every
# request (SQLAlchemy's pool_pre_ping pings on every checkout). The synchronous engines'
# pools do the same (models/database.py).
PING_AFTER_IDLE_SECONDS = 5.0


class AsyncConnections:
    """A pool of up to `size` async connections made with psycopg's keyword arguments
    `params`, opened when first used. Connections are opened as they are needed and kept
    until idle for ten minutes: opening one costs PostgreSQL a process, and planning each
    statement until psycopg has prepared it on that connection."""

    def __init__(self, params: dict[str, Any], *, size: int) -> None:
        self._params = {**params, "autocommit": True}
        self._size = size
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None
        # When each connection was last put back (for `_check`).
        self._returned: weakref.WeakKeyDictionary[psycopg.AsyncConnection[Any], float] = (
            weakref.WeakKeyDictionary()
        )

    async def _opened(self) -> AsyncConnectionPool[psycopg.AsyncConnection[Any]]:
        pool = self._pool
        if pool is None:
            pool = self._pool = AsyncConnectionPool(
                kwargs=self._params,
                min_size=0,
                max_size=self._size,
                open=False,
                close_returns=True,
                check=self._check,
                reset=self._reset,
                name="skillpath",
            )
        await pool.open()  # returns at once once open
        return pool

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled connection, in autocommit, until the block ends."""
        pool = await self._opened()
        async with pool.connection() as connection:
            yield connection

    async def connect(self) -> psycopg.AsyncConnection[Any]:
        """A pooled connection out of autocommit, for SQLAlchemy (`async_creator`); closing
        it returns it to the pool."""
        connection = await (await self._opened()).getconn()
        await connection.set_autocommit(False)
        return connection

    async def close(self) -> None:
        """Close every connection; the next use opens a new pool."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _reset(self, connection: psycopg.AsyncConnection[Any]) -> None:
        # The pool has ended any transaction left open; back to autocommit.
        if not connection.autocommit:
            await connection.set_autocommit(True)
        self._returned[connection] = time.monotonic()

    async def _check(self, connection: psycopg.AsyncConnection[Any]) -> None:
        returned = self._returned.get(connection)
        if returned is not None and time.monotonic() - returned >= PING_AFTER_IDLE_SECONDS:
            await AsyncConnectionPool.check_connection(connection)
