"""Question endpoints: a topic's questions without their answers, and admins' edits."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from api.auth.deps import AdminLearner
from api.catalog.http import NOT_MODIFIED, catalog_response
from api.deps import DatabaseDep
from api.errors import ADMIN_ONLY, NotFound, problem_responses
from api.fields import SlugPath
from api.questions import service
from api.questions.schemas import (
    QuestionAdminRead,
    QuestionCreate,
    QuestionUpdate,
    TopicQuestions,
)

router = APIRouter(tags=["questions"])

QuestionId = Annotated[int, Path(ge=1, le=2**31 - 1, examples=[17])]


@router.get(
    "/topics/{slug}/questions",
    response_model=TopicQuestions,
    summary="Get a topic's self-check questions",
    responses={**problem_responses(404), **NOT_MODIFIED},
)
async def list_topic_questions(slug: SlugPath, request: Request, db: DatabaseDep) -> Response:
    """Every question of the topic, in order (at most 20, so not paginated), without the
    right choices or explanations: those come only in a check's result. An empty list means
    the topic has no questions yet."""
    snapshot = db.catalog
    if slug not in snapshot.topics:
        raise NotFound(f"No topic with slug '{slug}'.")
    # Every question edit bumps the catalog version, so the answer can be kept per snapshot.
    questions = await db.read(service.topic_questions, slug)
    return catalog_response(request, snapshot, lambda: questions.model_dump(mode="json"))


@router.post(
    "/topics/{slug}/questions",
    response_model=QuestionAdminRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a question to a topic (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404, 409),
)
async def create_question(
    slug: SlugPath, body: QuestionCreate, admin: AdminLearner, db: DatabaseDep
) -> QuestionAdminRead:
    """Add a question at the end of the topic's list. A topic holds at most 20 (409 beyond).
    Choices must differ and `right_choice` must index one of them (422)."""
    question, _ = await db.edit_catalog(service.create_question, slug, body, actor_id=admin.id)
    return question


@router.patch(
    "/questions/{question_id}",
    response_model=QuestionAdminRead,
    summary="Change a question (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def update_question(
    question_id: QuestionId, body: QuestionUpdate, admin: AdminLearner, db: DatabaseDep
) -> QuestionAdminRead:
    """Change the fields given; the question must stay valid as a whole (422). Checks
    already taken keep the question as it was."""
    question, _ = await db.edit_catalog(
        service.update_question, question_id, body, actor_id=admin.id
    )
    return question


@router.delete(
    "/questions/{question_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a question (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def delete_question(question_id: QuestionId, admin: AdminLearner, db: DatabaseDep) -> None:
    """Remove a question. Checks already taken keep their copy of it."""
    await db.edit_catalog(service.delete_question, question_id, actor_id=admin.id)
