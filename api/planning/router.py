"""Recommendations and roadmaps: the caller's own, and anonymous stateless plans."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.auth.deps import CurrentLearnerId
from api.catalog.snapshot import CatalogSnapshot
from api.deps import DatabaseDep, SnapshotDep
from api.errors import problem_responses
from api.planning import service
from api.planning.learner_states import LearnerStates
from api.planning.schemas import (
    MAX_BUDGET_HOURS,
    MAX_HOURS_PER_WEEK,
    MAX_RECOMMENDATIONS,
    PlanRead,
    PlanRequest,
    RecommendationsRead,
    RoadmapRead,
)
from api.responses import JSONBytes
from planner import Goal, LearnerState

router = APIRouter(tags=["planning"])

GoalQuery = Annotated[
    str | None,
    Query(max_length=64, description="A goal's slug.", examples=["job-interview"]),
]
TargetsQuery = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="Comma-separated topic slugs: an ad-hoc goal, weight 1 each.",
        examples=["transformers,model-deployment"],
    ),
]


async def _goal_and_state(
    request: Request,
    db: DatabaseDep,
    snapshot: CatalogSnapshot,
    *,
    learner_id: int,
    goal: str | None,
    targets: str | None,
) -> tuple[Goal, LearnerState]:
    """The goal the query names and what the calling learner knows, for the /me plans."""
    planner_goal = service.resolve_goal(snapshot, goal=goal, targets=service.parse_targets(targets))
    states: LearnerStates = request.app.state.learner_states
    state = await service.learner_state(db, learner_id, snapshot, states)
    return planner_goal, state


@router.get(
    "/me/recommendations",
    response_model=RecommendationsRead,
    summary="What you should learn next",
    responses=problem_responses(401, 404),
)
async def get_my_recommendations(
    request: Request,
    learner_id: CurrentLearnerId,
    db: DatabaseDep,
    snapshot: SnapshotDep,
    goal: GoalQuery = None,
    targets: TargetsQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RECOMMENDATIONS)] = 10,
) -> JSONBytes:
    """Topics you can start now (every prerequisite known) that lead to the goal, ranked by
    the goal weight they carry and unlock, whether you started them, and their effort. Give
    `goal` or `targets`."""
    planner_goal, state = await _goal_and_state(
        request, db, snapshot, learner_id=learner_id, goal=goal, targets=targets
    )
    return JSONBytes(service.recommendations_body(snapshot, planner_goal, state, limit=limit))


@router.get(
    "/me/roadmap",
    response_model=RoadmapRead,
    summary="Your road to a goal, in stages",
    responses=problem_responses(401, 404),
)
async def get_my_roadmap(
    request: Request,
    learner_id: CurrentLearnerId,
    db: DatabaseDep,
    snapshot: SnapshotDep,
    goal: GoalQuery = None,
    targets: TargetsQuery = None,
    hours_per_week: Annotated[
        float | None, Query(gt=0, le=MAX_HOURS_PER_WEEK, description="Adds week numbers.")
    ] = None,
    budget_hours: Annotated[
        float | None,
        Query(ge=0, le=MAX_BUDGET_HOURS, description="Keep the most valuable part that fits."),
    ] = None,
) -> JSONBytes:
    """Every topic you still need for the goal, each after all of its prerequisites, in
    stages (stage 1 is ready now), with hours, and weeks for `hours_per_week`."""
    planner_goal, state = await _goal_and_state(
        request, db, snapshot, learner_id=learner_id, goal=goal, targets=targets
    )
    body = service.roadmap_body(
        snapshot, planner_goal, state, hours_per_week=hours_per_week, budget_hours=budget_hours
    )
    return JSONBytes(body)


@router.post(
    "/plans",
    response_model=PlanRead,
    summary="Plan without an account",
    responses=problem_responses(404),
)
async def create_plan(body: PlanRequest, snapshot: SnapshotDep) -> JSONBytes:
    """Recommendations and a roadmap for the topics you list as known and in progress.
    Nothing is stored."""
    planner_goal = service.resolve_goal(snapshot, goal=body.goal, targets=body.targets)
    service.require_topics(snapshot, [*body.known, *body.in_progress])
    state = LearnerState(known=frozenset(body.known), in_progress=frozenset(body.in_progress))
    recommendations = service.recommendations_body(snapshot, planner_goal, state, limit=body.limit)
    roadmap = service.roadmap_body(
        snapshot,
        planner_goal,
        state,
        hours_per_week=body.hours_per_week,
        budget_hours=body.budget_hours,
    )
    return JSONBytes(service.plan_body(recommendations, roadmap))
