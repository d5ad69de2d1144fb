"""`make bench`: skillpath's endpoints under load, each as a ratio of a bare FastAPI hello.

skillpath is served as `make run` serves it (`skillpath serve`, JSON access log on, written to
a file under bench/results/), hello under the same uvicorn settings with its access log on
too, both with BENCH_WORKERS processes. wrk drives them with the same connections, threads and
duration, hello before the first scenario and again after every scenario; each scenario's
ratio is taken to the faster of the two hello runs around it (the machine is shared, so a slow
hello run would flatter a ratio, and hello moves within minutes). For each scenario the report
also gives the share of its requests answered from kept answers (read from /metrics, which
adds up every worker): `request` answered before routing, `body` rendered once before.
Figures go to stdout as a table and to bench/results/ as JSON.

Environment: SKILLPATH_BENCH_DATABASE_URL (default: a fresh SQLite file), BENCH_SECONDS (per
endpoint, default 10), BENCH_CONNECTIONS (default 32), BENCH_WORKERS (default 1),
BENCH_THREADS (wrk threads, default 1: on two cores, the server keeps one to itself).
"""

import json
import os
import platform
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench import servers, wrk

RESULTS_DIR = Path(__file__).parent / "results"
PASSWORD = "benchmark passphrase"
TOPIC = "linear-regression"
GOAL = "job-interview"
# The write-then-read scenario: this many learners, each writing over this many topics.
LOOP_LEARNERS = 64
LOOP_TOPICS = 20
WRITE_THEN_READ = "PUT then GET /me/recommendations"


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
    """What the scenarios are about: a learner's token, a topic, topics a visitor knows, and
    for the write-then-read loop, learners' tokens and the topics they write."""

    token: str
    topic: str
    known: tuple[str, ...]
    loop_tokens: tuple[str, ...] = ()
    loop_topics: tuple[str, ...] = ()


def lua_table(values: Sequence[str | int]) -> str:
    """A Lua table literal of strings or numbers, in order."""
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"


# Steps between the topics a learner visits: coprime with LOOP_TOPICS, so each learner visits
# every topic before its first again.
STRIDES = (1, 3, 7, 9, 11, 13, 17, 19)

# Request 2k is learner k's PUT, request 2k+1 the same learner's recommendations. Each learner
# walks the topics in an order of its own (a stride coprime with the number of topics), so
# learners rarely share a state; a topic's status flips on each visit (completed on the first
# pass, in_progress on the next, ...), so every PUT changes the record. With several wrk
# threads, each takes every `threads`-th learner.
WRITE_THEN_READ_LUA = """
local tokens = %(tokens)s
local topics = %(topics)s
local strides = %(strides)s
local learners = #tokens
local thread_id, threads = 0, 1
local counter = 0
function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end
function init(args)
  thread_id = tonumber(wrk.thread:get("thread_id")) or 0
  threads = %(threads)d
end
local n = 0
function request()
  local pair = math.floor(n / 2)
  local slot = pair * threads + thread_id
  local learner = slot %% learners
  local headers = {["Authorization"] = "Bearer " .. tokens[learner + 1]}
  local sent
  if n %% 2 == 0 then
    local cycle = math.floor(slot / learners)
    local topic = (learner + cycle * strides[learner %% #strides + 1]) %% #topics
    local status = "completed"
    if math.floor(cycle / #topics) %% 2 == 1 then status = "in_progress" end
    headers["Content-Type"] = "application/json"
    sent = wrk.format("PUT", "/api/v1/me/progress/" .. topics[topic + 1], headers,
                      '{"status":"' .. status .. '"}')
  else
    sent = wrk.format("GET", "/api/v1/me/recommendations?goal=%(goal)s&limit=5", headers)
  end
  n = n + 1
  return sent
end
"""


def write_then_read(subject: Subject, *, threads: int, min_ratio: float) -> Scenario:
    """The product's core loop: a learner records progress, then asks what next."""
    script = WRITE_THEN_READ_LUA % {
        "tokens": lua_table(subject.loop_tokens),
        "topics": lua_table(subject.loop_topics),
        "threads": threads,
        "goal": GOAL,
        "strides": lua_table(STRIDES),
    }
    return Scenario(WRITE_THEN_READ, wrk.Request(path="/", script=script), min_ratio, 50)


@dataclass(frozen=True)
class Targets:
    """The least ratio each scenario must reach (p99 at most `max_p99_ms`)."""

    catalog: float
    recommendations: float
    roadmap: float
    put: float
    plans: float
    write_then_read: float


SQLITE_TARGETS = Targets(0.6, 0.3, 0.2, 0.12, 0.3, 0.2)
# PostgreSQL, several workers against hello with as many (docs/performance.md).
POSTGRES_TARGETS = Targets(0.5, 0.25, 0.15, 0.08, 0.25, 0.06)


def targets_for(database_url: str) -> Targets:
    return POSTGRES_TARGETS if database_url.startswith("postgresql") else SQLITE_TARGETS


def scenarios(
    subject: Subject, targets: Targets = SQLITE_TARGETS, threads: int = 1
) -> list[Scenario]:
    topic = subject.topic
    auth = (("Authorization", f"Bearer {subject.token}"),)
    json_auth = (*auth, ("Content-Type", "application/json"))
    plan_body = json.dumps(
        {"goal": GOAL, "known": list(subject.known), "limit": 10, "hours_per_week": 8}
    )
    chosen = [
        Scenario(
            "GET /api/v1/topics?limit=50",
            wrk.Request(path="/api/v1/topics?limit=50"),
            targets.catalog,
            25,
        ),
        Scenario(
            f"GET /api/v1/topics/{topic}",
            wrk.Request(path=f"/api/v1/topics/{topic}"),
            targets.catalog,
            25,
        ),
        Scenario(
            "GET /api/v1/me/recommendations",
            wrk.Request(path=f"/api/v1/me/recommendations?goal={GOAL}", headers=auth),
            targets.recommendations,
            50,
        ),
        Scenario(
            "GET /api/v1/me/roadmap",
            wrk.Request(path=f"/api/v1/me/roadmap?goal={GOAL}&hours_per_week=8", headers=auth),
            targets.roadmap,
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
            targets.put,
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
            targets.plans,
            50,
        ),
    ]
    if subject.loop_tokens:
        chosen.append(write_then_read(subject, threads=threads, min_ratio=targets.write_then_read))
    return chosen


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


def in_parallel(work: Callable[[int], str], count: int) -> tuple[str, ...]:
    """`work(0) ... work(count - 1)` on a few threads (password hashing is slow), in order."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return tuple(pool.map(work, range(count)))


def seeded_subject(base_url: str, *, loop: bool = True) -> Subject:
    """Register a learner with some progress on the seed catalog, and (`loop`) the learners
    of the write-then-read loop with the first topics of the catalog."""
    known = ("python", "programming-fundamentals", "vectors-and-matrices")
    stamp = f"{datetime.now(UTC).timestamp():.0f}"
    with httpx.Client(base_url=base_url, timeout=60) as client:
        token = new_learner(client, f"bench-{stamp}@example.com", known=known)
        if not loop:
            return Subject(token=token, topic=TOPIC, known=known)
        page = client.get("/api/v1/topics", params={"limit": LOOP_TOPICS}).json()
        topics = tuple(item["slug"] for item in page["items"])

        def register(number: int) -> str:
            return new_learner(client, f"bench-{stamp}-{number}@example.com", known=())

        tokens = in_parallel(register, LOOP_LEARNERS)
    return Subject(token, TOPIC, known, loop_tokens=tokens, loop_topics=topics)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def serve_hello(load: Load, log_file: Path | None = None) -> Any:
    """The yardstick, under the same uvicorn settings (its access log on with `log_file`)."""
    return servers.serve(
        "bench.hello:app", workers=load.workers, ready_path="/hello", log_file=log_file
    )


def measure_hello(load: Load) -> wrk.Measurement:
    """The yardstick's throughput under the same server settings and load."""
    with serve_hello(load) as hello:
        return load.drive(hello.url, wrk.Request(path="/hello"))


HELLO = wrk.Request(path="/hello")


def fastest(*runs: wrk.Measurement) -> wrk.Measurement:
    """The hello run every ratio is taken to: the fastest, so noise never flatters a ratio."""
    return max(runs, key=lambda run: run.requests_per_second)


def hello_report(*runs: wrk.Measurement) -> dict[str, Any]:
    return {
        **fastest(*runs).as_dict(),
        "runs_requests_per_second": [run.requests_per_second for run in runs],
    }


@dataclass(frozen=True)
class KeptShares:
    """The share of a scenario's requests answered from kept answers."""

    request: float
    body: float


def kept_counts(metrics_text: str) -> dict[str, float]:
    """Requests served and kept answers (by kind), from the /metrics text of skillpath."""
    counts = {"requests": 0.0, "request": 0.0, "body": 0.0}
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == "skillpath_http_requests_total":
                counts["requests"] += sample.value
            elif sample.name == "skillpath_kept_answers_total":
                counts[sample.labels["kind"]] += sample.value
    return counts


def kept_shares(before: dict[str, float], after: dict[str, float]) -> KeptShares:
    served = after["requests"] - before["requests"]
    if served <= 0:
        return KeptShares(0.0, 0.0)
    return KeptShares(
        request=round((after["request"] - before["request"]) / served, 3),
        body=round((after["body"] - before["body"]) / served, 3),
    )


def scrape(url: str) -> dict[str, float]:
    return kept_counts(httpx.get(url + "/metrics", timeout=30).text)


@dataclass(frozen=True)
class Measured:
    """A scenario's figures, the hello runs just before and after it, and its kept shares."""

    figures: wrk.Measurement
    hello_before: int
    hello_after: int
    kept: KeptShares | None = None


def run_scenarios(url: str, chosen: list[Scenario], load: Load) -> dict[Scenario, wrk.Measurement]:
    """Each scenario's figures on the server at `url`."""
    return {scenario: load.drive(url, scenario.request) for scenario in chosen}


def interleaved(
    url: str, hello_url: str, chosen: list[Scenario], load: Load
) -> tuple[list[wrk.Measurement], dict[Scenario, Measured]]:
    """Hello, then each scenario followed by hello again: every scenario sits between two
    hello runs. The hello runs, and each scenario's figures with its neighbours' numbers."""
    hellos = [load.drive(hello_url, HELLO)]
    measured: dict[Scenario, Measured] = {}
    for scenario in chosen:
        before = scrape(url)
        figures = load.drive(url, scenario.request)
        shares = kept_shares(before, scrape(url))
        hellos.append(load.drive(hello_url, HELLO))
        measured[scenario] = Measured(figures, len(hellos) - 2, len(hellos) - 1, shares)
    return hellos, measured


def row(scenario: Scenario, measured: wrk.Measurement, hello: wrk.Measurement) -> dict[str, Any]:
    """A scenario's figures, with its ratio to `hello` and whether it meets its target."""
    ratio = measured.requests_per_second / hello.requests_per_second
    return {
        **measured.as_dict(),
        "ratio": round(ratio, 3),
        "target_ratio": scenario.min_ratio,
        "target_p99_ms": scenario.max_p99_ms,
        "meets_target": ratio >= scenario.min_ratio
        and measured.p99_ms <= scenario.max_p99_ms
        and measured.non_2xx == 0,
    }


def ratios(figures: dict[Scenario, wrk.Measurement], hello: wrk.Measurement) -> dict[str, Any]:
    """Each scenario's figures, with its ratio to one hello run and whether it meets its
    target."""
    return {scenario.name: row(scenario, measured, hello) for scenario, measured in figures.items()}


def paired_ratios(
    measured: dict[Scenario, Measured], hellos: Sequence[wrk.Measurement]
) -> dict[str, Any]:
    """Each scenario's ratio to the faster of the hello runs just before and after it."""
    results: dict[str, Any] = {}
    for scenario, found in measured.items():
        pair = (found.hello_before, found.hello_after)
        hello = fastest(*(hellos[index] for index in pair))
        results[scenario.name] = {
            **row(scenario, found.figures, hello),
            "hello_runs": [index + 1 for index in pair],
            "hello_requests_per_second": hello.requests_per_second,
        }
        if found.kept is not None:
            results[scenario.name]["kept_request_share"] = found.kept.request
            results[scenario.name]["kept_body_share"] = found.kept.body
    return results


def report_header(database_url: str, load: Load) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": os.getloadavg()[0],
        "database": database_url.split(":", 1)[0].split("+")[0],
        "workers": load.workers,
        "connections": load.connections,
        "wrk_threads": load.threads,
        "seconds": load.seconds,
    }


def only_named(chosen: list[Scenario], words: str) -> list[Scenario]:
    """The scenarios whose name holds one of `words` (comma-separated; none: every one),
    for measuring a few while working on them (`BENCH_ONLY=PUT make bench`)."""
    wanted = [word for word in words.split(",") if word]
    if not wanted:
        return chosen
    return [scenario for scenario in chosen if any(word in scenario.name for word in wanted)]


def log_path(name: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.log"
    path.unlink(missing_ok=True)
    return path


def measure(database_url: str, load: Load, name: str) -> dict[str, Any]:
    """Every scenario on a service over `database_url` (seeded at start-up), between hello
    runs."""
    with (
        servers.serve_as_users_run(
            database_url, workers=load.workers, log_file=log_path(name)
        ) as server,
        serve_hello(load, log_path(f"{name}-hello")) as hello,
    ):
        chosen = only_named(
            scenarios(seeded_subject(server.url), targets_for(database_url), load.threads),
            os.environ.get("BENCH_ONLY", ""),
        )
        hellos, measured = interleaved(server.url, hello.url, chosen, load)
        rss = servers.rss_megabytes(server.process.pid)
    return {
        **report_header(database_url, load),
        "hello": hello_report(*hellos),
        "endpoints": paired_ratios(measured, hellos),
        "server_rss_mb": round(rss, 1),
        "access_log": str(RESULTS_DIR / f"{name}.log"),
    }


def print_table(report: dict[str, Any], *, targets: bool = True) -> None:
    """The report as a table; `targets=False` leaves out the targets (the scale run has
    targets of its own, printed by bench/scale.py)."""
    hello = report["hello"]
    runs = hello["runs_requests_per_second"]
    print(
        f"\n{report['database']}, {report['workers']} worker(s), {report['connections']} "
        f"connections, {report['wrk_threads']} wrk thread(s), {report['seconds']} s per "
        f"endpoint, {report['date']}, load average {report.get('load_average', 0):.1f}; "
        f"hello runs #1..#{len(runs)}: {[round(rps) for rps in runs]} req/s"
    )
    header = (
        f"{'endpoint':44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'hello':>7} {'vs':>6} "
        f"{'ratio':>6} {'kept':>10}"
    )
    if targets:
        header += f" {'target':>13}  ok"
    print(header)
    print("-" * len(header))
    for name, found in report["endpoints"].items():
        pair = found.get("hello_runs")
        versus = f"#{pair[0]},#{pair[1]}" if pair else "best"
        kept = (
            f"{found['kept_request_share']:.2f}/{found['kept_body_share']:.2f}"
            if "kept_request_share" in found
            else ""
        )
        versus_rps = found.get("hello_requests_per_second", hello["requests_per_second"])
        line = (
            f"{name:44} {found['requests_per_second']:7.0f} {found['p50_ms']:7.2f} "
            f"{found['p99_ms']:7.2f} {versus_rps:7.0f} "
            f"{versus:>6} {found['ratio']:6.2f} {kept:>10}"
        )
        if targets:
            target = f">={found['target_ratio']}, <={found['target_p99_ms']:g}ms"
            line += f" {target:>13}  {'yes' if found['meets_target'] else 'NO'}"
        errors = f"  ({found['non_2xx']} non-2xx)" if found["non_2xx"] else ""
        print(line + errors)
    print(
        "hello: the faster of the two hello runs (#) just before and after the scenario; "
        "kept: share of requests answered from kept answers, before routing / kept rendering"
    )
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
        name = f"bench-{database_url.split(':', 1)[0].split('+')[0]}-{load.workers}w"
        report = measure(database_url, load, name)
    print_table(report)
    print(f"figures written to {write_report(report, name)}; access log in {report['access_log']}")


if __name__ == "__main__":
    main()
