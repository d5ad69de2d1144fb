"""`make bench`: skillpath's endpoints under load, each as a ratio of a bare FastAPI hello.

Both servers run under the same uvicorn settings, driven by wrk with the same connections,
threads and duration: hello before and after skillpath, and each ratio is taken to the faster of
the two hello runs (the machine is shared, so a slow hello run would flatter every ratio).
Figures go to stdout as a table and to bench/results/ as JSON.

Environment: SKILLPATH_BENCH_DATABASE_URL (default: a fresh SQLite file), BENCH_SECONDS (per
endpoint, default 10), BENCH_CONNECTIONS (default 32), BENCH_WORKERS (default 1),
BENCH_THREADS (wrk threads, default 1: on two cores, the server keeps one to itself).
"""

import json
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import servers, wrk

RESULTS_DIR = Path(__file__).parent / "results"
PASSWORD = "benchmark passphrase"
TOPIC = "linear-regression"


@dataclass(frozen=True)
class Load:
    """How hard and how long each endpoint is driven, and how many server processes serve."""

    seconds: float
    connections: int
    workers: int
    threads: int

    @classmethod
    def from_env(cls) -> "Load":
        return cls(
            seconds=float(os.environ.get("BENCH_SECONDS", "10")),
            connections=int(os.environ.get("BENCH_CONNECTIONS", "32")),
            workers=int(os.environ.get("BENCH_WORKERS", "1")),
            threads=int(os.environ.get("BENCH_THREADS", "1")),
        )

    def drive(self, base_url: str, request: wrk.Request) -> wrk.Measurement:
        return wrk.run(
            base_url,
            request,
            connections=self.connections,
            seconds=self.seconds,
            threads=self.threads,
        )


@dataclass(frozen=True)
class Scenario:
    name: str
    request: wrk.Request
    min_ratio: float
    max_p99_ms: float


@dataclass(frozen=True)
class Subject:
    """What the scenarios are about: a learner's token, a topic, and topics a visitor knows."""

    token: str
    topic: str
    known: tuple[str, ...]


def scenarios(subject: Subject) -> list[Scenario]:
    topic = subject.topic
    auth = (("Authorization", f"Bearer {subject.token}"),)
    json_auth = (*auth, ("Content-Type", "application/json"))
    plan_body = json.dumps(
        {"goal": "job-interview", "known": list(subject.known), "limit": 10, "hours_per_week": 8}
    )
    return [
        Scenario(
            "GET /api/v1/topics?limit=50", wrk.Request(path="/api/v1/topics?limit=50"), 0.6, 25
        ),
        Scenario(
            f"GET /api/v1/topics/{topic}", wrk.Request(path=f"/api/v1/topics/{topic}"), 0.6, 25
        ),
        Scenario(
            "GET /api/v1/me/recommendations",
            wrk.Request(path="/api/v1/me/recommendations?goal=job-interview", headers=auth),
            0.3,
            50,
        ),
        Scenario(
            "GET /api/v1/me/roadmap",
            wrk.Request(
                path="/api/v1/me/roadmap?goal=job-interview&hours_per_week=8", headers=auth
            ),
            0.2,
            50,
        ),
        Scenario(
            f"PUT /api/v1/me/progress/{topic}",
            wrk.Request(
                method="PUT",
                path=f"/api/v1/me/progress/{topic}",
                headers=json_auth,
                # Every request changes the record, so each one is a real write with an event.
                body_lua='string.format(\'{"status":"in_progress","hours_spent":%d}\', n)',
            ),
            0.12,
            50,
        ),
        Scenario(
            "POST /api/v1/plans",
            wrk.Request(
                method="POST",
                path="/api/v1/plans",
                headers=(("Content-Type", "application/json"),),
                body=plan_body,
            ),
            0.3,
            50,
        ),
    ]


def log_in(client: httpx.Client, email: str) -> str:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    response.raise_for_status()
    return str(response.json()["access_token"])


def new_learner(client: httpx.Client, email: str, *, known: Sequence[str]) -> str:
    """Register a learner who has completed `known`; their access token."""
    client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Bench"},
    ).raise_for_status()
    token = log_in(client, email)
    for slug in known:
        client.put(
            f"/api/v1/me/progress/{slug}",
            json={"status": "completed"},
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
    return token


def seeded_subject(base_url: str) -> Subject:
    """Register a learner with some progress on the seed catalog."""
    known = ("python", "programming-fundamentals", "vectors-and-matrices")
    with httpx.Client(base_url=base_url, timeout=30) as client:
        email = f"bench-{datetime.now(UTC).timestamp():.0f}@example.com"
        return Subject(token=new_learner(client, email, known=known), topic=TOPIC, known=known)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def measure_hello(load: Load) -> wrk.Measurement:
    """The yardstick's throughput under the same server settings and load."""
    with servers.serve("bench.hello:app", workers=load.workers, ready_path="/hello") as hello:
        return load.drive(hello.url, wrk.Request(path="/hello"))


def fastest(*runs: wrk.Measurement) -> wrk.Measurement:
    """The hello run every ratio is taken to: the fastest, so noise never flatters a ratio."""
    return max(runs, key=lambda run: run.requests_per_second)


def hello_report(*runs: wrk.Measurement) -> dict[str, Any]:
    return {
        **fastest(*runs).as_dict(),
        "runs_requests_per_second": [run.requests_per_second for run in runs],
    }


def run_scenarios(url: str, chosen: list[Scenario], load: Load) -> dict[Scenario, wrk.Measurement]:
    """Each scenario's figures on the server at `url`."""
    return {scenario: load.drive(url, scenario.request) for scenario in chosen}


def ratios(figures: dict[Scenario, wrk.Measurement], hello: wrk.Measurement) -> dict[str, Any]:
    """Each scenario's figures, with its ratio to hello and whether it meets its target."""
    results: dict[str, Any] = {}
    for scenario, measured in figures.items():
        ratio = measured.requests_per_second / hello.requests_per_second
        results[scenario.name] = {
            **measured.as_dict(),
            "ratio": round(ratio, 3),
            "target_ratio": scenario.min_ratio,
            "target_p99_ms": scenario.max_p99_ms,
            "meets_target": ratio >= scenario.min_ratio
            and measured.p99_ms <= scenario.max_p99_ms
            and measured.non_2xx == 0,
        }
    return results


def report_header(database_url: str, load: Load) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": database_url.split(":", 1)[0].split("+")[0],
        "workers": load.workers,
        "connections": load.connections,
        "wrk_threads": load.threads,
        "seconds": load.seconds,
    }


def measure(database_url: str, load: Load) -> dict[str, Any]:
    """Hello, every scenario on a service over `database_url` (seeded at start-up), hello."""
    hello_before = measure_hello(load)
    with servers.serve_skillpath(database_url, workers=load.workers) as server:
        measured = run_scenarios(server.url, scenarios(seeded_subject(server.url)), load)
        rss = servers.rss_megabytes(server.process.pid)
    hello_after = measure_hello(load)
    return {
        **report_header(database_url, load),
        "hello": hello_report(hello_before, hello_after),
        "endpoints": ratios(measured, fastest(hello_before, hello_after)),
        "server_rss_mb": round(rss, 1),
    }


def print_table(report: dict[str, Any], *, targets: bool = True) -> None:
    """The report as a table; `targets=False` leaves out the seeded run's targets (the scale
    run has targets of its own, printed by bench/scale.py)."""
    hello = report["hello"]
    print(
        f"\n{report['database']}, {report['workers']} worker(s), {report['connections']} "
        f"connections, {report['wrk_threads']} wrk thread(s), {report['seconds']} s per "
        f"endpoint, {report['date']}; hello runs: {hello['runs_requests_per_second']} req/s"
    )
    header = f"{'endpoint':44} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6}"
    if targets:
        header += f" {'target':>12}  ok"
    print(header)
    print("-" * len(header))
    print(
        f"{'GET /hello (bare FastAPI)':44} {hello['requests_per_second']:8.0f} "
        f"{hello['p50_ms']:7.2f} {hello['p99_ms']:7.2f} {1:6.2f}"
    )
    for name, row in report["endpoints"].items():
        line = (
            f"{name:44} {row['requests_per_second']:8.0f} {row['p50_ms']:7.2f} "
            f"{row['p99_ms']:7.2f} {row['ratio']:6.2f}"
        )
        if targets:
            target = f">={row['target_ratio']}, <={row['target_p99_ms']}ms"
            line += f" {target:>12}  {'yes' if row['meets_target'] else 'NO'}"
        errors = f"  ({row['non_2xx']} non-2xx)" if row["non_2xx"] else ""
        print(line + errors)
    print(f"server RSS after the run: {report['server_rss_mb']} MB")


def write_report(report: dict[str, Any], name: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def main() -> None:
    wrk.require_wrk()
    load = Load.from_env()
    with servers.bench_database_url("bench") as database_url:
        report = measure(database_url, load)
    print_table(report)
    name = f"bench-{report['database']}-{load.workers}w"
    print(f"figures written to {write_report(report, name)}")


if __name__ == "__main__":
    main()
