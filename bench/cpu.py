"""`make bench-cpu`: what each of `make bench`'s scenarios costs in CPU, per request.

skillpath is served as `make bench` serves it; for each scenario, wrk drives it as there, and
the CPU time (user and system, from /proc) that the server's processes and the database's
processes spent during the run is divided by the requests answered. On two shared cores a
ratio to hello says how fast; this says where the time went: the service's Python, or
PostgreSQL (0 on SQLite, which runs inside the server's processes). A database process that
ends during a run (a closed connection) takes its time with it: a run that opens and closes
connections reads low.

Environment: as `make bench` (SKILLPATH_BENCH_DATABASE_URL, BENCH_WORKERS, BENCH_SECONDS,
BENCH_CONNECTIONS, BENCH_THREADS, BENCH_ONLY).
"""

import os
from pathlib import Path

from bench import load, servers, wrk

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes `pids` have used so far (those still running)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / _TICKS


def postgres_pids() -> list[int]:
    """The processes of the PostgreSQL server on this machine."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.joinpath("comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def main() -> None:
    wrk.require_wrk()
    driven = load.Load.from_env()
    with (
        servers.bench_database_url("bench-cpu") as database_url,
        servers.serve_as_users_run(
            database_url, workers=driven.workers, log_file=load.log_path("bench-cpu")
        ) as server,
    ):
        subject = load.seeded_subject(server.url)
        chosen = load.only_named(
            load.scenarios(subject, load.targets_for(database_url), driven.threads),
            os.environ.get("BENCH_ONLY", ""),
        )
        service = [server.process.pid, *servers.children(server.process.pid)]
        print(
            f"\n{database_url.split(':', 1)[0]}, {driven.workers} worker(s), "
            f"{driven.connections} connections, {driven.seconds} s per endpoint"
        )
        print(f"{'endpoint':44} {'req/s':>7} {'p99 ms':>7} {'service':>8} {'database':>9}")
        print(f"{'':44} {'':>7} {'':>7} {'ms/req':>8} {'ms/req':>9}")
        for scenario in chosen:
            database = postgres_pids()
            before = cpu_seconds(service), cpu_seconds(database)
            figures = driven.drive(server.url, scenario.request)
            database = sorted({*database, *postgres_pids()})
            spent = cpu_seconds(service) - before[0], cpu_seconds(database) - before[1]
            per_request = [1000 * seconds / max(figures.requests, 1) for seconds in spent]
            print(
                f"{scenario.name:44} {figures.requests_per_second:7.0f} "
                f"{figures.p99_ms:7.2f} {per_request[0]:8.3f} {per_request[1]:9.3f}"
            )


if __name__ == "__main__":
    main()
