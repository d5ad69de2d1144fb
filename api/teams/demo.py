"""`skillpath demo-team`: a team to look at, with members whose progress on a seeded goal's
targets differs, made through the same service functions the API calls."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.repository import learner_by_email
from api.auth.security import hash_password
from api.errors import InvalidInput, NotFound
from api.progress.schemas import ProgressWrite
from api.progress.service import save_progress
from api.settings import get_settings
from api.teams import repository, service
from api.teams.schemas import InvitationCreate, TeamCreate
from models import Goal, GoalTarget, Learner, ProgressStatus, Team, TeamMembership, Topic
from models.teams import TeamRole
from planner.levels import Level

DEMO_TEAM_NAME = "Demo team"
DEMO_DOMAIN = "demo.skillpath.example"

# Each member's status on the goal's targets, by the target's position (heaviest first):
# None leaves no record. Varied on purpose, so the matrix and coverage have something to say.
# A completed record stands for proficient; Ada also sets the level each target asks for, so
# one member meets the whole goal.
Pattern = Callable[[int], ProgressStatus | None]
_COMPLETED, _STARTED, _SKIPPED = (
    ProgressStatus.COMPLETED,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.SKIPPED,
)
MEMBERS: tuple[tuple[str, Pattern, bool], ...] = (
    ("Ada", lambda index: _COMPLETED, True),
    ("Grace", lambda index: _COMPLETED if index % 2 == 0 else _STARTED, False),
    ("Alan", lambda index: (_SKIPPED, _STARTED, _COMPLETED)[index] if index < 3 else None, False),
    ("Linus", lambda index: ProgressStatus.NOT_STARTED if index == 0 else None, False),
)
# The manager has started the heaviest target.
MANAGER_PATTERN: Pattern = lambda index: _STARTED if index == 0 else None  # noqa: E731


@dataclass(frozen=True, slots=True)
class DemoTeam:
    """What the command made: the team, its manager's email and whether it already existed."""

    team_id: int
    manager_email: str
    goal: str
    created: bool


def _goal_targets(session: Session, goal: str) -> list[tuple[str, Level]]:
    """The goal's target slugs with the level each asks for, heaviest first."""
    goal_id = session.scalar(select(Goal.id).where(Goal.slug == goal))
    if goal_id is None:
        raise NotFound(f"No goal with slug '{goal}'; seed the catalog first.")
    targets = list(
        session.execute(
            select(Topic.slug, GoalTarget.level)
            .join(GoalTarget, GoalTarget.topic_id == Topic.id)
            .where(GoalTarget.goal_id == goal_id)
            .order_by(GoalTarget.weight.desc(), Topic.slug)
        )
    )
    if not targets:
        raise InvalidInput(f"The goal '{goal}' has no targets.")
    return [(slug, level) for slug, level in targets]


def _account(session: Session, email: str, display_name: str, password_hash: str) -> Learner:
    learner = learner_by_email(session, email)
    if learner is None:
        learner = Learner(email=email, display_name=display_name, password_hash=password_hash)
        session.add(learner)
        session.flush()
    return learner


def _record(
    session: Session,
    learner: Learner,
    targets: list[tuple[str, Level]],
    pattern: Pattern,
    *,
    at_required_level: bool = False,
) -> None:
    for index, (slug, required) in enumerate(targets):
        status = pattern(index)
        if status is not None:
            save_progress(
                session.connection(),
                learner_id=learner.id,
                topic_slug=slug,
                body=ProgressWrite(
                    status=status,
                    hours_spent=2.0 * (index + 1),
                    level=required if at_required_level else None,
                ),
                if_match=None,
                retention=get_settings().review_retention,
            )


def _existing_team(session: Session, manager: Learner) -> int | None:
    return session.scalar(
        select(Team.id)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(
            TeamMembership.learner_id == manager.id,
            TeamMembership.role == TeamRole.MANAGER,
            Team.name == DEMO_TEAM_NAME,
        )
    )


def create_demo_team(
    session: Session, *, goal: str, manager_email: str, manager_password: str
) -> DemoTeam:
    """A team managed by `manager_email` (created with `manager_password` if it does not
    exist), with four members who joined by invitation and recorded progress on the goal's
    targets. Members' passwords are random and shown to no one. Run again, it finds the team
    it made before."""
    targets = _goal_targets(session, goal)
    manager = _account(session, manager_email, "Demo manager", hash_password(manager_password))
    existing = _existing_team(session, manager)
    if existing is not None:
        return DemoTeam(existing, manager_email, goal, created=False)
    team = service.create_team(session, learner_id=manager.id, body=TeamCreate(name=DEMO_TEAM_NAME))
    _record(session, manager, targets, MANAGER_PATTERN)
    unusable = hash_password(secrets.token_urlsafe(24))
    for name, pattern, at_required_level in MEMBERS:
        member = _account(session, f"{name.lower()}@{DEMO_DOMAIN}", name, unusable)
        if repository.membership(session, team_id=team.id, learner_id=member.id) is None:
            invitation = service.invite(
                session,
                team_id=team.id,
                learner_id=manager.id,
                body=InvitationCreate(email=member.email),
            )
            service.join(session, learner=member, code=invitation.code)
        _record(session, member, targets, pattern, at_required_level=at_required_level)
    session.flush()
    return DemoTeam(team.id, manager_email, goal, created=True)
