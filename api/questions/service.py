"""Reading a topic's questions, and admins' edits of them (catalog writes).

Every edit bumps the catalog version first, like other catalog writes: it serialises catalog
writers (so two admins cannot both add a topic's 20th question) and retires the answers kept
for the old version, including `GET /topics/{slug}/questions`.

Each edit records an entry in the audit trail, in the edit's own transaction.
"""

from typing import Any

from sqlalchemy.orm import Session

from api.audit import service as audit
from api.errors import Conflict, InvalidInput, NotFound
from api.questions import repository
from api.questions.schemas import (
    QuestionAdminRead,
    QuestionCreate,
    QuestionRead,
    QuestionUpdate,
    TopicQuestions,
)
from api.topics.repository import topic_by_slug
from models import Question, Topic
from models.catalog_version import bump_catalog_version
from models.questions import MAX_QUESTIONS_PER_TOPIC
from seed.schema import question_problems


def _topic(session: Session, slug: str) -> Topic:
    topic = topic_by_slug(session, slug)
    if topic is None:
        raise NotFound(f"No topic with slug '{slug}'.")
    return topic


def _question(session: Session, question_id: int) -> tuple[Question, str]:
    found = repository.question_with_topic(session, question_id)
    if found is None:
        raise NotFound(f"No question with id {question_id}.")
    return found


def admin_read(question: Question, topic_slug: str) -> QuestionAdminRead:
    """The question with its answer, for its admin author."""
    return QuestionAdminRead(
        id=question.id,
        topic=topic_slug,
        prompt=question.prompt,
        choices=list(question.choices),
        level=question.level,
        right_choice=question.right_choice,
        explanation=question.explanation,
        position=question.position,
    )


def topic_questions(session: Session, slug: str) -> TopicQuestions:
    """The topic's questions as a learner sees them before answering."""
    topic = _topic(session, slug)
    return TopicQuestions(
        topic=slug,
        items=[
            QuestionRead(id=q.id, prompt=q.prompt, choices=list(q.choices), level=q.level)
            for q in repository.questions_of(session, topic.id)
        ],
    )


def _refuse_invalid(choices: list[str], right_choice: int) -> None:
    """The seed file's rules a schema cannot state: distinct choices, a right one among them."""
    problems = question_problems(choices, right_choice)
    if problems:
        raise InvalidInput(f"Invalid question: {'; '.join(problems)}.")


def _content(question: Question) -> dict[str, Any]:
    return {name: getattr(question, name) for name in Question.CONTENT}


def create_question(
    session: Session, slug: str, body: QuestionCreate, *, actor_id: int | None
) -> QuestionAdminRead:
    """Add a question at the end of the topic's list; at most 20 per topic."""
    bump_catalog_version(session)
    topic = _topic(session, slug)
    _refuse_invalid(body.choices, body.right_choice)
    count, last = repository.count_and_last_position(session, topic.id)
    if count >= MAX_QUESTIONS_PER_TOPIC:
        raise Conflict(
            f"Topic '{slug}' already has {count} questions, the most a topic can have; "
            "delete one first."
        )
    question = Question(
        topic_id=topic.id, **body.model_dump(), position=0 if last is None else last + 1
    )
    session.add(question)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="question.create",
        target=f"question:{question.id}",
        detail={"topic": slug, **body.model_dump(mode="json")},
    )
    return admin_read(question, slug)


def update_question(
    session: Session, question_id: int, body: QuestionUpdate, *, actor_id: int | None
) -> QuestionAdminRead:
    """Change the fields `body` sets; the question must stay valid as a whole (422)."""
    bump_catalog_version(session)
    question, slug = _question(session, question_id)
    before = _content(question)
    after = {**before, **body.model_dump(exclude_unset=True)}
    _refuse_invalid(after["choices"], after["right_choice"])
    for name, value in after.items():
        setattr(question, name, value)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="question.update",
        target=f"question:{question_id}",
        detail=audit.changes(before, after),
    )
    return admin_read(question, slug)


def delete_question(session: Session, question_id: int, *, actor_id: int | None) -> None:
    """Remove a question. Checks already taken keep their copy of it."""
    bump_catalog_version(session)
    question, slug = _question(session, question_id)
    session.delete(question)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="question.delete",
        target=f"question:{question_id}",
        detail={"topic": slug, "prompt": question.prompt},
    )
