"""Revocable tokens (a per-learner token generation, a deny-list of logged-out tokens),
disabled accounts and the audit trail

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:32:53.314856
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE ... ADD/DROP COLUMN, never a batch copy of `learners`: on SQLite a batch
# copy drops the old table, and with foreign keys on, dropping it deletes every learner's
# progress and history through their ON DELETE CASCADE.


def upgrade() -> None:
    op.add_column(
        "learners", sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "learners", sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False)
    )

    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_revoked_tokens_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_tokens")),
    )
    with op.batch_alter_table("revoked_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revoked_tokens_expires_at"), ["expires_at"])
        batch_op.create_index(batch_op.f("ix_revoked_tokens_learner_id"), ["learner_id"])

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["learners.id"],
            name=op.f("fk_audit_entries_actor_id_learners"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_action_id", ["action", "id"])
        batch_op.create_index("ix_audit_entries_actor_id_id", ["actor_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_actor_id_id")
        batch_op.drop_index("ix_audit_entries_action_id")
    op.drop_table("audit_entries")

    with op.batch_alter_table("revoked_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revoked_tokens_learner_id"))
        batch_op.drop_index(batch_op.f("ix_revoked_tokens_expires_at"))
    op.drop_table("revoked_tokens")

    op.drop_column("learners", "disabled")
    op.drop_column("learners", "token_generation")
