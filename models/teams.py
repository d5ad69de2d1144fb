"""Teams: people who learn together, their memberships and the invitations that add members."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.learners import EMAIL_LENGTH
from models.types import UTCDateTime, str_enum, utc_now

TEAM_NAME_LENGTH = 100
# A SHA-256 digest in hex: the code itself is shown once, to the manager who asked for it.
CODE_DIGEST_LENGTH = 64


class TeamRole(enum.StrEnum):
    """What a member may do in a team."""

    MANAGER = "manager"  # invites, removes, renames, deletes, reads the matrix and coverage
    MEMBER = "member"


class Team(Base):
    """People who learn together."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TEAM_NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class TeamMembership(Base):
    """One learner in one team, with their role there.

    Both keys cascade: deleting a team or an account removes its memberships.
    """

    __tablename__ = "team_memberships"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own for "the teams of this learner" (GET /teams, the export, DELETE /me).
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole, "team_role"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class TeamInvitation(Base):
    """An offer to join a team, for the one learner whose email it names, once, until it expires.

    Only a digest of the code is stored, so the table cannot be read for usable codes. The
    email need not belong to an account yet: it is compared when someone joins with the code.
    """

    __tablename__ = "team_invitations"
    __table_args__ = (Index("ix_team_invitations_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(String(CODE_DIGEST_LENGTH), unique=True)
    # Stored lower-cased, like learners' emails.
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole, "team_invitation_role"))
    # Who invited: their invitations go with their account.
    invited_by: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
