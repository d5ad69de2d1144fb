"""Single-statement reads on PostgreSQL, awaited on the event loop: no worker thread.

The hottest read of the service, a learner's progress version, is one indexed single-row
SELECT run before every /me plan (and before every kept answer of one). Run through the thread
pool, each cost a thread hop both ways and a turn in the pool's queue, more than the read
itself; here it is one round trip on an async psycopg connection, in autocommit, awaited by the
request's own task.

`AsyncReads` keeps a few such connections per event loop (a worker process has one loop). A
connection that fails is dropped and the read is tried once more on a new one, so a restarted
server costs no request.
"""

import asyncio
from collections.abc import Mapping
from typing import Any

import psycopg
from sqlalchemy import Dialect

from models.prepared import Prepared

# Reads are short; a few connections keep up with many requests (they never wait on a lock).
MAX_CONNECTIONS = 4


class AsyncReads:
    """A small pool of autocommit async connections, bound to the loop that made them."""

    def __init__(
        self, connect_params: Mapping[str, Any], dialect: Dialect, *, size: int = MAX_CONNECTIONS
    ) -> None:
        # The keyword arguments the engine's own connections are made with (its connect_args
        # included: a search_path, say), so these connections see the same database.
        self._connect_params = dict(connect_params)
        self._dialect = dialect
        self._size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._opened = 0
        self._freed: asyncio.Condition | None = None
        self._waiting = 0

    async def first(self, statement: Prepared, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of `statement`, as `Prepared.first` would give it."""
        for attempt in (1, 2):
            connection = await self._acquire()
            try:
                row = await statement.first_on_async(connection, self._dialect, params)
            except psycopg.OperationalError:
                # A broken connection (a server restart, an idle timeout): drop it, try anew.
                await self._discard(connection)
                if attempt == 2:
                    raise
                continue
            except BaseException:
                await self._discard(connection)
                raise
            await self._release(connection)
            return row
        raise AssertionError("unreachable")

    async def close(self) -> None:
        """Close the idle connections (those in use are closed when they come back)."""
        idle, self._idle = self._idle, []
        self._size = 0
        for connection in idle:
            self._opened -= 1
            await connection.close()

    def _bind_to_running_loop(self) -> asyncio.Condition:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._freed is None:
            # Connections belong to the loop that opened them; a new loop starts afresh.
            self._loop, self._idle, self._opened = loop, [], 0
            self._freed = asyncio.Condition()
        return self._freed

    async def _acquire(self) -> psycopg.AsyncConnection[Any]:
        freed = self._bind_to_running_loop()
        while not self._idle and self._opened >= self._size > 0:
            self._waiting += 1
            try:
                async with freed:
                    await freed.wait()
            finally:
                self._waiting -= 1
        if self._idle:
            return self._idle.pop()
        self._opened += 1
        try:
            return await psycopg.AsyncConnection.connect(
                **{**self._connect_params, "autocommit": True}
            )
        except BaseException:
            self._opened -= 1
            raise

    async def _release(self, connection: psycopg.AsyncConnection[Any]) -> None:
        if self._opened > self._size or connection.closed:
            await self._discard(connection)
            return
        self._idle.append(connection)
        await self._notify()

    async def _discard(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._opened -= 1
        if not connection.closed:
            await connection.close()
        await self._notify()

    async def _notify(self) -> None:
        if self._waiting and self._freed is not None:
            async with self._freed:
                self._freed.notify()
