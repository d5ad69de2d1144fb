"""What a plan for the calling learner is computed from, shared by the /me plan routes
(recommendations, roadmap, gaps)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request

from api.auth.revocation import Caller
from api.catalog.snapshot import CatalogSnapshot
from api.deps import DatabaseDep
from api.planning import service
from api.planning.kept_answers import keep_learner_answer
from api.planning.learner_states import LearnerPlanning, LearnerStates
from api.responses import JSONBytes
from planner import Goal

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
class CallerPlan:
    """What a /me plan is computed from: the catalog, the goal, and the calling learner's
    state (and review cards) at their progress version."""

    learner_id: int
    progress_version: int
    snapshot: CatalogSnapshot
    goal: Goal
    learner: LearnerPlanning

    def answer(self, request: Request, body: bytes, *, as_of: datetime) -> JSONBytes:
        """The response; the same request is answered before routing while neither the
        catalog nor the learner's progress changes, on the same UTC date
        (api/planning/kept_answers.py)."""
        keep_learner_answer(
            request.scope,
            self.snapshot,
            learner_id=self.learner_id,
            progress_version=self.progress_version,
            as_of=as_of,
            body=body,
        )
        return JSONBytes(body)


async def caller_plan(
    request: Request,
    db: DatabaseDep,
    *,
    caller: Caller,
    goal: str | None,
    targets: str | None,
) -> CallerPlan:
    """The catalog, the goal the query names and what the calling learner knows. (The
    snapshot comes from `db`, not a dependency of its own: one fewer to solve.)"""
    snapshot = db.catalog
    planner_goal = service.resolve_goal(snapshot, goal=goal, targets=service.parse_targets(targets))
    states: LearnerStates = request.app.state.learner_states
    version, learner = await service.learner_state(
        db, caller.learner_id, caller.progress_version, snapshot, states
    )
    return CallerPlan(caller.learner_id, version, snapshot, planner_goal, learner)
