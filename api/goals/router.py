"""Goal endpoints."""

from fastapi import APIRouter, Request, Response, status

from api.auth.deps import AdminLearner
from api.catalog.http import NOT_MODIFIED, catalog_response
from api.catalog.snapshot import CatalogSnapshot, JSONDict
from api.deps import DatabaseDep, SnapshotDep
from api.errors import ADMIN_ONLY, NotFound, problem_responses
from api.fields import SlugPath
from api.goals import service
from api.goals.schemas import GoalCreate, GoalRead, GoalUpdate, TargetWeight
from api.pagination import Page, PageDep
from api.responses import JSONBytes

router = APIRouter(prefix="/goals", tags=["goals"])


@router.get("", response_model=Page[GoalRead], summary="List goals", responses=NOT_MODIFIED)
async def list_goals(request: Request, snapshot: SnapshotDep, page: PageDep) -> Response:
    """Goals by slug, each with its weighted target topics."""
    return catalog_response(request, snapshot, lambda: page.slice(list(snapshot.goals.values())))


@router.get(
    "/{slug}",
    response_model=GoalRead,
    summary="Get a goal",
    responses={**problem_responses(404), **NOT_MODIFIED},
)
async def get_goal(slug: SlugPath, request: Request, snapshot: SnapshotDep) -> Response:
    """One goal with its weighted target topics, heaviest first."""
    return catalog_response(request, snapshot, lambda: _goal_read(snapshot, slug))


def _goal_read(snapshot: CatalogSnapshot, slug: str) -> JSONDict:
    goal = snapshot.goals.get(slug)
    if goal is None:
        raise NotFound(f"No goal with slug '{slug}'.")
    return goal


@router.post(
    "",
    response_model=GoalRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a goal (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 409),
)
async def create_goal(body: GoalCreate, admin: AdminLearner, db: DatabaseDep) -> JSONBytes:
    """Add a goal with its weighted target topics."""
    _, snapshot = await db.edit_catalog(service.create_goal, body, actor_id=admin.id)
    return JSONBytes(_goal_read(snapshot, body.slug), status_code=201)


@router.patch(
    "/{slug}",
    response_model=GoalRead,
    summary="Change a goal (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def update_goal(
    slug: SlugPath, body: GoalUpdate, admin: AdminLearner, db: DatabaseDep
) -> JSONBytes:
    """Change the fields given; `targets`, when given, replaces every target."""
    _, snapshot = await db.edit_catalog(service.update_goal, slug, body, actor_id=admin.id)
    return JSONBytes(_goal_read(snapshot, slug))


@router.delete(
    "/{slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a goal (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def delete_goal(slug: SlugPath, admin: AdminLearner, db: DatabaseDep) -> None:
    """Remove a goal and its targets."""
    await db.edit_catalog(service.delete_goal, slug, actor_id=admin.id)


@router.put(
    "/{slug}/targets/{topic_slug}",
    response_model=GoalRead,
    summary="Set a target's weight and level (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def set_goal_target(
    slug: SlugPath,
    topic_slug: SlugPath,
    body: TargetWeight,
    admin: AdminLearner,
    db: DatabaseDep,
) -> JSONBytes:
    """Make the topic a target of the goal with this weight and level, or change them
    (an omitted level is `proficient`)."""
    _, snapshot = await db.edit_catalog(
        service.set_target,
        goal_slug=slug,
        topic_slug=topic_slug,
        weight=body.weight,
        level=body.level,
        actor_id=admin.id,
    )
    return JSONBytes(_goal_read(snapshot, slug))


@router.delete(
    "/{slug}/targets/{topic_slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a target (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def remove_goal_target(
    slug: SlugPath, topic_slug: SlugPath, admin: AdminLearner, db: DatabaseDep
) -> None:
    """The topic is no longer a target of the goal."""
    await db.edit_catalog(
        service.remove_target, goal_slug=slug, topic_slug=topic_slug, actor_id=admin.id
    )
