"""Streets and communities derived from the grid count and the area, within what the 15-digit codes hold."""

from __future__ import annotations

import pytest

from dashboard.domain.codes import county_code_from
from dashboard.domain.levels import MAX_GRIDS, LevelError, derive_levels, grids_per_community

TONGZHOU_M2 = 905.26e6


def test_the_seeds_tongzhou_figures_come_out_of_the_rule() -> None:
    levels = derive_levels(1809, TONGZHOU_M2)
    assert (levels.streets, levels.communities, levels.grids) == (15, 589, 1809)
    assert levels.derived == ("communities", "streets")


def test_smaller_grids_mean_more_grids_per_community() -> None:
    assert grids_per_community(2e6) == 3.0
    assert grids_per_community(0.01e6) == 4.0
    assert 3.0 < grids_per_community(0.2e6) < 4.0
    for grids in (1, 7, 200, 900, 8000, 60000):
        levels = derive_levels(grids, 4605e6)
        assert 1 <= levels.streets <= levels.communities <= grids
        assert levels.communities <= 999 * levels.streets and grids <= 999 * levels.communities


def test_given_counts_are_kept_and_the_other_derived() -> None:
    assert derive_levels(120, TONGZHOU_M2, streets=4).communities == 40
    assert derive_levels(120, TONGZHOU_M2, communities=30).streets == 1
    assert derive_levels(120, TONGZHOU_M2, streets=4, communities=30).derived == ()


def test_the_codes_hold_999_per_level() -> None:
    top = derive_levels(MAX_GRIDS, 1e15)
    assert (top.streets, top.communities) == (999, 999 * 999)
    assert derive_levels(5000, 1e12, streets=1).communities == 999


@pytest.mark.parametrize(
    ("grids", "kwargs", "field"),
    [
        (0, {}, "grids"),
        (MAX_GRIDS + 1, {}, "grids"),
        (200_000, {}, "grids"),  # 4,500 m² a grid in Tongzhou
        (100, {"streets": 0}, "streets"),
        (100, {"streets": 1000}, "streets"),
        (100, {"streets": 101}, "streets"),
        (100, {"streets": 10, "communities": 5}, "communities"),
        (100, {"communities": 101}, "communities"),
        (5000, {"communities": 2}, "communities"),  # 2,500 grids a community > 999
    ],
)
def test_impossible_counts_name_their_field(grids: int, kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(LevelError) as caught:
        derive_levels(grids, TONGZHOU_M2, **kwargs)
    assert caught.value.field == field


def test_county_codes_in_boundary_properties() -> None:
    assert county_code_from("110112") == county_code_from(110112) == "110112"
    assert county_code_from("371302000000") == "371302"
    assert county_code_from(" 330400 ") == "330400"
    for bad in ("1101", "001122", "371302001000", "abc", None, 3.3, True):
        assert county_code_from(bad) is None
