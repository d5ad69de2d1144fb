"""No covering index on progress: a status change can then be a heap-only update

`ix_progress_learner_status` (learner_id, topic_id, status, level) held the columns a PUT
changes. PostgreSQL can update a row in place of its page, touching no index (a HOT update),
only when no indexed column changes: with this index, every status or level change wrote a
new entry into each of the table's four indexes and left the old ones behind for the planner's
read to step over. `uq_progress_learner_id` (learner_id, topic_id) finds a learner's records
as well. Measured in docs/performance.md (session 14): the PUT scenario on PostgreSQL about
20% faster, SQLite within the noise.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_learner_status")


def downgrade() -> None:
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_progress_learner_status",
            ["learner_id", "topic_id", "status", "level"],
            unique=False,
        )
