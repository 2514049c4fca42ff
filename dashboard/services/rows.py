"""Wire rows: the compact JSON a case becomes on the live protocol and in the API.

The row itself is a pure projection (dashboard/domain/rows.py); what needs the database is the category's
display name, looked up here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dashboard.domain.rows import case_row
from dashboard.store.models import Case, CatalogItem

__all__ = ["case_row", "case_row_in"]


def case_row_in(case: Case, *, session: Session, tz: str) -> dict[str, Any]:
    """`case_row` with the category's display name looked up in the session (cached by the identity map)."""
    item = session.get(CatalogItem, case.category_code) if case.category_code else None
    return case_row(case, tz=tz, category_name=item.minor_name if item else None)
