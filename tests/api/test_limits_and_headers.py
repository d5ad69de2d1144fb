"""The request-body cap, the security headers on every response, and CORS."""

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.planning.schemas import MAX_STATE_TOPICS
from models.catalog import SLUG_LENGTH
from models.database import Database
from tests.api.builders import PASSWORD, new_admin
from tests.api.test_catalog_reads import assert_problem
from tests.conftest import make_settings

LIMIT = make_settings().max_body_bytes
TOO_LARGE = "urn:skillpath:problem:request-entity-too-large"


def _registration(email: str, *, padding: int = 0) -> bytes:
    body = {"email": email, "password": PASSWORD, "display_name": "Big"}
    return (json.dumps(body) + " " * padding).encode()  # whitespace is valid JSON


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    # A generator body: httpx sends it chunked, without Content-Length.
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _log_in_status(client: TestClient, email: str) -> int:
    data = {"username": email, "password": PASSWORD}
    return client.post("/api/v1/auth/token", data=data).status_code


def test_an_oversized_body_with_content_length_is_refused_and_nothing_stored(client: TestClient):
    body = _registration("big@example.com", padding=LIMIT)
    response = client.post(
        "/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(response, 413)
    assert problem["type"] == TOO_LARGE
    assert str(LIMIT) in problem["detail"]
    assert problem["instance"] == "/api/v1/auth/register"
    assert _log_in_status(client, "big@example.com") == 401


def test_an_oversized_chunked_body_is_refused_and_nothing_stored(client: TestClient):
    body = _registration("chunked@example.com", padding=LIMIT)
    response = client.post(
        "/api/v1/auth/register",
        content=_chunks(body),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert assert_problem(response, 413)["type"] == TOO_LARGE
    assert _log_in_status(client, "chunked@example.com") == 401


def test_a_chunked_body_within_the_limit_is_served(client: TestClient):
    body = _registration("streamed@example.com", padding=1000)
    response = client.post(
        "/api/v1/auth/register",
        content=_chunks(body, size=100),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert _log_in_status(client, "streamed@example.com") == 200


def test_a_route_that_ignores_its_body_does_not_run_for_an_oversized_one(
    client: TestClient, database: Database
):
    admin = new_admin(client, database)
    response = client.request(
        "DELETE", "/api/v1/topics/transformers", content=b" " * (LIMIT + 1), headers=admin.headers
    )
    assert_problem(response, 413)
    assert client.get("/api/v1/topics/transformers").status_code == 200


def test_the_largest_valid_plan_fits_under_the_limit(client: TestClient):
    slugs = [f"{i:06d}-".ljust(SLUG_LENGTH, "x") for i in range(2 * MAX_STATE_TOPICS)]
    body = {
        "goal": "job-interview",
        "known": slugs[:MAX_STATE_TOPICS],
        "in_progress": slugs[MAX_STATE_TOPICS:],
    }
    text = json.dumps(body, indent=2)
    assert len(text) > 1024 * 1024
    response = client.post(
        "/api/v1/plans", content=text, headers={"Content-Type": "application/json"}
    )
    # Read and validated: refused only because those topics do not exist.
    assert_problem(response, 404)


def test_operations_with_a_body_declare_413(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    with_body = [op for ops in paths.values() for op in ops.values() if "requestBody" in op]
    assert with_body
    for operation in with_body:
        assert "413" in operation["responses"]


STRICT_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/areas", 200),
        ("GET", "/api/v1/topics/no-such-topic", 404),
        ("GET", "/no/such/path", 404),
        ("GET", "/api/v1/topics?limit=0", 422),
        ("GET", "/api/v1/me", 401),
        ("DELETE", "/api/v1/areas", 405),
        ("GET", "/openapi.json", 200),
        ("GET", "/health/live", 200),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str, status: int
):
    response = client.request(method, path)
    assert response.status_code == status
    for name, value in STRICT_HEADERS.items():
        assert response.headers[name] == value
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "strict-transport-security" not in response.headers


def _configured_client(database: Database, **overrides: object) -> TestClient:
    return TestClient(create_app(make_settings(**overrides), database=database))


def test_hsts_is_sent_only_when_configured(database: Database):
    with _configured_client(database, hsts_seconds=31_536_000) as client:
        for path in ("/api/v1/areas", "/docs", "/nowhere"):
            assert client.get(path).headers["strict-transport-security"] == "max-age=31536000"


ALLOWED = "https://app.example.com"
REFUSED = "https://evil.example.net"


def _preflight(client: TestClient, origin: str):
    return client.options(
        "/api/v1/auth/token",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_cors_answers_configured_origins_only(database: Database):
    with _configured_client(database, cors_origins=[ALLOWED]) as client:
        allowed = _preflight(client, ALLOWED)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in allowed.headers
        assert allowed.headers["x-content-type-options"] == "nosniff"

        refused = _preflight(client, REFUSED)
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers

        read = client.get("/api/v1/areas", headers={"Origin": ALLOWED})
        assert read.headers["access-control-allow-origin"] == ALLOWED
        foreign = client.get("/api/v1/areas", headers={"Origin": REFUSED})
        assert foreign.status_code == 200  # a browser hides it from the refused site's script
        assert "access-control-allow-origin" not in foreign.headers


def test_cors_is_off_without_configured_origins(client: TestClient):
    response = _preflight(client, ALLOWED)
    assert "access-control-allow-origin" not in response.headers


def test_credentials_go_only_to_explicit_origins(database: Database):
    with _configured_client(database, cors_origins=[ALLOWED], cors_allow_credentials=True) as c:
        response = _preflight(c, ALLOWED)
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert response.headers["access-control-allow-credentials"] == "true"


@pytest.mark.parametrize(
    "overrides",
    [
        {"cors_origins": ["*"], "cors_allow_credentials": True},
        {"cors_origins": [ALLOWED, "*"], "cors_allow_credentials": True},
        {"cors_origins": ["https://app.example.com/"]},
        {"cors_origins": ["app.example.com"]},
        {"max_body_bytes": 10},
        {"hsts_seconds": -1},
        {"login_rate_limit": "ten per minute"},
        {"login_account_rate_limit": ""},
        {"rate_limit_storage_uri": "memcached://127.0.0.1:11211"},
    ],
)
def test_settings_refuse_unsafe_or_useless_values(overrides: dict):
    with pytest.raises(ValidationError):
        make_settings(**overrides)


def test_any_origin_is_allowed_without_credentials():
    assert make_settings(cors_origins=["*"]).cors_origins == ["*"]
