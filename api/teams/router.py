"""Teams: create and manage them, invite and join, and see where a team stands on a goal."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response, status

from api.auth.deps import CurrentCaller, CurrentLearner
from api.auth.revocation import Caller
from api.deps import DatabaseDep
from api.errors import problem_responses
from api.pagination import Page, PageDep
from api.planning.caller import GoalQuery, TargetsQuery
from api.responses import JSONBytes
from api.teams import service
from api.teams.csv_export import CSV_MEDIA_TYPE, coverage_csv, matrix_csv, wants_csv
from api.teams.schemas import (
    CoverageRead,
    InvitationCreate,
    InvitationRead,
    JoinRead,
    JoinRequest,
    MatrixRead,
    MemberRead,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)

router = APIRouter(prefix="/teams", tags=["teams"])

TeamId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The team's id.", examples=[1])]
MemberId = Annotated[
    int, Path(ge=1, le=2**31 - 1, description="The member's learner id.", examples=[7])
]
Accept = Annotated[
    str | None,
    Header(max_length=1024, description="`text/csv` for CSV; JSON otherwise."),
]


def _with_csv(description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 response also offered as CSV (content negotiation on `Accept`)."""
    return {
        200: {
            "description": description,
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    }


@router.post(
    "",
    response_model=TeamRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a team",
    responses=problem_responses(401),
)
async def create_team(body: TeamCreate, learner: CurrentLearner, db: DatabaseDep) -> TeamRead:
    """A new team; you manage it."""
    return await db.write(service.create_team, learner_id=learner.id, body=body)


@router.get(
    "", response_model=Page[TeamRead], summary="List your teams", responses=problem_responses(401)
)
async def list_my_teams(caller: CurrentCaller, db: DatabaseDep, page: PageDep) -> Page[TeamRead]:
    """The teams you belong to, with your role in each, in the order you joined them."""
    items, total = await db.read(
        service.teams_page, learner_id=caller.learner_id, limit=page.limit, offset=page.offset
    )
    return Page[TeamRead](items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/join",
    response_model=JoinRead,
    summary="Join a team with an invitation",
    responses=problem_responses(401, 403, 404, 409),
)
async def join_team(body: JoinRequest, learner: CurrentLearner, db: DatabaseDep) -> JoinRead:
    """Use an invitation addressed to your email (any case). Unknown, used and expired codes
    are 404; a code for someone else 403; joining a team you are in 409."""
    return await db.write(service.join, learner=learner, code=body.code)


@router.get(
    "/{team_id:int}",
    response_model=TeamRead,
    summary="Get a team",
    responses=problem_responses(401, 404),
)
async def get_team(team_id: TeamId, caller: CurrentCaller, db: DatabaseDep) -> TeamRead:
    """A team you belong to (any other team is 404)."""
    return await db.read(service.get_team, team_id=team_id, learner_id=caller.learner_id)


@router.patch(
    "/{team_id:int}",
    response_model=TeamRead,
    summary="Rename a team (managers)",
    responses=problem_responses(401, 403, 404),
)
async def update_team(
    team_id: TeamId, body: TeamUpdate, caller: CurrentCaller, db: DatabaseDep
) -> TeamRead:
    """Change the fields given."""
    return await db.write(
        service.update_team, team_id=team_id, learner_id=caller.learner_id, body=body
    )


@router.delete(
    "/{team_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a team (managers)",
    responses=problem_responses(401, 403, 404),
)
async def delete_team(team_id: TeamId, caller: CurrentCaller, db: DatabaseDep) -> None:
    """Remove the team, its memberships and invitations. Members keep their own progress."""
    await db.write(service.delete_team, team_id=team_id, learner_id=caller.learner_id)


@router.post(
    "/{team_id:int}/invitations",
    response_model=InvitationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Invite someone to a team (managers)",
    responses=problem_responses(401, 403, 404),
)
async def invite_to_team(
    team_id: TeamId, body: InvitationCreate, caller: CurrentCaller, db: DatabaseDep
) -> InvitationRead:
    """A code that only the learner with this email can use, once, within 7 days. The email
    need not have an account yet. The code is shown in this answer only."""
    return await db.write(service.invite, team_id=team_id, learner_id=caller.learner_id, body=body)


@router.get(
    "/{team_id:int}/members",
    response_model=Page[MemberRead],
    summary="List a team's members",
    responses=problem_responses(401, 404),
)
async def list_team_members(
    team_id: TeamId, caller: CurrentCaller, db: DatabaseDep, page: PageDep
) -> Page[MemberRead]:
    """The team's members and their roles, in the order they joined."""
    items, total = await db.read(
        service.members_page,
        team_id=team_id,
        learner_id=caller.learner_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[MemberRead](items=items, total=total, limit=page.limit, offset=page.offset)


@router.delete(
    "/{team_id:int}/members/{member_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a member, or leave a team",
    responses=problem_responses(401, 403, 404, 409),
)
async def remove_team_member(
    team_id: TeamId, member_id: MemberId, caller: CurrentCaller, db: DatabaseDep
) -> None:
    """Managers remove anyone; members remove themselves (leave). The last manager cannot
    leave while others remain (409); the last person to leave deletes the team."""
    await db.write(
        service.remove_member, team_id=team_id, learner_id=caller.learner_id, member_id=member_id
    )


@router.get(
    "/{team_id:int}/matrix",
    response_model=MatrixRead,
    summary="Each member's level on a goal's targets (managers)",
    responses={**_with_csv("Each member's levels"), **problem_responses(401, 403, 404)},
)
async def get_team_matrix(
    team_id: TeamId,
    caller: CurrentCaller,
    db: DatabaseDep,
    goal: GoalQuery = None,
    targets: TargetsQuery = None,
    accept: Accept = None,
) -> Response:
    """For each member (managers included): readiness and effective level on each target of
    the goal (`goal`) or of ad-hoc `targets` (which ask for proficient). Levels only: never
    notes or history. With `Accept: text/csv`, one row per member: member_id, display_name,
    readiness, then one column per target slug holding the level (empty for none)."""
    snapshot = db.catalog
    standing = await _team_standing(db, team_id, caller, goal=goal, targets=targets)
    if wants_csv(accept):
        return _csv(matrix_csv(standing))
    return _json(service.matrix_body(standing, snapshot))


@router.get(
    "/{team_id:int}/coverage",
    response_model=CoverageRead,
    summary="How well a team covers a goal's targets (managers)",
    responses={**_with_csv("Coverage per target"), **problem_responses(401, 403, 404)},
)
async def get_team_coverage(
    team_id: TeamId,
    caller: CurrentCaller,
    db: DatabaseDep,
    goal: GoalQuery = None,
    targets: TargetsQuery = None,
    accept: Accept = None,
) -> Response:
    """Per target: how many members meet its level, who is short, and the hours that would
    bring every short member to it (together); and the members' average readiness. With
    `Accept: text/csv`, one row per target: topic, required_level, met, total, short (member
    ids separated by spaces), hours_to_close."""
    snapshot = db.catalog
    standing = await _team_standing(db, team_id, caller, goal=goal, targets=targets)
    found = service.coverage(standing)
    if wants_csv(accept):
        return _csv(coverage_csv(found))
    return _json(service.coverage_body(found, snapshot))


async def _team_standing(
    db: DatabaseDep, team_id: int, caller: Caller, *, goal: str | None, targets: str | None
) -> service.TeamStanding:
    """Where each member of the team stands on the goal, for a manager (the matrix and the
    coverage are two views of it)."""
    return await db.read(
        service.team_standing,
        team_id=team_id,
        learner_id=caller.learner_id,
        snapshot=db.catalog,
        goal=goal,
        targets=targets,
    )


# The body depends on Accept: caches must keep the two apart.
_VARY = {"Vary": "Accept"}


def _json(body: dict[str, object]) -> JSONBytes:
    return JSONBytes(body, headers=_VARY)


def _csv(text: str) -> Response:
    return Response(text, media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers=_VARY)
