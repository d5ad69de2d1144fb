"""Topic endpoints."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.auth.deps import AdminLearner
from api.catalog.http import NOT_MODIFIED, catalog_response
from api.catalog.snapshot import JSONDict
from api.deps import DatabaseDep, SnapshotDep
from api.errors import ADMIN_ONLY, problem_responses
from api.fields import AreaQuery, SlugPath
from api.pagination import Page, PageDep
from api.responses import JSONBytes
from api.topics import queries, service
from api.topics.schemas import TopicCreate, TopicDetail, TopicSummary, TopicUpdate

router = APIRouter(prefix="/topics", tags=["topics"])


@router.get(
    "",
    response_model=Page[TopicSummary],
    summary="List and filter topics",
    responses=NOT_MODIFIED,
)
async def list_topics(
    request: Request,
    snapshot: SnapshotDep,
    page: PageDep,
    area: AreaQuery = None,
    level: Annotated[int | None, Query(ge=1, le=5, description="Exact level, 1 to 5.")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description=(
                "Words to find, in any order and case, singular or plural, with or without"
                " hyphens: a topic matches when every word is in its title, tags, summary or"
                " slug (a word may also begin one). Best matches first."
            ),
        ),
    ] = None,
) -> Response:
    """Topics ordered by area, level and slug, or with `q` best matches first; filters
    combine with AND."""

    def build() -> JSONDict:
        entries = queries.filter_topics(snapshot, area=area, level=level, text=q)
        window = entries[page.offset : page.offset + page.limit]
        return page.of([entry.summary for entry in window], total=len(entries))

    return catalog_response(request, snapshot, build)


@router.get(
    "/{slug}",
    response_model=TopicDetail,
    summary="Get a topic with its prerequisites, unlocks and resources",
    responses={**problem_responses(404), **NOT_MODIFIED},
)
async def get_topic(slug: SlugPath, request: Request, snapshot: SnapshotDep) -> Response:
    """One topic, the topics it needs, the topics it unlocks and the resources that teach it."""
    return catalog_response(request, snapshot, lambda: queries.topic_entry(snapshot, slug).detail)


@router.post(
    "",
    response_model=TopicDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Add a topic (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 409),
)
async def create_topic(body: TopicCreate, admin: AdminLearner, db: DatabaseDep) -> JSONBytes:
    """Add a topic; connect it with the prerequisite endpoints."""
    _, snapshot = await db.edit_catalog(service.create_topic, body, actor_id=admin.id)
    return JSONBytes(queries.topic_entry(snapshot, body.slug).detail, status_code=201)


@router.patch(
    "/{slug}",
    response_model=TopicDetail,
    summary="Change a topic (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def update_topic(
    slug: SlugPath, body: TopicUpdate, admin: AdminLearner, db: DatabaseDep
) -> JSONBytes:
    """Change the fields given; the others keep their value."""
    _, snapshot = await db.edit_catalog(service.update_topic, slug, body, actor_id=admin.id)
    return JSONBytes(queries.topic_entry(snapshot, slug).detail)


@router.delete(
    "/{slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a topic (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def delete_topic(slug: SlugPath, admin: AdminLearner, db: DatabaseDep) -> None:
    """Delete a topic with its edges, resource links, goal targets and learners' progress
    records on it. Progress history keeps the slug and is never deleted."""
    await db.edit_catalog(service.delete_topic, slug, actor_id=admin.id)


@router.put(
    "/{slug}/prerequisites/{prerequisite_slug}",
    response_model=TopicDetail,
    summary="Add a prerequisite edge (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404, 409),
)
async def add_prerequisite(
    slug: SlugPath,
    prerequisite_slug: SlugPath,
    admin: AdminLearner,
    db: DatabaseDep,
) -> JSONBytes:
    """Make the topic need `prerequisite_slug`. Idempotent; a self-edge or an edge that would
    close a cycle is refused with 409 and nothing is stored."""
    _, snapshot = await db.edit_catalog(
        service.add_prerequisite,
        topic_slug=slug,
        prerequisite_slug=prerequisite_slug,
        actor_id=admin.id,
    )
    return JSONBytes(queries.topic_entry(snapshot, slug).detail)


@router.delete(
    "/{slug}/prerequisites/{prerequisite_slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a prerequisite edge (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def remove_prerequisite(
    slug: SlugPath,
    prerequisite_slug: SlugPath,
    admin: AdminLearner,
    db: DatabaseDep,
) -> None:
    """The topic no longer needs `prerequisite_slug`."""
    await db.edit_catalog(
        service.remove_prerequisite,
        topic_slug=slug,
        prerequisite_slug=prerequisite_slug,
        actor_id=admin.id,
    )
