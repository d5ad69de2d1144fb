"""What teams give account deletion and the data export (DESIGN.md §9): the last-manager rule,
a learner's teams, and memberships and invitations going with the account."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from api.app import create_app
from api.cli import main as cli_main
from api.errors import Conflict
from api.settings import get_settings
from api.teams.repository import learner_teams
from api.teams.service import (
    export_teams,
    is_last_manager_of_a_team,
    leave_every_team,
    refuse_if_last_manager,
)
from models import Learner, Team, TeamInvitation, TeamMembership
from models.database import Database
from tests.api.builders import account_id, add_member, invite, log_in, new_learner, new_team
from tests.conftest import make_settings


def test_the_last_manager_of_a_team_with_members_is_told_apart(
    client: TestClient, database: Database
):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    alone = new_learner(client, name="alone")
    team_id = new_team(client, ada)
    add_member(client, ada, team_id, grace)
    new_team(client, alone)  # managing a team nobody else is in blocks nothing
    ids = {
        name: account_id(client, a)
        for name, a in (("ada", ada), ("grace", grace), ("alone", alone))
    }
    with database.read_session_factory() as session:
        assert is_last_manager_of_a_team(session, learner_id=ids["ada"])
        with pytest.raises(Conflict):
            refuse_if_last_manager(session, ids["ada"])
        refuse_if_last_manager(session, ids["grace"])
        assert not is_last_manager_of_a_team(session, learner_id=ids["grace"])
        assert not is_last_manager_of_a_team(session, learner_id=ids["alone"])

    add_member(client, ada, team_id, new_learner(client), role="manager")
    with database.read_session_factory() as session:
        assert not is_last_manager_of_a_team(session, learner_id=ids["ada"])


def test_a_learners_teams_for_the_export(client: TestClient, database: Database):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    first = new_team(client, ada, name="First")
    second = new_team(client, grace, name="Second")
    add_member(client, grace, second, ada)
    with database.read_session_factory() as session:
        teams = learner_teams(session, account_id(client, ada))
    assert [(t.id, t.name, t.role) for t in teams] == [
        (first, "First", "manager"),
        (second, "Second", "member"),
    ]
    assert all(t.joined_at.tzinfo is not None for t in teams)
    with database.read_session_factory() as session:
        section = export_teams(session, account_id(client, ada))
    assert [(t["id"], t["name"], t["role"]) for t in section] == [
        (first, "First", "manager"),
        (second, "Second", "member"),
    ]
    assert all(t.keys() == {"id", "name", "role", "joined_at"} for t in section)


def test_memberships_and_invitations_go_with_the_account(client: TestClient, database: Database):
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    shared = new_team(client, ada)
    add_member(client, ada, shared, grace, role="manager")
    solo = new_team(client, grace, name="Solo")
    invite(client, ada, shared, grace.email)  # an invitation naming her
    invite(client, grace, shared, "friend@example.com")  # one she sent
    grace_id = account_id(client, grace)

    with database.session_factory() as session:
        refuse_if_last_manager(session, grace_id)
        leave_every_team(session, grace_id)
        session.execute(delete(Learner).where(Learner.id == grace_id))
        session.commit()

    with database.read_session_factory() as session:
        memberships = session.scalar(
            select(func.count())
            .select_from(TeamMembership)
            .where(TeamMembership.learner_id == grace_id)
        )
        invitations = session.scalars(select(TeamInvitation.email)).all()
    assert memberships == 0
    assert invitations == []  # the one naming her and the one she sent
    # The team she was alone in went with her; the shared one goes on.
    assert client.get(f"/api/v1/teams/{shared}", headers=ada.headers).status_code == 200
    members = client.get(f"/api/v1/teams/{shared}/members", headers=ada.headers).json()
    assert [m["display_name"] for m in members["items"]] == ["Ada"]
    with database.read_session_factory() as session:
        assert session.get(Team, solo) is None


def test_the_demo_team_command_makes_a_team_worth_looking_at(
    tmp_path, monkeypatch: pytest.MonkeyPatch
):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("SKILLPATH_DATABASE_URL", url)
    monkeypatch.setenv("SKILLPATH_DEMO_PASSWORD", "a demo passphrase")
    get_settings.cache_clear()
    try:
        assert cli_main(["seed"]) == 0
        assert cli_main(["demo-team", "--manager-email", "Boss@Example.com"]) == 0
        assert cli_main(["demo-team", "--manager-email", "boss@example.com"]) == 0  # found again
        assert cli_main(["demo-team", "--goal", "no-such-goal"]) == 2
    finally:
        get_settings.cache_clear()
    database = Database.from_url(url)
    try:
        with TestClient(create_app(make_settings(database_url=url), database=database)) as client:
            headers = log_in(client, "boss@example.com", "a demo passphrase")
            teams = client.get("/api/v1/teams", headers=headers).json()
            assert teams["total"] == 1
            team_id = teams["items"][0]["id"]
            matrix = client.get(
                f"/api/v1/teams/{team_id}/matrix?goal=job-interview", headers=headers
            ).json()
            readiness = [member["readiness"] for member in matrix["members"]]
            assert len(readiness) == 5
            assert len(set(readiness)) >= 4  # varied progress, varied standing
            assert 1.0 in readiness
            assert 0.0 in readiness
    finally:
        database.dispose()
