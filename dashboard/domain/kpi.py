"""KPI figures of DESIGN.md section 7 from raw case counts (pure).

The store counts cases in SQL (`dashboard.store.kpi_queries`); this module only divides. A figure whose
denominator is zero is None ("no data"), never 0 and never an error, so a quiet grid does not look like a
failing one. Rates are fractions in 0..1; times are working hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from dashboard.domain.codes import COMMUNITY_CODE_LEN, COUNTY_DIGITS, GRID_CODE_LEN, STREET_CODE_LEN

# Code length of each area level; anything else names a department.
AREA_LEVELS: dict[int, str] = {
    COUNTY_DIGITS: "district",
    STREET_CODE_LEN: "street",
    COMMUNITY_CODE_LEN: "community",
    GRID_CODE_LEN: "grid",
}


@dataclass(frozen=True)
class KpiCounts:
    """Raw counts over the cases reported in one scope and time window."""

    reported: int = 0  # every case reported in the window, whatever its state
    self_handled: int = 0  # state self_handled
    discovered: int = 0  # source grid_worker (found by grid staff on patrol)
    filed: int = 0  # filed_at set
    due: int = 0  # filed and (closed, or handling deadline passed at `now`)
    closed: int = 0  # state closed
    closed_on_time: int = 0  # closed with closed_at ≤ handling_deadline
    closed_first_time: int = 0  # closed with rework_count = 0
    reworked: int = 0  # closed with rework_count > 0
    dispatched: int = 0  # dispatched_at set
    handled: int = 0  # handled_at set (handled or closed)
    handled_on_time: int = 0  # handled_at ≤ handling_deadline
    returned: int = 0  # return_count > 0
    visit_backs: int = 0  # satisfaction recorded
    satisfied: int = 0  # satisfied or basically_satisfied
    hours_count: int = 0  # cases with handling_work_hours
    hours_sum: float = 0.0  # sum of handling_work_hours
    hours_p90: float | None = None  # 90th percentile (continuous, interpolated) of handling_work_hours


class Label(NamedTuple):
    """A figure's name for people."""

    zh: str
    en: str


LABELS: dict[str, Label] = {
    "filed": Label("立案数", "Cases filed"),
    "closed": Label("结案数", "Cases closed"),
    "due": Label("应结案数", "Cases due"),
    "close_rate": Label("结案率", "Close rate"),
    "on_time_close_rate": Label("按时结案率", "On-time close rate"),
    "handle_rate": Label("处置率", "Handling rate"),
    "on_time_handle_rate": Label("按期处置率", "On-time handling rate"),
    "first_time_rate": Label("一次完成率", "First-time completion rate"),
    "rework_rate": Label("返工率", "Rework rate"),
    "return_rate": Label("回退率", "Return rate"),
    "self_handled_rate": Label("自处置率", "Self-handled rate"),
    "discovery_rate": Label("及时发现率", "Discovery rate (found by grid staff)"),
    "satisfaction_rate": Label("满意率", "Satisfaction rate"),
    "avg_handling_hours": Label("平均处置时长（工作时）", "Average handling time (working hours)"),
    "p90_handling_hours": Label("90%处置时长（工作时）", "90th percentile handling time (working hours)"),
}
KPI_KEYS: tuple[str, ...] = tuple(LABELS)

Figure = int | float | None


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def kpis(counts: KpiCounts) -> dict[str, Figure]:
    """The section 7 figures, keyed as in `KPI_KEYS`."""
    c = counts
    return {
        "filed": c.filed,
        "closed": c.closed,
        "due": c.due,
        "close_rate": ratio(c.closed, c.due),
        "on_time_close_rate": ratio(c.closed_on_time, c.due),
        "handle_rate": ratio(c.handled, c.dispatched),
        "on_time_handle_rate": ratio(c.handled_on_time, c.dispatched),
        "first_time_rate": ratio(c.closed_first_time, c.closed),
        "rework_rate": ratio(c.reworked, c.closed),
        "return_rate": ratio(c.returned, c.dispatched),
        "self_handled_rate": ratio(c.self_handled, c.reported),
        "discovery_rate": ratio(c.discovered, c.reported),
        "satisfaction_rate": ratio(c.satisfied, c.visit_backs),
        "avg_handling_hours": ratio(c.hours_sum, c.hours_count),
        "p90_handling_hours": c.hours_p90 if c.hours_count else None,
    }


def percentile_position(count: int, fraction: float) -> tuple[int, float]:
    """Where percentile_cont(`fraction`) of `count` sorted values lies: (0-based index, weight of the next)."""
    position = fraction * (count - 1)
    index = int(position)
    return index, position - index


def percentile_cont(ordered: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over values sorted ascending: linear between the two nearest ranks."""
    if not ordered:
        return None
    index, weight = percentile_position(len(ordered), fraction)
    if index + 1 >= len(ordered):
        return ordered[index]
    return ordered[index] + weight * (ordered[index + 1] - ordered[index])


def scope_level(scope: str | None) -> str:
    """What a KPI scope names: district (also None), street, community, grid, or else a department."""
    if scope is None:
        return "district"
    if scope.isascii() and scope.isdigit() and len(scope) in AREA_LEVELS:
        return AREA_LEVELS[len(scope)]
    return "department"


def ranked(rows: dict[str, KpiCounts]) -> list[tuple[str, KpiCounts]]:
    """Rows best first by on-time close rate; areas without due cases last; ties by code."""

    def key(item: tuple[str, KpiCounts]) -> tuple[bool, float, str]:
        rate = ratio(item[1].closed_on_time, item[1].due)
        return (rate is None, -(rate or 0.0), item[0])

    return sorted(rows.items(), key=key)
