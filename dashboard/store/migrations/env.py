"""Alembic environment: the URL comes from the caller (dashboard.store.schema.migrate), not an ini file."""

from __future__ import annotations

from alembic import context

from dashboard.store.db import get_engine
from dashboard.store.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "migrate() sets sqlalchemy.url"

connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with get_engine(url).connect() as conn:
        if conn.dialect.name == "sqlite":
            # Batch migrations rebuild tables; with foreign keys on, dropping a referenced table fails.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")  # this connection goes back to the shared pool
