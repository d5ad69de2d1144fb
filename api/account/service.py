"""The caller's own account: its export, and its deletion."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from api.account import repository
from api.account.export import SECTIONS

# Checks a domain makes before an account is deleted, each raising (Conflict, say) to refuse
# it; they run in the deleting transaction. Teams adds its rule here: the last manager of a
# team that has other members cannot leave, so cannot delete their account (409).
DeletionGuard = Callable[[Session, int], None]
DELETION_GUARDS: list[DeletionGuard] = []


def export(session: Session, learner_id: int) -> dict[str, Any]:
    """Everything stored about the learner, one section per domain, in one transaction."""
    return {name: section(session, learner_id) for name, section in SECTIONS.items()}


def delete_account(session: Session, learner_id: int) -> None:
    """Delete the account and everything it owns in one transaction.

    Its progress, history and denied tokens go with it; audit entries it made stay, with a
    null actor. Its tokens are refused from then on: the token check finds no account (which
    refuses them as surely as bumping the token generation would), and its email is free to
    register again.
    """
    for guard in DELETION_GUARDS:
        guard(session, learner_id)
    repository.delete_learner(session, learner_id)
