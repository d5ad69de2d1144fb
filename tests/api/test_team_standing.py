"""A team's matrix and coverage against a goal (DESIGN.md §8): levels, readiness, who is short
and the hours that would close each target, as JSON and as CSV."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from models import Progress, Topic
from models.database import Database
from tests.api.builders import (
    Account,
    account_id,
    add_member,
    new_learner,
    new_team,
    record_progress,
)
from tests.api.test_catalog_reads import assert_problem

TARGETS = ("calculus", "python", "linear-regression")
PRIVATE_NOTE = "grace-private-note"


def _set_level(database: Database, learner: int, topic: str, level: str) -> None:
    """Give a record a level of its own, as a check or the learner would."""
    with database.session_factory() as session:
        topic_id = session.scalar(select(Topic.id).where(Topic.slug == topic))
        session.execute(
            update(Progress)
            .where(Progress.learner_id == learner, Progress.topic_id == topic_id)
            .values(level=level, level_source="self")
        )
        session.commit()


@pytest.fixture
def team(client: TestClient, database: Database) -> dict:
    """Ada manages; Grace and Alan are members with varied progress on TARGETS."""
    ada = new_learner(client, name="ada")
    grace = new_learner(client, name="grace")
    alan = new_learner(client, name="alan")
    team_id = new_team(client, ada)
    add_member(client, ada, team_id, grace)
    add_member(client, ada, team_id, alan)
    record_progress(client, grace, "calculus", status="completed", notes=PRIVATE_NOTE)
    record_progress(client, grace, "python", status="in_progress", notes=PRIVATE_NOTE)
    record_progress(client, alan, "linear-regression", status="skipped")
    record_progress(client, alan, "calculus", status="not_started")
    record_progress(client, alan, "python", status="in_progress")
    _set_level(database, account_id(client, alan), "python", "expert")
    hours = {
        slug: client.get(f"/api/v1/topics/{slug}").json()["estimated_hours"] for slug in TARGETS
    }
    ids = {
        name: account_id(client, account)
        for name, account in (("ada", ada), ("grace", grace), ("alan", alan))
    }
    return {"id": team_id, "ada": ada, "grace": grace, "alan": alan, "ids": ids, "hours": hours}


def _get(
    client: TestClient,
    team: dict,
    what: str,
    query: str,
    account: Account | None = None,
    **headers: str,
):
    account = account or team["ada"]
    return client.get(
        f"/api/v1/teams/{team['id']}/{what}?{query}", headers={**account.headers, **headers}
    )


def test_the_matrix_shows_every_members_effective_level_and_readiness(client: TestClient, team):
    response = _get(client, team, "matrix", f"targets={','.join(TARGETS)}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["goal"] is None
    assert [t["slug"] for t in body["topics"]] == list(TARGETS)
    for topic in body["topics"]:
        summary = client.get(f"/api/v1/topics/{topic['slug']}").json()
        assert topic == {
            **{k: summary[k] for k in ("slug", "title", "area", "level", "estimated_hours")},
            "required_level": "proficient",
        }
    ids = team["ids"]
    assert body["members"] == [
        {
            "id": ids["ada"],
            "display_name": "Ada",
            "readiness": 0.0,
            "levels": {"calculus": None, "python": None, "linear-regression": None},
        },
        {
            "id": ids["grace"],
            "display_name": "Grace",
            # proficient of proficient, aware (1 of 3), nothing: (1 + 1/3 + 0) / 3
            "readiness": round(4 / 9, 4),
            "levels": {"calculus": "proficient", "python": "aware", "linear-regression": None},
        },
        {
            "id": ids["alan"],
            "display_name": "Alan",
            # not started is no level; a level set on the record wins over its status
            "readiness": round(2 / 3, 4),
            "levels": {"calculus": None, "python": "expert", "linear-regression": "proficient"},
        },
    ]


def test_coverage_counts_who_is_short_and_the_hours_to_close_it(client: TestClient, team):
    response = _get(client, team, "coverage", f"targets={','.join(TARGETS)}")
    assert response.status_code == 200, response.text
    body = response.json()
    ids, hours = team["ids"], team["hours"]
    assert body["goal"] is None
    assert body["readiness"] == round((0 + 4 / 9 + 2 / 3) / 3, 4)
    by_slug = {t["topic"]["slug"]: t for t in body["targets"]}
    assert list(by_slug) == list(TARGETS)
    calculus, python, regression = (by_slug[slug] for slug in TARGETS)
    assert (calculus["met"], calculus["total"], calculus["short"]) == (
        1,
        3,
        [ids["ada"], ids["alan"]],
    )
    assert calculus["hours_to_close"] == pytest.approx(2 * hours["calculus"], abs=0.01)
    assert (python["met"], python["short"]) == (1, [ids["ada"], ids["grace"]])
    # Ada from nothing (the whole estimate), Grace from aware (two thirds of it).
    assert python["hours_to_close"] == pytest.approx(hours["python"] * 5 / 3, abs=0.01)
    assert (regression["met"], regression["short"]) == (1, [ids["ada"], ids["grace"]])
    assert regression["hours_to_close"] == pytest.approx(2 * hours["linear-regression"], abs=0.01)
    assert all(t["required_level"] == "proficient" for t in body["targets"])


def test_the_matrix_as_csv_has_one_row_per_member(client: TestClient, team):
    response = _get(client, team, "matrix", f"targets={','.join(TARGETS)}", accept="text/csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "accept" in response.headers["vary"].lower()
    rows = list(csv.reader(io.StringIO(response.text)))
    ids = team["ids"]
    assert rows == [
        ["member_id", "display_name", "readiness", *TARGETS],
        [str(ids["ada"]), "Ada", "0.0", "", "", ""],
        [str(ids["grace"]), "Grace", str(round(4 / 9, 4)), "proficient", "aware", ""],
        [str(ids["alan"]), "Alan", str(round(2 / 3, 4)), "", "expert", "proficient"],
    ]
    # JSON stays the default, and wins a tie.
    for accept in (
        "application/json",
        "*/*",
        "text/csv, application/json",
        "text/csv;q=0.5, application/json",
    ):
        again = _get(client, team, "matrix", f"targets={','.join(TARGETS)}", accept=accept)
        assert again.headers["content-type"] == "application/json"


def test_coverage_as_csv_has_one_row_per_target(client: TestClient, team):
    response = _get(client, team, "coverage", "targets=calculus", accept="text/csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    ids = team["ids"]
    assert rows[0] == ["topic", "required_level", "met", "total", "short", "hours_to_close"]
    assert rows[1][:5] == ["calculus", "proficient", "1", "3", f"{ids['ada']} {ids['alan']}"]
    assert len(rows) == 2


def test_a_goal_brings_its_targets_weights_and_levels(client: TestClient, team):
    goal = client.get("/api/v1/goals/job-interview").json()
    response = _get(client, team, "matrix", "goal=job-interview")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["goal"] == "job-interview"
    assert [(t["slug"], t["required_level"]) for t in body["topics"]] == [
        (t["topic"], t.get("level", "proficient")) for t in goal["targets"]
    ]
    assert [m["id"] for m in body["members"]] == list(team["ids"].values())
    for member in body["members"]:
        assert set(member["levels"]) == {t["topic"] for t in goal["targets"]}
    coverage = _get(client, team, "coverage", "goal=job-interview").json()
    assert coverage["goal"] == "job-interview"
    average = sum(m["readiness"] for m in body["members"]) / len(body["members"])
    assert coverage["readiness"] == pytest.approx(average, abs=1e-3)
    assert all(t["total"] == 3 for t in coverage["targets"])


@pytest.mark.parametrize("what", ["matrix", "coverage"])
def test_goal_and_targets_are_validated_like_the_planning_endpoints(client: TestClient, team, what):
    assert_problem(_get(client, team, what, ""), 422)
    assert_problem(_get(client, team, what, "goal=job-interview&targets=calculus"), 422)
    assert_problem(_get(client, team, what, "goal=no-such-goal"), 404)
    assert_problem(_get(client, team, what, "targets=calculus,no-such-topic"), 404)
    assert_problem(_get(client, team, what, "targets=,"), 422)


def test_managers_read_levels_never_notes_and_change_nothing(client: TestClient, team):
    grace = team["grace"]
    before = client.get("/api/v1/me/progress", headers=grace.headers).json()
    query = f"targets={','.join(TARGETS)}"
    answers = [
        _get(client, team, "matrix", query),
        _get(client, team, "matrix", query, accept="text/csv"),
        _get(client, team, "coverage", query),
        _get(client, team, "coverage", query, accept="text/csv"),
        client.get(f"/api/v1/teams/{team['id']}/members", headers=team["ada"].headers),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert PRIVATE_NOTE not in answer.text
        assert "notes" not in answer.text
        assert "history" not in answer.text
    assert client.get("/api/v1/me/progress", headers=grace.headers).json() == before


def test_display_names_cannot_smuggle_formulas_into_the_csv(client: TestClient):
    ada = new_learner(client, name="ada")
    team_id = new_team(client, ada)
    mallory = client.post(
        "/api/v1/auth/register",
        json={"email": "m@example.com", "password": "long enough pw", "display_name": "=1+1"},
    )
    assert mallory.status_code == 201
    headers = {
        "Authorization": "Bearer "
        + client.post(
            "/api/v1/auth/token", data={"username": "m@example.com", "password": "long enough pw"}
        ).json()["access_token"]
    }
    code = client.post(
        f"/api/v1/teams/{team_id}/invitations", json={"email": "m@example.com"}, headers=ada.headers
    ).json()["code"]
    assert (
        client.post("/api/v1/teams/join", json={"code": code}, headers=headers).status_code == 200
    )
    response = client.get(
        f"/api/v1/teams/{team_id}/matrix?targets=calculus",
        headers={**ada.headers, "Accept": "text/csv"},
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[2][1] == "'=1+1"
    json_name = client.get(f"/api/v1/teams/{team_id}/matrix?targets=calculus", headers=ada.headers)
    assert json_name.json()["members"][1]["display_name"] == "=1+1"
