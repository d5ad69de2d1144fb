"""`make bench-loops`: the event loop's share of tail latency, without skillpath.

A bare FastAPI app spends 0.7 ms of CPU per request (bench/busy.py); it is driven at 32
connections under uvloop and under asyncio, with a GET and with a PUT carrying a small JSON
body. This is the measurement behind `skillpath serve` running the asyncio loop.
"""

import os
from typing import Any

from bench import servers, wrk
from bench.load import Load, machine, write_report

LOOPS = ("uvloop", "asyncio")
REQUESTS = {
    "GET /work": wrk.Request(path="/work"),
    "PUT /work": wrk.Request(
        method="PUT",
        path="/work",
        headers=(("Content-Type", "application/json"),),
        body_lua='string.format(\'{"status":"in_progress","hours_spent":%d}\', n)',
    ),
}


def main() -> None:
    wrk.require_wrk()
    load = Load.from_env()
    rows: dict[str, Any] = {}
    for loop in LOOPS:
        with servers.serve("bench.busy:app", ready_path="/work", loop=loop) as server:
            for name, request in REQUESTS.items():
                rows[f"{loop} {name}"] = load.drive(server.url, request).as_dict()
    print(f"\n{'loop and request':22} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for name, row in rows.items():
        print(
            f"{name:22} {row['requests_per_second']:8.0f} {row['p50_ms']:7.2f} {row['p99_ms']:7.2f}"
        )
    report = {"machine": machine(), "connections": load.connections, "results": rows}
    print(f"figures written to {write_report(report, 'bench-loops')}")


if __name__ == "__main__":
    os.environ.setdefault("BENCH_SECONDS", "5")
    main()
