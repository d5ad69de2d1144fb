"""Team membership under concurrent requests, through a real server process over HTTP: an
invitation is used once however many use it at once, and managers leaving together never
leave a team with members but no manager. No request gets a 5xx."""

import threading
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from bench import servers
from tests.conftest import TEST_SECRET
from tests.databases import BACKENDS, fresh_database_url
from tests.reliability.test_concurrent_progress import JOIN_SECONDS, PASSWORD, run_threads

RACERS = 8


@pytest.fixture(scope="module", params=BACKENDS)
def server_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with fresh_database_url(request.param, tmp_path_factory.mktemp("teams")) as url:
        env = {**servers.NO_RATE_LIMITS, "SKILLPATH_SECRET_KEY": TEST_SECRET}
        with servers.serve_skillpath(url, extra_env=env) as server:
            yield server.url


def _account(base_url: str, name: str) -> tuple[str, dict[str, str], int]:
    """A new account: its email, authorization headers and learner id."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        registered = client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "display_name": name},
        )
        assert registered.status_code == 201, registered.text
        token = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return email, headers, registered.json()["id"]


def _race(base_url: str, requests: Sequence[tuple[str, str, dict[str, str], Any]]) -> list[int]:
    """Send the requests at once, one thread each; their status codes, in order."""
    start = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def send(index: int) -> None:
        method, path, headers, body = requests[index]
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            client.get("/health/live")  # connect before the start line
            start.wait(timeout=JOIN_SECONDS)
            statuses[index] = client.request(method, path, json=body).status_code

    assert run_threads(len(requests), send) == []
    return statuses


def test_an_invitation_used_by_many_at_once_admits_one(server_url: str):
    _, manager, _ = _account(server_url, "manager")
    email, invitee, _ = _account(server_url, "invitee")
    with httpx.Client(base_url=server_url, headers=manager, timeout=30) as client:
        team = client.post("/api/v1/teams", json={"name": "Race"}).json()["id"]
        code = client.post(f"/api/v1/teams/{team}/invitations", json={"email": email}).json()
    joins = [("POST", "/api/v1/teams/join", invitee, {"code": code["code"]})] * RACERS
    statuses = _race(server_url, joins)
    # The others find it used (404) or, having read it before, find her a member (409).
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 404, 409}, statuses
    with httpx.Client(base_url=server_url, headers=manager, timeout=30) as client:
        assert client.get(f"/api/v1/teams/{team}/members").json()["total"] == 2


def test_managers_leaving_together_leave_one_behind(server_url: str):
    _, first, first_id = _account(server_url, "first")
    others = [_account(server_url, f"manager{n}") for n in range(3)]
    member_email, member, _ = _account(server_url, "member")
    with httpx.Client(base_url=server_url, headers=first, timeout=30) as client:
        team = client.post("/api/v1/teams", json={"name": "Leavers"}).json()["id"]
        for email, headers, _ in [*others, (member_email, member, 0)]:
            role = "member" if headers is member else "manager"
            code = client.post(
                f"/api/v1/teams/{team}/invitations", json={"email": email, "role": role}
            ).json()["code"]
            joined = httpx.post(
                f"{server_url}/api/v1/teams/join", json={"code": code}, headers=headers
            )
            assert joined.status_code == 200, joined.text
    managers = [(first, first_id), *((headers, id_) for _, headers, id_ in others)]
    leaving = [
        ("DELETE", f"/api/v1/teams/{team}/members/{id_}", headers, None)
        for headers, id_ in managers
    ]
    statuses = _race(server_url, leaving)
    assert sorted(statuses) == [204, 204, 204, 409], statuses
    with httpx.Client(base_url=server_url, headers=member, timeout=30) as client:
        roles = [m["role"] for m in client.get(f"/api/v1/teams/{team}/members").json()["items"]]
    assert sorted(roles) == ["manager", "member"]
