"""Memory in recommendations: learned topics that are fading come back as reviews.

The planner never computes memory itself: the caller hands it each scheduled topic's
retrievability at the moment asked about (and the whole days since its last review), as plain
values. A topic of the goal's closure that the learner has learned and whose retrievability is
below the desired retention is recommended with reason `review_due` (DESIGN.md §7):

* learning steps (ready and deepen items) come first, by score, as `recommend` ranks them;
* then the due reviews that are not learning steps, lowest retrievability first (then slug),
  with a score of 0: a review is not ranked against learning;
* a learning step that is also due keeps its place and gains the `review_due` reason, so a
  topic appears once, with every reason that applies;
* `goal_reached` is `recommend`'s: a due target still counts as met (memory fades, knowledge is
  not erased).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from planner import reasons
from planner.goals import Goal, LearnerState
from planner.graph import CatalogGraph
from planner.reasons import Reason
from planner.recommend import Recommendation, Recommendations, recommend

REVIEW_SCORE = 0.0
"""The score of an item that is only a review: reviews follow every learning step."""


@dataclass(frozen=True, slots=True)
class Recall:
    """How well the learner would recall one scheduled topic at the moment asked about."""

    slug: str
    retrievability: float
    """The chance, 0 to 1, of recalling the topic."""
    days_since_review: int
    """Whole days since the topic's last review (completing it counts as one)."""


@dataclass(frozen=True, slots=True, init=False)
class Memory:
    """What the planner knows of a learner's memory: the desired retention and a `Recall` per
    scheduled topic, sorted by slug so equal memories are equal and hashable."""

    retention: float
    recalls: tuple[Recall, ...]

    def __init__(self, *, retention: float, recalls: Iterable[Recall] = ()) -> None:
        if not 0.0 < retention < 1.0:
            raise ValueError(f"retention must be in (0, 1), got {retention}")
        object.__setattr__(self, "retention", retention)
        object.__setattr__(self, "recalls", tuple(sorted(recalls, key=lambda r: r.slug)))

    def due(self) -> list[Recall]:
        """The recalls below the retention."""
        return [recall for recall in self.recalls if recall.retrievability < self.retention]


NO_MEMORY = Memory(retention=0.9)
"""A learner without review schedules (and every stateless plan)."""


def learned_slugs(state: LearnerState) -> frozenset[str]:
    """Topics the learner has learned at some level: only those can be due for review."""
    return frozenset(state.effective_levels())


def recommend_with_memory(
    graph: CatalogGraph, goal: Goal, state: LearnerState, memory: Memory, *, limit: int = 10
) -> Recommendations:
    """`recommend`'s learning steps, then the learned topics of the goal's closure that are
    due for review (see the module docstring), `limit` items in all."""
    closure = graph.closure_of(goal)
    learned = learned_slugs(state)
    due = {
        recall.slug: recall
        for recall in memory.due()
        if recall.slug in closure and recall.slug in learned
    }
    if not due:
        return recommend(graph, goal, state, limit=limit)
    # Every learning step, not only the first `limit`: a due topic that is a learning step is
    # never listed again as a review, wherever it ranks.
    learning = recommend(graph, goal, state, limit=max(len(closure), limit))
    items: list[Recommendation] = []
    for item in learning.items[:limit]:
        recall = due.get(item.slug)
        if recall is not None:
            item = Recommendation(item.slug, item.score, (*item.reasons, _reason(graph, recall)))
        items.append(item)
    stepping = {item.slug for item in learning.items}
    reviews = sorted(
        (recall for slug, recall in due.items() if slug not in stepping),
        key=lambda recall: (recall.retrievability, recall.slug),
    )
    for recall in reviews[: limit - len(items)]:
        items.append(Recommendation(recall.slug, REVIEW_SCORE, (_reason(graph, recall),)))
    return Recommendations(goal_reached=learning.goal_reached, items=tuple(items))


def _reason(graph: CatalogGraph, recall: Recall) -> Reason:
    node = graph.topic(recall.slug)
    return reasons.review_due(
        node.title, days_since_review=recall.days_since_review, hours=node.hours
    )
