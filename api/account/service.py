"""The caller's own account: its export, and its deletion."""

from typing import Any

from sqlalchemy.orm import Session

from api.account import repository
from api.account.export import SECTIONS
from api.teams import service as teams


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
    # The last manager of a team with other members cannot leave it, so cannot go (409).
    teams.refuse_if_last_manager(session, learner_id)
    teams.leave_every_team(session, learner_id)
    repository.delete_learner(session, learner_id)
