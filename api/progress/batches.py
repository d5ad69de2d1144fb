"""Writes of one record from one process go to the database together, in batches.

Writers of one record take turns on its row lock, and a write holds the lock until its commit
is flushed: one record takes as many writes per second as it takes turns. PostgreSQL also
wakes every writer waiting for the lock each time it is released (all but one go back to
sleep), and a writer that waited sets up its whole statement again to check the row anew.
Queued here instead, a process sends one batch of a record's writes at a time: the first
writer to find no batch under way takes every write then waiting for the record, its own
first, and the batch runs them in order in one transaction and one round trip (see
`Database.write_rows_together_async`). The writes that arrive meanwhile wait, and go in the
next batch. A write alone is a batch of one. The database's queue holds at most one batch per
process.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

W = TypeVar("W")
R = TypeVar("R")

# A batch's run: for each write, in order, what it made or the error that is that write's.
Batch = Callable[[list[W]], Awaitable[Sequence[R | BaseException]]]


@dataclass(eq=False)
class _Write(Generic[W]):
    value: W
    # Set once a batch takes the write: that batch, and the write's place in it.
    batch: "asyncio.Future[Sequence[Any]] | None" = None
    index: int = 0


@dataclass
class _Queue:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: list[_Write[Any]] = field(default_factory=list)
    # The writers waiting for their outcome; the queue goes when the last one leaves.
    writers: int = 0


class RecordBatches:
    """One queue of writes per record (by key), in this process's event loop."""

    def __init__(self) -> None:
        self._queues: dict[Hashable, _Queue] = {}

    async def write(self, record: Hashable, value: W, run: Batch[W, R]) -> R:
        """What `value`'s write of `record` made, run by `run` in a batch with the other
        writes of the record waiting with it; raises the write's own error. A batch runs to
        its end even when the writer that started it is cancelled."""
        queue = self._queues.get(record)
        if queue is None:
            queue = self._queues[record] = _Queue()
        write = _Write(value)
        queue.waiting.append(write)
        queue.writers += 1
        try:
            async with queue.lock:
                if write.batch is None:  # first in line: this writer starts the next batch
                    taken, queue.waiting = queue.waiting, []
                    batch = asyncio.ensure_future(run([each.value for each in taken]))
                    for index, each in enumerate(taken):
                        each.batch, each.index = batch, index
                assert write.batch is not None
                outcome = (await asyncio.shield(write.batch))[write.index]
        except asyncio.CancelledError:
            if write.batch is None:  # not written: no batch took it
                queue.waiting.remove(write)
            raise
        finally:
            queue.writers -= 1
            if queue.writers == 0:
                del self._queues[record]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome  # type: ignore[no-any-return]

    def __len__(self) -> int:
        """How many records have writers waiting for a batch or its outcome."""
        return len(self._queues)
