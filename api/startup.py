"""What start-up does to the database before the first request: migrate and seed."""

import logging

from api.auth.service import ensure_admin
from api.settings import Settings
from models.database import Database, transaction
from models.migrate import startup_lock, upgrade_to_head
from seed.loader import catalog_is_empty, load_catalog
from seed.schema import load_seed_catalog

logger = logging.getLogger(__name__)


def prepare_database(database: Database, settings: Settings) -> None:
    """Migrate to head, load the seed catalog when it is missing, and ensure the configured
    admin account, as the settings ask."""
    with startup_lock(database.write_engine):
        if settings.migrate_on_start:
            upgrade_to_head(database.write_engine)
        if settings.seed_on_start:
            with transaction(database.session_factory) as session:
                if catalog_is_empty(session):
                    report = load_catalog(session, load_seed_catalog())
                    logger.info("seed catalog loaded (%d rows)", report.changes)
        if settings.admin_email and settings.admin_password:
            with transaction(database.session_factory) as session:
                ensure_admin(
                    session,
                    email=settings.admin_email,
                    password=settings.admin_password.get_secret_value(),
                    display_name="Administrator",
                )
