"""Bring a database to the current schema with Alembic (the only way tables are created)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and `url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@cache
def _heads() -> frozenset[str]:
    # The migration scripts ship with the code: read once per process.
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def _at_heads(url: str) -> bool:
    """True when the database already carries every head revision (one query, not Alembic's whole env)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            current = frozenset(MigrationContext.configure(conn).get_current_heads())
    except sa.exc.SQLAlchemyError:
        return False  # no database or no version table yet: let Alembic create it (and report what is wrong)
    finally:
        engine.dispose()
    return current == _heads()


def migrate(url: str) -> None:
    """Upgrade the database at `url` to the latest revision.

    Every process start and every app built in the tests calls this; running Alembic's environment on a
    database that is already current costs ~0.1 s each time, checking its version table a few ms.
    """
    if _at_heads(url):
        return
    command.upgrade(alembic_config(url), "heads")
