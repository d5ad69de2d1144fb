"""Spaced review: review schedules, the review log, and a review count on progress records

Revision ID: 0008
Revises: 0009
Create Date: 2026-11-30 11:39:16.741834
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "review_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("last_reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_review_schedules_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_review_schedules_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_schedules")),
        sa.UniqueConstraint("learner_id", "topic_id", name=op.f("uq_review_schedules_learner_id")),
    )
    with op.batch_alter_table("review_schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_schedules_learner_due", ["learner_id", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_schedules_topic_id"), ["topic_id"], unique=False
        )

    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("topic_slug", sa.String(length=64), nullable=False),
        sa.Column(
            "rating", _enum("review_rating", "again", "hard", "good", "easy"), nullable=False
        ),
        sa.Column("source", _enum("review_log_source", "self", "check", "review"), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_review_log_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_log")),
    )
    with op.batch_alter_table("review_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_log_learner_topic", ["learner_id", "topic_slug", "id"], unique=False
        )

    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviews", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_reviewed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_column("last_reviewed_at")
        batch_op.drop_column("reviews")

    with op.batch_alter_table("review_log", schema=None) as batch_op:
        batch_op.drop_index("ix_review_log_learner_topic")
    op.drop_table("review_log")

    with op.batch_alter_table("review_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_schedules_topic_id"))
        batch_op.drop_index("ix_review_schedules_learner_due")
    op.drop_table("review_schedules")
