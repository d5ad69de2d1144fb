"""A large generated catalog and a realistic learner, shared by the benchmarks."""

import random
from dataclasses import dataclass

GOAL_SLUGS = ("job-interview", "build-ml-model", "system-building")


def slug_of(index: int) -> str:
    return f"topic-{index:05d}"


@dataclass(frozen=True)
class GeneratedCatalog:
    """Topics by index (index order is a topological order), their prerequisites, three goals
    with targets deep in the graph, and a learner who knows a quarter of it."""

    hours: list[float]
    needs: list[set[int]]
    goals: dict[str, dict[int, float]]
    known: set[int]
    in_progress: set[int]

    @property
    def edges(self) -> list[tuple[int, int]]:
        """(prerequisite, topic) pairs."""
        return [(p, i) for i, needs in enumerate(self.needs) for p in sorted(needs)]


def generate_catalog(
    *, topics: int = 10_000, edges: int = 40_000, window: int = 300, seed: int = 7
) -> GeneratedCatalog:
    """A deep DAG: each topic needs up to `edges / topics` topics among the `window` before it."""
    rng = random.Random(seed)
    per_topic = max(1, round(edges / max(1, topics - 1)))
    needs: list[set[int]] = [set() for _ in range(topics)]
    count = 0
    for index in range(1, topics):
        wanted = min(index, per_topic, edges - count)
        low = max(0, index - window)
        while len(needs[index]) < wanted:
            needs[index].add(rng.randrange(low, index))
        count += wanted
    hours = [rng.randint(1, 40) / 2 for _ in range(topics)]

    goals = {
        slug: {
            target: rng.choice([0.4, 0.6, 0.8, 1.0])
            for target in rng.sample(range(int(topics * 0.7), topics), 6)
        }
        for slug in GOAL_SLUGS
    }

    # A realistic learner: the union of the full prerequisite closures of topics picked at random
    # among the first 40% of the catalog, grown until it holds a quarter of the catalog.
    known: set[int] = set()
    picks = list(range(int(topics * 0.4)))
    rng.shuffle(picks)
    for pick in picks:
        if pick in known:
            continue
        closure = {pick}
        frontier = [pick]
        while frontier:
            for need in needs[frontier.pop()]:
                if need not in known and need not in closure:
                    closure.add(need)
                    frontier.append(need)
        if len(known) + len(closure) <= topics // 4:
            known |= closure
    # A few started topics, ready ones (every prerequisite known).
    ready = [i for i in range(topics) if i not in known and needs[i] <= known]
    in_progress = set(rng.sample(ready, min(5, len(ready))))
    return GeneratedCatalog(
        hours=hours, needs=needs, goals=goals, known=known, in_progress=in_progress
    )
