"""Benchmark of the planner engine on a large generated catalog.

Run: ``python -m bench.engine`` (or ``make bench-engine``). It builds a deep DAG of 10,000
topics and 40,000 edges, three goals whose targets sit deep in the graph (closures of thousands
of topics) and a realistic learner who knows a quarter of the catalog (a prerequisite-closed
set) and has started a few topics. It prints the one-off preparation times and, per operation,
the median and p95 latency over repeated calls against the issue's targets. Always exits 0:
this is a measurement, not a test.
"""

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.catalog_gen import generate_catalog, slug_of
from planner import CatalogGraph, Goal, LearnerState, TopicNode, build_roadmap, recommend

TARGETS_MS = {"recommend": 20.0, "roadmap": 100.0}


@dataclass(frozen=True)
class Workload:
    graph: CatalogGraph
    goals: list[Goal]
    state: LearnerState
    build_ms: float


def generate(*, topics: int, edges: int, window: int, seed: int) -> Workload:
    """The generated catalog as planner objects."""
    catalog = generate_catalog(topics=topics, edges=edges, window=window, seed=seed)
    nodes = [
        TopicNode(slug=slug_of(i), title=f"Topic {i}", hours=hours)
        for i, hours in enumerate(catalog.hours)
    ]
    edge_list = [(slug_of(p), slug_of(i)) for p, i in catalog.edges]
    started = time.perf_counter()
    graph = CatalogGraph.build(topics=nodes, edges=edge_list)
    build_ms = (time.perf_counter() - started) * 1000
    goals = [
        Goal(slug=slug, title=slug, weights={slug_of(t): w for t, w in targets.items()})
        for slug, targets in catalog.goals.items()
    ]
    state = LearnerState(
        known=frozenset(slug_of(i) for i in catalog.known),
        in_progress=frozenset(slug_of(i) for i in catalog.in_progress),
    )
    return Workload(graph=graph, goals=goals, state=state, build_ms=build_ms)


def _budget_roadmap(graph: CatalogGraph, state: LearnerState, budget: float, goal: Goal) -> object:
    return build_roadmap(graph, goal, state, budget_hours=budget)


def _timed(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=40_000)
    parser.add_argument("--window", type=int, default=300, help="how far back prerequisites lie")
    parser.add_argument("--calls", type=int, default=50, help="calls per operation and goal")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    work = generate(topics=args.topics, edges=args.edges, window=args.window, seed=args.seed)
    graph, state = work.graph, work.state
    print(
        f"catalog: {len(graph)} topics, {len(graph.edges)} edges; learner knows "
        f"{len(state.known)} (prerequisite-closed), has started {len(state.in_progress)}"
    )
    prepare_ms = []
    for goal in work.goals:
        started = time.perf_counter()
        closure = graph.closure_of(goal)
        prepare_ms.append((time.perf_counter() - started) * 1000)
        print(
            f"goal {goal.slug}: {len(goal.targets)} targets, closure {len(closure)} topics, "
            f"{len(closure - state.known)} to learn, "
            f"{len(graph.ready_topics(goal, state))} ready"
        )

    operations: list[tuple[str, str | None, Callable[[Goal], object]]] = [
        ("recommend limit=10", "recommend", lambda g: recommend(graph, g, state, limit=10)),
        ("recommend limit=50", "recommend", lambda g: recommend(graph, g, state, limit=50)),
        ("roadmap", "roadmap", lambda g: build_roadmap(graph, g, state)),
        (
            "roadmap hours_per_week=10",
            "roadmap",
            lambda g: build_roadmap(graph, g, state, hours_per_week=10),
        ),
    ]
    for budget in (40, 400, 4000):
        operations.append(
            (
                f"roadmap budget_hours={budget}",
                "roadmap",
                functools.partial(_budget_roadmap, graph, state, budget),
            )
        )

    header = f"{'operation':<30} {'calls':>6} {'median ms':>10} {'p95 ms':>8} {'target':>8}  "
    print()
    print(header + "ok")
    print("-" * (len(header) + 2))
    print(f"{'build graph (per catalog)':<30} {1:>6} {work.build_ms:>10.1f} {'':>8} {'':>8}")
    print(
        f"{'prepare goal (per goal)':<30} {len(prepare_ms):>6} "
        f"{statistics.median(prepare_ms):>10.1f} {max(prepare_ms):>8.1f} {'':>8}"
    )
    for name, kind, operation in operations:
        worst_median, worst_p95 = 0.0, 0.0
        for goal in work.goals:
            median, p95 = _timed(functools.partial(operation, goal), args.calls)
            worst_median, worst_p95 = max(worst_median, median), max(worst_p95, p95)
        target = TARGETS_MS.get(kind) if kind else None
        verdict = "" if target is None else ("yes" if worst_p95 <= target else "NO")
        target_text = "" if target is None else f"{target:.0f}"
        calls = args.calls * len(work.goals)
        print(
            f"{name:<30} {calls:>6} {worst_median:>10.2f} {worst_p95:>8.2f} "
            f"{target_text:>8}  {verdict}"
        )
    print(
        "\nPer-request rows: median and p95 of the slowest goal. One-off rows: the time once"
        "\n(prepare goal: median and max over the goals); requests then reuse the result."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
