"""A KPI trend in one grouped query (the leader pass's sparklines): the section 7 counts per period.

The periods [starts[i], starts[i+1]) and, last, [starts[-1], end) are told apart by a CASE over `reported_at`,
so the whole trend is one scan grouped by period, not one query per point. The window semantics are those of
kpi_queries (a case belongs to a period by `reported_at`, counted with its state as of `now`), so the last
period's counts are exactly `kpi_counts` of the window [starts[-1], end): the trend ends on the figure shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, literal_column, select
from sqlalchemy.orm import Session

from dashboard.domain.clock import as_utc
from dashboard.domain.kpi import KpiCounts
from dashboard.store.kpi_queries import _aggregates, _counts, _where  # same layer: one definition of the figures
from dashboard.store.models import Case


def trend_counts(
    *, session: Session, scope: str | None, starts: list[datetime], end: datetime, now: datetime
) -> list[KpiCounts]:
    """KpiCounts of each period (see the module docstring), oldest first; a period without cases has zeros."""
    if not starts:
        return []
    # Newest bound first: the first WHEN a case's report time passes names its period.
    period = case(
        *[(Case.reported_at >= as_utc(start), index) for index, start in reversed(list(enumerate(starts)))],
        else_=-1,
    ).label("period")
    query = (
        select(period, *_aggregates(now, p90=False))
        .where(*_where(scope, starts[0], end))
        # By the output column's name: the CASE repeated in GROUP BY would carry its bound parameters twice,
        # which PostgreSQL does not recognise as the same expression.
        .group_by(literal_column("period"))
    )
    found: dict[int, KpiCounts] = {}
    for row in session.execute(query):
        values = dict(row._mapping)
        index = int(values.pop("period"))
        found[index] = _counts(_Row(values))
    return [found.get(i, KpiCounts()) for i in range(len(starts))]


class _Row:
    """A mapping in the shape `_counts` reads (`row._mapping`)."""

    def __init__(self, values: dict[str, object]) -> None:
        self._mapping = values
