"""Small builders of test accounts and data, going through the API like a client would."""

import itertools
from dataclasses import dataclass

from fastapi.testclient import TestClient

from api.auth.service import ensure_admin
from models.database import Database

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    headers: dict[str, str]


def log_in(client: TestClient, email: str, password: str) -> dict[str, str]:
    """Authorization headers for the account."""
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def new_learner(client: TestClient, *, name: str = "learner") -> Account:
    """A freshly registered and logged-in learner."""
    email = f"{name}{next(_numbers)}@example.com"
    response = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name.title()},
    )
    assert response.status_code == 201, response.text
    return Account(email=email, password=PASSWORD, headers=log_in(client, email, PASSWORD))


def new_admin(client: TestClient, database: Database) -> Account:
    """A logged-in admin, made the way start-up and the CLI make one."""
    email = f"admin{next(_numbers)}@example.com"
    with database.session_factory() as session:
        ensure_admin(session, email=email, password=PASSWORD, display_name="Admin")
        session.commit()
    return Account(email=email, password=PASSWORD, headers=log_in(client, email, PASSWORD))


def record_progress(client: TestClient, account: Account, topic: str, **values: object):
    """PUT a progress record; `status` defaults to completed."""
    body = {"status": "completed", **values}
    return client.put(f"/api/v1/me/progress/{topic}", json=body, headers=account.headers)


def account_id(client: TestClient, account: Account) -> int:
    """The account's id, as GET /me reports it."""
    response = client.get("/api/v1/me", headers=account.headers)
    assert response.status_code == 200, response.text
    learner_id: int = response.json()["id"]
    return learner_id


def new_team(client: TestClient, manager: Account, *, name: str = "ML guild") -> int:
    """A team that `manager` creates (and so manages); its id."""
    response = client.post("/api/v1/teams", json={"name": name}, headers=manager.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def invite(
    client: TestClient, manager: Account, team_id: int, email: str, *, role: str = "member"
) -> str:
    """An invitation's code for `email`, made by a manager of the team."""
    response = client.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={"email": email, "role": role},
        headers=manager.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def add_member(
    client: TestClient, manager: Account, team_id: int, account: Account, *, role: str = "member"
) -> None:
    """Invite `account` to the team and have them join."""
    code = invite(client, manager, team_id, account.email, role=role)
    response = client.post("/api/v1/teams/join", json={"code": code}, headers=account.headers)
    assert response.status_code == 200, response.text
