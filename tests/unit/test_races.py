"""first_commit_wins: the loser of a unique-key race answers with the winner's row, a real fault stays a fault."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import IntegrityError

from dashboard.services.races import first_commit_wins


class _Session:
    pass


def _factory(log: list[str]):  # noqa: ANN202
    @contextmanager
    def session() -> Iterator[_Session]:
        log.append("open")
        yield _Session()

    return session


def _collide(_s: _Session) -> str:
    raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))


def test_no_collision_answers_the_attempt_and_never_asks_for_a_winner() -> None:
    log: list[str] = []
    assert first_commit_wins(_factory(log), lambda s: "mine", lambda s: pytest.fail("no race")) == "mine"
    assert log == ["open"]


def test_a_collision_answers_the_winner_from_a_fresh_transaction() -> None:
    log: list[str] = []
    assert first_commit_wins(_factory(log), _collide, lambda s: "theirs") == "theirs"
    assert log == ["open", "open"]


def test_a_collision_no_earlier_row_explains_is_raised_again() -> None:
    with pytest.raises(IntegrityError):
        first_commit_wins(_factory([]), _collide, lambda s: None)
