"""The audit trail: one append-only row per catalog write or admin action."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime, utc_now

ACTION_LENGTH = 64
TARGET_LENGTH = 300


class AuditEntry(Base):
    """Who did what to which catalog entry or account, and what changed. Never edited; it
    outlives its actor, whose id becomes null when the account is deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        # The trail is read newest first, filtered by action or by actor.
        Index("ix_audit_entries_action_id", "action", "id"),
        Index("ix_audit_entries_actor_id_id", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(ACTION_LENGTH))
    target: Mapped[str] = mapped_column(String(TARGET_LENGTH))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
