"""The sections of an account's export: one per domain that stores something about a learner.

This is the one place a domain adds itself to `GET /me/export` (and so the one place to look
when asking "is everything exported?"): a section is a function of the session and the
learner's id answering JSON-ready data, listed in SECTIONS under the name the export
document gives it.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from api.account import repository
from api.account.schemas import HistoryEventRead
from api.auth.repository import learner_by_id
from api.auth.schemas import LearnerRead
from api.checks.service import checks_for_export
from api.progress.service import progress_read
from api.reviews.repository import reviews_for_export
from api.teams.service import export_teams

ExportSection = Callable[[Session, int], Any]


def _account(session: Session, learner_id: int) -> dict[str, Any]:
    learner = learner_by_id(session, learner_id)
    assert learner is not None  # the caller's token was checked against this row
    return LearnerRead.model_validate(learner, from_attributes=True).model_dump(mode="json")


def _progress(session: Session, learner_id: int) -> list[dict[str, Any]]:
    return [
        progress_read(record, slug).model_dump(mode="json")
        for record, slug in repository.all_records(session, learner_id)
    ]


def _history(session: Session, learner_id: int) -> list[dict[str, Any]]:
    return [
        HistoryEventRead.model_validate(
            {
                "topic": event.topic_slug,
                "version": event.version,
                "occurred_at": event.occurred_at,
                "actor_id": event.actor_id,
                "source": event.source,
                "old": event.old,
                "new": event.new,
            }
        ).model_dump(mode="json")
        for event in repository.all_events(session, learner_id)
    ]


def _checks(session: Session, learner_id: int) -> list[dict[str, Any]]:
    return [
        check.model_dump(mode="json") for check in checks_for_export(session, learner_id=learner_id)
    ]


SECTIONS: dict[str, ExportSection] = {
    "account": _account,
    "progress": _progress,
    "history": _history,
    "checks": _checks,
    "reviews": reviews_for_export,
    "teams": export_teams,
}
