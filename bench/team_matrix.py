"""`make bench-teams`: a team's matrix and coverage for 200 members on the 10,000-topic catalog,
beside one learner's recommendations in the same run. Target: the matrix under 200 ms.

The database is `make bench-scale`'s (bench/scale.py: 10,000 topics, 40,000 edges, 100,000
learners, 1,000,000 progress records) plus a team: the bench learner manages it, and 199 other
learners are members, each with records of varied status (some with a level of their own) on
the goal's targets. Every endpoint is driven by wrk by one connection (the time one request
takes: what the target is about), then every endpoint by TEAM_BENCH_CONNECTIONS (default 4:
a team report is an occasional read, and 32 connections queued on 100 ms answers would only
measure wrk's timeouts).

SKILLPATH_BENCH_DATABASE_URL naming a database an earlier run filled reuses it (filling takes
minutes); otherwise a fresh SQLite file is made and removed.
"""

import os
import random
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert, select

from bench import servers, wrk
from bench.catalog_gen import GeneratedCatalog, generate_catalog
from bench.load import Load, log_in, report_header, write_report
from bench.scale import BENCH_EMAIL, fill_database
from models import Progress, ProgressStatus, Team, TeamMembership, TeamRole
from models.database import Database
from models.migrate import upgrade_to_head
from planner.levels import Level

TEAM_SIZE = 200
GOAL = "job-interview"
TARGET_MS = 200.0
TEAM_NAME = "Scale team"


def existing_team(database_url: str) -> int | None:
    """The team an earlier run made in this database, if any."""
    database = Database.from_url(database_url)
    try:
        upgrade_to_head(database.write_engine)
        with database.write_engine.connect() as connection:
            found = connection.execute(select(Team.id).where(Team.name == TEAM_NAME)).scalar()
    finally:
        database.dispose()
    return None if found is None else int(found)


def add_team(database_url: str, catalog: GeneratedCatalog) -> int:
    """A team of TEAM_SIZE learners (learner 1, the bench learner, manages it) with records on
    every target of GOAL; its id."""
    database = Database.from_url(database_url)
    rng = random.Random(13)
    now = datetime.now(UTC)
    members = range(1, TEAM_SIZE + 1)
    targets = [index + 1 for index in catalog.goals[GOAL]]  # topic ids
    with database.write_engine.begin() as connection:
        team_id = connection.execute(
            insert(Team).values(name=TEAM_NAME, created_at=now).returning(Team.id)
        ).scalar_one()
        connection.execute(
            insert(TeamMembership),
            [
                {
                    "team_id": team_id,
                    "learner_id": learner,
                    "role": TeamRole.MANAGER if learner == 1 else TeamRole.MEMBER,
                    "joined_at": now,
                }
                for learner in members
            ],
        )
        existing = {
            (learner, topic)
            for learner, topic in connection.execute(
                select(Progress.learner_id, Progress.topic_id).where(
                    Progress.learner_id <= TEAM_SIZE, Progress.topic_id.in_(targets)
                )
            )
        }
        rows: list[dict[str, Any]] = []
        for learner in members:
            for topic in targets:
                if (learner, topic) in existing or rng.random() < 0.2:
                    continue
                level = rng.choice([None, None, *Level])
                rows.append(
                    {
                        "learner_id": learner,
                        "topic_id": topic,
                        "status": rng.choice(list(ProgressStatus)),
                        "mastery": None,
                        "hours_spent": 1.0,
                        "notes": "private",
                        "updated_at": now,
                        "version": 1,
                        "level": level,
                        "level_source": None if level is None else "self",
                    }
                )
        connection.execute(insert(Progress), rows)
    database.dispose()
    return int(team_id)


def main() -> None:
    wrk.require_wrk()
    load = Load.from_env()
    one_at_a_time = replace(load, connections=1)
    several = replace(load, connections=int(os.environ.get("TEAM_BENCH_CONNECTIONS", "4")))
    catalog = generate_catalog()
    with servers.bench_database_url("teams") as url:
        started = time.perf_counter()
        team_id = existing_team(url)
        if team_id is None:
            print("generating the scale database and the team ...", flush=True)
            fill_database(url, catalog)
            team_id = add_team(url, catalog)
        generated = time.perf_counter() - started
        with servers.serve_skillpath(url, workers=load.workers, timeout=300) as server:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                token = log_in(client, BENCH_EMAIL)
                auth = (("Authorization", f"Bearer {token}"),)
                matrix = client.get(
                    f"/api/v1/teams/{team_id}/matrix?goal={GOAL}", headers=dict(auth)
                )
                matrix.raise_for_status()
                members = len(matrix.json()["members"])
            requests = {
                "GET /api/v1/teams/{id}/matrix": wrk.Request(
                    path=f"/api/v1/teams/{team_id}/matrix?goal={GOAL}", headers=auth
                ),
                "GET /api/v1/teams/{id}/matrix (CSV)": wrk.Request(
                    path=f"/api/v1/teams/{team_id}/matrix?goal={GOAL}",
                    headers=(*auth, ("Accept", "text/csv")),
                ),
                "GET /api/v1/teams/{id}/coverage": wrk.Request(
                    path=f"/api/v1/teams/{team_id}/coverage?goal={GOAL}", headers=auth
                ),
                "GET /api/v1/me/recommendations": wrk.Request(
                    path=f"/api/v1/me/recommendations?goal={GOAL}", headers=auth
                ),
            }
            alone = {name: one_at_a_time.drive(server.url, r) for name, r in requests.items()}
            together = {name: several.drive(server.url, r) for name, r in requests.items()}
            figures = {
                name: {
                    "one_connection": alone[name].as_dict(),
                    f"{several.connections}_connections": together[name].as_dict(),
                }
                for name in requests
            }
    report = {
        **report_header(url, several),
        "team_members": members,
        "catalog_topics": len(catalog.hours),
        "generation_seconds": round(generated, 1),
        "endpoints": figures,
        "target_ms": TARGET_MS,
    }
    print(
        f"\n{report['database']}, {members} members, {len(catalog.hours)} topics, "
        f"{load.workers} worker(s); one connection, then {several.connections} connections, "
        f"{load.seconds} s each"
    )
    columns = f"{'p50 ms':>7} {'p99 ms':>7} {'req/s':>7}"
    header = f"{'endpoint':40} {columns} | {columns}"
    print(header)
    print("-" * len(header))
    for name, row in figures.items():
        one, busy = row["one_connection"], row[f"{several.connections}_connections"]
        print(
            f"{name:40} {one['p50_ms']:7.2f} {one['p99_ms']:7.2f} {one['requests_per_second']:7.0f}"
            f" | {busy['p50_ms']:7.2f} {busy['p99_ms']:7.2f} {busy['requests_per_second']:7.0f}"
        )
    matrix_ms = figures["GET /api/v1/teams/{id}/matrix"]["one_connection"]["p50_ms"]
    verdict = "meets" if matrix_ms < TARGET_MS else "MISSES"
    print(f"matrix p50 {matrix_ms} ms for one request: {verdict} the {TARGET_MS:.0f} ms target")
    name = f"bench-teams-{report['database']}-{load.workers}w"
    print(f"figures written to {write_report(report, name)}")


if __name__ == "__main__":
    main()
