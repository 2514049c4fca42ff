"""Users and bearer tokens: create, authenticate, turn into an Actor for the command layer."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.domain.actors import Actor, Role
from dashboard.domain.clock import as_utc, utcnow
from dashboard.services.errors import FieldError
from dashboard.store.models import ApiToken, Department, User

USER_ROLES = ("screen", "channel", "worker", "dispatcher", "handler", "leader", "admin")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")


def create_user(
    *,
    session: Session,
    name: str,
    role: str,
    scope: str,
    password: str | None = None,
    department_code: str | None = None,
    display_name: str = "",
) -> User:
    """Add a user; the scope is the county code (district-wide) or a street code."""
    if not _NAME.match(name or ""):
        raise FieldError("name", "2–64 letters, digits, dot, dash or underscore")
    if role not in USER_ROLES:
        raise FieldError("role", f"must be one of {', '.join(USER_ROLES)}")
    if not re.fullmatch(r"\d{6}|\d{9}", scope or ""):
        raise FieldError("scope", "must be a 6-digit county code or a 9-digit street code")
    if role == "handler" and not department_code:
        raise FieldError("department", "a handler acts for one department")
    if department_code and session.get(Department, department_code) is None:
        raise FieldError("department", f"unknown department {department_code!r}")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise FieldError("name", f"user {name!r} already exists")
    if password is not None and len(password) < 8:
        raise FieldError("password", "must be at least 8 characters")
    user = User(
        name=name,
        display_name=display_name or name,
        role=role,
        scope=scope,
        department_code=department_code,
        password_hash=generate_password_hash(password) if password else None,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, user: User, label: str = "") -> str:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    token = "gct_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label, created_at=utcnow()))
    return token


# How stale `last_used_at` may get: the admin page shows the day a token was last used, and writing the same row
# on every request of a busy channel cost an UPDATE and a row lock per request (all its devices share one token).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def resolve_token(*, session: Session, token: str) -> tuple[ApiToken, User] | None:
    """The unrevoked token row and its active user, or None; marks the token used (to the minute)."""
    # One statement for both rows: the lookup runs on every machine request.
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    if found is None:
        return None
    row, user = found
    if not user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - as_utc(row.last_used_at) >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row, user


def user_for_token(*, session: Session, token: str) -> User | None:
    """The active user holding an unrevoked token, or None."""
    found = resolve_token(session=session, token=token)
    return found[1] if found else None


def actor_for(user: User) -> Actor:
    """The command layer's view of a user."""
    return Actor(name=user.name, role=Role(user.role), scope=user.scope, department_code=user.department_code)


def authenticate(*, session: Session, name: str, password: str) -> User | None:
    """The active user `name` if `password` is theirs, else None (unknown, inactive and wrong read the same).

    An account without a password (token-only: walls, department systems) never signs in with a form.
    """
    user = session.scalar(select(User).where(User.name == name))
    if user and user.active and user.password_hash and check_password_hash(user.password_hash, password):
        return user
    return None
