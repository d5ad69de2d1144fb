"""The FSRS memory model, through the fsrs library (the only module that imports it).

A schedule's state is the library's own `Card.to_dict()`; this module turns ratings into new
cards and cards into retrievabilities and due dates, and leaves every formula to the library.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from fsrs import Card, Rating, Scheduler
from fsrs.card import CardDict

from models import ReviewRating

_RATINGS = {
    ReviewRating.AGAIN: Rating.Again,
    ReviewRating.HARD: Rating.Hard,
    ReviewRating.GOOD: Rating.Good,
    ReviewRating.EASY: Rating.Easy,
}


@dataclass(frozen=True, slots=True)
class Memory:
    """A card after a review, and the moment its retrievability falls below the retention."""

    card: dict[str, Any]
    due_at: datetime


@lru_cache(maxsize=8)
def _scheduler(retention: float) -> Scheduler:
    # A topic is learned over days, not a flash card over minutes: no learning or relearning
    # steps (the first review goes straight to day-scale intervals, and a lapse too), and no
    # fuzzing, so that a due date is the moment the retention is crossed and tests can say when.
    return Scheduler(
        desired_retention=retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def first_review(*, card_id: int, rating: ReviewRating, at: datetime, retention: float) -> Memory:
    """A new card for a topic reviewed for the first time at `at` (completing it, a check's
    awarded level, or a rated review)."""
    at = at.astimezone(UTC)
    return _review(Card(card_id=card_id, due=at), rating, at=at, retention=retention)


def review(card: dict[str, Any], rating: ReviewRating, *, at: datetime, retention: float) -> Memory:
    """The card after one more review, rated `rating`, at `at`."""
    return _review(_card(card), rating, at=at.astimezone(UTC), retention=retention)


def retrievability(card: dict[str, Any], *, at: datetime) -> float:
    """The chance, 0 to 1, that the learner recalls the topic at `at` (1 before the last
    review). The library counts whole days since the last review."""
    return recall(card, at=at)[0]


def _card(stored: dict[str, Any]) -> Card:
    # The JSON column holds what `Card.to_dict()` gave.
    return Card.from_dict(cast(CardDict, stored))


def _review(card: Card, rating: ReviewRating, *, at: datetime, retention: float) -> Memory:
    scheduler = _scheduler(retention)
    reviewed, _log = scheduler.review_card(card, _RATINGS[rating], review_datetime=at)
    return Memory(card=dict(reviewed.to_dict()), due_at=_due_at(scheduler, reviewed, retention))


def _due_at(scheduler: Scheduler, card: Card, retention: float) -> datetime:
    """The first moment the card's retrievability is below `retention`.

    The library schedules `card.due` a rounded number of days after the review, where the
    retrievability is about the retention, and counts elapsed time in whole days; so the moment
    is a whole number of days after the review, at most a day or two from `card.due`. It is
    found by asking the library for the retrievability on the days around it.
    """
    assert card.last_review is not None
    reviewed = card.last_review

    def below(days: int) -> bool:
        at = reviewed + timedelta(days=days)
        return bool(scheduler.get_card_retrievability(card, at) < retention)

    days = max(1, (card.due - reviewed).days)
    while days > 1 and below(days - 1):
        days -= 1
    while not below(days):
        days += 1
    return reviewed + timedelta(days=days)


# Recalls asked for again: a learner's memory is read on every plan they ask for, each of their
# cards at the end of the same day, and a card changes only when the topic is reviewed.
RECALLS_KEPT = 16_384


def recall(card: dict[str, Any], *, at: datetime) -> tuple[float, datetime]:
    """The card's retrievability at `at` and when it was last reviewed, read at once."""
    # The stored card is flat JSON (`Card.to_dict()`): its items make a key.
    return _recall(tuple(card.items()), at)


@lru_cache(maxsize=RECALLS_KEPT)
def _recall(card: tuple[tuple[str, Any], ...], at: datetime) -> tuple[float, datetime]:
    parsed = _card(dict(card))
    assert parsed.last_review is not None, "a stored card has been reviewed"
    # Retrievability does not depend on the desired retention: any scheduler answers alike.
    chance = _scheduler(0.9).get_card_retrievability(parsed, at.astimezone(UTC))
    return float(chance), parsed.last_review.astimezone(UTC)
