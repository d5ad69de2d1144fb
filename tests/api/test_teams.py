"""Teams (DESIGN.md §8): creating and managing them, invitations, leaving, and the rules that
keep a team managed. Who may call what is proven in test_teams_access.py; the matrix and
coverage in test_team_standing.py."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from models import TeamInvitation
from models.database import Database
from tests.api.builders import (
    account_id,
    add_member,
    invite,
    new_learner,
    new_team,
    record_progress,
)
from tests.api.test_catalog_reads import assert_problem

TEAMS = "/api/v1/teams"


def _join(client: TestClient, account, code: str):
    return client.post(f"{TEAMS}/join", json={"code": code}, headers=account.headers)


def test_creating_a_team_makes_its_creator_its_manager(client: TestClient):
    ada = new_learner(client, name="ada")
    response = client.post(TEAMS, json={"name": "  ML guild  "}, headers=ada.headers)
    assert response.status_code == 201, response.text
    team = response.json()
    assert team.keys() == {"id", "name", "created_at", "role"}
    assert (team["name"], team["role"]) == ("ML guild", "manager")
    assert datetime.fromisoformat(team["created_at"]).tzinfo is not None

    assert client.get(f"{TEAMS}/{team['id']}", headers=ada.headers).json() == team
    listed = client.get(TEAMS, headers=ada.headers).json()
    assert listed == {"items": [team], "total": 1, "limit": 20, "offset": 0}


def test_team_names_are_checked(client: TestClient):
    ada = new_learner(client)
    for body in ({"name": "   "}, {"name": "x" * 101}, {}, {"name": "ok", "owner": 1}):
        assert_problem(client.post(TEAMS, json=body, headers=ada.headers), 422)
    assert client.get(TEAMS, headers=ada.headers).json()["total"] == 0


def test_a_manager_renames_the_team(client: TestClient):
    ada = new_learner(client)
    team_id = new_team(client, ada)
    response = client.patch(f"{TEAMS}/{team_id}", json={"name": "Vision"}, headers=ada.headers)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Vision"
    assert client.get(f"{TEAMS}/{team_id}", headers=ada.headers).json()["name"] == "Vision"
    refused = client.patch(f"{TEAMS}/{team_id}", json={"name": None}, headers=ada.headers)
    assert_problem(refused, 422)


def test_an_invitation_lets_the_learner_it_names_join_once(client: TestClient):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    team_id = new_team(client, ada)
    response = client.post(
        f"{TEAMS}/{team_id}/invitations",
        json={"email": grace.email.upper(), "role": "member"},
        headers=ada.headers,
    )
    assert response.status_code == 201, response.text
    invitation = response.json()
    assert invitation.keys() == {"code", "email", "role", "expires_at"}
    assert (invitation["email"], invitation["role"]) == (grace.email, "member")
    assert len(invitation["code"]) >= 32
    expires = datetime.fromisoformat(invitation["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=5)

    joined = _join(client, grace, invitation["code"])
    assert joined.status_code == 200, joined.text
    body = joined.json()
    assert body["role"] == "member"
    assert (body["team"]["id"], body["team"]["name"], body["team"]["role"]) == (
        team_id,
        "ML guild",
        "member",
    )
    assert client.get(TEAMS, headers=grace.headers).json()["items"] == [body["team"]]

    # Used once: the same code is 404 for everyone, the invitee included.
    assert_problem(_join(client, grace, invitation["code"]), 404)
    assert_problem(_join(client, new_learner(client), invitation["code"]), 404)


def test_codes_differ_and_only_the_named_learner_may_use_one(client: TestClient):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    eve = new_learner(client, name="eve")
    team_id = new_team(client, ada)
    codes = {invite(client, ada, team_id, grace.email) for _ in range(3)}
    assert len(codes) == 3
    code = codes.pop()
    assert_problem(_join(client, eve, code), 403)
    assert client.get(TEAMS, headers=eve.headers).json()["total"] == 0
    # Eve's attempt did not use it up.
    assert _join(client, grace, code).status_code == 200


def test_unknown_and_expired_codes_are_404_whoever_asks(client: TestClient, database: Database):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    team_id = new_team(client, ada)
    assert_problem(_join(client, grace, "no-such-code"), 404)
    code = invite(client, ada, team_id, grace.email)
    with database.session_factory() as session:
        session.execute(
            update(TeamInvitation).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert_problem(_join(client, grace, code), 404)
    assert_problem(_join(client, new_learner(client), code), 404)
    assert_problem(_join(client, grace, "bad code!"), 422)


def test_joining_a_team_one_is_in_is_a_conflict(client: TestClient):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    team_id = new_team(client, ada)
    add_member(client, ada, team_id, grace)
    code = invite(client, ada, team_id, grace.email, role="manager")
    assert_problem(_join(client, grace, code), 409)
    own = invite(client, ada, team_id, ada.email)
    assert_problem(_join(client, ada, own), 409)
    members = client.get(f"{TEAMS}/{team_id}/members", headers=ada.headers).json()
    assert [m["role"] for m in members["items"]] == ["manager", "member"]


def test_an_invitation_works_for_someone_who_registers_later(client: TestClient):
    ada = new_learner(client, name="ada")
    team_id = new_team(client, ada)
    code = invite(client, ada, team_id, "Newcomer@Example.com", role="manager")
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "newcomer@example.com", "password": "long enough pw", "display_name": "N"},
    )
    assert response.status_code == 201
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "newcomer@example.com", "password": "long enough pw"},
    ).json()["access_token"]
    joined = client.post(
        f"{TEAMS}/join", json={"code": code}, headers={"Authorization": f"Bearer {token}"}
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["role"] == "manager"


def test_members_are_listed_with_their_roles_in_the_order_they_joined(client: TestClient):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    alan = new_learner(client, name="alan")
    team_id = new_team(client, ada)
    add_member(client, ada, team_id, grace)
    add_member(client, ada, team_id, alan, role="manager")
    page = client.get(f"{TEAMS}/{team_id}/members", headers=grace.headers).json()
    assert page["total"] == 3
    assert [(m["id"], m["display_name"], m["role"]) for m in page["items"]] == [
        (account_id(client, ada), "Ada", "manager"),
        (account_id(client, grace), "Grace", "member"),
        (account_id(client, alan), "Alan", "manager"),
    ]
    assert all(m.keys() == {"id", "display_name", "role", "joined_at"} for m in page["items"])
    second = client.get(f"{TEAMS}/{team_id}/members?limit=1&offset=1", headers=ada.headers)
    assert [m["display_name"] for m in second.json()["items"]] == ["Grace"]


def test_members_leave_and_managers_remove(client: TestClient):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    alan = new_learner(client, name="alan")
    team_id = new_team(client, ada)
    add_member(client, ada, team_id, grace)
    add_member(client, ada, team_id, alan)
    grace_id, alan_id = account_id(client, grace), account_id(client, alan)

    assert_problem(
        client.delete(f"{TEAMS}/{team_id}/members/{alan_id}", headers=grace.headers), 403
    )
    assert (
        client.delete(f"{TEAMS}/{team_id}/members/{grace_id}", headers=grace.headers).status_code
        == 204
    )
    assert_problem(client.get(f"{TEAMS}/{team_id}", headers=grace.headers), 404)
    assert client.get(TEAMS, headers=grace.headers).json()["total"] == 0

    assert (
        client.delete(f"{TEAMS}/{team_id}/members/{alan_id}", headers=ada.headers).status_code
        == 204
    )
    assert_problem(client.delete(f"{TEAMS}/{team_id}/members/{alan_id}", headers=ada.headers), 404)
    members = client.get(f"{TEAMS}/{team_id}/members", headers=ada.headers).json()
    assert [m["id"] for m in members["items"]] == [account_id(client, ada)]


def test_the_last_manager_cannot_leave_while_members_remain(client: TestClient):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    team_id = new_team(client, ada)
    add_member(client, ada, team_id, grace)
    ada_id, grace_id = account_id(client, ada), account_id(client, grace)
    leave = f"{TEAMS}/{team_id}/members/{ada_id}"
    assert_problem(client.delete(leave, headers=ada.headers), 409)
    assert client.get(f"{TEAMS}/{team_id}", headers=ada.headers).json()["role"] == "manager"

    # With a second manager, the first may go; the team goes on.
    alan = new_learner(client, name="alan")
    add_member(client, ada, team_id, alan, role="manager")
    assert client.delete(leave, headers=ada.headers).status_code == 204
    assert client.get(f"{TEAMS}/{team_id}", headers=grace.headers).status_code == 200

    # Once the manager has removed the last member, leaving is allowed and ends the team.
    alan_leave = f"{TEAMS}/{team_id}/members/{account_id(client, alan)}"
    assert (
        client.delete(f"{TEAMS}/{team_id}/members/{grace_id}", headers=alan.headers).status_code
        == 204
    )
    assert client.delete(alan_leave, headers=alan.headers).status_code == 204
    assert_problem(client.get(f"{TEAMS}/{team_id}", headers=alan.headers), 404)
    assert client.get(TEAMS, headers=alan.headers).json()["total"] == 0


def test_deleting_a_team_removes_memberships_and_invitations_not_progress(client: TestClient):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    team_id = new_team(client, ada)
    add_member(client, ada, team_id, grace)
    pending = invite(client, ada, team_id, new_learner(client, name="later").email)
    assert record_progress(client, grace, "calculus", notes="mine").status_code == 201
    assert record_progress(client, ada, "python").status_code == 201

    assert client.delete(f"{TEAMS}/{team_id}", headers=ada.headers).status_code == 204
    for account in (ada, grace):
        assert_problem(client.get(f"{TEAMS}/{team_id}", headers=account.headers), 404)
        assert client.get(TEAMS, headers=account.headers).json()["total"] == 0
    assert (
        client.get("/api/v1/me/progress/calculus", headers=grace.headers).json()["notes"] == "mine"
    )
    assert client.get("/api/v1/me/progress/python", headers=ada.headers).status_code == 200
    assert_problem(client.post(f"{TEAMS}/join", json={"code": pending}, headers=grace.headers), 404)
