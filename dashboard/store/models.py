"""SQLAlchemy 2.0 models: jurisdiction, staff, departments, catalog, holidays, cases, audit and outbox.

Geometry is stored as GeoJSON text so the same schema runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so autoincrement works) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC on every backend.

    SQLite keeps only the wall-clock digits of an aware value, so a +08:00 deadline would read back eight hours
    off; converting on the way in and tagging UTC on the way out makes SQLite and PostgreSQL agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


class Meta(Base):
    """Key/value facts about the installed jurisdiction (build arguments, attribution)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class District(Base):
    """The county-level jurisdiction 区 run by the command center."""

    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON geometry, WGS-84
    area_m2: Mapped[float] = mapped_column(Float)


class Street(Base):
    """Street or town 街道/镇: 9-digit code (county + 3)."""

    __tablename__ = "streets"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))  # street | town
    geometry: Mapped[str] = mapped_column(Text)
    area_m2: Mapped[float] = mapped_column(Float)
    center_lat: Mapped[float] = mapped_column(Float)
    center_lon: Mapped[float] = mapped_column(Float)


class Community(Base):
    """Community 社区 (urban) or village 村 (rural): 12-digit code."""

    __tablename__ = "communities"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("streets.code"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))  # urban | rural
    geometry: Mapped[str] = mapped_column(Text)
    area_m2: Mapped[float] = mapped_column(Float)


class Grid(Base):
    """Unit grid 网格: 15-digit code, polygon, population and households."""

    __tablename__ = "grids"
    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("communities.code"), index=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("streets.code"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # basic | dedicated
    geometry: Mapped[str] = mapped_column(Text)
    area_m2: Mapped[float] = mapped_column(Float)
    population: Mapped[int] = mapped_column(Integer)
    households: Mapped[int] = mapped_column(Integer)
    center_lat: Mapped[float] = mapped_column(Float)
    center_lon: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)


class Staff(Base):
    """A member of a grid's "3+X" team, or a center patrol inspector (grid_code empty)."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(32))
    # grid_leader | full_time | liaison | part_time | volunteer | inspector
    role: Mapped[str] = mapped_column(String(16), index=True)
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"), index=True, nullable=True)
    street_code: Mapped[str | None] = mapped_column(String(9), nullable=True)
    phone: Mapped[str] = mapped_column(String(20))


class Department(Base):
    """A department or unit that handles dispatched cases."""

    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(8))  # district | street


class CatalogItem(Base):
    """One filing condition of the case catalog: major → minor → condition, with level and time limit."""

    __tablename__ = "catalog"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # condition code
    major_code: Mapped[str] = mapped_column(String(8), index=True)
    major_name: Mapped[str] = mapped_column(String(32))
    minor_code: Mapped[str] = mapped_column(String(12), index=True)
    minor_name: Mapped[str] = mapped_column(String(64))
    condition: Mapped[str] = mapped_column(Text)  # 立案条件
    closing_standard: Mapped[str] = mapped_column(Text, default="")  # 结案条件
    level: Mapped[str] = mapped_column(String(1))  # A | B | C
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    time_limit: Mapped[str] = mapped_column(String(32))  # as written in the catalog, e.g. 4工作时
    limit_kind: Mapped[str] = mapped_column(String(16))  # urgent_hours | work_hours | work_days | natural_days
    limit_amount: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(8), default="")  # 部件 | 事件 | "" (the sheet or table did not say)
    supervisor: Mapped[str] = mapped_column(Text, default="")  # 监管主体 as written
    co_handlers: Mapped[str] = mapped_column(Text, default="")  # 责任主体 after the handling one, 、-joined


class HolidayYear(Base):
    """A year whose official schedule an admin entered from the State Council's notice (overrides the package)."""

    __tablename__ = "holiday_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entered_at: Mapped[datetime]
    entered_by: Mapped[str] = mapped_column(String(64))
    notice: Mapped[str] = mapped_column(Text)  # the notice as pasted, so what was read can be checked later


class HolidayDay(Base):
    """One day of an entered schedule: a holiday (放假) or a make-up workday (调休上班)."""

    __tablename__ = "holiday_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("holiday_years.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # holiday | workday
    name: Mapped[str] = mapped_column(String(32))  # the festival, e.g. 春节


class Case(Base):
    """A reported event and its path round the closed loop (state machine of DESIGN.md section 5)."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    tier: Mapped[str] = mapped_column(String(8), default="street")
    source: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    # NULL only while a report waits for the dispatcher to locate it (state reported, tier district; 0010): an
    # address the jurisdiction's names do not place (services/placing.py). The `locate` command fills all five.
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"), index=True, nullable=True)
    community_code: Mapped[str | None] = mapped_column(String(12), index=True, nullable=True)
    street_code: Mapped[str | None] = mapped_column(String(9), index=True, nullable=True)
    category_code: Mapped[str | None] = mapped_column(ForeignKey("catalog.code"), nullable=True)
    level: Mapped[str | None] = mapped_column(String(1), nullable=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    patrol_id: Mapped[str | None] = mapped_column(String(24), nullable=True)
    reporter: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)
    occurred_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reported_at: Mapped[datetime] = mapped_column(index=True)
    filed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime]
    deadline: Mapped[datetime | None] = mapped_column(nullable=True, index=True)  # current stage's deadline
    dispatch_deadline: Mapped[datetime | None] = mapped_column(nullable=True)
    handling_deadline: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    verify_deadline: Mapped[datetime | None] = mapped_column(nullable=True)
    # The running stage clock: {"stage", "start", "limit", "pauses": [[start, end|null]…], "extensions": […]}.
    clock: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    suspended_from: Mapped[str | None] = mapped_column(String(16), nullable=True)
    overdue_stage: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    visited_at: Mapped[datetime | None] = mapped_column(nullable=True)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    handling_work_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    supervision_count: Mapped[int] = mapped_column(Integer, default=0)
    instruction_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 批示 (0007)
    # The open supervision's reply deadline and the handling department's acknowledgement (督办回复, 0008).
    supervision_reply_by: Mapped[datetime | None] = mapped_column(nullable=True)
    supervision_acked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    supervision_acked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction: Mapped[str | None] = mapped_column(String(24), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)

    __table_args__ = (
        Index("ix_cases_street_state", "street_code", "state"),
        Index("ix_cases_filed_at", "filed_at"),
        Index("ix_cases_closed_at", "closed_at"),
        Index("ix_cases_department_reported", "department_code", "reported_at"),  # KPIs by department
        Index("ix_cases_merged_into", "merged_into"),  # a survivor's merged cases, asked when it closes (12345)
    )


class CaseEvent(Base):
    """Immutable audit row: who did what to a case, when, from which state to which."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    command: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Outbox(Base):
    """A committed change waiting to be published to Redis (transactional outbox)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    topic: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    stream_id: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (Index("ix_outbox_unsent", "sent_at", "id"),)


class User(Base):
    """A person or display that signs in: role and scope decide what it may see and do."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))  # services.accounts.USER_ROLES
    scope: Mapped[str] = mapped_column(String(15))  # county code or 9-digit street code
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for machine clients and kiosk displays; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AuditEntry(Base):
    """Append-only security audit: logins, failures, token use, admin actions and every case command."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)  # login, login_failed, token_used, case:dispatch …
    target: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
