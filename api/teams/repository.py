"""Team queries: teams, memberships, invitations, and members' records on a goal's targets."""

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from models import Learner, Progress, ProgressStatus, Team, TeamInvitation, TeamMembership
from models.teams import TeamRole
from planner.levels import Level


class LearnerTeam(NamedTuple):
    """A team a learner belongs to, as their export shows it."""

    id: int
    name: str
    role: TeamRole
    joined_at: datetime


class MemberRow(NamedTuple):
    id: int
    display_name: str
    role: TeamRole
    joined_at: datetime


class TargetRecord(NamedTuple):
    """What a member's record on a target topic says about their level (no notes, no history)."""

    learner_id: int
    topic_id: int
    status: ProgressStatus
    level: Level | None


def team_for_member(
    session: Session, *, team_id: int, learner_id: int, lock: bool = False
) -> tuple[Team, TeamRole] | None:
    """The team and the learner's role in it; None when either is missing or they are not in
    it. `lock` locks the team's row, so changes to its membership take turns."""
    query = (
        select(Team, TeamMembership.role)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(Team.id == team_id, TeamMembership.learner_id == learner_id)
    )
    if lock:
        query = query.with_for_update(of=Team)
    row = session.execute(query).one_or_none()
    return None if row is None else (row[0], row[1])


def lock_team(session: Session, team_id: int) -> Team | None:
    """The team, its row locked until the transaction ends."""
    return session.scalar(select(Team).where(Team.id == team_id).with_for_update())


def teams_page(
    session: Session, *, learner_id: int, limit: int, offset: int
) -> tuple[list[tuple[Team, TeamRole]], int]:
    """A page of the learner's teams with their role, oldest membership first."""
    mine = TeamMembership.learner_id == learner_id
    total = session.scalar(select(func.count()).select_from(TeamMembership).where(mine)) or 0
    rows = session.execute(
        select(Team, TeamMembership.role)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(mine)
        .order_by(TeamMembership.joined_at, Team.id)
        .limit(limit)
        .offset(offset)
    )
    return [(team, role) for team, role in rows], total


def learner_teams(session: Session, learner_id: int) -> list[LearnerTeam]:
    """Every team the learner belongs to (id, name, their role, when they joined), for the
    export of their data."""
    rows = session.execute(
        select(Team.id, Team.name, TeamMembership.role, TeamMembership.joined_at)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.learner_id == learner_id)
        .order_by(TeamMembership.joined_at, Team.id)
    )
    return [LearnerTeam(*row) for row in rows]


def _members_query(team_id: int) -> Select[int, str, TeamRole, datetime]:
    return (
        select(Learner.id, Learner.display_name, TeamMembership.role, TeamMembership.joined_at)
        .join(TeamMembership, TeamMembership.learner_id == Learner.id)
        .where(TeamMembership.team_id == team_id)
        .order_by(TeamMembership.joined_at, Learner.id)
    )


def members_page(
    session: Session, *, team_id: int, limit: int, offset: int
) -> tuple[list[MemberRow], int]:
    """A page of the team's members, in the order they joined."""
    total = (
        session.scalar(
            select(func.count())
            .select_from(TeamMembership)
            .where(TeamMembership.team_id == team_id)
        )
        or 0
    )
    rows = session.execute(_members_query(team_id).limit(limit).offset(offset))
    return [MemberRow(*row) for row in rows], total


def members(session: Session, team_id: int) -> list[MemberRow]:
    """Every member of the team, in the order they joined."""
    # Plain rows from the connection: no ORM loading for a list that may be long.
    return [MemberRow(*row) for row in session.connection().execute(_members_query(team_id))]


def roles(session: Session, team_id: int) -> dict[int, TeamRole]:
    """Each member's role, by learner id."""
    query = select(TeamMembership.learner_id, TeamMembership.role).where(
        TeamMembership.team_id == team_id
    )
    return dict(session.execute(query).all())


def target_records(
    session: Session, *, team_id: int, topic_ids: Collection[int]
) -> list[TargetRecord]:
    """Every member's records on these topics, in one query. Only what levels are made of is
    read: never notes, hours or history."""
    rows = session.connection().execute(
        select(Progress.learner_id, Progress.topic_id, Progress.status, Progress.level)
        .join(TeamMembership, TeamMembership.learner_id == Progress.learner_id)
        .where(TeamMembership.team_id == team_id, Progress.topic_id.in_(topic_ids))
    )
    return [TargetRecord(*row) for row in rows]


def add_membership(session: Session, *, team_id: int, learner_id: int, role: TeamRole) -> None:
    session.add(TeamMembership(team_id=team_id, learner_id=learner_id, role=role))


def membership(session: Session, *, team_id: int, learner_id: int) -> TeamMembership | None:
    return session.get(TeamMembership, (team_id, learner_id))


def delete_team(session: Session, team_id: int) -> None:
    """Remove the team; its memberships and invitations go with it (explicitly, so that no
    backend's foreign-key settings decide it). Members' progress is theirs and stays."""
    session.execute(delete(TeamInvitation).where(TeamInvitation.team_id == team_id))
    session.execute(delete(TeamMembership).where(TeamMembership.team_id == team_id))
    session.execute(delete(Team).where(Team.id == team_id))


def invitation_by_digest(session: Session, code_digest: str) -> TeamInvitation | None:
    """The invitation with this code digest (`mark_used` is what claims it)."""
    return session.scalar(select(TeamInvitation).where(TeamInvitation.code_digest == code_digest))


def mark_used(session: Session, invitation_id: int, *, at: datetime) -> bool:
    """Use the invitation up; False when someone else already did."""
    result = session.execute(
        update(TeamInvitation)
        .where(TeamInvitation.id == invitation_id, TeamInvitation.used_at.is_(None))
        .values(used_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_invitations_to(session: Session, email: str) -> None:
    """Remove every invitation naming this (lower-cased) email."""
    session.execute(delete(TeamInvitation).where(TeamInvitation.email == email))


def learner_memberships(session: Session, learner_id: int) -> list[tuple[int, TeamRole]]:
    """(team id, role) of each team the learner belongs to."""
    rows = session.execute(
        select(TeamMembership.team_id, TeamMembership.role).where(
            TeamMembership.learner_id == learner_id
        )
    )
    return [(team_id, role) for team_id, role in rows]


def roles_in_teams(session: Session, team_ids: Collection[int]) -> dict[int, list[TeamRole]]:
    """Every member's role in each of these teams, by team id."""
    found: dict[int, list[TeamRole]] = {}
    rows = session.execute(
        select(TeamMembership.team_id, TeamMembership.role).where(
            TeamMembership.team_id.in_(team_ids)
        )
    )
    for team_id, role in rows:
        found.setdefault(team_id, []).append(role)
    return found
