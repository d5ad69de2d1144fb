"""A bare FastAPI app whose endpoints each spend 0.7 ms of CPU, about what a progress write
costs skillpath: what `make bench-loops` serves under each event loop."""

import time

from fastapi import FastAPI
from pydantic import BaseModel

WORK_SECONDS = 0.0007

app = FastAPI()


class Change(BaseModel):
    status: str
    hours_spent: int


def _work() -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < WORK_SECONDS:
        pass


@app.get("/work")
async def read() -> dict[str, bool]:
    _work()
    return {"done": True}


@app.put("/work")
async def write(change: Change) -> dict[str, bool]:
    _work()
    return {"done": True}
