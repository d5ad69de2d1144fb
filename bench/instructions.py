"""`make bench-instructions`: what a write-then-read request costs the service, counted in
machine instructions, so that two versions of the code can be compared on a noisy machine.

On the shared machines here, the same `make bench` moves by 10-20% between runs, and CPU time
per request (`make bench-cpu`) as much: a change worth 3% cannot be seen. Instructions do not
depend on what else the machine runs. The app is driven in this process through ASGI, with
no server and no sockets (so uvicorn's share is not counted), over the loop of `make bench`'s
write-then-read scenario: learner k records a change of one of 20 topics, then asks for its
recommendations; every learner completes a new topic on each visit, as in that scenario's
first minutes. valgrind's callgrind counts the instructions of the measured requests only
(its instrumentation is switched on around them).

Run it on two checkouts and compare the figures: they move by well under 1% between runs of
the same code. Without valgrind (`apt-get install valgrind`) it prints CPU time only.

Environment: SKILLPATH_BENCH_DATABASE_URL (default: a fresh SQLite file), BENCH_PAIRS (the
measured write-then-read pairs, default 200).
"""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import redirect_stderr
from typing import Any
from urllib.parse import urlencode

from api.app import create_app
from api.settings import Settings
from bench import servers
from bench.load import GOAL, LOOP_TOPICS, PASSWORD, STRIDES

LEARNERS = 16
_CHILD = "--counted"
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


class AsgiClient:
    """Calls an ASGI app in this process, as a server would, without sockets."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}

    async def call(
        self,
        method: str,
        path: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
        query: str = "",
    ) -> tuple[int, bytes]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"bench"), *((k.encode(), v.encode()) for k, v in headers)],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": self.state,
        }
        received = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:
                await asyncio.Event().wait()  # a client that stays connected
            received = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)

    async def json(self, method: str, path: str, payload: Any, **headers: str) -> Any:
        status, body = await self.call(
            method,
            path,
            headers=[("content-type", "application/json"), *headers.items()],
            body=json.dumps(payload).encode(),
        )
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {body[:200]!r}")
        return json.loads(body)


async def new_learner(client: AsgiClient, email: str) -> str:
    await client.json(
        "POST",
        "/api/v1/auth/register",
        {"email": email, "password": PASSWORD, "display_name": "Bench"},
    )
    status, body = await client.call(
        "POST",
        "/api/v1/auth/token",
        headers=[("content-type", "application/x-www-form-urlencoded")],
        body=urlencode({"username": email, "password": PASSWORD}).encode(),
    )
    if status != 200:
        raise RuntimeError(f"log-in: {status} {body[:200]!r}")
    token: str = json.loads(body)["access_token"]
    return token


async def write_then_read(
    client: AsgiClient, tokens: Sequence[str], topics: Sequence[str], pairs: range
) -> None:
    """Pairs `pairs` of the loop: learner k's PUT, then its recommendations (bench/load.py)."""
    for pair in pairs:
        learner = pair % len(tokens)
        cycle = pair // len(tokens)
        topic = topics[(learner + cycle * STRIDES[learner % len(STRIDES)]) % len(topics)]
        status = "in_progress" if (cycle // len(topics)) % 2 else "completed"
        auth = ("authorization", f"Bearer {tokens[learner]}")
        put, _ = await client.call(
            "PUT",
            f"/api/v1/me/progress/{topic}",
            headers=[auth, ("content-type", "application/json")],
            body=json.dumps({"status": status}).encode(),
        )
        read, _ = await client.call(
            "GET",
            "/api/v1/me/recommendations",
            headers=[auth],
            query=f"goal={GOAL}&limit=5",
        )
        if put not in (200, 201) or read != 200:
            raise RuntimeError(f"pair {pair}: PUT {put}, GET {read}")


def callgrind(switch: str) -> None:
    """Switch callgrind's instrumentation of this process `on` or `off` (no-op without it)."""
    if os.environ.get("SKILLPATH_UNDER_CALLGRIND"):
        subprocess.run(
            ["callgrind_control", "--instr=" + switch, str(os.getpid())],
            check=True,
            capture_output=True,
        )


async def measure(settings: Settings, pairs: int) -> dict[str, Any]:
    """The measured pairs' requests and CPU time, after a pair per learner to warm up."""
    app = create_app(settings)
    client = AsgiClient(app)
    async with app.router.lifespan_context(app):
        _, body = await client.call("GET", "/api/v1/topics", query=f"limit={LOOP_TOPICS}")
        topics = [item["slug"] for item in json.loads(body)["items"]]
        stamp = f"{time.time():.0f}"
        tokens = [
            await new_learner(client, f"counted-{stamp}-{n}@example.com") for n in range(LEARNERS)
        ]
        await write_then_read(client, tokens, topics, range(LEARNERS))
        callgrind("on")
        started = time.process_time()
        await write_then_read(client, tokens, topics, range(LEARNERS, LEARNERS + pairs))
        cpu = time.process_time() - started
        callgrind("off")
    return {"requests": 2 * pairs, "cpu_seconds": cpu}


def counted() -> None:
    """The child: measure, and print the figures as JSON on stdout."""
    pairs = int(os.environ.get("BENCH_PAIRS", "200"))
    with (
        servers.bench_database_url("bench-instructions") as database_url,
        open(os.devnull, "w") as discarded,
        redirect_stderr(discarded),  # the access log, written as served, then dropped
    ):
        settings = Settings(database_url=database_url, rate_limits_enabled=False)
        figures = asyncio.run(measure(settings, pairs))
    print(json.dumps(figures))


def main() -> None:
    command = [sys.executable, "-m", "bench.instructions", _CHILD]
    valgrind = shutil.which("valgrind")
    env = dict(os.environ)
    if valgrind:
        command = [
            valgrind,
            "--tool=callgrind",
            "--instr-atstart=no",
            "--callgrind-out-file=/dev/null",
            *command,
        ]
        env["SKILLPATH_UNDER_CALLGRIND"] = "1"
        env["PYTHONHASHSEED"] = "0"
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the measured run failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    requests = figures["requests"]
    line = f"write then read, in process: {requests} requests"
    if valgrind:
        found = _COLLECTED.search(done.stderr)
        if found is None:
            raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
        line += f", {int(found.group(1)) / requests:,.0f} instructions per request"
    else:
        line += (
            f", {1000 * figures['cpu_seconds'] / requests:.3f} ms of CPU per request "
            "(valgrind is not installed: apt-get install valgrind, for instructions)"
        )
    print(line)


if __name__ == "__main__":
    if _CHILD in sys.argv:
        counted()
    else:
        main()
