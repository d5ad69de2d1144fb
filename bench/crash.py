"""`make crash-test`: every acknowledged progress write survives a SIGKILL of the server.

Writers on several threads each own one progress record and write strictly increasing values
to it, noting every write the server acknowledged (2xx). Mid-load the server process is killed
with SIGKILL (uvicorn with one worker serves from its main process, which holds the database),
then restarted on the same database, and every acknowledged write must be there: the record's
value is at least the last acknowledged one, and its history holds every acknowledged value,
as one unbroken chain whose length is the record's version. This repeats for a few rounds;
at the end SQLite's `PRAGMA integrity_check` and `PRAGMA foreign_key_check` must be clean.

Durability: SQLite runs in WAL mode with `synchronous=NORMAL`. A commit is in the WAL file (in
the operating system's page cache) before the response is sent, so it survives the process
being killed, which is what this checks; it is not promised to survive a power loss or a kernel
crash (the newest commits since the last WAL sync may be lost), which this does not simulate.

Environment: SKILLPATH_BENCH_DATABASE_URL (default: a fresh SQLite file; a PostgreSQL URL skips
the PRAGMA checks), CRASH_ROUNDS (default 3), CRASH_WRITERS (default 8), CRASH_LOAD_SECONDS
(longest load before a kill, default 3). Exits non-zero on any loss or damage.
"""

import itertools
import os
import random
import signal
import sqlite3
import sys
import threading
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import servers

PASSWORD = "crash test passphrase"
LEARNERS = 4
TOPICS = [
    "linear-regression",
    "logistic-regression",
    "gradient-descent",
    "calculus",
    "probability-basics",
    "decision-trees",
    "clustering",
    "neural-network-basics",
    "vectors-and-matrices",
    "bayes-rule",
    "regularization",
    "embeddings",
]


@dataclass
class Writer:
    """One thread's record and what the server acknowledged of its writes."""

    index: int
    headers: dict[str, str]
    topic: str
    next_value: int = 1
    acknowledged: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def server_on(database_url: str) -> AbstractContextManager[servers.Server]:
    return servers.serve_skillpath(database_url, extra_env=servers.NO_RATE_LIMITS)


def register(base_url: str, count: int) -> list[dict[str, str]]:
    """Authorization headers of `count` new learners."""
    headers = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for n in range(count):
            email = f"crash-{n}-{uuid.uuid4().hex[:8]}@example.com"
            client.post(
                "/api/v1/auth/register",
                json={"email": email, "password": PASSWORD, "display_name": f"Crash {n}"},
            ).raise_for_status()
            token = client.post(
                "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
            )
            token.raise_for_status()
            headers.append({"Authorization": f"Bearer {token.json()['access_token']}"})
    return headers


def write_until_the_server_dies(base_url: str, writer: Writer, start: threading.Barrier) -> None:
    """Write increasing values to the writer's record until the connection breaks."""
    with httpx.Client(base_url=base_url, headers=writer.headers, timeout=30) as client:
        client.get("/health/live")
        start.wait()
        while True:
            value = writer.next_value
            # Taken before sending: a write in flight at the kill may or may not be stored,
            # and the next round must write a larger value either way.
            writer.next_value += 1
            body = {
                "status": "in_progress",
                "hours_spent": value,
                "notes": f"writer {writer.index} value {value}",
            }
            try:
                response = client.put(f"/api/v1/me/progress/{writer.topic}", json=body)
            except httpx.TransportError:
                return
            if response.is_success:
                writer.acknowledged.append(value)
            else:
                writer.unexpected.append(f"{response.status_code} {response.text[:200]}")


def load_then_kill(server: servers.Server, writers: list[Writer], *, seconds: float) -> float:
    """Run the writers, SIGKILL the server after a random moment; seconds of load."""
    assert servers.children(server.process.pid) == [], "expected a single uvicorn process"
    start = threading.Barrier(len(writers) + 1)
    threads = [
        threading.Thread(target=write_until_the_server_dies, args=(server.url, writer, start))
        for writer in writers
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(random.uniform(seconds / 2, seconds))
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    loaded = time.perf_counter() - began
    for thread in threads:
        thread.join(timeout=60)
    return loaded


@dataclass
class Check:
    acknowledged: int = 0
    found: int = 0
    unacknowledged_but_stored: int = 0
    problems: list[str] = field(default_factory=list)


def check_writers(base_url: str, writers: list[Writer]) -> Check:
    """Whether every acknowledged write of every writer is in its record and history."""
    check = Check()
    for writer in writers:
        check.acknowledged += len(writer.acknowledged)
        if writer.unexpected:
            check.problems.append(f"writer {writer.index} got {writer.unexpected[:3]}")
        if not writer.acknowledged:
            continue
        with httpx.Client(base_url=base_url, headers=writer.headers, timeout=30) as client:
            record = client.get(f"/api/v1/me/progress/{writer.topic}")
            if record.status_code != 200:
                check.problems.append(f"writer {writer.index}: record gone ({record.text})")
                continue
            events = servers.progress_history(client, writer.topic)
        stored = {int(event["new"]["hours_spent"]) for event in events}
        acknowledged = set(writer.acknowledged)
        check.found += len(acknowledged & stored)
        check.unacknowledged_but_stored += len(stored - acknowledged)
        if missing := sorted(acknowledged - stored):
            check.problems.append(f"writer {writer.index}: acknowledged but lost {missing[:10]}")
        if record.json()["hours_spent"] < max(acknowledged):
            check.problems.append(
                f"writer {writer.index}: value {record.json()['hours_spent']} is older than "
                f"the last acknowledged {max(acknowledged)}"
            )
        versions = [event["version"] for event in events]
        chained = all(b["old"] == a["new"] for a, b in itertools.pairwise(events))
        if versions != list(range(1, len(events) + 1)) or not chained:
            check.problems.append(f"writer {writer.index}: history is not one unbroken chain")
        if record.json()["version"] != len(events):
            check.problems.append(
                f"writer {writer.index}: version {record.json()['version']} but "
                f"{len(events)} events"
            )
    return check


def database_checks(database_url: str) -> list[str]:
    """Problems found by the database itself: SQLite's integrity and foreign-key checks, and on
    any backend, records whose version is not their number of events."""
    problems = []
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        with sqlite3.connect(url.database) as connection:
            integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            foreign_keys = list(connection.execute("PRAGMA foreign_key_check"))
        print(f"PRAGMA integrity_check: {', '.join(integrity)}")
        print(f"PRAGMA foreign_key_check: {len(foreign_keys)} violations")
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        if foreign_keys:
            problems.append(f"foreign_key_check: {foreign_keys[:5]}")
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            mismatched = connection.execute(
                text(
                    "SELECT p.learner_id, t.slug, p.version, COUNT(e.id) FROM progress p "
                    "JOIN topics t ON t.id = p.topic_id "
                    "LEFT JOIN progress_events e "
                    "ON e.learner_id = p.learner_id AND e.topic_slug = t.slug "
                    "GROUP BY p.id, p.learner_id, t.slug, p.version "
                    "HAVING p.version <> COUNT(e.id)"
                )
            ).all()
    finally:
        engine.dispose()
    print(f"records whose version is not their number of events: {len(mismatched)}")
    if mismatched:
        problems.append(f"version/event mismatches: {mismatched[:5]}")
    return problems


def run(database_url: str, *, rounds: int, writer_count: int, load_seconds: float) -> int:
    writers: list[Writer] = []
    problems: list[str] = []
    for round_number in range(1, rounds + 1):
        with server_on(database_url) as server:
            if not writers:
                headers = register(server.url, LEARNERS)
                writers = [
                    Writer(index=n, headers=headers[n % LEARNERS], topic=TOPICS[n])
                    for n in range(writer_count)
                ]
            before = sum(len(writer.acknowledged) for writer in writers)
            loaded = load_then_kill(server, writers, seconds=load_seconds)
            acknowledged = sum(len(writer.acknowledged) for writer in writers) - before
            print(
                f"round {round_number}: {acknowledged} writes acknowledged in {loaded:.1f} s, "
                f"then SIGKILL to pid {server.process.pid} "
                f"(exit {server.process.returncode})"
            )
        with server_on(database_url) as server:
            check = check_writers(server.url, writers)
        print(
            f"  after restart: acknowledged {check.acknowledged}, found {check.found}, "
            f"lost {check.acknowledged - check.found}; in flight at the kill and stored anyway: "
            f"{check.unacknowledged_but_stored}"
        )
        problems += check.problems
        if problems:
            break
    problems += database_checks(database_url)
    for problem in problems:
        print(f"FAIL: {problem}")
    print("crash test " + ("FAILED" if problems else "passed: no acknowledged write was lost"))
    return 1 if problems else 0


def main() -> int:
    rounds = env_int("CRASH_ROUNDS", 3)
    writer_count = min(env_int("CRASH_WRITERS", 8), len(TOPICS))
    load_seconds = float(os.environ.get("CRASH_LOAD_SECONDS", "3"))
    with servers.bench_database_url("crash") as database_url:
        print(f"database: {database_url}")
        return run(
            database_url, rounds=rounds, writer_count=writer_count, load_seconds=load_seconds
        )


if __name__ == "__main__":
    sys.exit(main())
