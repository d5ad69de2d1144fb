"""Teams: who may do what in a team, invitations, membership rules, and where a team stands
against a goal.

Access follows DESIGN.md §8: someone outside a team gets 404 for anything of it (so its
existence is not revealed), a plain member 403 on what managers alone may do. The admin role
gives nothing here: an admin outside a team is an outsider.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.catalog.snapshot import CatalogSnapshot
from api.errors import Conflict, Forbidden, NotFound
from api.planning.service import parse_targets, resolve_goal
from api.teams import repository
from api.teams.repository import MemberRow
from api.teams.schemas import (
    InvitationCreate,
    InvitationRead,
    JoinRead,
    MemberRead,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)
from models import Team, TeamInvitation
from models.learners import Learner
from models.teams import TeamRole
from models.types import utc_now
from planner.gaps import Target, TargetGap, readiness, target_gaps
from planner.levels import DEFAULT_TARGET_LEVEL, Level, effective_level

INVITATION_LIFETIME = timedelta(days=7)
# 24 random bytes: 192 bits, 32 URL-safe characters.
CODE_BYTES = 24


def team_read(team: Team, role: TeamRole) -> TeamRead:
    """The API shape of a team, with the caller's role."""
    return TeamRead(id=team.id, name=team.name, created_at=team.created_at, role=role)


def _not_found(team_id: int) -> NotFound:
    # The same answer whether the team does not exist or the caller is not in it.
    return NotFound(f"No team with id {team_id}.")


def _membership(
    session: Session, *, team_id: int, learner_id: int, lock: bool = False
) -> tuple[Team, TeamRole]:
    found = repository.team_for_member(session, team_id=team_id, learner_id=learner_id, lock=lock)
    if found is None:
        raise _not_found(team_id)
    return found


def _as_manager(session: Session, *, team_id: int, learner_id: int, lock: bool = False) -> Team:
    team, role = _membership(session, team_id=team_id, learner_id=learner_id, lock=lock)
    if role is not TeamRole.MANAGER:
        raise Forbidden("Only the team's managers may do this.")
    return team


def create_team(session: Session, *, learner_id: int, body: TeamCreate) -> TeamRead:
    """A new team, managed by its creator."""
    team = Team(name=body.name)
    session.add(team)
    session.flush()
    repository.add_membership(
        session, team_id=team.id, learner_id=learner_id, role=TeamRole.MANAGER
    )
    session.flush()
    return team_read(team, TeamRole.MANAGER)


def teams_page(
    session: Session, *, learner_id: int, limit: int, offset: int
) -> tuple[list[TeamRead], int]:
    """A page of the caller's teams, with their role in each."""
    rows, total = repository.teams_page(session, learner_id=learner_id, limit=limit, offset=offset)
    return [team_read(team, role) for team, role in rows], total


def get_team(session: Session, *, team_id: int, learner_id: int) -> TeamRead:
    """A team the caller belongs to."""
    team, role = _membership(session, team_id=team_id, learner_id=learner_id)
    return team_read(team, role)


def update_team(session: Session, *, team_id: int, learner_id: int, body: TeamUpdate) -> TeamRead:
    """Change the fields given (managers only)."""
    team = _as_manager(session, team_id=team_id, learner_id=learner_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(team, name, value)
    session.flush()
    return team_read(team, TeamRole.MANAGER)


def delete_team(session: Session, *, team_id: int, learner_id: int) -> None:
    """Remove the team, its memberships and invitations (managers only); members keep their
    own progress."""
    _as_manager(session, team_id=team_id, learner_id=learner_id, lock=True)
    repository.delete_team(session, team_id)


def code_digest(code: str) -> str:
    """What is stored of an invitation code."""
    return hashlib.sha256(code.encode()).hexdigest()


def invite(
    session: Session, *, team_id: int, learner_id: int, body: InvitationCreate
) -> InvitationRead:
    """An invitation for `body.email`, usable once within 7 days (managers only). The code is
    in this answer only: just its digest is kept."""
    _as_manager(session, team_id=team_id, learner_id=learner_id)
    code = secrets.token_urlsafe(CODE_BYTES)
    invitation = TeamInvitation(
        team_id=team_id,
        code_digest=code_digest(code),
        email=body.email,
        role=body.role,
        invited_by=learner_id,
        expires_at=utc_now() + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    return InvitationRead(
        code=code, email=invitation.email, role=invitation.role, expires_at=invitation.expires_at
    )


def join(session: Session, *, learner: Learner, code: str) -> JoinRead:
    """Join the team an invitation addressed to `learner` names, with its role.

    Unknown, used and expired codes are all 404, whoever asks (a code says nothing about
    its team to someone who cannot use it); a code for another email is 403; a member
    joining again is 409 and leaves the invitation unused.
    """
    invitation = repository.invitation_by_digest(session, code_digest(code))
    now = utc_now()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise NotFound("No usable invitation with this code.")
    if invitation.email != learner.email.lower():
        raise Forbidden("This invitation is for someone else.")
    # The team's row is locked before the invitation is used up: the order in which deleting
    # a team takes them too, so the two never wait on each other.
    team = repository.lock_team(session, invitation.team_id)
    if team is None:  # deleted since the invitation was read
        raise NotFound("No usable invitation with this code.")
    if repository.membership(session, team_id=team.id, learner_id=learner.id) is not None:
        raise Conflict("You are already a member of this team.")
    if not repository.mark_used(session, invitation.id, at=now):  # a concurrent join used it
        raise NotFound("No usable invitation with this code.")
    repository.add_membership(session, team_id=team.id, learner_id=learner.id, role=invitation.role)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a concurrent join of the same learner came first
        raise Conflict("You are already a member of this team.") from exc
    return JoinRead(team=team_read(team, invitation.role), role=invitation.role)


def members_page(
    session: Session, *, team_id: int, learner_id: int, limit: int, offset: int
) -> tuple[list[MemberRead], int]:
    """A page of the team's members (any member may read it)."""
    _membership(session, team_id=team_id, learner_id=learner_id)
    rows, total = repository.members_page(session, team_id=team_id, limit=limit, offset=offset)
    return [MemberRead(**row._asdict()) for row in rows], total


def remove_member(session: Session, *, team_id: int, learner_id: int, member_id: int) -> None:
    """Remove `member_id` from the team: a manager removes anyone, a member only themselves.

    The last manager cannot leave while others remain (409); the last person to leave takes
    the team with them.
    """
    _, caller_role = _membership(session, team_id=team_id, learner_id=learner_id, lock=True)
    if member_id != learner_id and caller_role is not TeamRole.MANAGER:
        raise Forbidden("Members may only remove themselves; managers remove others.")
    roles = repository.roles(session, team_id)
    role = roles.get(member_id)
    if role is None:
        raise NotFound(f"Learner {member_id} is not a member of team {team_id}.")
    if len(roles) == 1:
        repository.delete_team(session, team_id)
        return
    managers = sum(1 for other in roles.values() if other is TeamRole.MANAGER)
    if role is TeamRole.MANAGER and managers == 1:
        raise Conflict(
            "The last manager cannot leave while members remain: invite another manager first."
        )
    membership = repository.membership(session, team_id=team_id, learner_id=member_id)
    assert membership is not None
    session.delete(membership)
    session.flush()


# --- Accounts (DELETE /me and the export) --------------------------------------------------


def is_last_manager_of_a_team(session: Session, *, learner_id: int) -> bool:
    """Whether the learner is the only manager of a team that has other members: such an
    account cannot be deleted (409) until another member manages the team."""
    managed = [
        team_id
        for team_id, role in repository.learner_memberships(session, learner_id)
        if role is TeamRole.MANAGER
    ]
    if not managed:
        return False
    for team_roles in repository.roles_in_teams(session, managed).values():
        if len(team_roles) > 1 and team_roles.count(TeamRole.MANAGER) == 1:
            return True
    return False


def refuse_if_last_manager(session: Session, learner_id: int) -> None:
    """Conflict (409) when deleting this account would leave a team with members but no
    manager. Shaped as a check account deletion runs first: (session, learner id)."""
    if is_last_manager_of_a_team(session, learner_id=learner_id):
        raise Conflict(
            "You are the last manager of a team with other members: make another member a "
            "manager (invite them as one) or remove the members first."
        )


def leave_every_team(session: Session, learner_id: int) -> None:
    """What deleting an account does to teams, before the account's row goes: teams where the
    learner is the only member are deleted (the last person leaving deletes the team), and
    invitations naming their email are removed. Their memberships and the invitations they
    sent go with the row (ON DELETE CASCADE). Run `refuse_if_last_manager` first."""
    email = session.scalar(select(Learner.email).where(Learner.id == learner_id))
    memberships = repository.learner_memberships(session, learner_id)
    team_roles = repository.roles_in_teams(session, [team_id for team_id, _ in memberships])
    for team_id, roles in team_roles.items():
        if len(roles) == 1:
            repository.delete_team(session, team_id)
    if email is not None:
        repository.delete_invitations_to(session, email.lower())
    session.flush()


def export_teams(session: Session, learner_id: int) -> list[dict[str, Any]]:
    """The `teams` section of the learner's export: each team with their role and when they
    joined, JSON-ready."""
    return [
        {
            "id": team.id,
            "name": team.name,
            "role": team.role.value,
            "joined_at": team.joined_at.isoformat(),
        }
        for team in repository.learner_teams(session, learner_id)
    ]


# --- Where a team stands against a goal ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberStanding:
    """One member and their gap on each target."""

    member: MemberRow
    gaps: tuple[TargetGap, ...]
    readiness: float


@dataclass(frozen=True, slots=True)
class TeamStanding:
    """Every member's gaps against a goal's targets: what the matrix and coverage show."""

    goal: str | None
    targets: tuple[Target, ...]
    members: tuple[MemberStanding, ...]


def goal_targets(
    snapshot: CatalogSnapshot, *, goal: str | None, targets: str | None
) -> tuple[Target, ...]:
    """The targets a `goal=` or `targets=` query names, with the level each asks for, in the
    goal's order (heaviest first) or the order given. Validated like the planning endpoints:
    an unknown slug is 404, neither or both 422."""
    ad_hoc = parse_targets(targets)
    resolve_goal(snapshot, goal=goal, targets=ad_hoc)
    if ad_hoc is not None:
        return tuple(Target(slug, 1.0, DEFAULT_TARGET_LEVEL) for slug in dict.fromkeys(ad_hoc))
    assert goal is not None
    return tuple(
        Target(
            target["topic"],
            target["weight"],
            # Goals whose snapshot predates target levels ask for the default.
            Level(target.get("level", DEFAULT_TARGET_LEVEL)),
        )
        for target in snapshot.goals[goal]["targets"]
    )


def _id_by_slug(snapshot: CatalogSnapshot) -> dict[str, int]:
    found: dict[str, int] | None = snapshot.derived.get("topic_id_by_slug")
    if found is None:
        found = {slug: topic_id for topic_id, slug in snapshot.slug_by_id.items()}
        snapshot.derived["topic_id_by_slug"] = found
    return found


def team_standing(
    session: Session,
    *,
    team_id: int,
    learner_id: int,
    snapshot: CatalogSnapshot,
    goal: str | None,
    targets: str | None,
) -> TeamStanding:
    """Every member's level, gaps and readiness on the goal's targets (managers only).

    Reads the members, then all their records on the target topics in one query; only
    statuses and levels are read, never notes or history.
    """
    _as_manager(session, team_id=team_id, learner_id=learner_id)
    wanted = goal_targets(snapshot, goal=goal, targets=targets)
    id_by_slug = _id_by_slug(snapshot)
    position = {id_by_slug[target.slug]: index for index, target in enumerate(wanted)}
    levels: dict[int, list[Level | None]] = {}
    for record in repository.target_records(session, team_id=team_id, topic_ids=position):
        own = levels.setdefault(record.learner_id, [None] * len(wanted))
        own[position[record.topic_id]] = effective_level(record.status, record.level)
    gap = _GapTable(wanted, snapshot)
    nothing = [None] * len(wanted)
    standings = []
    for member in repository.members(session, team_id):
        gaps = tuple(
            gap.of(index, level) for index, level in enumerate(levels.get(member.id, nothing))
        )
        standings.append(MemberStanding(member=member, gaps=gaps, readiness=readiness(gaps)))
    return TeamStanding(goal=goal, targets=wanted, members=tuple(standings))


class _GapTable:
    """Each target's gap from each level, computed once: a target has five possible levels
    and a team many members, who share them."""

    def __init__(self, targets: tuple[Target, ...], snapshot: CatalogSnapshot) -> None:
        self._targets = targets
        self._hours = {t.slug: snapshot.topics[t.slug].summary["estimated_hours"] for t in targets}
        self._gaps: dict[tuple[int, Level | None], TargetGap] = {}

    def of(self, index: int, level: Level | None) -> TargetGap:
        """The gap on target `index` of a member at `level`."""
        key = (index, level)
        found = self._gaps.get(key)
        if found is None:
            target = self._targets[index]
            (found,) = target_gaps([target], levels={target.slug: level}, hours=self._hours)
            self._gaps[key] = found
        return found


def _share(value: float) -> float:
    return round(value, 4)


def matrix_body(standing: TeamStanding, snapshot: CatalogSnapshot) -> dict[str, object]:
    """The matrix: each target with its required level, each member's level on each."""
    return {
        "goal": standing.goal,
        "topics": [
            {**snapshot.topics[t.slug].summary, "required_level": t.level.value}
            for t in standing.targets
        ],
        "members": [
            {
                "id": entry.member.id,
                "display_name": entry.member.display_name,
                "readiness": _share(entry.readiness),
                "levels": {gap.target.slug: gap.current for gap in entry.gaps},
            }
            for entry in standing.members
        ],
    }


@dataclass(frozen=True, slots=True)
class TargetCoverage:
    """How the team stands on one target."""

    target: Target
    met: int
    total: int
    short: tuple[int, ...]
    hours_to_close: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """The team's average readiness and its standing on each target."""

    goal: str | None
    readiness: float
    targets: tuple[TargetCoverage, ...]


def coverage(standing: TeamStanding) -> Coverage:
    """Per target, who meets it, who is short, and the hours that would bring every short
    member to the level; with the members' average readiness."""
    members = standing.members
    targets = []
    for index, target in enumerate(standing.targets):
        short = [entry for entry in members if not entry.gaps[index].met]
        targets.append(
            TargetCoverage(
                target=target,
                met=len(members) - len(short),
                total=len(members),
                short=tuple(entry.member.id for entry in short),
                hours_to_close=round(sum(e.gaps[index].hours_to_close for e in short), 2),
            )
        )
    average = sum(entry.readiness for entry in members) / len(members) if members else 1.0
    return Coverage(goal=standing.goal, readiness=_share(average), targets=tuple(targets))


def coverage_body(found: Coverage, snapshot: CatalogSnapshot) -> dict[str, object]:
    """The coverage response body."""
    return {
        "goal": found.goal,
        "readiness": found.readiness,
        "targets": [
            {
                "topic": snapshot.topics[entry.target.slug].summary,
                "required_level": entry.target.level.value,
                "met": entry.met,
                "total": entry.total,
                "short": list(entry.short),
                "hours_to_close": entry.hours_to_close,
            }
            for entry in found.targets
        ],
    }
