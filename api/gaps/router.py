"""The caller's gaps against a goal: depth asked, depth reached, hours to close."""

from fastapi import APIRouter, Request

from api import clock
from api.auth.deps import CurrentCaller
from api.deps import DatabaseDep
from api.errors import problem_responses
from api.gaps import service
from api.gaps.schemas import GapsRead
from api.planning.caller import GoalQuery, TargetsQuery, caller_plan
from api.responses import JSONBytes

router = APIRouter(tags=["gaps"])


@router.get(
    "/me/gaps",
    response_model=GapsRead,
    summary="Your gaps against a goal",
    responses=problem_responses(401, 404),
)
async def get_my_gaps(
    request: Request,
    caller: CurrentCaller,
    db: DatabaseDep,
    goal: GoalQuery = None,
    targets: TargetsQuery = None,
) -> JSONBytes:
    """For each target of the goal: the level it asks for, yours, whether you meet it and the
    hours to close the gap; per area and overall, your readiness. Give `goal` or `targets`
    (ad-hoc targets ask for proficient)."""
    plan = await caller_plan(request, db, caller=caller, goal=goal, targets=targets)
    body = service.gaps_body(plan.snapshot, plan.goal, plan.learner.state)
    # Gaps do not depend on the date; the kept answer is keyed by today's like the others'.
    return plan.answer(request, body, as_of=clock.now())
