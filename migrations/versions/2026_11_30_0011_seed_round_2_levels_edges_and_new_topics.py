"""Round 2 of the seed catalog reaches databases seeded before it, by slug

Issue 12: goal targets ask for a level, edges and hours revised after a curriculum review,
five new topics with their resources and self-check questions (seed/catalog.yaml gives the
source of each change). A
fresh install gets all of it from the seed, loaded after the migrations; an install seeded
before gets it here, so both hold the same catalog. Every change is made by slug and only
where the database holds what it refers to (an empty catalog is left alone, for the seed to
fill). The downgrade puts round 1 back. The planner's read of a learner's records also reads
their level now, so the covering index gains it.

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-30 12:10:00.000000
"""

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TOPICS: list[dict[str, Any]] = [
    {
        "slug": "classical-classifiers",
        "title": "SVMs, k-nearest neighbours and naive Bayes",
        "area": "ml-foundations",
        "level": 3,
        "estimated_hours": 10.0,
        "summary": "Three classic classifiers and when each wins: maximum-margin support vector "
        "machines and the kernel trick, k-nearest neighbours and the curse of "
        "dimensionality, and naive Bayes as a generative model for text.",
        "tags": ["svm", "knn", "naive-bayes", "kernels"],
    },
    {
        "slug": "class-imbalance",
        "title": "Class imbalance",
        "area": "ml-foundations",
        "level": 3,
        "estimated_hours": 4.0,
        "summary": "Why accuracy misleads when one class is rare, and what to do about it: "
        "precision-recall trade-offs, resampling and class weights, threshold moving, and "
        "evaluating on the real class balance.",
        "tags": ["imbalanced-data", "resampling", "class-weights"],
    },
    {
        "slug": "recommender-systems",
        "title": "Recommender systems",
        "area": "ml-foundations",
        "level": 3,
        "estimated_hours": 8.0,
        "summary": "Collaborative filtering and matrix factorisation, content-based filtering, "
        "candidate generation and ranking, cold start, and how recommendations are "
        "evaluated offline and online.",
        "tags": ["recommenders", "collaborative-filtering", "matrix-factorization"],
    },
    {
        "slug": "experiment-tracking",
        "title": "Experiment tracking",
        "area": "software-development",
        "level": 3,
        "estimated_hours": 4.0,
        "summary": "Logging parameters, metrics, code versions and artefacts of every training "
        "run, comparing runs, and versioning data and models so a result can be reproduced.",
        "tags": ["experiments", "reproducibility", "mlflow"],
    },
    {
        "slug": "tensorflow",
        "title": "TensorFlow and Keras",
        "area": "software-development",
        "level": 3,
        "estimated_hours": 15.0,
        "summary": "Tensors and automatic differentiation in TensorFlow, building and training "
        "models with Keras, input pipelines with tf.data, and saving models for serving.",
        "tags": ["tensorflow", "keras", "deep-learning-framework"],
    },
]
NEW_TOPIC_PREREQUISITES = {
    "class-imbalance": ["evaluation-metrics"],
    "classical-classifiers": ["logistic-regression", "bayes-rule"],
    "experiment-tracking": ["version-control", "scikit-learn"],
    "recommender-systems": ["matrix-decompositions", "evaluation-metrics"],
    "tensorflow": ["numpy", "neural-network-basics"],
}
NEW_RESOURCES: list[dict[str, Any]] = [
    {
        "title": "Machine Learning Crash Course: Imbalanced datasets",
        "url": "https://developers.google.com/machine-learning/crash-course/overfitting/imbalanced-datasets",
        "kind": "course",
        "provider": "Google",
        "free": True,
        "hours": 1.0,
        "topics": ["class-imbalance"],
    },
    {
        "title": "imbalanced-learn User Guide",
        "url": "https://imbalanced-learn.org/stable/user_guide.html",
        "kind": "docs",
        "provider": "imbalanced-learn",
        "free": True,
        "hours": 3.0,
        "topics": ["class-imbalance"],
    },
    {
        "title": "scikit-learn User Guide: Supervised learning",
        "url": "https://scikit-learn.org/stable/supervised_learning.html",
        "kind": "docs",
        "provider": "scikit-learn",
        "free": True,
        "hours": 8.0,
        "topics": ["classical-classifiers"],
    },
    {
        "title": "Recommendation Systems",
        "url": "https://developers.google.com/machine-learning/recommendation",
        "kind": "course",
        "provider": "Google",
        "free": True,
        "hours": 4.0,
        "topics": ["recommender-systems"],
    },
    {
        "title": "Keras: The high-level API for TensorFlow",
        "url": "https://www.tensorflow.org/guide/keras",
        "kind": "docs",
        "provider": "TensorFlow",
        "free": True,
        "hours": 3.0,
        "topics": ["tensorflow"],
    },
    {
        "title": "MLflow Tracking",
        "url": "https://mlflow.org/docs/latest/ml/tracking/",
        "kind": "docs",
        "provider": "MLflow",
        "free": True,
        "hours": 2.0,
        "topics": ["experiment-tracking"],
    },
]
LINKS_ADDED = [
    ("https://cs229.stanford.edu/", "classical-classifiers"),
    (
        "https://www.coursera.org/learn/unsupervised-learning-recommenders-reinforcement-learning",
        "recommender-systems",
    ),
    (
        "https://www.oreilly.com/library/view/designing-machine-learning/9781098107956/",
        "class-imbalance",
    ),
    (
        "https://www.oreilly.com/library/view/designing-machine-learning/9781098107956/",
        "experiment-tracking",
    ),
    ("https://www.tensorflow.org/tutorials", "tensorflow"),
]
EDGES_ADDED = [
    ("bias-variance", "hyperparameter-tuning"),
    ("calculus", "gradient-descent"),
    ("dl-optimization", "transformers"),
    ("feature-engineering", "ml-system-design"),
    ("numpy", "neural-network-basics"),
    ("python", "rest-apis"),
    ("train-validation-test-split", "feature-engineering"),
]
EDGES_REMOVED = [
    ("data-structures", "dataframes"),
    ("dl-optimization", "hyperparameter-tuning"),
    ("multivariable-calculus", "gradient-descent"),
    ("sequence-models", "transformers"),
    ("software-design", "rest-apis"),
]
HOURS = {"algorithms": (25.0, 50.0), "ml-system-design": (15.0, 35.0)}
GOAL_TARGETS = {
    "job-interview": [
        ("algorithms", 1.0, "proficient"),
        ("bias-variance", 0.9, "expert"),
        ("logistic-regression", 0.9, "expert"),
        ("probability-basics", 0.8, "proficient"),
        ("evaluation-metrics", 0.8, "proficient"),
        ("regularization", 0.8, "proficient"),
        ("bayes-rule", 0.7, "proficient"),
        ("hypothesis-testing", 0.7, "practiced"),
        ("ensemble-methods", 0.7, "practiced"),
        ("vectors-and-matrices", 0.6, "proficient"),
        ("neural-network-basics", 0.6, "practiced"),
        ("ml-system-design", 0.6, "practiced"),
        ("sql-databases", 0.5, "practiced"),
        ("clustering", 0.5, "practiced"),
        ("dimensionality-reduction", 0.5, "practiced"),
        ("classical-classifiers", 0.5, "practiced"),
        ("class-imbalance", 0.4, "aware"),
    ],
    "build-ml-model": [
        ("exploratory-data-analysis", 1.0, "proficient"),
        ("feature-engineering", 0.9, "expert"),
        ("scikit-learn", 0.9, "proficient"),
        ("evaluation-metrics", 0.9, "proficient"),
        ("error-analysis", 0.8, "proficient"),
        ("ensemble-methods", 0.7, "proficient"),
        ("hyperparameter-tuning", 0.6, "practiced"),
        ("pytorch", 0.6, "practiced"),
        ("transfer-learning", 0.5, "practiced"),
        ("class-imbalance", 0.5, "proficient"),
        ("experiment-tracking", 0.5, "practiced"),
        ("version-control", 0.4, "practiced"),
    ],
    "system-building": [
        ("ml-system-design", 1.0, "expert"),
        ("software-design", 0.9, "expert"),
        ("model-deployment", 0.9, "proficient"),
        ("data-pipelines", 0.8, "proficient"),
        ("model-monitoring", 0.8, "proficient"),
        ("rest-apis", 0.7, "proficient"),
        ("mlops", 0.7, "proficient"),
        ("sql-databases", 0.6, "proficient"),
        ("software-testing", 0.6, "proficient"),
        ("evaluation-metrics", 0.5, "practiced"),
        ("retrieval-augmented-generation", 0.4, "practiced"),
    ],
}
ROUND_1_GOAL_TARGETS = {
    "job-interview": [
        ("algorithms", 1.0, "proficient"),
        ("bias-variance", 0.9, "proficient"),
        ("logistic-regression", 0.9, "proficient"),
        ("probability-basics", 0.8, "proficient"),
        ("evaluation-metrics", 0.8, "proficient"),
        ("regularization", 0.8, "proficient"),
        ("bayes-rule", 0.7, "proficient"),
        ("hypothesis-testing", 0.7, "proficient"),
        ("ensemble-methods", 0.7, "proficient"),
        ("vectors-and-matrices", 0.6, "proficient"),
        ("neural-network-basics", 0.6, "proficient"),
    ],
    "build-ml-model": [
        ("exploratory-data-analysis", 1.0, "proficient"),
        ("feature-engineering", 0.9, "proficient"),
        ("scikit-learn", 0.9, "proficient"),
        ("evaluation-metrics", 0.9, "proficient"),
        ("error-analysis", 0.8, "proficient"),
        ("ensemble-methods", 0.7, "proficient"),
        ("hyperparameter-tuning", 0.6, "proficient"),
        ("pytorch", 0.6, "proficient"),
        ("transfer-learning", 0.5, "proficient"),
    ],
    "system-building": [
        ("ml-system-design", 1.0, "proficient"),
        ("software-design", 0.9, "proficient"),
        ("model-deployment", 0.9, "proficient"),
        ("data-pipelines", 0.8, "proficient"),
        ("model-monitoring", 0.8, "proficient"),
        ("rest-apis", 0.7, "proficient"),
        ("mlops", 0.7, "proficient"),
        ("sql-databases", 0.6, "proficient"),
        ("software-testing", 0.6, "proficient"),
        ("retrieval-augmented-generation", 0.4, "proficient"),
    ],
}

QUESTIONS_ADDED = {
    "clustering": ["Why should features usually be standardised before running k-means?"],
    "dimensionality-reduction": [
        "You fit PCA on the full dataset and then split it into training "
        "and test sets. What is the problem?"
    ],
    "version-control": [
        "You committed a large model file by mistake and pushed it. Why is "
        "deleting it in a new commit not enough to shrink the repository?"
    ],
}
"""Questions added to round-1 topics that became goal targets (a target has 4 or 5)."""

# Lightweight tables: the columns this migration touches, as they are at this revision.
_areas = sa.table("areas", sa.column("id", sa.Integer), sa.column("slug", sa.String))
_topics = sa.table(
    "topics",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("title", sa.String),
    sa.column("summary", sa.Text),
    sa.column("area_id", sa.Integer),
    sa.column("level", sa.SmallInteger),
    sa.column("estimated_hours", sa.Float),
    sa.column("tags", sa.JSON),
)
_edges = sa.table(
    "prerequisites", sa.column("topic_id", sa.Integer), sa.column("prerequisite_id", sa.Integer)
)
_resources = sa.table(
    "resources",
    sa.column("id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("url", sa.String),
    sa.column("kind", sa.String),
    sa.column("provider", sa.String),
    sa.column("free", sa.Boolean),
    sa.column("hours", sa.Float),
)
_links = sa.table(
    "resource_topics", sa.column("resource_id", sa.Integer), sa.column("topic_id", sa.Integer)
)
_goals = sa.table("goals", sa.column("id", sa.Integer), sa.column("slug", sa.String))
_targets = sa.table(
    "goal_targets",
    sa.column("goal_id", sa.Integer),
    sa.column("topic_id", sa.Integer),
    sa.column("weight", sa.Float),
    sa.column("level", sa.String),
)
_progress = sa.table("progress", sa.column("topic_id", sa.Integer))
_questions = sa.table(
    "questions",
    sa.column("topic_id", sa.Integer),
    sa.column("prompt", sa.Text),
    sa.column("choices", sa.JSON),
    sa.column("right_choice", sa.SmallInteger),
    sa.column("explanation", sa.Text),
    sa.column("level", sa.String),
    sa.column("position", sa.Integer),
)
_catalog_state = sa.table("catalog_state", sa.column("version", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_learner_status")
        batch_op.create_index(
            "ix_progress_learner_status",
            ["learner_id", "topic_id", "status", "level"],
            unique=False,
        )
    connection = op.get_bind()
    if not _ids(connection, _topics):
        return  # a fresh install: the seed, loaded after the migrations, brings round 2
    _add_topics(connection)
    _add_questions(connection)
    _add_resources(connection)
    topic_ids = _ids(connection, _topics)
    resource_ids = _ids(connection, _resources, key=_resources.c.url)
    for url, slug in LINKS_ADDED:
        if url in resource_ids and slug in topic_ids:
            _link(connection, resource_ids[url], topic_ids[slug])
    _rewire(connection, topic_ids, remove=EDGES_REMOVED, add=_all_new_edges())
    _set_hours(connection, topic_ids, {slug: new for slug, (_, new) in HOURS.items()})
    _set_goal_targets(connection, topic_ids, GOAL_TARGETS)
    _bump_catalog_version(connection)


def downgrade() -> None:
    connection = op.get_bind()
    topic_ids = _ids(connection, _topics)
    if topic_ids:
        _set_goal_targets(connection, topic_ids, ROUND_1_GOAL_TARGETS)
        _set_hours(connection, topic_ids, {slug: old for slug, (old, _) in HOURS.items()})
        _rewire(connection, topic_ids, remove=_all_new_edges(), add=EDGES_REMOVED)
        resource_ids = _ids(connection, _resources, key=_resources.c.url)
        for url, slug in LINKS_ADDED:
            if url in resource_ids and slug in topic_ids:
                connection.execute(
                    _links.delete().where(
                        _links.c.resource_id == resource_ids[url],
                        _links.c.topic_id == topic_ids[slug],
                    )
                )
        _remove_resources(connection, resource_ids)
        _remove_added_questions(connection, topic_ids)
        _remove_topics(connection, topic_ids)
        _bump_catalog_version(connection)
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_learner_status")
        batch_op.create_index(
            "ix_progress_learner_status", ["learner_id", "topic_id", "status"], unique=False
        )


def _ids(connection: sa.Connection, table: Any, *, key: Any = None) -> dict[str, int]:
    column = table.c.slug if key is None else key
    return {name: id_ for id_, name in connection.execute(sa.select(table.c.id, column))}


def _all_new_edges() -> list[tuple[str, str]]:
    return EDGES_ADDED + [
        (prerequisite, slug)
        for slug, prerequisites in NEW_TOPIC_PREREQUISITES.items()
        for prerequisite in prerequisites
    ]


def _add_topics(connection: sa.Connection) -> None:
    areas = _ids(connection, _areas)
    existing = _ids(connection, _topics)
    for topic in NEW_TOPICS:
        # A slug an admin already used is theirs; an area they removed cannot take the topic.
        if topic["slug"] in existing or topic["area"] not in areas:
            continue
        values = {key: value for key, value in topic.items() if key != "area"}
        connection.execute(_topics.insert().values(**values, area_id=areas[topic["area"]]))


def _add_questions(connection: sa.Connection) -> None:
    """Self-check questions of the shipped bank that the database lacks, by topic slug and
    prompt, at their place in the bank: the new topics' questions and the fourth question of
    topics that became goal targets. (Migration 0007 loads the bank the same way.)"""
    from seed.schema import load_seed_catalog

    topic_ids = _ids(connection, _topics)
    have: dict[int, set[str]] = {}
    for topic_id, prompt in connection.execute(
        sa.select(_questions.c.topic_id, _questions.c.prompt)
    ):
        have.setdefault(topic_id, set()).add(prompt)
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
        if question.prompt not in have.get(topic_ids[slug], set())
    ]
    if rows:
        connection.execute(_questions.insert(), rows)


def _remove_added_questions(connection: sa.Connection, topic_ids: dict[str, int]) -> None:
    for slug, prompts in QUESTIONS_ADDED.items():
        if slug in topic_ids:
            connection.execute(
                _questions.delete().where(
                    _questions.c.topic_id == topic_ids[slug], _questions.c.prompt.in_(prompts)
                )
            )


def _add_resources(connection: sa.Connection) -> None:
    existing = _ids(connection, _resources, key=_resources.c.url)
    topic_ids = _ids(connection, _topics)
    for resource in NEW_RESOURCES:
        if resource["url"] in existing:
            continue
        taught = [topic_ids[slug] for slug in resource["topics"] if slug in topic_ids]
        if not taught:
            continue
        values = {key: value for key, value in resource.items() if key != "topics"}
        resource_id = connection.execute(
            _resources.insert().values(**values).returning(_resources.c.id)
        ).scalar_one()
        for topic_id in taught:
            _link(connection, resource_id, topic_id)


def _link(connection: sa.Connection, resource_id: int, topic_id: int) -> None:
    exists = connection.execute(
        sa.select(_links.c.resource_id).where(
            _links.c.resource_id == resource_id, _links.c.topic_id == topic_id
        )
    ).first()
    if exists is None:
        connection.execute(_links.insert().values(resource_id=resource_id, topic_id=topic_id))


def _rewire(
    connection: sa.Connection,
    topic_ids: dict[str, int],
    *,
    remove: Iterable[tuple[str, str]],
    add: Iterable[tuple[str, str]],
) -> None:
    """Remove then add prerequisite edges by slug; an edge naming a missing topic, already
    there, or closing a cycle (an admin's edits may have made one possible) is skipped."""
    for prerequisite, slug in remove:
        if prerequisite in topic_ids and slug in topic_ids:
            connection.execute(
                _edges.delete().where(
                    _edges.c.topic_id == topic_ids[slug],
                    _edges.c.prerequisite_id == topic_ids[prerequisite],
                )
            )
    needs: dict[int, set[int]] = {}
    for topic_id, prerequisite_id in connection.execute(
        sa.select(_edges.c.topic_id, _edges.c.prerequisite_id)
    ):
        needs.setdefault(topic_id, set()).add(prerequisite_id)
    for prerequisite, slug in add:
        if prerequisite not in topic_ids or slug not in topic_ids:
            continue
        topic_id, prerequisite_id = topic_ids[slug], topic_ids[prerequisite]
        if prerequisite_id in needs.get(topic_id, set()):
            continue
        if _reaches(needs, start=prerequisite_id, goal=topic_id):
            continue
        connection.execute(
            _edges.insert().values(topic_id=topic_id, prerequisite_id=prerequisite_id)
        )
        needs.setdefault(topic_id, set()).add(prerequisite_id)


def _reaches(needs: dict[int, set[int]], *, start: int, goal: int) -> bool:
    """Whether `goal` is among `start`'s transitive prerequisites (or is `start`)."""
    seen = {start}
    waiting = [start]
    while waiting:
        current = waiting.pop()
        if current == goal:
            return True
        for before in needs.get(current, ()):
            if before not in seen:
                seen.add(before)
                waiting.append(before)
    return False


def _set_hours(
    connection: sa.Connection, topic_ids: dict[str, int], hours: dict[str, float]
) -> None:
    for slug, value in hours.items():
        if slug in topic_ids:
            connection.execute(
                _topics.update()
                .where(_topics.c.id == topic_ids[slug])
                .values(estimated_hours=value)
            )


def _set_goal_targets(
    connection: sa.Connection,
    topic_ids: dict[str, int],
    targets: dict[str, list[tuple[str, float, str]]],
) -> None:
    """Make each seeded goal's targets the given ones (those whose topic exists)."""
    goal_ids = _ids(connection, _goals)
    for goal, wanted in targets.items():
        if goal not in goal_ids:
            continue
        goal_id = goal_ids[goal]
        connection.execute(_targets.delete().where(_targets.c.goal_id == goal_id))
        rows = [
            {"goal_id": goal_id, "topic_id": topic_ids[slug], "weight": weight, "level": level}
            for slug, weight, level in wanted
            if slug in topic_ids
        ]
        if rows:
            connection.execute(_targets.insert(), rows)


def _remove_resources(connection: sa.Connection, resource_ids: dict[str, int]) -> None:
    for resource in NEW_RESOURCES:
        resource_id = resource_ids.get(resource["url"])
        if resource_id is not None:
            connection.execute(_links.delete().where(_links.c.resource_id == resource_id))
            connection.execute(_resources.delete().where(_resources.c.id == resource_id))


def _remove_topics(connection: sa.Connection, topic_ids: dict[str, int]) -> None:
    """Round 1 did not have them: their edges, links, targets and records go too (their
    history stays, as it does for any deleted topic)."""
    for topic in NEW_TOPICS:
        topic_id = topic_ids.get(topic["slug"])
        if topic_id is None:
            continue
        connection.execute(
            _edges.delete().where(
                sa.or_(_edges.c.topic_id == topic_id, _edges.c.prerequisite_id == topic_id)
            )
        )
        connection.execute(_links.delete().where(_links.c.topic_id == topic_id))
        connection.execute(_targets.delete().where(_targets.c.topic_id == topic_id))
        connection.execute(_progress.delete().where(_progress.c.topic_id == topic_id))
        connection.execute(_questions.delete().where(_questions.c.topic_id == topic_id))
        connection.execute(_topics.delete().where(_topics.c.id == topic_id))


def _bump_catalog_version(connection: sa.Connection) -> None:
    # Running processes rebuild their catalog snapshot (and drop answers kept for it).
    connection.execute(_catalog_state.update().values(version=_catalog_state.c.version + 1))
