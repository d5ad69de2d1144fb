"""What start-up does to the database before the first request: migrate and seed."""

import logging

from api.settings import Settings
from models.database import Database, transaction
from models.migrate import upgrade_to_head
from seed.loader import catalog_is_empty, load_catalog
from seed.schema import DEFAULT_CATALOG_PATH, load_catalog_file

logger = logging.getLogger(__name__)


def prepare_database(database: Database, settings: Settings) -> None:
    """Migrate to head and load the seed catalog when the catalog is missing, as configured."""
    if settings.migrate_on_start:
        upgrade_to_head(database.engine)
    if settings.seed_on_start:
        with transaction(database.session_factory) as session:
            if catalog_is_empty(session):
                report = load_catalog(session, load_catalog_file(DEFAULT_CATALOG_PATH))
                logger.info("seed catalog loaded (%d rows)", report.changes)
