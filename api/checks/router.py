"""The caller's self-checks: take one on a topic, and list those taken."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from api.auth.deps import CurrentCaller
from api.checks import service
from api.checks.ratelimit import limit_checks
from api.checks.schemas import CheckRead, CheckSubmission
from api.deps import DatabaseDep
from api.errors import problem_responses
from api.fields import SlugPath
from api.pagination import Page, PageDep
from api.reviews.deps import review_retention

router = APIRouter(prefix="/me/checks", tags=["checks"])


@router.post(
    "/{slug}",
    response_model=CheckRead,
    status_code=status.HTTP_201_CREATED,
    summary="Take a self-check on a topic",
    dependencies=[Depends(limit_checks)],
    responses=problem_responses(401, 404, 409, 422, 429),
)
async def take_check(
    slug: SlugPath,
    body: CheckSubmission,
    caller: CurrentCaller,
    db: DatabaseDep,
    request: Request,
) -> CheckRead:
    """Answer every question of the topic (`GET /topics/{slug}/questions`) exactly once.
    The result shows each right choice and why, the score (round(100 * correct / total)) and
    the level it awards: ≥ 90 proficient, ≥ 60 practiced, ≥ 30 aware. When that level is
    higher than your record's, the record rises to it (created `in_progress` if missing, moved
    from `not_started` to `in_progress`), with a history event of source `check`. A topic
    without questions is a 409. A check that awards a level starts the topic's review
    schedule (`GET /me/reviews`) when it has none. Rate-limited per learner (429 with
    `Retry-After`)."""
    return await db.execute(
        service.take_check,
        learner_id=caller.learner_id,
        topic_slug=slug,
        answers=body.answers,
        retention=review_retention(request),
    )


@router.get(
    "",
    response_model=Page[CheckRead],
    summary="List your self-checks",
    responses=problem_responses(401, 404),
)
async def list_my_checks(
    caller: CurrentCaller,
    db: DatabaseDep,
    page: PageDep,
    topic: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
            description="Only checks on this topic (its slug).",
        ),
    ] = None,
) -> Page[CheckRead]:
    """Your checks, newest first, each as it was graded: later edits to the questions do not
    change them."""
    checks, total = await db.read(
        service.checks_page,
        learner_id=caller.learner_id,
        topic_slug=topic,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[CheckRead](items=checks, total=total, limit=page.limit, offset=page.offset)
