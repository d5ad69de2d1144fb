"""Who sees what in a team (DESIGN.md §8), as a matrix: every team endpoint by outsider, member,
manager and admin, with the exact status each gets.

Someone outside a team gets 404 for anything of it (its existence is not revealed); a plain
member gets 403 on what managers alone may do; the admin role gives no power over teams (the
admin here is outside the team). A refused request changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from models.database import Database
from tests.api.builders import (
    Account,
    account_id,
    add_member,
    invite,
    new_admin,
    new_learner,
    new_team,
)
from tests.api.test_catalog_reads import assert_problem

ROLES = ("outsider", "member", "manager", "admin")


@dataclass
class Scene:
    """A team with a manager, two plain members and people outside it."""

    client: TestClient
    team_id: int
    manager: Account
    member: Account
    other_member_id: int
    outsider: Account
    admin: Account

    def caller(self, role: str) -> Account:
        return {
            "outsider": self.outsider,
            "member": self.member,
            "manager": self.manager,
            "admin": self.admin,
        }[role]

    def state(self) -> tuple[object, object]:
        """The team and its members, as its manager reads them."""
        team = self.client.get(f"/api/v1/teams/{self.team_id}", headers=self.manager.headers)
        members = self.client.get(
            f"/api/v1/teams/{self.team_id}/members", headers=self.manager.headers
        )
        return team.json(), members.json()


@pytest.fixture
def scene(client: TestClient, database: Database) -> Scene:
    manager = new_learner(client, name="manager")
    member = new_learner(client, name="member")
    other = new_learner(client, name="other")
    team_id = new_team(client, manager)
    add_member(client, manager, team_id, member)
    add_member(client, manager, team_id, other)
    return Scene(
        client=client,
        team_id=team_id,
        manager=manager,
        member=member,
        other_member_id=account_id(client, other),
        outsider=new_learner(client, name="outsider"),
        admin=new_admin(client, database),
    )


Call = Callable[[Scene, Account], Response]
CSV = {"Accept": "text/csv"}


def _team(s: Scene, suffix: str = "") -> str:
    return f"/api/v1/teams/{s.team_id}{suffix}"


def _join_own_invitation(s: Scene, caller: Account) -> Response:
    code = invite(s.client, s.manager, s.team_id, caller.email)
    return s.client.post("/api/v1/teams/join", json={"code": code}, headers=caller.headers)


def _join_with_someone_elses_code(s: Scene, caller: Account) -> Response:
    code = invite(s.client, s.manager, s.team_id, "someone-else@example.com")
    return s.client.post("/api/v1/teams/join", json={"code": code}, headers=caller.headers)


def _remove_self(s: Scene, caller: Account) -> Response:
    own_id = account_id(s.client, caller)
    return s.client.delete(_team(s, f"/members/{own_id}"), headers=caller.headers)


# endpoint → (call, expected status for outsider, member, manager, admin)
MATRIX: dict[str, tuple[Call, tuple[int, int, int, int]]] = {
    "GET /teams/{id}": (
        lambda s, a: s.client.get(_team(s), headers=a.headers),
        (404, 200, 200, 404),
    ),
    "PATCH /teams/{id}": (
        lambda s, a: s.client.patch(_team(s), json={"name": "Renamed"}, headers=a.headers),
        (404, 403, 200, 404),
    ),
    "DELETE /teams/{id}": (
        lambda s, a: s.client.delete(_team(s), headers=a.headers),
        (404, 403, 204, 404),
    ),
    "POST /teams/{id}/invitations": (
        lambda s, a: s.client.post(
            _team(s, "/invitations"), json={"email": "new@example.com"}, headers=a.headers
        ),
        (404, 403, 201, 404),
    ),
    "GET /teams/{id}/members": (
        lambda s, a: s.client.get(_team(s, "/members"), headers=a.headers),
        (404, 200, 200, 404),
    ),
    "DELETE /teams/{id}/members/{other member}": (
        lambda s, a: s.client.delete(_team(s, f"/members/{s.other_member_id}"), headers=a.headers),
        (404, 403, 204, 404),
    ),
    # The manager is the only one: they cannot leave while members remain.
    "DELETE /teams/{id}/members/{self}": (_remove_self, (404, 204, 409, 404)),
    "GET /teams/{id}/matrix": (
        lambda s, a: s.client.get(_team(s, "/matrix?goal=job-interview"), headers=a.headers),
        (404, 403, 200, 404),
    ),
    "GET /teams/{id}/matrix as CSV": (
        lambda s, a: s.client.get(
            _team(s, "/matrix?targets=calculus"), headers={**a.headers, **CSV}
        ),
        (404, 403, 200, 404),
    ),
    "GET /teams/{id}/coverage": (
        lambda s, a: s.client.get(_team(s, "/coverage?goal=job-interview"), headers=a.headers),
        (404, 403, 200, 404),
    ),
    "GET /teams/{id}/coverage as CSV": (
        lambda s, a: s.client.get(
            _team(s, "/coverage?targets=calculus"), headers={**a.headers, **CSV}
        ),
        (404, 403, 200, 404),
    ),
    "POST /teams/join (own invitation)": (_join_own_invitation, (200, 409, 409, 200)),
    "POST /teams/join (someone else's code)": (
        _join_with_someone_elses_code,
        (403, 403, 403, 403),
    ),
}


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_team_access_matrix(scene: Scene, endpoint: str, role: str):
    call, statuses = MATRIX[endpoint]
    expected = statuses[ROLES.index(role)]
    before = scene.state()
    response = call(scene, scene.caller(role))
    assert response.status_code == expected, (endpoint, role, response.text)
    if expected >= 400:
        assert_problem(response, expected)
        if not endpoint.startswith("POST /teams/join"):  # those make an invitation first
            assert scene.state() == before


@pytest.mark.parametrize("role", ROLES)
def test_everyone_lists_only_their_own_teams(scene: Scene, role: str):
    caller = scene.caller(role)
    listed = scene.client.get("/api/v1/teams", headers=caller.headers)
    assert listed.status_code == 200
    ids = [team["id"] for team in listed.json()["items"]]
    assert ids == ([scene.team_id] if role in {"member", "manager"} else [])
    created = scene.client.post("/api/v1/teams", json={"name": "Own"}, headers=caller.headers)
    assert created.status_code == 201
    assert created.json()["role"] == "manager"


@pytest.mark.parametrize("path", ["", "/members", "/matrix?targets=calculus"])
def test_a_team_that_does_not_exist_looks_like_one_you_are_not_in(scene: Scene, path: str):
    missing = scene.client.get(f"/api/v1/teams/999999{path}", headers=scene.manager.headers)
    hidden = scene.client.get(_team(scene, path), headers=scene.outsider.headers)
    assert_problem(missing, 404)
    assert_problem(hidden, 404)
    assert missing.json()["detail"].replace("999999", "N") == hidden.json()["detail"].replace(
        str(scene.team_id), "N"
    )
