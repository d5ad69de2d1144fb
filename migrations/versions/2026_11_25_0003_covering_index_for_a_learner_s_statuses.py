"""A covering index for reading a learner's statuses (the planner does it per request)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:27:50.156837
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_progress_learner_status", ["learner_id", "topic_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_learner_status")
