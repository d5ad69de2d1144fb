"""Account management by admins: finding accounts, promoting, demoting and disabling them."""

from sqlalchemy.orm import Session

from api.admin import repository
from api.admin.schemas import LearnerAdminUpdate
from api.audit import service as audit
from api.auth.repository import learner_by_id
from api.errors import Conflict, NotFound
from models.learners import Learner, Role


def learners_page(
    session: Session, *, text: str | None, limit: int, offset: int
) -> tuple[list[Learner], int]:
    """A page of accounts whose email or display name holds `text`."""
    return repository.learners_page(session, text=text, limit=limit, offset=offset)


def update_learner(
    session: Session, *, admin_id: int, learner_id: int, body: LearnerAdminUpdate
) -> Learner:
    """Change an account's role or disabled flag, and record it in the audit trail.

    Disabling moves the account's token generation, so every token it holds is refused at
    once. An admin cannot disable or demote themselves (Conflict): that is how the last admin
    would lock everyone out.
    """
    learner = learner_by_id(session, learner_id, for_update=True)
    if learner is None:
        raise NotFound(f"No account with id {learner_id}.")
    before = {"role": learner.role.value, "disabled": learner.disabled}
    after = body.model_dump(mode="json", exclude_unset=True)
    changed = audit.changes(before, after)
    if learner.id == admin_id and changed:
        raise Conflict("An admin cannot disable or demote their own account.")
    if not changed:
        return learner
    if "role" in changed:
        learner.role = Role(after["role"])
    if "disabled" in changed:
        learner.disabled = after["disabled"]
        if learner.disabled:
            learner.token_generation += 1
    session.flush()
    audit.record(
        session,
        actor_id=admin_id,
        action="learner.update",
        target=f"learner:{learner.id}",
        detail=changed,
    )
    return learner
