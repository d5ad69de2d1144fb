"""Writes of one record from one process go to the database together, in batches.

Writers of one record take turns on its row lock, and a write holds the lock until its commit
is flushed: one record takes as many writes per second as it takes turns. PostgreSQL also
wakes every writer waiting for the lock each time it is released (all but one go back to
sleep), and a writer that waited sets up its whole statement again to check the row anew.
Queued here instead, a process sends one batch of a record's writes at a time. A write that
finds no batch under way is sent at once, alone. The writes that arrive while a batch is under
way wait for it to end; then the first of them runs the next batch, of all of them in arrival
order, in one transaction and one round trip (`Database.write_rows_together_async`). The
database's queue holds at most one batch per process."""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

W = TypeVar("W")
R = TypeVar("R")

# A batch's run: for each write, in order, what it made or the error that is that write's.
Batch = Callable[[list[W]], Awaitable[Sequence[R | BaseException]]]

# What a waiting writer is told when the batch before it ends and it is to run the next.
_LEAD: Any = object()


@dataclass(eq=False)
class _Waiting(Generic[W]):
    """A write waiting for the batch under way to end."""

    value: W
    # Resolved with the write's outcome once a batch made it, or with _LEAD.
    told: "asyncio.Future[Any]"


# A record's writes waiting for its batch under way: a record has a queue while it has a batch.
_Queue = deque[_Waiting[Any]]


class RecordBatches:
    """One queue of writes per record (by key), in this process's event loop."""

    def __init__(self) -> None:
        self._queues: dict[Hashable, _Queue] = {}

    async def write(self, record: Hashable, value: W, run: Batch[W, R]) -> R:
        """What `value`'s write of `record` made, run by `run` in a batch with the other
        writes of the record waiting with it; raises the write's own error.

        A writer that finds no batch under way runs one at once, of its write alone, in its
        own task. A batch of several runs in a task of its own, to its end even when the
        writer running it is cancelled, and its other writers wake together when it ends."""
        queue = self._queues.get(record)
        if queue is None:
            queue = self._queues[record] = deque()
        else:  # a batch is under way: this write goes in the next
            waiting = _Waiting(value, asyncio.get_running_loop().create_future())
            queue.append(waiting)
            try:
                told = await waiting.told
            except asyncio.CancelledError:
                self._leave(record, queue, waiting)
                raise
            if told is not _LEAD:
                return _unwrapped(told)  # type: ignore[no-any-return]
        # This writer runs the next batch: its write, and every write waiting behind it.
        others = list(queue)
        queue.clear()
        if not others:
            try:
                outcomes = await run([value])
            finally:
                self._pass_lead(record, queue)
            return _unwrapped(outcomes[0])
        batch = asyncio.ensure_future(run([value, *(other.value for other in others)]))
        batch.add_done_callback(partial(self._ended, record, queue, others))
        return _unwrapped((await asyncio.shield(batch))[0])

    def _ended(
        self,
        record: Hashable,
        queue: _Queue,
        others: list[_Waiting[Any]],
        batch: "asyncio.Future[Sequence[Any]]",
    ) -> None:
        # The batch's other writers learn their outcomes, or its error; the next batch starts.
        failure = asyncio.CancelledError() if batch.cancelled() else batch.exception()
        outcomes = None if failure is not None else batch.result()
        for index, other in enumerate(others, start=1):
            if not other.told.done():  # its writer may have been cancelled
                other.told.set_result(failure if outcomes is None else outcomes[index])
        self._pass_lead(record, queue)

    def _pass_lead(self, record: Hashable, queue: _Queue) -> None:
        """The batch under way has ended: the first writer still waiting runs the next one;
        with none, the queue goes."""
        while queue:
            following = queue.popleft()
            if not following.told.done():
                following.told.set_result(_LEAD)
                return
        del self._queues[record]

    def _leave(self, record: Hashable, queue: _Queue, waiting: _Waiting[Any]) -> None:
        """`waiting`'s writer was cancelled: a write no batch took is not made, and a writer
        told to run the next batch passes that on."""
        if waiting in queue:
            queue.remove(waiting)
        elif (
            waiting.told.done() and not waiting.told.cancelled() and waiting.told.result() is _LEAD
        ):
            self._pass_lead(record, queue)

    def __len__(self) -> int:
        """How many records have a batch under way."""
        return len(self._queues)


def _unwrapped(outcome: R | BaseException) -> R:
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
