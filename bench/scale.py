"""`make bench-scale`: the same endpoints on a catalog of 10,000 topics and 40,000 edges, with
100,000 learners and 1,000,000 progress records.

It writes the generated data straight into a fresh database (SQLite by default, or
SKILLPATH_BENCH_DATABASE_URL), starts the service, and reports its start-up time and memory and
the endpoints' figures, next to the recommendations p50 on the seed catalog in the same run.
"""

import random
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Connection, insert, update

from api.auth.security import hash_password
from bench import servers
from bench.catalog_gen import GeneratedCatalog, generate_catalog, slug_of
from bench.load import (
    LOOP_LEARNERS,
    LOOP_TOPICS,
    PASSWORD,
    WRITE_THEN_READ,
    Load,
    Subject,
    hello_report,
    in_parallel,
    interleaved,
    log_in,
    log_path,
    paired_ratios,
    print_table,
    report_header,
    scenarios,
    seeded_subject,
    serve_hello,
    write_report,
)
from models import (
    Area,
    CatalogState,
    Goal,
    GoalTarget,
    Learner,
    Prerequisite,
    Progress,
    ProgressStatus,
    Resource,
    ResourceTopic,
    Topic,
)
from models.database import Database
from models.migrate import upgrade_to_head

LEARNERS = 100_000
PROGRESS_RECORDS = 1_000_000
BENCH_EMAIL = "bench-learner@example.com"
AREAS = ("ml-foundations", "deep-learning", "math-for-ml", "software-development")
BATCH = 50_000


def _batched(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(table), rows[start : start + BATCH])


def fill_database(database_url: str, catalog: GeneratedCatalog) -> int:
    """Write the catalog, the learners and their progress; returns the number of records."""
    database = Database.from_url(database_url)
    upgrade_to_head(database.write_engine)
    rng = random.Random(11)
    now = datetime.now(UTC)
    topics = len(catalog.hours)
    with database.write_engine.begin() as connection:
        _batched(
            connection,
            Area,
            [
                {"id": i + 1, "slug": s, "title": s, "description": "", "position": i + 1}
                for i, s in enumerate(AREAS)
            ],
        )
        _batched(
            connection,
            Topic,
            [
                {
                    "id": i + 1,
                    "slug": slug_of(i),
                    "title": f"Topic {i}",
                    "summary": f"Generated topic number {i}.",
                    "area_id": i % len(AREAS) + 1,
                    "level": 1 + i * 5 // topics,
                    "estimated_hours": hours,
                    "tags": [],
                }
                for i, hours in enumerate(catalog.hours)
            ],
        )
        _batched(
            connection,
            Prerequisite,
            [{"topic_id": t + 1, "prerequisite_id": p + 1} for p, t in catalog.edges],
        )
        _batched(
            connection,
            Resource,
            [
                {
                    "id": i + 1,
                    "title": f"Course on topic {i}",
                    "url": f"https://example.org/courses/{i}",
                    "kind": "course",
                    "provider": "Example",
                    "free": i % 3 != 0,
                    "hours": catalog.hours[i],
                }
                for i in range(topics)
            ],
        )
        _batched(
            connection,
            ResourceTopic,
            [{"resource_id": i + 1, "topic_id": i + 1} for i in range(topics)],
        )
        for number, (slug, targets) in enumerate(catalog.goals.items(), start=1):
            connection.execute(
                insert(Goal), [{"id": number, "slug": slug, "title": slug, "description": ""}]
            )
            _batched(
                connection,
                GoalTarget,
                [{"goal_id": number, "topic_id": t + 1, "weight": w} for t, w in targets.items()],
            )
        connection.execute(update(CatalogState).values(version=CatalogState.version + 1))

        shared_hash = hash_password(PASSWORD)
        _batched(
            connection,
            Learner,
            [
                {
                    "id": n,
                    "email": BENCH_EMAIL if n == 1 else f"learner-{n}@example.com",
                    "display_name": f"Learner {n}",
                    "role": "learner",
                    "password_hash": shared_hash,
                    "created_at": now,
                }
                for n in range(1, LEARNERS + 1)
            ],
        )
        bench_rows = [(index, ProgressStatus.COMPLETED) for index in sorted(catalog.known)] + [
            (index, ProgressStatus.IN_PROGRESS) for index in sorted(catalog.in_progress)
        ]
        rows: list[dict[str, Any]] = [
            _progress(1, topic, status, now) for topic, status in bench_rows
        ]
        # The other learners share the rest of the million records as evenly as they can.
        others, extra = divmod(PROGRESS_RECORDS - len(rows), LEARNERS - 1)
        statuses = list(ProgressStatus)
        for learner in range(2, LEARNERS + 1):
            count = others + (1 if learner - 2 < extra else 0)
            for topic in rng.sample(range(topics), count):
                rows.append(_progress(learner, topic, rng.choice(statuses), now))
            if len(rows) >= BATCH:
                _batched(connection, Progress, rows)
                rows = []
        _batched(connection, Progress, rows)
    database.dispose()
    return PROGRESS_RECORDS


def _progress(learner: int, topic: int, status: ProgressStatus, at: datetime) -> dict[str, Any]:
    return {
        "learner_id": learner,
        "topic_id": topic + 1,
        "status": status,
        "mastery": None,
        "hours_spent": 1.0,
        "notes": "",
        "updated_at": at,
        "version": 1,
    }


def scale_subject(base_url: str, catalog: GeneratedCatalog) -> Subject:
    """The generated bench learner, a topic it has not started, topics a visitor knows, and
    for the write-then-read loop, generated learners and the catalog's first topics."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        token = log_in(client, BENCH_EMAIL)
        loop_tokens = in_parallel(
            lambda number: log_in(client, f"learner-{number + 2}@example.com"), LOOP_LEARNERS
        )
    unknown = next(i for i in range(len(catalog.hours)) if i not in catalog.known)
    known = tuple(slug_of(i) for i in sorted(catalog.known)[:50])
    loop_topics = tuple(slug_of(i) for i in range(LOOP_TOPICS))
    return Subject(token, slug_of(unknown), known, loop_tokens, loop_topics)


RECOMMENDATIONS = "GET /api/v1/me/recommendations"


def main() -> None:
    load = Load.from_env()
    catalog = generate_catalog()
    with servers.bench_database_url("scale") as scale_url, tempfile.TemporaryDirectory() as folder:
        print("generating the scale database ...", flush=True)
        generated = time.perf_counter()
        records = fill_database(scale_url, catalog)
        generated = time.perf_counter() - generated
        name = f"bench-scale-{scale_url.split(':', 1)[0].split('+')[0]}-{load.workers}w"
        with serve_hello(load, log_path(f"{name}-hello")) as hello:
            # The seed catalog's recommendations and write-then-read, in the same run, for
            # the comparison.
            with servers.serve_as_users_run(
                f"sqlite:///{folder}/seeded.db",
                workers=load.workers,
                log_file=log_path(f"{name}-seeded"),
            ) as seeded_server:
                compared = [
                    scenario
                    for scenario in scenarios(seeded_subject(seeded_server.url))
                    if scenario.name in (RECOMMENDATIONS, WRITE_THEN_READ)
                ]
                seeded_hellos, seeded = interleaved(seeded_server.url, hello.url, compared, load)
            with servers.serve_as_users_run(
                scale_url, workers=load.workers, log_file=log_path(name), timeout=300
            ) as server:
                rss_at_start = servers.rss_megabytes(server.process.pid)
                hellos, measured = interleaved(
                    server.url, hello.url, scenarios(scale_subject(server.url, catalog)), load
                )
                rss = servers.rss_megabytes(server.process.pid)

    results = paired_ratios(measured, hellos)
    seeded_results = paired_ratios(seeded, seeded_hellos)
    scale_p50 = results[RECOMMENDATIONS]["p50_ms"]
    seeded_p50 = seeded_results[RECOMMENDATIONS]["p50_ms"]
    loop_scale = results[WRITE_THEN_READ]["requests_per_second"]
    loop_seeded = seeded_results[WRITE_THEN_READ]["requests_per_second"]
    # The same comparison made against the hello runs beside each (as `make bench` compares
    # every scenario): the two loops run minutes apart, and the machine's speed moves.
    loop_vs_seeded_by_hello = (
        results[WRITE_THEN_READ]["ratio"] / seeded_results[WRITE_THEN_READ]["ratio"]
    )
    report = {
        **report_header(scale_url, load),
        "scale": {
            "topics": len(catalog.hours),
            "edges": len(catalog.edges),
            "learners": LEARNERS,
            "progress_records": records,
            "generation_seconds": round(generated, 1),
        },
        "hello": hello_report(*hellos),
        "endpoints": results,
        "seeded": {"hello": hello_report(*seeded_hellos), "endpoints": seeded_results},
        "server_rss_mb": round(rss, 1),
        "server_rss_at_start_mb": round(rss_at_start, 1),
        "startup_seconds": round(server.startup_seconds, 2),
        "seeded_recommendations_p50_ms": seeded_p50,
        "recommendations_p50_vs_seeded": round(scale_p50 / seeded_p50, 2),
        "write_then_read_vs_seeded": round(loop_scale / loop_seeded, 2),
        "write_then_read_vs_seeded_by_hello": round(loop_vs_seeded_by_hello, 2),
    }
    print_table(report, targets=False)
    print(
        f"start-up {report['startup_seconds']} s (target <= 5), RSS at start "
        f"{report['server_rss_at_start_mb']} MB, after the run {report['server_rss_mb']} MB "
        f"(target <= 300); recommendations p50 {scale_p50} ms vs {seeded_p50} ms on the "
        f"seed catalog = {report['recommendations_p50_vs_seeded']}x (target <= 2); "
        f"write then read {loop_scale:.0f} req/s vs {loop_seeded:.0f} req/s on the seed "
        f"catalog = {report['write_then_read_vs_seeded']} (target >= 0.5); against the hello "
        f"runs beside each: {results[WRITE_THEN_READ]['ratio']} vs "
        f"{seeded_results[WRITE_THEN_READ]['ratio']} = "
        f"{report['write_then_read_vs_seeded_by_hello']}"
    )
    print("the seed catalog's scenarios in the same run:")
    print_table({**report, **report["seeded"], "server_rss_mb": "-"}, targets=False)
    print(f"figures written to {write_report(report, name)}")


if __name__ == "__main__":
    main()
