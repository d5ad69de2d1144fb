"""Writes of one record from one process take turns before they reach the database.

PostgreSQL queues the writers of a row on its lock, and each time the lock is released it
wakes every writer waiting for it; all but one go back to sleep. Thirty writers of one record
cost the database more in those wake-ups than in their writes (docs/performance.md). Queued
here instead, a process sends one write of a record at a time, and the database's queue holds
at most one writer per process.
"""

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Queue:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The writers holding or waiting for the turn; the queue goes when the last one leaves.
    writers: int = 0


class RecordTurns:
    """One queue per record being written (by key), in this process's event loop."""

    def __init__(self) -> None:
        self._queues: dict[Hashable, _Queue] = {}

    @asynccontextmanager
    async def turn(self, record: Hashable) -> AsyncIterator[None]:
        """Wait for `record`'s turn, and hold it until the block ends."""
        queue = self._queues.get(record)
        if queue is None:
            queue = self._queues[record] = _Queue()
        queue.writers += 1
        try:
            async with queue.lock:
                yield
        finally:
            queue.writers -= 1
            if queue.writers == 0:
                del self._queues[record]

    def __len__(self) -> int:
        """How many records have writers holding or waiting for a turn."""
        return len(self._queues)
