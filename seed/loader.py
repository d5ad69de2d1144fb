"""Idempotent loader of the seed catalog into the database.

Entries are matched by slug (resources by URL). An entry the file names is created or updated
to match the file, including its prerequisites, resource links and goal targets; entries the
file does not name are left alone, so catalog edits made through the API survive a reload.
A topic the file lists questions for gets exactly those questions, matched by position; the
questions of topics it does not list are left alone.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import (
    Area,
    Goal,
    GoalTarget,
    Prerequisite,
    Question,
    Resource,
    ResourceKind,
    ResourceTopic,
    Topic,
)
from models.catalog_version import bump_catalog_version, current_catalog_version
from planner.levels import Level
from seed.schema import (
    AreaSeed,
    CatalogSeed,
    GoalSeed,
    QuestionSeed,
    ResourceSeed,
    TopicSeed,
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a load changed; `changes == 0` means the database already matched the file."""

    changes: int
    catalog_version: int


def catalog_is_empty(session: Session) -> bool:
    """True when no area exists yet, i.e. the catalog was never loaded."""
    return session.scalar(select(Area.id).limit(1)) is None


def load_catalog(session: Session, catalog: CatalogSeed) -> SeedReport:
    """Make the database hold `catalog`; flushes but leaves the commit to the caller.

    The graph stays a DAG: the file's own edges are checked when it is parsed, and a file
    topic's prerequisites are replaced by the file's, which name only file topics, so no path
    can lead from a file topic into a topic added through the API and back.
    """
    writer = _CatalogWriter(session)
    areas = {area.slug: writer.upsert_area(area) for area in catalog.areas}
    session.flush()
    topics = {topic.slug: writer.upsert_topic(topic, areas[topic.area]) for topic in catalog.topics}
    session.flush()
    for topic in catalog.topics:
        writer.set_prerequisites(topics[topic.slug], [topics[p] for p in topic.prerequisites])
    for resource in catalog.resources:
        writer.upsert_resource(resource, [topics[slug] for slug in resource.topics])
    for goal in catalog.goals:
        writer.upsert_goal(goal, {topics[t.topic]: (t.weight, t.level) for t in goal.targets})
    for slug, questions in catalog.questions.items():
        writer.set_questions(topics[slug], questions)
    session.flush()
    version = bump_catalog_version(session) if writer.changes else current_catalog_version(session)
    return SeedReport(changes=writer.changes, catalog_version=version)


class _CatalogWriter:
    """Creates or updates catalog rows and counts what actually changed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changes = 0
        self._areas = {a.slug: a for a in session.scalars(select(Area))}
        self._topics = {t.slug: t for t in session.scalars(select(Topic))}
        self._resources = {r.url: r for r in session.scalars(select(Resource))}
        self._goals = {g.slug: g for g in session.scalars(select(Goal))}

    def _assign(self, row: Any, **values: Any) -> None:
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                self.changes += 1

    def _get_or_add(self, existing: Any, model: type[Any]) -> Any:
        if existing is not None:
            return existing
        row = model()
        self.session.add(row)
        self.changes += 1
        return row

    def upsert_area(self, seed: AreaSeed) -> Area:
        area: Area = self._get_or_add(self._areas.get(seed.slug), Area)
        self._assign(
            area,
            slug=seed.slug,
            title=seed.title,
            description=seed.description,
            position=seed.position,
        )
        return area

    def upsert_topic(self, seed: TopicSeed, area: Area) -> Topic:
        topic: Topic = self._get_or_add(self._topics.get(seed.slug), Topic)
        self._assign(
            topic,
            slug=seed.slug,
            title=seed.title,
            summary=seed.summary,
            area_id=area.id,
            level=seed.level,
            estimated_hours=float(seed.estimated_hours),
            tags=list(seed.tags),
        )
        return topic

    def set_prerequisites(self, topic: Topic, prerequisites: list[Topic]) -> None:
        wanted = {p.id for p in prerequisites}
        current = set(
            self.session.scalars(
                select(Prerequisite.prerequisite_id).where(Prerequisite.topic_id == topic.id)
            )
        )
        self._replace_links(
            Prerequisite,
            owner=Prerequisite.topic_id == topic.id,
            stale=Prerequisite.prerequisite_id.in_(current - wanted),
            new=[Prerequisite(topic_id=topic.id, prerequisite_id=p) for p in wanted - current],
        )

    def upsert_resource(self, seed: ResourceSeed, topics: list[Topic]) -> None:
        resource: Resource = self._get_or_add(self._resources.get(seed.url), Resource)
        self._assign(
            resource,
            title=seed.title,
            url=seed.url,
            kind=ResourceKind(seed.kind),
            provider=seed.provider,
            free=seed.free,
            hours=float(seed.hours),
        )
        self.session.flush()
        wanted = {t.id for t in topics}
        current = set(
            self.session.scalars(
                select(ResourceTopic.topic_id).where(ResourceTopic.resource_id == resource.id)
            )
        )
        self._replace_links(
            ResourceTopic,
            owner=ResourceTopic.resource_id == resource.id,
            stale=ResourceTopic.topic_id.in_(current - wanted),
            new=[ResourceTopic(resource_id=resource.id, topic_id=t) for t in wanted - current],
        )

    def upsert_goal(self, seed: GoalSeed, targets: dict[Topic, tuple[float, Level]]) -> None:
        goal: Goal = self._get_or_add(self._goals.get(seed.slug), Goal)
        self._assign(goal, slug=seed.slug, title=seed.title, description=seed.description)
        self.session.flush()
        current = {
            target.topic_id: target
            for target in self.session.scalars(
                select(GoalTarget).where(GoalTarget.goal_id == goal.id)
            )
        }
        wanted = {topic.id: target for topic, target in targets.items()}
        for topic_id, (weight, level) in wanted.items():
            if topic_id in current:
                self._assign(current[topic_id], weight=weight, level=level)
        self._replace_links(
            GoalTarget,
            owner=GoalTarget.goal_id == goal.id,
            stale=GoalTarget.topic_id.in_(set(current) - set(wanted)),
            new=[
                GoalTarget(goal_id=goal.id, topic_id=topic_id, weight=weight, level=level)
                for topic_id, (weight, level) in wanted.items()
                if topic_id not in current
            ],
        )

    def set_questions(self, topic: Topic, seeds: tuple[QuestionSeed, ...]) -> None:
        """Make the topic's questions the file's, in its order. Matching by position keeps
        question ids stable across reloads of an unchanged file."""
        current = list(
            self.session.scalars(
                select(Question)
                .where(Question.topic_id == topic.id)
                .order_by(Question.position, Question.id)
            )
        )
        for position, seed in enumerate(seeds):
            question: Question = self._get_or_add(
                current[position] if position < len(current) else None, Question
            )
            self._assign(
                question,
                topic_id=topic.id,
                prompt=seed.prompt,
                choices=list(seed.choices),
                right_choice=seed.right_choice,
                explanation=seed.explanation,
                level=seed.level,
                position=position,
            )
        for surplus in current[len(seeds) :]:
            self.session.delete(surplus)
            self.changes += 1

    def _replace_links(self, model: type[Any], *, owner: Any, stale: Any, new: list[Any]) -> None:
        removed = self.session.execute(delete(model).where(owner, stale)).rowcount  # type: ignore[attr-defined]
        self.session.add_all(new)
        self.changes += removed + len(new)
