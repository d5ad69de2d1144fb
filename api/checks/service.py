"""Taking a self-check: grade the answers, keep the attempt, award a level, and list checks."""

from collections import Counter
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.checks import grading, repository
from api.checks.repository import GradedQuestion
from api.checks.schemas import Answer, CheckRead, QuestionResult
from api.errors import Conflict, InvalidInput, NotFound
from api.progress import repository as progress
from api.progress.schemas import ProgressWrite
from api.progress.service import MAX_WRITE_ATTEMPTS
from api.reviews import service as reviews
from models import ChangeSource, Check, ProgressStatus
from models.types import utc_now
from planner.levels import Level, effective_level, rank_of


def _answer_problems(answers: list[Answer], questions: list[GradedQuestion]) -> list[str]:
    """Why `answers` is not one answer per question of the topic (empty when it is)."""
    by_id = {question.id: question for question in questions}
    counts = Counter(answer.question for answer in answers)
    problems = [
        f"question {question_id} is not one of this topic's questions"
        for question_id in dict.fromkeys(a.question for a in answers)
        if question_id not in by_id
    ]
    problems += [
        f"question {question_id} is answered {count} times"
        for question_id, count in counts.items()
        if count > 1 and question_id in by_id
    ]
    problems += [
        f"choice {answer.choice} of question {answer.question} is out of range "
        f"(0 to {by_id[answer.question].choices - 1})"
        for answer in answers
        if answer.question in by_id and answer.choice >= by_id[answer.question].choices
    ]
    missing = [str(question.id) for question in questions if question.id not in counts]
    if missing:
        problems.append(
            f"question{'s' if len(missing) > 1 else ''} {', '.join(missing)} unanswered"
        )
    return problems


def take_check(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    answers: list[Answer],
    retention: float,
) -> CheckRead:
    """Grade one answer per question of the topic, keep the attempt, and award its level.

    Refused, with nothing kept: an unknown topic (404), a topic without questions (409), and
    answers that miss, repeat or stray from the topic's questions, or name no choice (422).
    """
    questions = repository.topic_questions(connection, topic_slug)
    if questions is None:
        raise NotFound(f"No topic with slug '{topic_slug}'.")
    if not questions:
        raise Conflict(f"Topic '{topic_slug}' has no questions yet.")
    problems = _answer_problems(answers, questions)
    if problems:
        raise InvalidInput(
            f"Answer every question of '{topic_slug}' exactly once: " + "; ".join(problems) + "."
        )

    chosen = {answer.question: answer.choice for answer in answers}
    results = [
        QuestionResult(
            question=question.id,
            choice=chosen[question.id],
            correct=chosen[question.id] == question.right_choice,
            right_choice=question.right_choice,
            explanation=question.explanation,
        )
        for question in questions
    ]
    correct = sum(result.correct for result in results)
    score = grading.score_of(correct, len(results))
    awarded = grading.awarded_level(score)
    taken_at = utc_now()
    check_id = repository.add_check(
        connection,
        learner_id=learner_id,
        topic_slug=topic_slug,
        score=score,
        correct=correct,
        total=len(results),
        awarded_level=awarded,
        answers=[answer.model_dump() for answer in answers],
        results=[result.model_dump() for result in results],
        taken_at=taken_at,
    )
    if awarded is not None:
        award_level(
            connection,
            learner_id=learner_id,
            topic_slug=topic_slug,
            level=awarded,
            at=taken_at,
            retention=retention,
        )
    return CheckRead(
        id=check_id,
        topic=topic_slug,
        score=score,
        correct=correct,
        total=len(results),
        awarded_level=awarded,
        results=results,
        taken_at=taken_at,
    )


def award_level(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    level: Level,
    at: datetime,
    retention: float,
) -> bool:
    """What a check that awards `level` does to the learner's record on the topic: raise its
    level to `level` when that is higher than its effective level (True), else nothing; and
    start the topic's review schedule if it has none (the check is its first review).

    Called once per check that awards a level, whether or not the level rises.
    """
    raised = _raise_record_level(
        connection, learner_id=learner_id, topic_slug=topic_slug, level=level, at=at
    )
    reviews.schedule_awarded_level(
        connection, learner_id=learner_id, topic_slug=topic_slug, at=at, retention=retention
    )
    return raised


def _raise_record_level(
    connection: Connection, *, learner_id: int, topic_slug: str, level: Level, at: datetime
) -> bool:
    """The progress write of an awarded level, through the same statements as a learner's PUT:
    the record is locked, its version moves, the learner's progress version is bumped and the
    history gets an event with source `check`. A missing record is created `in_progress`; a
    `not_started` one moves to `in_progress`; other statuses stay."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        state = progress.lookup(connection, learner_id=learner_id, topic_slug=topic_slug)
        if state is None:
            raise NotFound(f"No topic with slug '{topic_slug}'.")
        progress_id = state.progress_id
        if progress_id is not None:
            state = progress.lock_record(connection, state)
            assert state.values is not None
            chosen, source = progress.record_level(connection, progress_id)
            values = state.values
            old = {
                **values,
                "level": None if chosen is None else chosen.value,
                "level_source": None if source is None else source.value,
            }
        else:
            chosen, source = None, None
            values = ProgressWrite(status=ProgressStatus.NOT_STARTED).model_dump(mode="json")
            old = None
        status = ProgressStatus(values["status"])
        if rank_of(effective_level(status, chosen)) >= level.rank:
            return False
        if status is ProgressStatus.NOT_STARTED:
            status = ProgressStatus.IN_PROGRESS
        new = {
            **values,
            "status": status.value,
            "level": level.value,
            "level_source": ChangeSource.CHECK.value,
        }
        if progress_id is not None:
            written = progress.set_level(
                connection,
                state=state,
                status=status,
                level=level,
                source=ChangeSource.CHECK,
                at=at,
            )
        else:
            written = progress.insert_record(
                connection, learner_id=learner_id, topic_id=state.topic_id, values=new, at=at
            )
        if written:
            progress.add_event(
                connection,
                learner_id=learner_id,
                topic_slug=topic_slug,
                version=state.version + 1,
                at=at,
                old=old,
                new=new,
                source=ChangeSource.CHECK,
            )
            return True
    raise Conflict("The record keeps changing under concurrent writes; try again.")


def check_read(check: Check) -> CheckRead:
    """A kept check in the shape its POST answered with."""
    return CheckRead(
        id=check.id,
        topic=check.topic_slug,
        score=check.score,
        correct=check.correct,
        total=check.total,
        awarded_level=check.awarded_level,
        results=[QuestionResult.model_validate(result) for result in check.results],
        taken_at=check.taken_at,
    )


def checks_page(
    session: Session, *, learner_id: int, topic_slug: str | None, limit: int, offset: int
) -> tuple[list[CheckRead], int]:
    """A page of the learner's checks, newest first. Checks outlive their topic; a topic
    slug that is neither a topic nor on any of the learner's checks is a 404."""
    checks, total = repository.checks_page(
        session, learner_id=learner_id, topic_slug=topic_slug, limit=limit, offset=offset
    )
    if topic_slug is not None and total == 0 and not repository.topic_exists(session, topic_slug):
        raise NotFound(f"No topic with slug '{topic_slug}' and no checks on it.")
    return [check_read(check) for check in checks], total


def checks_for_export(session: Session, *, learner_id: int) -> list[CheckRead]:
    """Every check the learner took, newest first, each as its POST answered: the `checks`
    section of `GET /me/export`."""
    return [
        check_read(check) for check in repository.checks_of_learner(session, learner_id=learner_id)
    ]
