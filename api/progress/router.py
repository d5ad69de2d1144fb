"""The caller's own progress records, their history and summary."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status

from api.auth.deps import CurrentLearnerId
from api.deps import SessionDep, SnapshotDep
from api.errors import InvalidInput, problem_responses
from api.pagination import Page, PageDep
from api.progress import repository, service
from api.progress.etags import etag_of
from api.progress.schemas import (
    ProgressEventRead,
    ProgressRead,
    ProgressSummary,
    ProgressWrite,
)
from models import ProgressStatus

router = APIRouter(prefix="/me", tags=["progress"])

TopicSlug = Annotated[str, Path(min_length=1, max_length=64, examples=["linear-regression"])]
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
def list_progress(
    learner_id: CurrentLearnerId,
    session: SessionDep,
    snapshot: SnapshotDep,
    page: PageDep,
    status: Annotated[ProgressStatus | None, Query(description="Only this status.")] = None,
    area: Annotated[
        str | None, Query(max_length=64, description="Only this area's topics.")
    ] = None,
) -> Page[ProgressRead]:
    """Your records, most recently changed first."""
    if area is not None and area not in snapshot.area_slugs:
        raise InvalidInput(f"No area with slug '{area}'.")
    rows, total = repository.records_page(
        session,
        learner_id=learner_id,
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
def get_progress(
    topic_slug: TopicSlug, learner_id: CurrentLearnerId, session: SessionDep, response: Response
) -> ProgressRead:
    """Your record on one topic; its `ETag` header is what `If-Match` expects."""
    record = service.get_progress(session, learner_id=learner_id, topic_slug=topic_slug)
    response.headers["ETag"] = etag_of(record)
    return service.progress_read(record, topic_slug)


@router.put(
    "/progress/{topic_slug}",
    response_model=ProgressRead,
    summary="Record your progress on a topic",
    responses={
        201: {"description": "Created", "model": ProgressRead},
        **problem_responses(401, 404, 412),
    },
)
def put_progress(
    topic_slug: TopicSlug,
    body: ProgressWrite,
    learner_id: CurrentLearnerId,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ProgressRead:
    """Create (201) or replace (200) your record on a topic. Every change is kept in the
    record's history. Send `If-Match` with the ETag you read to refuse overwriting a newer
    change (412)."""
    saved = service.save_progress(
        session, learner_id=learner_id, topic_slug=topic_slug, body=body, if_match=if_match
    )
    response.headers["ETag"] = etag_of(saved.record)
    if saved.created:
        response.status_code = status.HTTP_201_CREATED
    return service.progress_read(saved.record, topic_slug)


@router.get(
    "/progress/{topic_slug}/history",
    response_model=Page[ProgressEventRead],
    summary="Get the history of your record on a topic",
    responses=problem_responses(401, 404),
)
def progress_history(
    topic_slug: TopicSlug, learner_id: CurrentLearnerId, session: SessionDep, page: PageDep
) -> Page[ProgressEventRead]:
    """Every change to your record, oldest first: when, who, and old → new values."""
    events, total = service.history(
        session, learner_id=learner_id, topic_slug=topic_slug, limit=page.limit, offset=page.offset
    )
    return Page[ProgressEventRead](items=events, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/summary",
    response_model=ProgressSummary,
    summary="Your progress per area",
    responses=problem_responses(401),
)
def progress_summary(
    learner_id: CurrentLearnerId, session: SessionDep, snapshot: SnapshotDep
) -> ProgressSummary:
    """Per area and overall: topics per status, the share you know, and hours spent."""
    return service.summary(session, learner_id=learner_id, snapshot=snapshot)
