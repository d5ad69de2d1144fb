"""The `skillpath` command line: serve, migrate, seed, create-admin, catalog export/import and
a demo team.

Each command imports what it uses when it runs: `skillpath serve` leaves the service's modules
to the serving process, which imports them with the garbage collector paused
(api/served_app.py)."""

import argparse
import gc
import getpass
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from seed.paths import DEFAULT_CATALOG_PATH, DEFAULT_QUESTIONS_PATH

if TYPE_CHECKING:
    from models.database import Database


@contextmanager
def _database() -> Iterator["Database"]:
    """The configured database, disposed of when the command is done."""
    from api.settings import get_settings
    from models.database import Database

    database = Database.from_url(get_settings().database_url)
    try:
        yield database
    finally:
        database.dispose()


def _migrate_database(database: "Database") -> None:
    """Migrate to head, waiting for any other process that is migrating."""
    from models.migrate import startup_lock, upgrade_to_head

    with startup_lock(database.write_engine):
        upgrade_to_head(database.write_engine)


WORKER_HEALTHCHECK_SECONDS = 60
# The exit status of a command ended by SIGINT (Ctrl-C), as shells report it: 128 + 2.
INTERRUPTED = 128 + signal.SIGINT
# prometheus_client reads it when first imported: set here, before any worker imports the app.
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def _metrics_directory() -> Iterator[None]:
    """PROMETHEUS_MULTIPROC_DIR for the workers about to start, so that /metrics adds up all
    of them (api/observability/metrics.py): a fresh directory removed afterwards, or the one
    the environment names, emptied of an earlier run's counters first."""
    configured = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if configured:
        Path(configured).mkdir(parents=True, exist_ok=True)
        for stale in Path(configured).glob("*.db"):
            stale.unlink()
        yield
        return
    with tempfile.TemporaryDirectory(prefix="skillpath-metrics-") as directory:
        os.environ[MULTIPROCESS_DIR_VARIABLE] = directory
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR_VARIABLE]


def _serve(args: argparse.Namespace) -> int:
    if args.workers <= 1:
        # This process serves: its start-up runs with the collector paused, as a worker's
        # does (api/served_app.py).
        gc.disable()
    import uvicorn

    from api import serving
    from api.http_protocol import PROTOCOL
    from api.settings import get_settings

    with _metrics_directory():
        config = uvicorn.Config(
            "api.served_app:create_served_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            # The asyncio loop, not uvloop: with uvloop, under load, requests with a body wait
            # several times longer at the 99th percentile for the same throughput
            # (docs/performance.md, `make bench-loops`).
            loop="asyncio",
            http=PROTOCOL,
            log_level=get_settings().log_level,
            # The app renders every log line as JSON itself (api/observability/logging.py).
            log_config=None,
            # With --workers, uvicorn kills a worker that does not answer its health ping within
            # this many seconds. A worker answers from a thread it starts once its process is up
            # (this module imported as the spawned process's __main__): on a busy machine that
            # took longer than uvicorn's default 5 s, and workers were killed and restarted
            # forever.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
        try:
            serving.run(config)
        except KeyboardInterrupt:
            # Ctrl-C: uvicorn has shut down gracefully, then raises the interrupt again so that
            # the process ends as interrupted. It does, without a traceback.
            return INTERRUPTED
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    with _database() as database:
        _migrate_database(database)
    print("database migrated to head")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from models.database import transaction
    from seed.loader import load_catalog
    from seed.schema import CatalogFileError, load_catalog_file

    questions: Path | None = args.questions
    if questions is None and args.file == DEFAULT_CATALOG_PATH:
        # The shipped catalog comes with the shipped question bank; an export carries its own.
        questions = DEFAULT_QUESTIONS_PATH
    try:
        catalog = load_catalog_file(args.file, questions=questions)
    except CatalogFileError as exc:
        print(f"seed file refused: {exc}", file=sys.stderr)
        return 2
    try:
        with _database() as database:
            _migrate_database(database)
            with transaction(database.session_factory) as session:
                report = load_catalog(session, catalog)
    except CatalogFileError as exc:
        print(f"seed file refused: {exc}", file=sys.stderr)
        return 2
    print(f"catalog loaded: {report.changes} changes, catalog version {report.catalog_version}")
    return 0


def _export_catalog(args: argparse.Namespace) -> int:
    from seed.exporter import dump_catalog, export_catalog
    from seed.schema import CatalogFileError

    try:
        with _database() as database, database.read_session_factory() as session:
            text = dump_catalog(export_catalog(session))
    except CatalogFileError as exc:
        print(f"catalog cannot be exported: {exc}", file=sys.stderr)
        return 2
    # Written only once the export succeeded, so a refusal never truncates an existing file.
    if args.file is None:
        sys.stdout.write(text)
    else:
        args.file.write_text(text, encoding="utf-8")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from api.auth.schemas import RegisterRequest
    from api.auth.service import ensure_admin
    from models.database import transaction

    password = os.environ.get("SKILLPATH_ADMIN_PASSWORD") or getpass.getpass("Admin password: ")
    try:
        account = RegisterRequest(
            email=args.email, password=password, display_name=args.display_name
        )
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        print(f"admin refused: {problems}", file=sys.stderr)
        return 2
    with _database() as database:
        _migrate_database(database)
        with transaction(database.session_factory) as session:
            ensure_admin(
                session,
                email=account.email,
                password=account.password,
                display_name=account.display_name,
            )
    print(f"admin account ready: {account.email}")
    return 0


_QUESTIONS_HELP = (
    "a question bank file (`questions: {topic slug: [...]}`) to load with the catalog; "
    f"the default catalog comes with {DEFAULT_QUESTIONS_PATH.name}"
)


def _demo_team(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from api.auth.schemas import RegisterRequest
    from api.errors import ApiError
    from api.teams.demo import create_demo_team
    from models.database import transaction

    password = os.environ.get("SKILLPATH_DEMO_PASSWORD") or getpass.getpass("Manager password: ")
    try:
        manager = RegisterRequest(
            email=args.manager_email, password=password, display_name="Demo manager"
        )
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        print(f"demo team refused: {problems}", file=sys.stderr)
        return 2
    try:
        with _database() as database:
            _migrate_database(database)
            with transaction(database.session_factory) as session:
                demo = create_demo_team(
                    session,
                    goal=args.goal,
                    manager_email=manager.email,
                    manager_password=manager.password,
                )
    except ApiError as exc:
        print(f"demo team refused: {exc.detail}", file=sys.stderr)
        return 2
    state = "created" if demo.created else "already there"
    print(f"demo team {demo.team_id} {state}, managed by {demo.manager_email}; try")
    print(f"  GET /api/v1/teams/{demo.team_id}/matrix?goal={demo.goal}  (Accept: text/csv too)")
    print(f"  GET /api/v1/teams/{demo.team_id}/coverage?goal={demo.goal}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="skillpath", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API (migrates and seeds on start)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="migrate the database to the newest revision")
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser("seed", help="load or update the catalog from a seed file")
    seed.add_argument("--file", default=DEFAULT_CATALOG_PATH, type=Path)
    seed.add_argument("--questions", type=Path, help=_QUESTIONS_HELP)
    seed.set_defaults(handler=_seed)
    export = commands.add_parser("export-catalog", help="write the catalog out as a seed file")
    export.add_argument("--file", type=Path, help="where to write it (default: stdout)")
    export.set_defaults(handler=_export_catalog)
    # Importing is seeding from a file of your choice: `load_catalog` updates by slug, so an
    # export loaded into an empty database recreates the catalog it came from.
    import_ = commands.add_parser("import-catalog", help="load a seed file, e.g. an export")
    import_.add_argument("--file", required=True, type=Path)
    import_.add_argument("--questions", type=Path, help=_QUESTIONS_HELP)
    import_.set_defaults(handler=_seed)
    admin = commands.add_parser(
        "create-admin",
        help="create an admin account, or make an account an admin "
        "(password from SKILLPATH_ADMIN_PASSWORD or a prompt)",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--display-name", default="Administrator")
    admin.set_defaults(handler=_create_admin)
    demo = commands.add_parser(
        "demo-team",
        help="create a demo team whose members have varied progress on a seeded goal "
        "(the manager's password from SKILLPATH_DEMO_PASSWORD or a prompt)",
    )
    demo.add_argument("--goal", default="job-interview")
    demo.add_argument("--manager-email", default="demo-manager@demo.skillpath.example")
    demo.set_defaults(handler=_demo_team)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command the arguments name."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
