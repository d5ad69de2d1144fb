"""Many clients writing progress at once, through a real server process over HTTP.

Every write that gets a 2xx must be in the record's history exactly once, versions must count
the changes, and of several writers holding the same ETag exactly one may win. The server runs
under uvicorn on a fresh database of each backend: a SQLite file, or a new PostgreSQL database
(a URL cannot carry a test schema's search_path, so the test creates a whole database).
"""

import itertools
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from bench import servers
from tests.conftest import TEST_SECRET
from tests.databases import BACKENDS, fresh_database_url
from tests.threads import start_and_join

PASSWORD = "concurrent writers passphrase"
LEARNERS = 3
WRITER_THREADS = 16
WRITES_PER_THREAD = 26  # alternately on the learner's shared topic and the thread's own topic
RACERS = 12
RACE_ROUNDS = 5
SHARED_TOPIC = "linear-regression"
RACE_TOPIC = "gradient-descent"
# One topic of its own per writer thread; neither the shared nor the race topic is among them.
OWN_TOPICS = [
    "vectors-and-matrices",
    "matrix-decompositions",
    "calculus",
    "multivariable-calculus",
    "automatic-differentiation",
    "probability-basics",
    "bayes-rule",
    "continuous-probability",
    "standard-distributions",
    "descriptive-statistics",
    "sampling-and-estimation",
    "hypothesis-testing",
    "information-theory",
    "exploratory-data-analysis",
    "ml-overview",
    "cost-functions",
]
STATUSES = ["in_progress", "completed", "skipped", "not_started"]
# A PUT without If-Match may give up with 409 when the record keeps changing under it (the
# service re-reads and retries a few times first); it then changes nothing.
PLAIN_WRITE_STATUSES = {200, 201, 409}
JOIN_SECONDS = 60


@pytest.fixture(scope="module", params=BACKENDS)
def server_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A uvicorn process serving a fresh database of each backend (migrated and seeded by its
    own start-up)."""
    with fresh_database_url(request.param, tmp_path_factory.mktemp("reliability")) as url:
        env = {**servers.NO_RATE_LIMITS, "SKILLPATH_SECRET_KEY": TEST_SECRET}
        with servers.serve_skillpath(url, extra_env=env) as server:
            yield server.url


def new_learner(base_url: str, name: str) -> dict[str, str]:
    """Register an account and return its authorization headers."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        registered = client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "display_name": name},
        )
        assert registered.status_code == 201, registered.text
        token = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        assert token.status_code == 200, token.text
        return {"Authorization": f"Bearer {token.json()['access_token']}"}


def run_threads(count: int, target: Callable[[int], None]) -> list[BaseException]:
    """Run `target(index)` on `count` threads; the exceptions they raised."""
    failures: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            target(index)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(index,)) for index in range(count)]
    start_and_join(threads, timeout=JOIN_SECONDS)
    return failures


@dataclass(frozen=True)
class Write:
    learner: int
    topic: str
    notes: str
    status: int
    body: str


def assert_no_server_error(writes: list[Write]) -> None:
    broken = [w for w in writes if w.status >= 500 or "database is locked" in w.body]
    assert broken == [], broken[:5]


def assert_history_holds_exactly(client: httpx.Client, topic: str, acknowledged: list[str]):
    """The record's history is one unbroken chain of exactly the acknowledged writes."""
    events = servers.progress_history(client, topic)
    assert sorted(event["new"]["notes"] for event in events) == sorted(acknowledged)
    assert [event["version"] for event in events] == list(range(1, len(events) + 1))
    assert events[0]["old"] is None
    for previous, event in itertools.pairwise(events):
        assert event["old"] == previous["new"]
    record = client.get(f"/api/v1/me/progress/{topic}")
    assert record.status_code == 200, record.text
    assert record.json()["version"] == len(events)
    assert record.headers["etag"] == f'"{len(events)}"'
    assert record.json()["notes"] == events[-1]["new"]["notes"]


def test_concurrent_writers_lose_nothing_and_record_each_change_once(server_url: str):
    learners = [new_learner(server_url, f"writer{n}") for n in range(LEARNERS)]
    start = threading.Barrier(WRITER_THREADS)
    writes: list[Write] = []

    def write(index: int) -> None:
        learner = index % LEARNERS
        with httpx.Client(base_url=server_url, headers=learners[learner], timeout=30) as client:
            client.get("/health/live")  # connect before the start line
            start.wait(timeout=JOIN_SECONDS)
            for n in range(WRITES_PER_THREAD):
                topic = SHARED_TOPIC if n % 2 == 0 else OWN_TOPICS[index]
                # Notes unique to this write make every body distinct: each one is a change.
                notes = f"thread {index} write {n}"
                body = {
                    "status": STATUSES[(index + n) % len(STATUSES)],
                    "mastery": (index * 7 + n) % 101,
                    "hours_spent": n + index / 100,
                    "notes": notes,
                }
                response = client.put(f"/api/v1/me/progress/{topic}", json=body)
                writes.append(Write(learner, topic, notes, response.status_code, response.text))

    assert run_threads(WRITER_THREADS, write) == []
    assert len(writes) == WRITER_THREADS * WRITES_PER_THREAD
    assert_no_server_error(writes)
    assert {w.status for w in writes if w.topic == SHARED_TOPIC} <= PLAIN_WRITE_STATUSES
    # Nobody else writes a thread's own record, so nothing can conflict there.
    assert {w.status for w in writes if w.topic != SHARED_TOPIC} <= {200, 201}

    records = {(w.learner, w.topic) for w in writes}
    assert len(records) == LEARNERS + WRITER_THREADS
    for learner, topic in records:
        mine = [w for w in writes if (w.learner, w.topic) == (learner, topic)]
        assert Counter(w.status for w in mine)[201] == 1, (learner, topic)
        acknowledged = [w.notes for w in mine if w.status in (200, 201)]
        with httpx.Client(base_url=server_url, headers=learners[learner], timeout=30) as client:
            assert_history_holds_exactly(client, topic, acknowledged)


def race_with_the_same_etag(
    base_url: str, headers: dict[str, str], topic: str, *, etag: str, label: str
) -> list[Write]:
    """PUT from RACERS threads at once, each with a distinct body and `If-Match: etag`."""
    start = threading.Barrier(RACERS)
    writes: list[Write] = []

    def race(index: int) -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            client.get("/health/live")
            notes = f"{label} racer {index}"
            body = {"status": "in_progress", "hours_spent": index, "notes": notes}
            start.wait(timeout=JOIN_SECONDS)
            response = client.put(
                f"/api/v1/me/progress/{topic}", json=body, headers={"If-Match": etag}
            )
            writes.append(Write(0, topic, notes, response.status_code, response.text))

    assert run_threads(RACERS, race) == []
    return writes


def test_of_writers_holding_the_same_etag_exactly_one_wins(server_url: str):
    headers = new_learner(server_url, "racer")
    path = f"/api/v1/me/progress/{RACE_TOPIC}"
    with httpx.Client(base_url=server_url, headers=headers, timeout=30) as reader:
        created = reader.put(path, json={"status": "in_progress", "notes": "before the races"})
        assert created.status_code == 201, created.text
        for round_number in range(RACE_ROUNDS):
            current = reader.get(path)
            assert current.status_code == 200, current.text
            version = current.json()["version"]
            writes = race_with_the_same_etag(
                server_url,
                headers,
                RACE_TOPIC,
                etag=current.headers["etag"],
                label=f"round {round_number}",
            )
            assert_no_server_error(writes)
            assert Counter(w.status for w in writes) == {200: 1, 412: RACERS - 1}
            winner = next(w for w in writes if w.status == 200)
            after = reader.get(path)
            assert after.json()["version"] == version + 1
            assert after.json()["notes"] == winner.notes
            events = servers.progress_history(reader, RACE_TOPIC)
            assert len(events) == version + 1
            assert events[-1]["new"]["notes"] == winner.notes
