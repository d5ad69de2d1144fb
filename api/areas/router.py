"""Skill area endpoints."""

from fastapi import APIRouter, Request, Response

from api.areas.schemas import AreaRead
from api.catalog.http import NOT_MODIFIED, catalog_response
from api.deps import SnapshotDep
from api.pagination import Page, PageDep

router = APIRouter(prefix="/areas", tags=["catalog"])


@router.get(
    "",
    response_model=Page[AreaRead],
    summary="List the skill areas",
    responses=NOT_MODIFIED,
)
async def list_areas(request: Request, snapshot: SnapshotDep, page: PageDep) -> Response:
    """The four skill areas in their teaching order, each with its number of topics."""
    return catalog_response(request, snapshot, lambda: page.slice(snapshot.areas))
