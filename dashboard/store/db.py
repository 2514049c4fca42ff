"""Engines and sessions: one factory per database URL; SQLite gets WAL and a busy timeout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the relay read while intake writes; busy_timeout makes writers queue instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """The engine for a database URL (cached per process)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # hide_parameters: a failed statement is logged without its bound values (reporters' names and phones).
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "handle_error", _without_row_values)
    return engine


def _without_row_values(context: Any) -> BaseException | None:
    """PostgreSQL's DETAIL line ("Failing row contains (…)", "Key (phone)=(…)") carries row values into the
    exception text and every log line that prints it; raise the same error class with the first line only."""
    orig, wrapped = context.original_exception, context.sqlalchemy_exception
    text = str(orig)
    if wrapped is None or "\nDETAIL:" not in text:
        return None
    try:
        redacted = type(orig)(text.split("\nDETAIL:", 1)[0])
    except Exception:  # an error class that cannot be built from a message: keep the original
        return None
    return type(wrapped)(context.statement, None, redacted, hide_parameters=True)


@lru_cache(maxsize=8)
def get_sessionmaker(url: str) -> sessionmaker[Session]:
    """A session factory bound to the engine for `url`."""
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (the caller owns the transaction)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def session_scope(url: str) -> AbstractContextManager[Session]:
    """`transaction` on the database at `url`."""
    return transaction(get_sessionmaker(url))
