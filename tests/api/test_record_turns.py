"""Writes of one record from one process take turns (api/progress/turns.py)."""

import asyncio

from api.progress.turns import RecordTurns


def test_writers_of_one_record_go_one_at_a_time_in_arrival_order_and_others_do_not_wait():
    turns = RecordTurns()
    log: list[str] = []

    async def write(record: str, name: str, hold: float) -> None:
        async with turns.turn(record):
            log.append(f"{name} in")
            await asyncio.sleep(hold)
            log.append(f"{name} out")

    async def main() -> int:
        first = asyncio.create_task(write("a", "a1", 0.05))
        await asyncio.sleep(0)  # a1 holds the turn
        others = [
            asyncio.create_task(write("a", "a2", 0)),
            asyncio.create_task(write("a", "a3", 0)),
            asyncio.create_task(write("b", "b1", 0)),
        ]
        await asyncio.gather(first, *others)
        return len(turns)

    assert asyncio.run(main()) == 0  # nothing is kept once the writers are done
    # b1 went in while a1 held a's turn; a2 and a3 waited for it, in order.
    assert log.index("b1 in") < log.index("a1 out")
    assert log[log.index("a1 out") :] == ["a1 out", "a2 in", "a2 out", "a3 in", "a3 out"]


def test_a_writer_cancelled_while_it_waits_leaves_no_queue_behind():
    turns = RecordTurns()

    async def main() -> int:
        async def hold() -> None:
            async with turns.turn("a"):
                await asyncio.sleep(0.05)

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(hold())
        await asyncio.sleep(0.01)
        waiter.cancel()
        await asyncio.gather(holder, waiter, return_exceptions=True)
        return len(turns)

    assert asyncio.run(main()) == 0
