"""Turns API requests into planner calls and planner answers into response bodies."""

from collections.abc import Collection, Iterable, MutableMapping, Sequence
from typing import Any

from api.auth import revocation
from api.auth.revocation import Caller
from api.auth.security import token_claims
from api.catalog.snapshot import CatalogSnapshot
from api.deps import UnitsOfWork
from api.errors import InvalidInput, NotFound
from api.planning import repository
from api.planning.learner_states import LearnerPlanning, LearnerStates, place_record
from planner import Goal, LearnerState, Level, Recommendations, Roadmap, build_roadmap
from planner.memory import NO_MEMORY, Memory, recommend_with_memory

JSONDict = dict[str, Any]


def resolve_goal(
    snapshot: CatalogSnapshot, *, goal: str | None, targets: Collection[str] | None
) -> Goal:
    """The planner goal for a goal slug or ad-hoc targets (exactly one must be given)."""
    if (goal is None) == (targets is None):
        raise InvalidInput("Give either goal or targets, not both and not neither.")
    if targets is not None:
        require_topics(snapshot, targets)
        return Goal.ad_hoc(targets)
    assert goal is not None
    planner_goal: Goal | None = snapshot.derived.get(("goal", goal))
    if planner_goal is None:
        planner_goal = snapshot.derived[("goal", goal)] = _catalog_goal(snapshot, goal)
    return planner_goal


def _catalog_goal(snapshot: CatalogSnapshot, slug: str) -> Goal:
    found = snapshot.goals.get(slug)
    if found is None:
        raise NotFound(f"No goal with slug '{slug}'.")
    if not found["targets"]:
        raise InvalidInput(f"The goal '{slug}' has no target topics yet.")
    weights = {target["topic"]: target["weight"] for target in found["targets"]}
    levels = {target["topic"]: Level(target["level"]) for target in found["targets"]}
    return Goal(slug=slug, title=found["title"], weights=weights, levels=levels)


def require_topics(snapshot: CatalogSnapshot, slugs: Iterable[str]) -> None:
    """NotFound naming every slug that is not a topic."""
    missing = sorted({slug for slug in slugs if slug not in snapshot.topics})
    if missing:
        raise NotFound(f"No topic with slug {', '.join(repr(slug) for slug in missing)}.")


def parse_targets(text: str | None) -> list[str] | None:
    """Comma-separated target slugs, blanks dropped; None when not given."""
    if text is None:
        return None
    targets = [part.strip() for part in text.split(",") if part.strip()]
    if not targets:
        raise InvalidInput("targets needs at least one topic slug.")
    return targets


async def learner_state(
    db: UnitsOfWork,
    learner_id: int,
    version: int,
    snapshot: CatalogSnapshot,
    cache: LearnerStates,
) -> tuple[int, LearnerPlanning]:
    """The learner's progress version and what the planner is told of them at it: the cached
    copy when it is still at `version` (the progress version the token check read), else read
    from their records and schedules in one statement (repository.LEARNER_PLANNING)."""
    cached = cache.get(learner_id, (version, snapshot.version))
    if cached is not None:
        return version, cached
    rows = await db.rows(repository.LEARNER_PLANNING, learner_id=learner_id)
    version, planning = learner_planning(rows, snapshot)
    cache.put(learner_id, (version, snapshot.version), planning)
    return version, planning


async def caller_with_state(
    scope: MutableMapping[str, Any],
    token: str,
    db: UnitsOfWork,
    cache: LearnerStates,
    *,
    secret: str,
) -> Caller | None:
    """The caller a token names when it is well signed, unexpired and not revoked (as
    `revocation.request_caller`, and kept in the request's scope the same way), checked by the
    read that also brings this process's copy of their planner state up to date
    (repository.CALLER_PLANNING): after a change that another process made, one round trip
    where the token's check and `learner_state`'s read would take two."""
    claims = token_claims(token, secret=secret)
    if claims is None:
        return None
    snapshot = db.catalog
    held = cache.held_version(claims.learner_id, snapshot.version)
    rows = await db.rows(
        repository.CALLER_PLANNING, **revocation.check_params(claims), known_version=held
    )
    if not rows:
        return None
    version = next(row[0] for row in rows if row[0] is not None)
    if version != held:
        version, planning = learner_planning(rows, snapshot)
        cache.put(claims.learner_id, (version, snapshot.version), planning)
    return revocation.checked_caller(scope, token, claims, version)


def learner_planning(
    rows: Iterable[Sequence[Any]], snapshot: CatalogSnapshot
) -> tuple[int, LearnerPlanning]:
    """The progress version and the planner's view of a learner, from LEARNER_PLANNING's rows.
    Topics made after `snapshot` are left out: the planner cannot use them yet."""
    slugs = snapshot.slug_by_id
    version = 0
    known: set[str] = set()
    started: set[str] = set()
    levels: dict[str, Level] = {}
    cards: list[tuple[str, dict[str, Any]]] = []
    for row_version, topic_id, status, level, card in rows:
        slug = None if topic_id is None else slugs.get(topic_id)
        if row_version is not None:
            version = row_version
        if slug is None:
            continue
        if card is not None:
            cards.append((slug, card))
        elif status is not None:
            place_record(
                known,
                started,
                levels,
                slug=slug,
                status=status,
                level=None if level is None else Level(level),
            )
    state = LearnerState(known=known, in_progress=started, levels=levels)
    return version, LearnerPlanning(state, tuple(sorted(cards, key=lambda entry: entry[0])))


def recommendations_body(
    snapshot: CatalogSnapshot, goal: Goal, state: LearnerState, memory: Memory, *, limit: int
) -> bytes:
    """The Recommendations response body, as JSON.

    A learner asks again and again while nothing changes, and the answer is a pure function of
    the snapshot, the goal, the learner's state and memory, and the limit: the snapshot keeps it.
    """
    return snapshot.answers.json(
        ("recommendations", goal, state, memory, limit),
        lambda: _recommendations_body(snapshot, goal, state, memory, limit=limit),
    )


def _recommendations_body(
    snapshot: CatalogSnapshot, goal: Goal, state: LearnerState, memory: Memory, *, limit: int
) -> JSONDict:
    result: Recommendations = recommend_with_memory(
        snapshot.graph, goal, state, memory, limit=limit
    )
    items = []
    for item in result.items:
        entry = snapshot.topics[item.slug]
        items.append(
            {
                "topic": entry.summary,
                "score": item.score,
                "reasons": [{"code": r.code, "detail": r.detail} for r in item.reasons],
                "resources": list(entry.best_resources),
            }
        )
    return {
        "goal": goal.slug,
        "targets": list(goal.targets),
        "goal_reached": result.goal_reached,
        "items": items,
    }


def roadmap_body(
    snapshot: CatalogSnapshot,
    goal: Goal,
    state: LearnerState,
    *,
    hours_per_week: float | None,
    budget_hours: float | None,
) -> bytes:
    """The Roadmap response body, as JSON (kept by the snapshot, like recommendations)."""
    return snapshot.answers.json(
        ("roadmap", goal, state, hours_per_week, budget_hours),
        lambda: _roadmap_body(
            snapshot, goal, state, hours_per_week=hours_per_week, budget_hours=budget_hours
        ),
    )


def _roadmap_body(
    snapshot: CatalogSnapshot,
    goal: Goal,
    state: LearnerState,
    *,
    hours_per_week: float | None,
    budget_hours: float | None,
) -> JSONDict:
    road: Roadmap = build_roadmap(
        snapshot.graph, goal, state, hours_per_week=hours_per_week, budget_hours=budget_hours
    )
    topics = snapshot.topics
    return {
        "goal": goal.slug,
        "targets": list(goal.targets),
        "total_hours": road.total_hours,
        "weeks": road.weeks,
        "stages": [
            {
                "stage": stage.number,
                "topics": [
                    {
                        **topics[e.slug].summary,
                        "week": e.week,
                        "hours": e.hours,
                        "from_level": e.from_level,
                        "to_level": e.to_level,
                    }
                    for e in stage.entries
                ],
            }
            for stage in road.stages
        ],
        "left_out": [topics[slug].summary for slug in road.left_out],
    }


def plan_body(
    snapshot: CatalogSnapshot,
    goal: Goal,
    state: LearnerState,
    *,
    limit: int,
    hours_per_week: float | None,
    budget_hours: float | None,
) -> bytes:
    """The Plan response body: the recommendations and the roadmap for a learner who holds
    `state` and has no review schedule, both rendered answers joined without parsing them
    again, and kept whole like them. (A roadmap over 10,000 topics is over a megabyte: joining
    it again for every request cost more than all the rest of the request.)"""

    def joined() -> bytes:
        recommendations = recommendations_body(snapshot, goal, state, NO_MEMORY, limit=limit)
        roadmap = roadmap_body(
            snapshot, goal, state, hours_per_week=hours_per_week, budget_hours=budget_hours
        )
        return b"".join((b'{"recommendations":', recommendations, b',"roadmap":', roadmap, b"}"))

    key = ("plan", goal, state, limit, hours_per_week, budget_hours)
    return snapshot.answers.rendered(key, joined)
