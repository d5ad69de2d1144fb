"""The caller's own progress records, their history and summary."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from api.auth.deps import ClaimedCaller, CurrentCaller
from api.deps import DatabaseDep
from api.errors import InvalidInput, problem_responses
from api.fields import AreaQuery, SlugPath
from api.pagination import Page, PageDep
from api.progress import repository, service
from api.progress.etags import etag_of
from api.progress.schemas import (
    ProgressEventRead,
    ProgressRead,
    ProgressSummary,
    ProgressWrite,
)
from api.responses import JSONBytes
from api.reviews.deps import review_retention
from models import ProgressStatus

router = APIRouter(prefix="/me", tags=["progress"])

IfMatch = Annotated[
    str | None,
    Header(
        max_length=1024,
        description="Write only if the record's current ETag is listed (`*`: any existing).",
    ),
]


@router.get(
    "/progress",
    response_model=Page[ProgressRead],
    summary="List your progress records",
    responses=problem_responses(401),
)
async def list_my_progress(
    caller: CurrentCaller,
    db: DatabaseDep,
    page: PageDep,
    status: Annotated[ProgressStatus | None, Query(description="Only this status.")] = None,
    area: AreaQuery = None,
) -> Page[ProgressRead]:
    """Your records, most recently changed first."""
    if area is not None and area not in db.catalog.area_slugs:
        raise InvalidInput(f"No area with slug '{area}'.")
    rows, total = await db.read(
        repository.records_page,
        learner_id=caller.learner_id,
        status=status,
        area=area,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[ProgressRead](
        items=[service.progress_read(progress, slug) for progress, slug in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/progress/{topic_slug}",
    response_model=ProgressRead,
    summary="Get your record on a topic",
    responses=problem_responses(401, 404),
)
async def get_my_progress(
    topic_slug: SlugPath, caller: CurrentCaller, db: DatabaseDep, response: Response
) -> ProgressRead:
    """Your record on one topic; its `ETag` header is what `If-Match` expects."""
    record = await db.read(
        service.get_progress, learner_id=caller.learner_id, topic_slug=topic_slug
    )
    response.headers["ETag"] = etag_of(record.version)
    return record


@router.put(
    "/progress/{topic_slug}",
    response_model=ProgressRead,
    summary="Record your progress on a topic",
    responses={
        201: {"description": "Created", "model": ProgressRead},
        **problem_responses(401, 404, 412),
    },
)
async def record_my_progress(
    topic_slug: SlugPath,
    body: ProgressWrite,
    claims: ClaimedCaller,
    db: DatabaseDep,
    request: Request,
    if_match: IfMatch = None,
) -> JSONBytes:
    """Create (201) or replace (200) your record on a topic. Every change is kept in the
    record's history. Send `If-Match` with the ETag you read to refuse overwriting a newer
    change (412)."""
    # The token's revocation check is part of the write (`ClaimedCaller`): one round trip.
    saved = await service.record_progress(
        db,
        claims=claims,
        topic_slug=topic_slug,
        body=body,
        if_match=if_match,
        retention=review_retention(request),
    )
    # Rendered here from the record the service built (a ProgressRead, valid by
    # construction): the hottest write skips FastAPI's second validation of it.
    return JSONBytes(
        saved.record.model_dump_json().encode(),
        status_code=status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK,
        headers={"ETag": etag_of(saved.record.version)},
    )


@router.get(
    "/progress/{topic_slug}/history",
    response_model=Page[ProgressEventRead],
    summary="Get the history of your record on a topic",
    responses=problem_responses(401, 404),
)
async def get_my_progress_history(
    topic_slug: SlugPath, caller: CurrentCaller, db: DatabaseDep, page: PageDep
) -> Page[ProgressEventRead]:
    """Every change to your record, oldest first: when, who, and old → new values."""
    events, total = await db.read(
        service.history,
        learner_id=caller.learner_id,
        topic_slug=topic_slug,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[ProgressEventRead](items=events, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/summary",
    response_model=ProgressSummary,
    summary="Your progress per area",
    responses=problem_responses(401),
)
async def get_my_summary(caller: CurrentCaller, db: DatabaseDep) -> ProgressSummary:
    """Per area and overall: topics per status, the share you know, and hours spent."""
    return await db.read(service.summary, learner_id=caller.learner_id, snapshot=db.catalog)
