"""Recommendations and roadmaps: the caller's own, and anonymous stateless plans."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.auth.deps import CurrentCaller
from api.deps import DatabaseDep, SnapshotDep
from api.errors import problem_responses
from api.planning import service
from api.planning.caller import GoalQuery, TargetsQuery, caller_plan
from api.planning.schemas import (
    MAX_BUDGET_HOURS,
    MAX_HOURS_PER_WEEK,
    MAX_RECOMMENDATIONS,
    MIN_HOURS_PER_WEEK,
    PlanRead,
    PlanRequest,
    RecommendationsRead,
    RoadmapRead,
)
from api.responses import JSONBytes
from api.reviews.deps import AsOfQuery, as_of_moment, review_retention
from planner import LearnerState

router = APIRouter(tags=["planning"])


@router.get(
    "/me/recommendations",
    response_model=RecommendationsRead,
    summary="What you should learn next",
    responses=problem_responses(401, 404),
)
async def get_my_recommendations(
    request: Request,
    caller: CurrentCaller,
    db: DatabaseDep,
    goal: GoalQuery = None,
    targets: TargetsQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RECOMMENDATIONS)] = 10,
    as_of: AsOfQuery = None,
) -> JSONBytes:
    """Topics you can start now (every prerequisite known, at practiced or deeper) that lead
    to the goal, ranked by the goal weight they carry and unlock, whether you started them,
    and their effort; a target you know below the goal's level comes with reason `deepen`.
    Then the topics of the goal you learned and are forgetting on the UTC date of `as_of`
    (reason `review_due`), least remembered first. Give `goal` or `targets`."""
    moment = as_of_moment(as_of)
    plan = await caller_plan(request, db, caller=caller, goal=goal, targets=targets)
    memory = plan.learner.memory_at(moment, retention=review_retention(request))
    body = service.recommendations_body(
        plan.snapshot, plan.goal, plan.learner.state, memory, limit=limit
    )
    return plan.answer(request, body, as_of=moment)


@router.get(
    "/me/roadmap",
    response_model=RoadmapRead,
    summary="Your road to a goal, in stages",
    responses=problem_responses(401, 404),
)
async def get_my_roadmap(
    request: Request,
    caller: CurrentCaller,
    db: DatabaseDep,
    goal: GoalQuery = None,
    targets: TargetsQuery = None,
    hours_per_week: Annotated[
        float | None,
        Query(
            ge=MIN_HOURS_PER_WEEK,
            le=MAX_HOURS_PER_WEEK,
            description="Study hours per week (0.5 to 168): adds week numbers.",
        ),
    ] = None,
    budget_hours: Annotated[
        float | None,
        Query(ge=0, le=MAX_BUDGET_HOURS, description="Keep the most valuable part that fits."),
    ] = None,
    as_of: AsOfQuery = None,
) -> JSONBytes:
    """Every step you still need for the goal, each after all of its prerequisites, in
    stages (stage 1 is ready now), with the level it takes you from and to, its hours (depth
    hours), and weeks for `hours_per_week`. It holds learning steps only: `as_of` is accepted
    like the recommendations' and changes nothing here (reviews due are in the
    recommendations)."""
    moment = as_of_moment(as_of)
    plan = await caller_plan(request, db, caller=caller, goal=goal, targets=targets)
    body = service.roadmap_body(
        plan.snapshot,
        plan.goal,
        plan.learner.state,
        hours_per_week=hours_per_week,
        budget_hours=budget_hours,
    )
    return plan.answer(request, body, as_of=moment)


@router.post(
    "/plans",
    response_model=PlanRead,
    summary="Plan without an account",
    responses=problem_responses(404),
)
async def create_plan(body: PlanRequest, snapshot: SnapshotDep) -> JSONBytes:
    """Recommendations and a roadmap for the topics you list as known, in progress and at a
    level. Nothing is stored."""
    planner_goal = service.resolve_goal(snapshot, goal=body.goal, targets=body.targets)
    service.require_topics(snapshot, [*body.known, *body.in_progress, *body.levels])
    state = LearnerState(known=body.known, in_progress=body.in_progress, levels=body.levels)
    return JSONBytes(
        service.plan_body(
            snapshot,
            planner_goal,
            state,
            limit=body.limit,
            hours_per_week=body.hours_per_week,
            budget_hours=body.budget_hours,
        )
    )
