"""Catalog tables: areas, topics, prerequisite edges, resources, goals

Revision ID: 0001
Revises:
Create Date: 2026-11-25 21:41:01.370028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("slug", name=op.f("uq_areas_slug")),
    )
    catalog_state = op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    # The single row every catalog write bumps (see models.catalog.CatalogState).
    op.bulk_insert(catalog_state, [{"id": 1, "version": 0}])
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("slug", name=op.f("uq_goals_slug")),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "course",
                "book",
                "video",
                "article",
                "paper",
                "exercise",
                "docs",
                name="resource_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("free", sa.Boolean(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.CheckConstraint("hours > 0", name=op.f("ck_resources_hours_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint("url", name=op.f("uq_resources_url")),
    )
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("estimated_hours", sa.Float(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.CheckConstraint("estimated_hours > 0", name=op.f("ck_topics_hours_positive")),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_topics_level_range")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_topics_area_id_areas"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("slug", name=op.f("uq_topics_slug")),
    )
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topics_area_id"), ["area_id"], unique=False)

    op.create_table(
        "goal_targets",
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.CheckConstraint("weight > 0 AND weight <= 1", name=op.f("ck_goal_targets_weight_range")),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_goal_targets_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_goal_targets_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("goal_id", "topic_id", name=op.f("pk_goal_targets")),
    )
    with op.batch_alter_table("goal_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_targets_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "prerequisites",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("prerequisite_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("topic_id <> prerequisite_id", name=op.f("ck_prerequisites_not_self")),
        sa.ForeignKeyConstraint(
            ["prerequisite_id"],
            ["topics.id"],
            name=op.f("fk_prerequisites_prerequisite_id_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_prerequisites_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topic_id", "prerequisite_id", name=op.f("pk_prerequisites")),
    )
    with op.batch_alter_table("prerequisites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prerequisites_prerequisite_id"), ["prerequisite_id"], unique=False
        )

    op.create_table(
        "resource_topics",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_resource_topics_resource_id_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_resource_topics_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "topic_id", name=op.f("pk_resource_topics")),
    )
    with op.batch_alter_table("resource_topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_topics_topic_id"), ["topic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resource_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_topics_topic_id"))

    op.drop_table("resource_topics")
    with op.batch_alter_table("prerequisites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prerequisites_prerequisite_id"))

    op.drop_table("prerequisites")
    with op.batch_alter_table("goal_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_targets_topic_id"))

    op.drop_table("goal_targets")
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topics_area_id"))

    op.drop_table("topics")
    op.drop_table("resources")
    op.drop_table("goals")
    op.drop_table("catalog_state")
    op.drop_table("areas")
