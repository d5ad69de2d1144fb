"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.errors import problem_response, problem_responses
from models.database import Database
from models.migrate import database_revision, head_revision

router = APIRouter(prefix="/health", tags=["health"])


class HealthStatus(BaseModel):
    """The probe's verdict."""

    status: str


@router.get("/live", response_model=HealthStatus, summary="Is the process up")
async def check_live() -> dict[str, str]:
    """Answers as long as the process serves requests."""
    return {"status": "ok"}


def _database_problem(database: Database) -> str | None:
    try:
        with database.read_session_factory() as session:
            revision = database_revision(session.connection())
            session.rollback()
    except Exception as exc:  # any failure to reach the database means "not ready"
        return f"database unreachable ({type(exc).__name__})"
    head = head_revision()
    if revision != head:
        return f"database at revision {revision}, code expects {head}"
    return None


@router.get(
    "/ready",
    response_model=HealthStatus,
    summary="Is the database reachable and migrated",
    responses=problem_responses(503),
)
async def check_ready(request: Request) -> JSONResponse:
    """Ready when the database answers and is migrated to the newest revision."""
    problem = await run_in_threadpool(_database_problem, request.app.state.database)
    if problem is not None:
        return problem_response(request, 503, problem)
    return JSONResponse({"status": "ok"})
