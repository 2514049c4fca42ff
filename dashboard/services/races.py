"""One answer for two senders of the same request: the first commit wins, the loser answers with its row.

Every intake channel is idempotent by a key of its own (an `Idempotency-Key`, a 12345 `order_id`, an Open311
api_key + key). Two retries of one request can both find no earlier row and both insert; the unique index stops
the second at commit. The loser must then answer exactly what the winner stored, never a 500 and never a second
case: that is this module's one function, shared by the REST intake, Open311 and the hotline.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def first_commit_wins(
    session: Callable[[], AbstractContextManager[Session]],
    attempt: Callable[[Session], T],
    winner: Callable[[Session], T | None],
) -> T:
    """`attempt` in its own transaction; on a unique-key collision, `winner` in a fresh one.

    `winner` returns None when no earlier row explains the collision (no key was given, or another unique index
    fired): the original IntegrityError is raised again, because then it is a real fault, not a race.
    """
    try:
        with session() as s:
            return attempt(s)
    except IntegrityError:
        with session() as s:
            found = winner(s)
        if found is None:
            raise
        return found
