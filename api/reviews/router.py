"""The caller's spaced-review schedules, and the reviews they rate."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api import clock
from api.auth.deps import CurrentCaller
from api.deps import DatabaseDep
from api.errors import problem_responses
from api.fields import SlugPath
from api.pagination import Page, PageDep
from api.reviews import service
from api.reviews.deps import AsOfQuery, as_of_moment, review_retention
from api.reviews.schemas import ReviewRead, ReviewWrite

router = APIRouter(prefix="/me", tags=["reviews"])


@router.get(
    "/reviews",
    response_model=Page[ReviewRead],
    summary="Your review schedules",
    responses=problem_responses(401),
)
async def list_my_reviews(
    caller: CurrentCaller,
    db: DatabaseDep,
    page: PageDep,
    due: Annotated[
        bool | None,
        Query(description="`true`: only those due at `as_of`; `false`: only those not yet due."),
    ] = None,
    as_of: AsOfQuery = None,
) -> Page[ReviewRead]:
    """Every topic with a review schedule, soonest due first, with the chance you recall it
    at `as_of`. A topic gets a schedule when you complete it, a check awards you a level on
    it, or you review it; it is due once that chance falls below the desired retention."""
    items, total = await db.read(
        service.list_reviews,
        learner_id=caller.learner_id,
        as_of=as_of_moment(as_of),
        due=due,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[ReviewRead](items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/reviews/{topic_slug}",
    response_model=ReviewRead,
    summary="Review a topic",
    responses=problem_responses(401, 404, 409),
)
async def review_my_topic(
    topic_slug: SlugPath,
    body: ReviewWrite,
    caller: CurrentCaller,
    db: DatabaseDep,
    request: Request,
) -> ReviewRead:
    """Rate how well you recalled a topic now: its schedule starts (any topic you know at
    least at the level aware) or moves on, `again` bringing the next review within a day and
    `easy` pushing it further out. Your record on the topic counts the review (its version
    moves, and its history gets an event of source `review`). 409 when you have no record on
    the topic or no level on it."""
    return await db.execute(
        service.review_topic,
        learner_id=caller.learner_id,
        topic_slug=topic_slug,
        rating=body.rating,
        at=clock.now(),
        retention=review_retention(request),
    )
