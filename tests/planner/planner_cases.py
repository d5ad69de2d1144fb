"""Hypothesis strategies and reference checks shared by the planner tests."""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from hypothesis import strategies as st

from planner import CatalogGraph, Goal, LearnerState, Level, TopicNode

WEIGHTS = (0.2, 0.5, 0.8, 1.0)
RANK = {None: 0, Level.AWARE: 1, Level.PRACTICED: 2, Level.PROFICIENT: 3, Level.EXPERT: 4}


@dataclass(frozen=True)
class Catalog:
    """A generated DAG together with the raw parts it was built from."""

    graph: CatalogGraph
    topics: tuple[TopicNode, ...]
    edges: tuple[tuple[str, str], ...]
    needs: dict[str, frozenset[str]]

    @property
    def slugs(self) -> list[str]:
        return sorted(topic.slug for topic in self.topics)

    def prerequisites(self, slug: str) -> frozenset[str]:
        return self.needs[slug]

    def hours(self, slug: str) -> float:
        return self.graph.topic(slug).hours

    def ancestors(self, slugs: Iterable[str]) -> set[str]:
        """The slugs and all their transitive prerequisites (naively, as a reference)."""
        found = set(slugs)
        frontier = list(found)
        while frontier:
            for before in self.prerequisites(frontier.pop()):
                if before not in found:
                    found.add(before)
                    frontier.append(before)
        return found


@st.composite
def catalogs(draw: st.DrawFn, min_topics: int = 1, max_topics: int = 12) -> Catalog:
    """A random DAG: edges only from a lower to a higher generation index; slugs are shuffled
    so that slug order and dependency order disagree."""
    count = draw(st.integers(min_topics, max_topics))
    names = draw(st.permutations([f"t{i:02d}" for i in range(count)]))
    hours = draw(st.lists(st.integers(1, 12), min_size=count, max_size=count))
    pairs = [(i, j) for j in range(count) for i in range(j)]
    chosen = draw(st.sets(st.sampled_from(pairs), max_size=3 * count)) if pairs else set()
    topics = tuple(
        TopicNode(slug=names[i], title=f"Topic {names[i]}", hours=hours[i] / 2)
        for i in range(count)
    )
    edges = tuple(sorted((names[i], names[j]) for i, j in chosen))
    needs = {
        topic.slug: frozenset(before for before, after in edges if after == topic.slug)
        for topic in topics
    }
    return Catalog(CatalogGraph.build(topics=topics, edges=edges), topics, edges, needs)


@st.composite
def goals(draw: st.DrawFn, catalog: Catalog, max_targets: int = 4) -> Goal:
    targets = draw(st.sets(st.sampled_from(catalog.slugs), min_size=1, max_size=max_targets))
    if draw(st.booleans()):
        return Goal.ad_hoc(targets)
    weights = {target: draw(st.sampled_from(WEIGHTS)) for target in sorted(targets)}
    levels = {target: draw(st.sampled_from(list(Level))) for target in sorted(targets)}
    return Goal(slug="test-goal", title="A test goal", weights=weights, levels=levels)


@st.composite
def learner_states(draw: st.DrawFn, catalog: Catalog) -> LearnerState:
    """Known sets that are sometimes prerequisite-closed (a realistic learner), sometimes not,
    with explicit levels on some topics (raising or lowering what the status implies)."""
    known = draw(st.sets(st.sampled_from(catalog.slugs)))
    if draw(st.booleans()):
        known = catalog.ancestors(known)
    started = draw(st.sets(st.sampled_from(catalog.slugs)))
    stray = draw(st.sets(st.sampled_from(["not-in-graph", "also-missing"])))
    levels = draw(
        st.dictionaries(st.sampled_from([*catalog.slugs, "not-in-graph"]), st.sampled_from(Level))
    )
    return LearnerState(
        known=frozenset(known | stray), in_progress=frozenset(started - known), levels=levels
    )


def effective(state: LearnerState) -> dict[str, Level]:
    """The effective levels of DESIGN.md §7, written out naively as a reference."""
    found: dict[str, Level] = {}
    for slug in state.in_progress:
        found[slug] = Level.AWARE
    for slug in state.known:
        found[slug] = Level.PROFICIENT
    for slug, level in state.levels:
        found[slug] = level
    return found


def known_slugs(state: LearnerState) -> frozenset[str]:
    """Slugs at practiced or deeper."""
    return frozenset(slug for slug, level in effective(state).items() if RANK[level] >= 2)


def target_met(goal: Goal, state: LearnerState, target: str) -> bool:
    return RANK[effective(state).get(target)] >= RANK[goal.level_of(target)]


def reference_steps(
    catalog: Catalog, goal: Goal, state: LearnerState
) -> dict[str, tuple[Level | None, Level, float]]:
    """slug -> (from level, to level, hours) of every step still to take, per the rules of
    planner/standing.py written out naively over slugs."""
    closure = catalog.ancestors(goal.targets)
    needed = {p for slug in closure for p in catalog.prerequisites(slug)}
    levels = effective(state)
    steps: dict[str, tuple[Level | None, Level, float]] = {}
    for slug in closure:
        current = levels.get(slug)
        is_target = slug in goal.targets
        unmet = is_target and not target_met(goal, state, slug)
        unknown = slug in needed and RANK[current] < 2
        if not (unmet or unknown):
            continue
        if not is_target:
            to = Level.PROFICIENT
        elif slug in needed and RANK[goal.level_of(slug)] < 2:
            to = Level.PRACTICED
        else:
            to = goal.level_of(slug)
        hours = round(catalog.hours(slug) * (RANK[to] - RANK[current]) / 3, 6)
        steps[slug] = (current, to, hours)
    return steps


def take_step(state: LearnerState, slug: str, level: Level) -> LearnerState:
    """The state after the learner reaches `level` on `slug`."""
    return LearnerState(
        known=state.known, in_progress=state.in_progress, levels={**dict(state.levels), slug: level}
    )


@st.composite
def scenarios(
    draw: st.DrawFn, min_topics: int = 1, max_topics: int = 12, max_targets: int = 4
) -> tuple[Catalog, Goal, LearnerState]:
    catalog = draw(catalogs(min_topics, max_topics))
    return catalog, draw(goals(catalog, max_targets)), draw(learner_states(catalog))


def is_closed(catalog: Catalog, selected: set[str], known: frozenset[str]) -> bool:
    """Every prerequisite of a selected topic is known or selected."""
    return all(catalog.prerequisites(slug) <= selected | known for slug in selected)


def goal_value(goal: Goal, slugs: Iterable[str]) -> float:
    return sum(goal.weight_of(slug) for slug in slugs)


def brute_force_best(catalog: Catalog, goal: Goal, state: LearnerState, budget: float) -> float:
    """The best value of any prerequisite-closed set of steps within budget, over all subsets."""
    steps = reference_steps(catalog, goal, state)
    known = known_slugs(state)
    open_topics = sorted(steps)
    best = 0.0
    for size in range(len(open_topics) + 1):
        for subset in itertools.combinations(open_topics, size):
            chosen = set(subset)
            if sum(steps[s][2] for s in chosen) <= budget + 1e-9 and is_closed(
                catalog, chosen, known
            ):
                best = max(best, goal_value(goal, chosen))
    return best
