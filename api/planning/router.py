"""Recommendations and roadmaps: the caller's own, and anonymous stateless plans."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.auth.deps import CurrentCaller
from api.auth.revocation import Caller
from api.catalog.snapshot import CatalogSnapshot
from api.deps import DatabaseDep, SnapshotDep
from api.errors import problem_responses
from api.planning import service
from api.planning.kept_answers import keep_learner_answer
from api.planning.learner_states import LearnerStates
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


@dataclass(frozen=True, slots=True)
class _CallerPlan:
    """What a /me plan is computed from: the catalog, the goal, and the calling learner's
    state at their progress version."""

    learner_id: int
    progress_version: int
    snapshot: CatalogSnapshot
    goal: Goal
    state: LearnerState

    def answer(self, request: Request, body: bytes) -> JSONBytes:
        """The response; the same request is answered before routing while neither the
        catalog nor the learner's progress changes (api/planning/kept_answers.py)."""
        keep_learner_answer(
            request.scope,
            self.snapshot,
            learner_id=self.learner_id,
            progress_version=self.progress_version,
            body=body,
        )
        return JSONBytes(body)


async def _caller_plan(
    request: Request,
    db: DatabaseDep,
    *,
    caller: Caller,
    goal: str | None,
    targets: str | None,
) -> _CallerPlan:
    """The catalog, the goal the query names and what the calling learner knows. (The
    snapshot comes from `db`, not a dependency of its own: one fewer to solve.)"""
    snapshot = db.catalog
    planner_goal = service.resolve_goal(snapshot, goal=goal, targets=service.parse_targets(targets))
    states: LearnerStates = request.app.state.learner_states
    version, state = await service.learner_state(
        db, caller.learner_id, caller.progress_version, snapshot, states
    )
    return _CallerPlan(caller.learner_id, version, snapshot, planner_goal, state)


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
) -> JSONBytes:
    """Topics you can start now (every prerequisite known) that lead to the goal, ranked by
    the goal weight they carry and unlock, whether you started them, and their effort. Give
    `goal` or `targets`."""
    plan = await _caller_plan(request, db, caller=caller, goal=goal, targets=targets)
    body = service.recommendations_body(plan.snapshot, plan.goal, plan.state, limit=limit)
    return plan.answer(request, body)


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
) -> JSONBytes:
    """Every topic you still need for the goal, each after all of its prerequisites, in
    stages (stage 1 is ready now), with hours, and weeks for `hours_per_week`."""
    plan = await _caller_plan(request, db, caller=caller, goal=goal, targets=targets)
    body = service.roadmap_body(
        plan.snapshot,
        plan.goal,
        plan.state,
        hours_per_week=hours_per_week,
        budget_hours=budget_hours,
    )
    return plan.answer(request, body)


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
