"""Shared by the 12345 tests (tests/integration/test_hotline_*.py): orders as the hotline sends them, a channel
account's client, and the jurisdiction's real names to put in addresses. Not a test file itself."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from dashboard.domain.clock import local_iso, utcnow
from dashboard.store.hotline_models import HotlineCallback, HotlineOrder
from dashboard.store.models import Case, Community, Grid, Street

TZ = "Asia/Shanghai"


def new_order_id() -> str:
    return f"GD{uuid.uuid4().hex[:16].upper()}"


def order(**fields: Any) -> dict[str, Any]:
    """A 12345 work order with coordinates-less defaults; `fields` override (lat/lon, address, category …)."""
    return {
        "order_id": new_order_id(),
        "received_at": local_iso(utcnow() - timedelta(minutes=20), TZ),
        "caller": "王女士",
        "phone": "13800001234",
        "address": "通州区某路口东侧",
        "category": "占道经营",
        "content": "路口有流动摊贩占道经营，影响行人通行",
        "urgency": "一般",
        **fields,
    }


def channel_client(grid_app: Any, role: str = "channel") -> tuple[Any, str]:
    """A test client signed in by the bearer token of a fresh account (a `channel` by default), and its name."""
    from dashboard.services.accounts import create_user, issue_token

    name = f"{role}-{uuid.uuid4().hex[:8]}"
    with grid_app.runtime.session() as session:
        user = create_user(session=session, name=name, role=role, scope="110112")
        token = issue_token(session=session, user=user)
    client = grid_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client, name


def counts(grid_app: Any) -> tuple[int, int, int]:
    """(cases, hotline orders, hotline callbacks) in the database now."""
    with grid_app.runtime.session() as session:
        return (
            session.scalar(select(func.count(Case.id))) or 0,
            session.scalar(select(func.count(HotlineOrder.id))) or 0,
            session.scalar(select(func.count(HotlineCallback.id))) or 0,
        )


def area_names(grid_app: Any) -> dict[str, tuple[str, str]]:
    """One grid, community and street of the jurisdiction: level → (code, name)."""
    with grid_app.runtime.session() as session:
        grid = session.execute(select(Grid.code, Grid.name).order_by(Grid.code).offset(5).limit(1)).one()
        community = session.execute(
            select(Community.code, Community.name).order_by(Community.code).offset(3).limit(1)
        ).one()
        street = session.execute(select(Street.code, Street.name).order_by(Street.code.desc()).limit(1)).one()
    return {"grid": tuple(grid), "community": tuple(community), "street": tuple(street)}
