"""Administration: accounts, passwords, tokens, and the audit log's query and CSV export.

Every function takes the caller's session and never commits (the caller frames the transaction), and every
change writes its audit row in that same transaction: an admin action and its trace commit or vanish together.
Passwords and plain tokens never reach an audit row or a log line.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from dashboard.services import validate
from dashboard.services.accounts import USER_ROLES, create_user, issue_token
from dashboard.services.audit import SYSTEM_ACTION_PREFIX, SYSTEM_ACTOR_PREFIXES, record
from dashboard.services.clock import local_iso, parse_instant, utcnow
from dashboard.services.errors import FieldError, NotFound
from dashboard.store.models import ApiToken, AuditEntry, Department, District, Street, User

MIN_PASSWORD = 8
MAX_PASSWORD = 256
# Text limits of the admin forms, the columns' sizes (store/models.py); the page sets the same maxLength.
MAX_NAME = 64  # users.name
MAX_DISPLAY_NAME = 64  # users.display_name
MAX_LABEL = 64  # api_tokens.label
MAX_SCOPE = 15  # users.scope
MAX_DEPARTMENT = 16  # departments.code
MAX_FILTER = 64  # audit filters: actor, action, target are 64-character columns
MAX_PAGE_SIZE = 500
MAX_EXPORT_ROWS = 200_000  # a year of a busy center's security events; beyond that, narrow the filter
UTF8_BOM = "\ufeff"  # Excel opens a CSV as GBK unless it starts with a BOM: Chinese names would turn to mojibake
# A cell starting with one of these is a formula to Excel; login names are typed by anyone (failed logins are
# audited), so an attacker could plant `=HYPERLINK(...)` in the admin's spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Who:
    """The admin acting and where from, for the audit row."""

    name: str
    ip: str = ""


@dataclass(frozen=True)
class Option:
    """A choice for a picker: a code and its display name."""

    code: str
    name: str


@dataclass(frozen=True)
class TokenRow:
    """An API or display token as the admin sees it (never the token itself)."""

    id: int
    label: str
    created_at: str | None
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


@dataclass(frozen=True)
class UserRow:
    """One account for the users table."""

    id: int
    name: str
    display_name: str
    role: str
    scope: str
    scope_name: str
    department_code: str | None
    department_name: str | None
    active: bool
    has_password: bool
    created_at: str | None
    tokens: tuple[TokenRow, ...] = ()

    @property
    def active_tokens(self) -> int:
        """How many of the user's tokens still open doors."""
        return sum(1 for t in self.tokens if t.active)

    def as_json(self) -> dict[str, Any]:
        """The API's representation."""
        return {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "role": self.role,
            "scope": self.scope,
            "scope_name": self.scope_name,
            "department": self.department_code,
            "department_name": self.department_name,
            "active": self.active,
            "has_password": self.has_password,
            "created_at": self.created_at,
            "active_tokens": self.active_tokens,
            "tokens": [
                {
                    "id": t.id,
                    "label": t.label,
                    "created_at": t.created_at,
                    "last_used_at": t.last_used_at,
                    "revoked_at": t.revoked_at,
                }
                for t in self.tokens
            ],
        }


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: the plain value exists only here, shown to the admin once."""

    id: int
    user_name: str
    role: str
    token: str = field(repr=False)

    @property
    def kiosk_path(self) -> str | None:
        """For a display (screen) account: the address a wall opens once to sign in."""
        return f"/screen/?token={self.token}" if self.role == "screen" else None


@dataclass(frozen=True)
class AuditFilter:
    """Audit query: instants are aware UTC, `end` exclusive; text filters are optional."""

    start: datetime | None = None
    end: datetime | None = None
    actor: str = ""  # exact user name (failed logins carry whatever name was typed)
    action: str = ""  # prefix: "login" matches login, login_failed, login_locked; "case:" every case command
    target: str = ""  # substring: a case code, "token:12", "user:zhang"
    # False: leave out case commands of the overdue rule and the simulator (audit.is_system_row). The API keeps
    # every row unless `system=0`; the admin page sends `system=0` until its checkbox asks for them.
    include_system: bool = True

    def as_query(self, tz: str) -> dict[str, str]:
        """URL query arguments that reproduce this filter (for the CSV link)."""
        args = {
            "from": local_iso(self.start, tz) or "",
            "to": local_iso(self.end, tz) or "",
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "system": "" if self.include_system else "0",
        }
        return {k: v for k, v in args.items() if v}


@dataclass(frozen=True)
class AuditRow:
    """One audit entry in the center's local time."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    ip: str
    detail: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The API's representation."""
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "ip": self.ip,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AuditPage:
    """A page of audit rows, newest first, and how many match in all."""

    rows: tuple[AuditRow, ...]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1, so 'page 1 of 1' reads right on an empty result)."""
        return max(1, -(-self.total // self.size))


# ---- pickers ------------------------------------------------------------------------------------------------


def scope_options(*, session: Session, county_code: str) -> list[Option]:
    """The district first (district-wide accounts), then its streets by code."""
    district = session.get(District, county_code)
    options = [Option(county_code, district.name if district else county_code)]
    streets = session.scalars(select(Street).where(Street.district_code == county_code).order_by(Street.code))
    options += [Option(s.code, s.name) for s in streets]
    return options


def department_options(*, session: Session) -> list[Option]:
    """Departments a handler can act for."""
    return [Option(d.code, d.name) for d in session.scalars(select(Department).order_by(Department.code))]


# ---- accounts -----------------------------------------------------------------------------------------------


def list_users(*, session: Session, tz: str) -> list[UserRow]:
    """Every account with its tokens, admins first, then by role and name."""
    users = session.scalars(select(User)).all()
    names = _scope_names(session)
    departments = {d.code: d.name for d in session.scalars(select(Department))}
    tokens: dict[int, list[TokenRow]] = {}
    for t in session.scalars(select(ApiToken).order_by(ApiToken.id)):
        tokens.setdefault(t.user_id, []).append(_token_row(t, tz))
    order = {role: i for i, role in enumerate(reversed(USER_ROLES))}  # admin, leader, handler, dispatcher, screen
    users = sorted(users, key=lambda u: (not u.active, order.get(u.role, 99), u.name))
    return [_user_row(u, names, departments, tokens.get(u.id, []), tz) for u in users]


def get_user(*, session: Session, user_id: int, tz: str) -> UserRow:
    """One account with its tokens, or NotFound."""
    user = _user(session, user_id)
    departments = {d.code: d.name for d in session.scalars(select(Department))}
    tokens = [
        _token_row(t, tz)
        for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    ]
    return _user_row(user, _scope_names(session), departments, tokens, tz)


def create_account(
    *,
    session: Session,
    by: Who,
    county_code: str,
    name: str,
    role: str,
    scope: str,
    password: str | None = None,
    department_code: str | None = None,
    display_name: str = "",
) -> User:
    """Add an account after checking the scope and department exist; audited as admin:create_user."""
    # The API and the admin page both land here: every field is checked once, whatever sent it.
    name = (validate.text(name, "name", max_len=MAX_NAME, multiline=False) or "").strip()
    validate.text(role, "role", max_len=16, multiline=False)
    scope = (validate.text(scope, "scope", max_len=MAX_SCOPE, multiline=False) or "").strip()
    if isinstance(department_code, str):
        department_code = department_code.strip()
    department_code = validate.code(department_code, "department", max_len=MAX_DEPARTMENT, required=False)
    password = validate.text(password, "password", max_len=MAX_PASSWORD)
    display_name = validate.text(display_name, "display_name", max_len=MAX_DISPLAY_NAME, multiline=False) or ""
    if role in USER_ROLES and role != "handler" and department_code:
        raise FieldError("department", "only handlers act for a department")
    if scope != county_code and (len(scope) != 9 or session.get(Street, scope) is None):
        # create_user checks the shape; here the scope must be this district or one of its streets.
        raise FieldError("scope", f"must be the district {county_code} or one of its street codes")
    user = create_user(
        session=session,
        name=name,
        role=role,
        scope=scope,
        password=password,
        department_code=department_code,
        display_name=(display_name or "").strip(),
    )
    record(
        session=session,
        actor=by.name,
        action="admin:create_user",
        target=f"user:{user.name}",
        ip=by.ip,
        detail={"role": role, "scope": scope, "department": department_code, "password_set": password is not None},
    )
    return user


def reset_password(*, session: Session, by: Who, user_id: int, password: str) -> User:
    """Set a new password; audited as admin:reset_password (the password itself is never recorded)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise FieldError("password", f"must be at least {MIN_PASSWORD} characters")
    validate.text(password, "password", max_len=MAX_PASSWORD)
    user = _user(session, user_id)
    user.password_hash = generate_password_hash(password)
    record(session=session, actor=by.name, action="admin:reset_password", target=f"user:{user.name}", ip=by.ip)
    return user


def set_active(*, session: Session, by: Who, user_id: int, active: bool) -> User:
    """Activate or deactivate an account (its sessions and tokens stop working at once); audited."""
    user = _user(session, user_id)
    if not active and user.name == by.name:
        raise FieldError("active", "an admin cannot deactivate their own account")
    if not active and user.role == "admin" and user.active and _active_admins(session) <= 1:
        raise FieldError("active", "the last active admin cannot be deactivated")
    if user.active != active:
        user.active = active
        record(
            session=session,
            actor=by.name,
            action="admin:activate" if active else "admin:deactivate",
            target=f"user:{user.name}",
            ip=by.ip,
        )
    return user


def issue_user_token(*, session: Session, by: Who, user_id: int, label: str = "") -> IssuedToken:
    """A new bearer (or display) token for an account; the plain token is returned once and never stored."""
    label = (validate.text(label, "label", max_len=MAX_LABEL, multiline=False) or "").strip()
    user = _user(session, user_id)
    if not user.active:
        raise FieldError("user", f"account {user.name} is deactivated; activate it first")
    token = issue_token(session=session, user=user, label=label)
    # issue_token adds the row without returning it; take it from this session's pending objects (a query could
    # pick up another admin's token committed meanwhile).
    row = next(o for o in session.new if isinstance(o, ApiToken) and o.user_id == user.id and o.id is None)
    session.flush()
    record(
        session=session,
        actor=by.name,
        action="admin:issue_token",
        target=f"token:{row.id}",
        ip=by.ip,
        detail={"user": user.name, "label": label},
    )
    return IssuedToken(id=row.id, user_name=user.name, role=user.role, token=token)


def revoke_token(*, session: Session, by: Who, token_id: int) -> ApiToken:
    """Revoke a token (a kiosk signed in with it is signed out at its next request); audited."""
    row = session.get(ApiToken, token_id) if _is_id(token_id) else None
    if row is None:
        raise NotFound(f"token {token_id} not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        owner = session.get(User, row.user_id)
        record(
            session=session,
            actor=by.name,
            action="admin:revoke_token",
            target=f"token:{row.id}",
            ip=by.ip,
            detail={"user": owner.name if owner else None, "label": row.label},
        )
    return row


# ---- audit log ----------------------------------------------------------------------------------------------


def audit_filter(args: dict[str, str | None], tz: str) -> AuditFilter:
    """An AuditFilter from query arguments (`from`, `to`, `actor`, `action`, `target`, `system`); FieldError names
    the bad one. `system` is 1 (the default: every row) or 0 (without the overdue rule's and simulator's rows).
    """
    start = parse_instant(args.get("from"), tz, end_of_day=False, name="from")
    end = parse_instant(args.get("to"), tz, end_of_day=True, name="to")
    if start and end and start >= end:
        raise FieldError("to", "must be later than from")
    texts = {}
    for key in ("actor", "action", "target"):
        value = (validate.text(args.get(key), key, max_len=MAX_FILTER) or "").strip()
        if len(value) > MAX_FILTER or not value.isprintable():
            raise FieldError(key, f"at most {MAX_FILTER} printable characters")
        texts[key] = value
    system = args.get("system")
    if system not in (None, "", "0", "1", "false", "true"):
        raise FieldError("system", "must be 0 or 1")
    return AuditFilter(start=start, end=end, include_system=system not in ("0", "false"), **texts)


def _audit_query(flt: AuditFilter) -> Select[tuple[AuditEntry]]:
    query = select(AuditEntry)
    if flt.start is not None:
        query = query.where(AuditEntry.at >= flt.start)
    if flt.end is not None:
        query = query.where(AuditEntry.at < flt.end)
    if flt.actor:
        query = query.where(AuditEntry.actor == flt.actor)
    if flt.action:
        query = query.where(AuditEntry.action.startswith(flt.action, autoescape=True))
    if flt.target:
        query = query.where(AuditEntry.target.contains(flt.target, autoescape=True))
    if not flt.include_system:
        machine = or_(*(AuditEntry.actor.startswith(p, autoescape=True) for p in SYSTEM_ACTOR_PREFIXES))
        query = query.where(not_(and_(AuditEntry.action.startswith(SYSTEM_ACTION_PREFIX), machine)))
    return query


def query_audit(*, session: Session, flt: AuditFilter, tz: str, page: int = 1, size: int = 50) -> AuditPage:
    """One page of matching audit rows, newest first."""
    validate.integer(size, "size", low=1, high=MAX_PAGE_SIZE)
    validate.integer(page, "page", low=1, high=validate.INT64_MAX // MAX_PAGE_SIZE)  # the offset fits 64 bits
    query = _audit_query(flt)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * size).limit(size))
    return AuditPage(rows=tuple(_audit_row(e, tz) for e in rows), total=total, page=page, size=size)


def iter_audit(*, session: Session, flt: AuditFilter, tz: str, limit: int = MAX_EXPORT_ROWS) -> Iterator[AuditRow]:
    """Every matching row, newest first, fetched in batches (an export can be large)."""
    query = _audit_query(flt).order_by(AuditEntry.id.desc()).limit(limit)
    for entry in session.scalars(query.execution_options(yield_per=1000)):
        yield _audit_row(entry, tz)


def record_export(*, session: Session, by: Who, flt: AuditFilter, tz: str) -> None:
    """Reading the whole log out is itself a security event: audited as admin:audit_export with its filter."""
    record(session=session, actor=by.name, action="admin:audit_export", ip=by.ip, detail=flt.as_query(tz))


def csv_cell(value: Any) -> str:
    """A value as a CSV cell that Excel shows as text, never evaluates."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict | list) else str(value)
    # NFKC folds the full-width forms (＝ ＋ － ＠) that WPS and Excel with an IME also read as formula starts, and
    # leading blanks are skipped because spreadsheets skip them before deciding.
    folded = unicodedata.normalize("NFKC", text).lstrip(" \u3000\n")
    return "'" + text if text.startswith(_FORMULA_START) or folded.startswith(_FORMULA_START) else text


def audit_csv_lines(rows: Iterable[AuditRow], header: tuple[str, ...]) -> Iterator[str]:
    """The CSV document, line by line: UTF-8 BOM first so Excel reads Chinese correctly, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(v) for v in values])
        return buffer.getvalue()

    yield UTF8_BOM + line(header)
    for r in rows:
        yield line((r.id, r.at, r.actor, r.action, r.target, r.ip, r.detail or ""))


# ---- helpers ------------------------------------------------------------------------------------------------


def _is_id(value: object) -> bool:
    try:
        validate.ident(value, "id")
    except FieldError:
        return False
    return True


def _user(session: Session, user_id: int) -> User:
    # Anything that is not an id (a page's store can hold any JSON) names no account: the same NotFound.
    user = session.get(User, user_id) if _is_id(user_id) else None
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def _active_admins(session: Session) -> int:
    return session.scalar(select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))) or 0


def _scope_names(session: Session) -> dict[str, str]:
    names = {d.code: d.name for d in session.scalars(select(District))}
    names.update({s.code: s.name for s in session.scalars(select(Street))})
    return names


def _token_row(t: ApiToken, tz: str) -> TokenRow:
    return TokenRow(
        id=t.id,
        label=t.label,
        created_at=local_iso(t.created_at, tz),
        last_used_at=local_iso(t.last_used_at, tz),
        revoked_at=local_iso(t.revoked_at, tz),
    )


def _user_row(u: User, names: dict[str, str], departments: dict[str, str], tokens: list[TokenRow], tz: str) -> UserRow:
    return UserRow(
        id=u.id,
        name=u.name,
        display_name=u.display_name or u.name,
        role=u.role,
        scope=u.scope,
        scope_name=names.get(u.scope, u.scope),
        department_code=u.department_code,
        department_name=departments.get(u.department_code or ""),
        active=u.active,
        has_password=u.password_hash is not None,
        created_at=local_iso(u.created_at, tz),
        tokens=tuple(tokens),
    )


def _audit_row(e: AuditEntry, tz: str) -> AuditRow:
    return AuditRow(
        id=e.id,
        at=local_iso(e.at, tz) or "",
        actor=e.actor,
        action=e.action,
        target=e.target,
        ip=e.ip,
        detail=e.detail or {},
    )
