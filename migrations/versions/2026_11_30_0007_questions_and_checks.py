"""Self-check questions and graded checks; a seeded database gets the shipped questions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:41:12.451486
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("topic_slug", sa.String(length=64), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("correct", sa.SmallInteger(), nullable=False),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.Column(
            "awarded_level",
            sa.Enum(
                "aware",
                "practiced",
                "proficient",
                "expert",
                name="check_awarded_level",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "correct >= 0 AND correct <= total", name=op.f("ck_checks_correct_within_total")
        ),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_checks_score_range")),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_checks_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checks_learner_taken", ["learner_id", "taken_at", "id"], unique=False
        )

    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("right_choice", sa.SmallInteger(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "aware",
                "practiced",
                "proficient",
                "expert",
                name="question_level",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "right_choice >= 0", name=op.f("ck_questions_right_choice_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_questions_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index("ix_questions_topic_position", ["topic_id", "position"], unique=False)

    _add_shipped_questions()


def _add_shipped_questions() -> None:
    """A database seeded before the question bank existed gets it, matched by topic slug, as
    a fresh install gets it from the seed loader. Topics it does not have get none; on an
    empty database (a fresh install migrating before its first seed) this adds nothing."""
    from seed.schema import load_seed_catalog

    connection = op.get_bind()
    topic_ids: dict[str, int] = dict(
        connection.execute(sa.text("SELECT slug, id FROM topics")).all()
    )
    if not topic_ids:
        return
    questions = sa.table(
        "questions",
        sa.column("topic_id", sa.Integer()),
        sa.column("prompt", sa.Text()),
        sa.column("choices", sa.JSON()),
        sa.column("right_choice", sa.SmallInteger()),
        sa.column("explanation", sa.Text()),
        sa.column("level", sa.String()),
        sa.column("position", sa.Integer()),
    )
    rows = [
        {
            "topic_id": topic_ids[slug],
            "prompt": question.prompt,
            "choices": list(question.choices),
            "right_choice": question.right_choice,
            "explanation": question.explanation,
            "level": question.level.value,
            "position": position,
        }
        for slug, bank in load_seed_catalog().questions.items()
        if slug in topic_ids
        for position, question in enumerate(bank)
    ]
    if rows:
        op.bulk_insert(questions, rows)


def downgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_topic_position")

    op.drop_table("questions")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index("ix_checks_learner_taken")

    op.drop_table("checks")
