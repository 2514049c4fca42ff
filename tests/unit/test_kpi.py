"""KPI formulas of DESIGN.md section 7: ratios, zero denominators, percentile, scopes, ranking order."""

from __future__ import annotations

import pytest

from dashboard.domain.kpi import (
    KPI_KEYS,
    LABELS,
    KpiCounts,
    kpis,
    percentile_cont,
    percentile_position,
    ranked,
    ratio,
    scope_level,
)

COUNTS = KpiCounts(
    reported=200,
    self_handled=100,
    discovered=124,
    filed=90,
    due=80,
    closed=75,
    closed_on_time=73,
    closed_first_time=74,
    reworked=1,
    dispatched=88,
    handled=86,
    handled_on_time=85,
    returned=2,
    visit_backs=40,
    satisfied=38,
    hours_count=86,
    hours_sum=516.0,
    hours_p90=11.5,
)


def test_figures_from_counts() -> None:
    assert kpis(COUNTS) == {
        "filed": 90,
        "closed": 75,
        "due": 80,
        "close_rate": 75 / 80,
        "on_time_close_rate": 73 / 80,
        "handle_rate": 86 / 88,
        "on_time_handle_rate": 85 / 88,
        "first_time_rate": 74 / 75,
        "rework_rate": 1 / 75,
        "return_rate": 2 / 88,
        "self_handled_rate": 0.5,
        "discovery_rate": 0.62,
        "satisfaction_rate": 0.95,
        "avg_handling_hours": 6.0,
        "p90_handling_hours": 11.5,
    }


def test_zero_denominators_give_none_not_zero() -> None:
    figures = kpis(KpiCounts())
    assert {k: v for k, v in figures.items() if v is not None} == {"filed": 0, "closed": 0, "due": 0}


def test_each_rate_is_none_only_when_its_own_denominator_is_zero() -> None:
    # Reported and filed but nothing dispatched, closed or visited yet: those rates have no data.
    figures = kpis(KpiCounts(reported=4, self_handled=1, discovered=3, filed=2, due=1, hours_p90=None))
    assert figures["self_handled_rate"] == 0.25
    assert figures["discovery_rate"] == 0.75
    assert figures["close_rate"] == 0.0  # one case due, none closed: a real zero
    assert figures["on_time_close_rate"] == 0.0
    for key in (
        "handle_rate",
        "on_time_handle_rate",
        "first_time_rate",
        "rework_rate",
        "return_rate",
        "satisfaction_rate",
        "avg_handling_hours",
        "p90_handling_hours",
    ):
        assert figures[key] is None, key


def test_ratio() -> None:
    assert ratio(1, 4) == 0.25
    assert ratio(0, 4) == 0.0
    assert ratio(3, 0) is None


def test_labels_cover_every_figure_with_stable_ascii_keys() -> None:
    assert tuple(kpis(COUNTS)) == KPI_KEYS
    assert KPI_KEYS[:3] == ("filed", "closed", "due")
    for key, label in LABELS.items():
        assert key.isascii() and key.replace("_", "").isalnum()
        assert label.zh and label.en
        assert not label.zh.isascii()
    assert LABELS["on_time_close_rate"].zh == "按时结案率"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([5.0], 5.0),
        ([1.0, 2.0], 1.9),
        ([float(v) for v in range(1, 11)], 9.1),  # position 8.1 between 9 and 10
        ([float(v) for v in range(1, 12)], 10.0),  # position 9.0 exactly
    ],
)
def test_percentile_cont_matches_postgres_definition(values: list[float], expected: float | None) -> None:
    assert percentile_cont(values, 0.9) == (None if expected is None else pytest.approx(expected))


def test_percentile_position() -> None:
    assert percentile_position(10, 0.9) == (8, pytest.approx(0.1))
    assert percentile_position(1, 0.9) == (0, 0.0)


@pytest.mark.parametrize(
    ("scope", "level"),
    [
        (None, "district"),
        ("110112", "district"),
        ("110112001", "street"),
        ("110112001002", "community"),
        ("110112001002003", "grid"),
        ("CGW", "department"),
        ("110112001ZF", "department"),
        ("1101120011", "department"),
    ],
)
def test_scope_level(scope: str | None, level: str) -> None:
    assert scope_level(scope) == level


def test_ranked_best_on_time_close_rate_first_then_no_data() -> None:
    rows = {
        "b": KpiCounts(due=10, closed_on_time=9),
        "a": KpiCounts(due=4, closed_on_time=4),
        "quiet": KpiCounts(),
        "c": KpiCounts(due=10, closed_on_time=9),
    }
    assert [code for code, _ in ranked(rows)] == ["a", "b", "c", "quiet"]
