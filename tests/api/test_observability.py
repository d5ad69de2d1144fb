"""Request ids, the JSON access log and Prometheus metrics show real traffic."""

import json
import logging
import subprocess
import sys
from functools import partial

import httpx
import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from tests.api.builders import new_learner, record_progress


def test_every_response_carries_a_request_id(client: TestClient):
    made = client.get("/api/v1/areas").headers["x-request-id"]
    assert len(made) == 32
    assert client.get("/api/v1/areas").headers["x-request-id"] != made
    kept = client.get("/api/v1/topics/nope", headers={"X-Request-ID": "trace-42.a_b"})
    assert kept.status_code == 404
    assert kept.headers["x-request-id"] == "trace-42.a_b"
    forged = client.get("/api/v1/areas", headers={"X-Request-ID": 'x" level=critical'})
    assert forged.headers["x-request-id"] != 'x" level=critical'


def test_one_access_line_per_request_with_the_route_template(client: TestClient):
    with capture_logs() as lines:
        client.get("/api/v1/topics/transformers", headers={"X-Request-ID": "abc123"})
        client.get("/api/v1/topics/quantum-cooking")
    access = [line for line in lines if line["event"] == "request"]
    assert [(line["route"], line["status"]) for line in access] == [
        ("/api/v1/topics/{slug}", 200),
        ("/api/v1/topics/{slug}", 404),
    ]
    assert access[0]["method"] == "GET"
    assert access[0]["duration_ms"] >= 0
    assert access[0]["request_id"] == "abc123"


TOPIC_READS = (
    'skillpath_http_requests_total{method="GET",route="/api/v1/topics/{slug}",status="200"}'
)


def sample(text: str, name: str) -> float:
    """A sample's value in Prometheus text, 0 when absent (the app is shared between tests)."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_and_learners(client: TestClient):
    learner = new_learner(client)
    record_progress(client, learner, "calculus")
    before = sample(client.get("/metrics").text, TOPIC_READS)
    for _ in range(3):
        client.get("/api/v1/topics/transformers")
    text = client.get("/metrics").text
    assert sample(text, TOPIC_READS) == before + 3
    assert 'skillpath_http_request_duration_seconds_bucket{le="0.001",method="GET"' in text
    assert "skillpath_learners 1.0" in text
    assert "skillpath_progress_events 1.0" in text


def test_logs_are_json_lines():
    # A standard library record, then an access line (written by structlog itself).
    program = (
        "import logging; from api.observability.logging import configure_logging;"
        "configure_logging('info'); logging.getLogger('skillpath.test').info('hello %s', 'you');"
        "from api.middleware.observability import ACCESS_LOGGER, access_log;"
        "access_log.info('request', logger=ACCESS_LOGGER, status=200)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    record, access = (json.loads(line) for line in completed.stderr.strip().splitlines()[-2:])
    assert record["event"] == "hello you"
    assert record["level"] == "info"
    assert record["logger"] == "skillpath.test"
    assert "timestamp" in record
    assert access["event"] == "request"
    assert access["status"] == 200
    assert access["level"] == "info"
    assert access["logger"] == "skillpath.access"
    assert "timestamp" in access


def test_secrets_never_reach_the_logs(client: TestClient, caplog: pytest.LogCaptureFixture):
    password = "a very secret passphrase"
    with capture_logs() as lines, caplog.at_level(logging.DEBUG):
        client.post(
            "/api/v1/auth/register",
            json={"email": "spy@example.com", "password": password, "display_name": "Spy"},
        )
        token_response = client.post(
            "/api/v1/auth/token", data={"username": "spy@example.com", "password": password}
        )
        token = token_response.json()["access_token"]
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        client.post("/api/v1/auth/token", data={"username": "spy@example.com", "password": "wrong"})
    logged = json.dumps(lines, default=str) + caplog.text
    assert lines  # the requests were logged...
    for secret in (password, token, "$argon2", "wrong"):
        assert secret not in logged  # ...but nothing secret was


def test_metrics_add_up_every_worker_of_the_served_app(tmp_path):
    """`skillpath serve --workers 2`: whichever worker answers a scrape, it counts the
    requests that both served (prometheus multiprocess mode, set up by the serve command)."""
    from bench import servers

    metrics_dir = tmp_path / "metrics"
    env = {
        "SKILLPATH_DATABASE_URL": f"sqlite:///{tmp_path}/served.db",
        "SKILLPATH_LOG_LEVEL": "warning",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    with servers.serve_command(
        partial(servers.skillpath_serve_command, workers=2), env=env, ready_path="/health/ready"
    ) as server:
        sent = 60
        for _ in range(sent):  # a new connection each time, so both workers take some
            assert httpx.get(server.url + "/api/v1/topics/transformers").status_code == 200
        scrapes = [httpx.get(server.url + "/metrics").text for _ in range(4)]
    # Each worker keeps its counters in files of its own, named after its process id.
    workers = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}
    assert len(workers) == 2
    assert [sample(text, TOPIC_READS) for text in scrapes] == [sent] * 4
