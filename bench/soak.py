"""`make soak`: a long mixed load on one server process: no 5xx, and memory that stays flat.

wrk drives a Lua script that rotates through the service's main requests: topic lists and
details, progress writes whose bodies all differ (so each one is a real change with an event),
progress lists and history, recommendations, roadmaps and anonymous plans. After a warm-up
(caches filled, the snapshot built) the server's RSS is read from /proc, then the soak runs,
RSS is sampled throughout, and read again at the end.

Bars: no 5xx, no socket errors (wrk's connect/read/write errors and timeouts), and RSS after
the soak less than 10% above RSS after the warm-up. Exits non-zero when one is missed.

Environment: SOAK_SECONDS (default 60), SOAK_WARMUP_SECONDS (default 10), SOAK_CONNECTIONS
(default 16), SKILLPATH_BENCH_DATABASE_URL (default: a fresh SQLite file).
"""

import json
import os
import re
import sys
import tempfile
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import servers, wrk
from bench.load import new_learner

LEARNERS = 2
GOAL = "job-interview"
KNOWN = ("python", "programming-fundamentals", "vectors-and-matrices")
MAX_RSS_GROWTH = 0.10
RSS_SAMPLE_SECONDS = 1.0
WRK_THREADS = 2
WRK_TIMEOUT_SECONDS = 10

LUA_TEMPLATE = """
local tokens = {tokens}
local topics = {topics}
local areas = {areas}
local plan_body = [[{plan_body}]]
local threads = {{}}
local created = 0

function setup(thread)
  created = created + 1
  thread:set("id", created)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  statuses = {{}}
  local token = "Bearer " .. tokens[(id % #tokens) + 1]
  auth = {{["Authorization"] = token}}
  json_auth = {{["Authorization"] = token, ["Content-Type"] = "application/json"}}
  json_only = {{["Content-Type"] = "application/json"}}
end

local states = {{"in_progress", "completed", "skipped", "not_started"}}

function request()
  n = n + 1
  local topic = topics[(n * 7 + id) % #topics + 1]
  local kind = n % 12
  if kind == 0 then
    return wrk.format("GET", "/api/v1/topics?limit=50")
  elseif kind == 1 or kind == 7 then
    return wrk.format("GET", "/api/v1/topics/" .. topic)
  elseif kind == 2 or kind == 8 then
    -- Thread id and counter in the notes: no two writes carry the same body.
    local body = string.format(
      '{{"status":"%s","mastery":%d,"hours_spent":%d,"notes":"thread %d write %d"}}',
      states[n % 4 + 1], n % 101, n % 1000, id, n)
    return wrk.format("PUT", "/api/v1/me/progress/" .. topic, json_auth, body)
  elseif kind == 3 then
    return wrk.format("GET", "/api/v1/me/recommendations?goal={goal}&limit=10", auth)
  elseif kind == 4 then
    return wrk.format("GET", "/api/v1/me/roadmap?goal={goal}&hours_per_week=8", auth)
  elseif kind == 5 or kind == 11 then
    return wrk.format("POST", "/api/v1/plans", json_only, plan_body)
  elseif kind == 6 then
    return wrk.format("GET", "/api/v1/topics?area=" .. areas[n % #areas + 1] .. "&limit=20")
  elseif kind == 9 then
    return wrk.format("GET", "/api/v1/me/progress?limit=20", auth)
  else
    return wrk.format("GET", "/api/v1/me/progress/" .. topic .. "/history?limit=20", auth)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {{}}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("status %d %d\\n", status, count))
  end
end
"""


@dataclass(frozen=True)
class Phase:
    """What one wrk run did."""

    measurement: wrk.Measurement
    statuses: Counter[int]

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    @property
    def non_2xx(self) -> dict[int, int]:
        return {s: c for s, c in sorted(self.statuses.items()) if not 200 <= s < 300}


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"


def register(client: httpx.Client) -> str:
    """A new learner who knows a few topics; its access token."""
    return new_learner(client, f"soak-{uuid.uuid4().hex[:8]}@example.com", known=KNOWN)


def lua_script(base_url: str) -> str:
    """The rotating request mix, for learners registered now and the server's catalog."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        tokens = [register(client) for _ in range(LEARNERS)]
        topics = client.get("/api/v1/topics", params={"limit": 100}).json()["items"]
        areas = client.get("/api/v1/areas").json()["items"]
    plan_body = json.dumps({"goal": GOAL, "known": list(KNOWN), "limit": 10, "hours_per_week": 8})
    return LUA_TEMPLATE.format(
        tokens=lua_list(tokens),
        topics=lua_list([topic["slug"] for topic in topics]),
        areas=lua_list([area["slug"] for area in areas]),
        plan_body=plan_body,
        goal=GOAL,
    )


def run_wrk(base_url: str, script: Path, *, seconds: float, connections: int) -> Phase:
    output = wrk.run_script(
        base_url + "/",
        script,
        connections=connections,
        seconds=seconds,
        threads=WRK_THREADS,
        options=(f"--timeout={WRK_TIMEOUT_SECONDS}s",),
    )
    statuses = Counter(
        {
            int(status): int(count)
            for status, count in re.findall(r"^status (\d+) (\d+)$", output, re.M)
        }
    )
    return Phase(measurement=wrk.parse(output), statuses=statuses)


class RssSampler:
    """Samples a process's RSS in the background; the highest value seen."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._stop = threading.Event()
        self.peak = 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, servers.rss_megabytes(self._pid))
            self._stop.wait(RSS_SAMPLE_SECONDS)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def report(name: str, phase: Phase) -> None:
    figures = phase.measurement
    print(
        f"{name}: {figures.requests} requests, {figures.requests_per_second:.0f} req/s, "
        f"p50 {figures.p50_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms, "
        f"5xx {phase.server_errors}, non-2xx {phase.non_2xx or 'none'}, "
        f"socket errors {figures.socket_errors}"
    )


def soak(database_url: str, *, seconds: float, warmup: float, connections: int) -> int:
    with (
        servers.serve_skillpath(database_url) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        script = Path(folder) / "soak.lua"
        script.write_text(lua_script(server.url))
        pid = server.process.pid
        warm = run_wrk(server.url, script, seconds=warmup, connections=connections)
        report(f"warm-up ({warmup:g} s)", warm)
        rss_before = servers.rss_megabytes(pid)
        with RssSampler(pid) as sampler:
            main = run_wrk(server.url, script, seconds=seconds, connections=connections)
        rss_after = servers.rss_megabytes(pid)
        alive = server.process.poll() is None
    report(f"soak ({seconds:g} s, {connections} connections, 1 worker)", main)
    growth = (rss_after - rss_before) / rss_before
    print(
        f"server RSS: {rss_before:.1f} MB after warm-up -> {rss_after:.1f} MB after the soak "
        f"({growth:+.1%}; peak {max(sampler.peak, rss_after):.1f} MB)"
    )
    failures = []
    if warm.server_errors or main.server_errors:
        failures.append(f"5xx responses: {warm.server_errors + main.server_errors}")
    if warm.measurement.socket_errors or main.measurement.socket_errors:
        failures.append("socket errors (refused, reset or timed out connections)")
    if growth >= MAX_RSS_GROWTH:
        failures.append(f"RSS grew {growth:.1%} (bar: < {MAX_RSS_GROWTH:.0%})")
    if main.measurement.requests == 0:
        failures.append("no requests were served")
    if not alive:
        failures.append("the server exited during the soak")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("soak " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "60"))
    warmup = float(os.environ.get("SOAK_WARMUP_SECONDS", "10"))
    connections = int(os.environ.get("SOAK_CONNECTIONS", "16"))
    with servers.bench_database_url("soak") as database_url:
        return soak(database_url, seconds=seconds, warmup=warmup, connections=connections)


if __name__ == "__main__":
    sys.exit(main())
