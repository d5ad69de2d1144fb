"""Levels on progress records and goal targets, and a source on progress events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:30:45.141870
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("goal_targets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "level",
                sa.Enum(
                    "aware",
                    "practiced",
                    "proficient",
                    "expert",
                    name="goal_target_level",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                server_default="proficient",
                nullable=False,
            )
        )

    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "level",
                sa.Enum(
                    "aware",
                    "practiced",
                    "proficient",
                    "expert",
                    name="progress_level",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "level_source",
                sa.Enum(
                    "self",
                    "check",
                    "review",
                    name="progress_level_source",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=True,
            )
        )
        batch_op.create_check_constraint(
            "level_has_source", "(level IS NULL) = (level_source IS NULL)"
        )

    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum(
                    "self",
                    "check",
                    "review",
                    name="progress_event_source",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                server_default="self",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        # SQLite's batch copy keeps an enum's CHECK unless it is dropped by name first.
        batch_op.drop_constraint(op.f("ck_progress_events_progress_event_source"), type_="check")
        batch_op.drop_column("source")

    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_progress_level_has_source"), type_="check")
        batch_op.drop_constraint(op.f("ck_progress_progress_level_source"), type_="check")
        batch_op.drop_constraint(op.f("ck_progress_progress_level"), type_="check")
        batch_op.drop_column("level_source")
        batch_op.drop_column("level")

    with op.batch_alter_table("goal_targets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_goal_targets_goal_target_level"), type_="check")
        batch_op.drop_column("level")
